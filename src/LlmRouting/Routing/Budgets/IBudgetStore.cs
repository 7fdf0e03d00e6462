namespace LlmRouting;

/// <summary>
/// Keeps budget accounts: settled spend per period and amounts reserved by requests in flight. The router reserves a request's
/// estimated cost before the call and settles the actual cost after it (or releases it on failure), so concurrent requests cannot
/// overspend a budget.
/// </summary>
/// <remarks>
/// <see cref="InMemoryBudgetStore"/> is the default. A shared implementation (e.g. Redis) must make <see cref="TryReserveAsync"/>
/// atomic across all charges. Implementations must be thread-safe; settling or releasing a reservation twice must have no effect.
/// </remarks>
public interface IBudgetStore
{
    /// <summary>Gets the current state of an account.</summary>
    /// <param name="account">The account.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The usage.</returns>
    ValueTask<BudgetUsage> GetUsageAsync(BudgetAccount account, CancellationToken cancellationToken = default);

    /// <summary>Reserves every charge, or none: fails when any account's remaining amount is smaller than its charge.</summary>
    /// <param name="charges">The amounts to reserve.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The reservation, or <see langword="null"/> when an account cannot take its charge.</returns>
    ValueTask<BudgetReservation?> TryReserveAsync(IReadOnlyList<BudgetCharge> charges, CancellationToken cancellationToken = default);

    /// <summary>Replaces a reservation by the actual amounts spent (one per charge, in the same order).</summary>
    /// <param name="reservation">The reservation.</param>
    /// <param name="actualUsd">The actual amount per charge; may exceed the reserved amount.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>A task that completes when the accounts are updated.</returns>
    ValueTask SettleAsync(BudgetReservation reservation, IReadOnlyList<decimal> actualUsd, CancellationToken cancellationToken = default);

    /// <summary>Releases a reservation without charging anything.</summary>
    /// <param name="reservation">The reservation.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>A task that completes when the accounts are updated.</returns>
    ValueTask ReleaseAsync(BudgetReservation reservation, CancellationToken cancellationToken = default);
}
