namespace LlmRouting;

/// <summary>
/// One budget rule (<c>LlmRouting:Budgets:{name}</c>): a spending limit in US dollars per period, counted per user, tenant, tag,
/// deployment, budget key or globally.
/// </summary>
/// <example>
/// <code language="json">
/// "Budgets": {
///   "per-user-daily": { "Scope": "User", "LimitUsd": 2.5, "Period": "Day" },
///   "acme-monthly":   { "Scope": "Tenant", "Key": "acme", "LimitUsd": 500, "Period": "Month", "Mode": "Downgrade" },
///   "gpt-4o-hourly":  { "Scope": "Deployment", "Key": "large", "LimitUsd": 20, "Period": "Hour", "Window": "Rolling", "Mode": "Downgrade" }
/// }
/// </code>
/// </example>
public sealed class BudgetOptions
{
    /// <summary>Gets or sets what the budget is counted per. The default is <see cref="BudgetScope.Global"/>.</summary>
    public BudgetScope Scope { get; set; }

    /// <summary>
    /// Gets or sets the one user, tenant, tag, deployment or budget key the rule applies to; when <see langword="null"/>, every
    /// value gets its own budget of <see cref="LimitUsd"/> (e.g. each user has 2.50 USD a day).
    /// </summary>
    public string? Key { get; set; }

    /// <summary>Gets or sets the limit in US dollars per period. Must be positive.</summary>
    public decimal LimitUsd { get; set; }

    /// <summary>Gets or sets the period. The default is <see cref="BudgetPeriod.Day"/>.</summary>
    public BudgetPeriod Period { get; set; } = BudgetPeriod.Day;

    /// <summary>Gets or sets whether the period is calendar-aligned (UTC) or rolling. The default is <see cref="BudgetWindow.Calendar"/>.</summary>
    public BudgetWindow Window { get; set; }

    /// <summary>Gets or sets what happens when a request does not fit. The default is <see cref="BudgetMode.Reject"/>.</summary>
    public BudgetMode Mode { get; set; }

    /// <summary>Gets or sets a value indicating whether the rule is applied. The default is <see langword="true"/>.</summary>
    public bool Enabled { get; set; } = true;
}
