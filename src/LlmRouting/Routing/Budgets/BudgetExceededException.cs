using System.Globalization;

namespace LlmRouting;

/// <summary>Thrown when a request does not fit a budget (<c>LlmRouting:Budgets</c>): in reject mode when the preferred candidate does not fit, in downgrade mode when no candidate does.</summary>
/// <remarks>The message names the budget rule, never a user id.</remarks>
public sealed class BudgetExceededException : LlmRoutingException
{
    /// <summary>Initializes a new instance of the <see cref="BudgetExceededException"/> class.</summary>
    public BudgetExceededException()
        : this("The request exceeds a budget.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="BudgetExceededException"/> class with a message.</summary>
    /// <param name="message">The message.</param>
    public BudgetExceededException(string message)
        : base(message)
    {
        Budget = string.Empty;
    }

    /// <summary>Initializes a new instance of the <see cref="BudgetExceededException"/> class with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public BudgetExceededException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Budget = string.Empty;
    }

    internal BudgetExceededException(BudgetAccount account, BudgetMode mode, decimal remainingUsd, decimal estimatedCostUsd, DateTimeOffset? resetsAt)
        : base(Format(account, mode, remainingUsd, estimatedCostUsd, resetsAt))
    {
        Budget = account.Budget;
        Scope = account.Scope;
        Key = account.Key;
        Mode = mode;
        LimitUsd = account.LimitUsd;
        Period = account.Period;
        Window = account.Window;
        RemainingUsd = remainingUsd;
        EstimatedCostUsd = estimatedCostUsd;
        ResetsAt = resetsAt;
    }

    /// <summary>Gets the name of the budget rule that was exceeded.</summary>
    public string Budget { get; }

    /// <summary>Gets what the budget counts per.</summary>
    public BudgetScope Scope { get; }

    /// <summary>Gets the tenant, tag, deployment or key counted (never a user id).</summary>
    public string? Key { get; }

    /// <summary>Gets the budget's mode.</summary>
    public BudgetMode Mode { get; }

    /// <summary>Gets the limit per period in US dollars.</summary>
    public decimal LimitUsd { get; }

    /// <summary>Gets the period.</summary>
    public BudgetPeriod Period { get; }

    /// <summary>Gets whether the period is calendar-aligned or rolling.</summary>
    public BudgetWindow Window { get; }

    /// <summary>Gets what was left of the budget.</summary>
    public decimal RemainingUsd { get; }

    /// <summary>Gets the estimated cost of the cheapest candidate the budget had to admit.</summary>
    public decimal EstimatedCostUsd { get; }

    /// <summary>Gets when a calendar budget resets; <see langword="null"/> for rolling windows.</summary>
    public DateTimeOffset? ResetsAt { get; }

    /// <summary>Gets the routing report of the request (the rejected candidates say which budget removed each).</summary>
    public RoutingReport? Report { get; internal set; }

    private static string Format(BudgetAccount account, BudgetMode mode, decimal remaining, decimal estimated, DateTimeOffset? resetsAt)
    {
        string who = account.Key is null ? account.Scope.ToString().ToLowerInvariant() : $"{account.Scope.ToString().ToLowerInvariant()} '{account.Key}'";
        string reset = resetsAt is { } r ? string.Create(CultureInfo.InvariantCulture, $" It resets at {r:yyyy-MM-dd'T'HH:mm:ss'Z'}.") : string.Empty;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"The '{account.Budget}' budget ({who}, {account.LimitUsd} USD per {account.Period.ToString().ToLowerInvariant()}, {account.Window.ToString().ToLowerInvariant()}, {mode.ToString().ToLowerInvariant()} mode) has {remaining:0.########} USD left; the request needs an estimated {estimated:0.########} USD.{reset}");
    }
}
