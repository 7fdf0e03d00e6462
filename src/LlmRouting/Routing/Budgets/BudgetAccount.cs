namespace LlmRouting;

/// <summary>One counter of a budget rule: the rule, the value it counts (a user, tenant, tag, deployment or key) and its limit.</summary>
/// <param name="Id">The store key, <c>{budget}/{scope}/{value}</c>; a user id appears only as a SHA-256 prefix.</param>
/// <param name="Budget">The rule name.</param>
/// <param name="Scope">What the rule counts per.</param>
/// <param name="Key">The tenant, tag, deployment or budget key counted; <see langword="null"/> for <see cref="BudgetScope.Global"/> and <see cref="BudgetScope.User"/> (user ids are never exposed).</param>
/// <param name="LimitUsd">The limit per period in US dollars.</param>
/// <param name="Period">The period.</param>
/// <param name="Window">Calendar-aligned or rolling.</param>
public sealed record BudgetAccount(string Id, string Budget, BudgetScope Scope, string? Key, decimal LimitUsd, BudgetPeriod Period, BudgetWindow Window);

/// <summary>An amount reserved on, or charged to, one budget account.</summary>
/// <param name="Account">The account.</param>
/// <param name="AmountUsd">The amount in US dollars.</param>
public readonly record struct BudgetCharge(BudgetAccount Account, decimal AmountUsd);

/// <summary>The state of one budget account now.</summary>
/// <param name="LimitUsd">The limit per period.</param>
/// <param name="SpentUsd">The amount settled in the current period (calendar) or the last period (rolling).</param>
/// <param name="ReservedUsd">The amount reserved by requests in flight.</param>
/// <param name="WindowStart">The start of the current calendar period, or of the rolling window.</param>
/// <param name="ResetsAt">When a calendar period resets; <see langword="null"/> for rolling windows.</param>
public sealed record BudgetUsage(decimal LimitUsd, decimal SpentUsd, decimal ReservedUsd, DateTimeOffset WindowStart, DateTimeOffset? ResetsAt)
{
    /// <summary>Gets what is left: the limit minus spent and reserved amounts, at least zero.</summary>
    public decimal RemainingUsd => Math.Max(0m, LimitUsd - SpentUsd - ReservedUsd);
}

/// <summary>Amounts reserved atomically on one or more budget accounts before a call; settle or release it exactly once.</summary>
public sealed class BudgetReservation
{
    /// <summary>Initializes a new instance of the <see cref="BudgetReservation"/> class.</summary>
    /// <param name="id">A unique id.</param>
    /// <param name="charges">The reserved amounts.</param>
    public BudgetReservation(string id, IReadOnlyList<BudgetCharge> charges)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentNullException.ThrowIfNull(charges);
        Id = id;
        Charges = charges;
    }

    /// <summary>Gets the reservation id.</summary>
    public string Id { get; }

    /// <summary>Gets the reserved amounts.</summary>
    public IReadOnlyList<BudgetCharge> Charges { get; }
}

/// <summary>A budget that applied to a request, as written to the routing report.</summary>
/// <param name="Budget">The rule name.</param>
/// <param name="Scope">What the rule counts per.</param>
/// <param name="Key">The tenant, tag, deployment or key counted (never a user id).</param>
/// <param name="Mode">Reject or downgrade.</param>
/// <param name="LimitUsd">The limit per period.</param>
/// <param name="ReservedUsd">The amount this request reserved before the call.</param>
/// <param name="RemainingUsd">What was left for the request before its reservation.</param>
/// <param name="ChargedUsd">What this request was charged when it settled; <see langword="null"/> until then.</param>
public sealed record BudgetStatus(string Budget, BudgetScope Scope, string? Key, BudgetMode Mode, decimal LimitUsd, decimal ReservedUsd, decimal RemainingUsd, decimal? ChargedUsd);

/// <summary>Argument checks every <see cref="IBudgetStore"/> applies to the charges of a reservation.</summary>
internal static class BudgetCharges
{
    /// <summary>Throws when <paramref name="charges"/> is null, a charge has no account or a charge is negative.</summary>
    public static void Validate(IReadOnlyList<BudgetCharge> charges)
    {
        ArgumentNullException.ThrowIfNull(charges);
        foreach (BudgetCharge c in charges)
        {
            ArgumentNullException.ThrowIfNull(c.Account, nameof(charges));
            if (c.AmountUsd < 0)
            {
                throw new ArgumentException("A budget charge cannot be negative.", nameof(charges));
            }
        }
    }
}
