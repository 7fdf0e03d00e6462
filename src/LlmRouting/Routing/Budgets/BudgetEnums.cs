namespace LlmRouting;

/// <summary>What a budget is counted per.</summary>
public enum BudgetScope
{
    /// <summary>One budget for every request through the router.</summary>
    Global = 0,

    /// <summary>Per end user (<see cref="LlmRoutingHints.WithUser"/>); requests without a user are not counted.</summary>
    User,

    /// <summary>Per tenant (<see cref="LlmRoutingPropertyKeys.Tenant"/>); requests without a tenant are not counted.</summary>
    Tenant,

    /// <summary>Per tag (<see cref="LlmRoutingHints.WithTags"/>); a request with several tags is counted under each.</summary>
    Tag,

    /// <summary>Per deployment: the cost of calls to that deployment.</summary>
    Deployment,

    /// <summary>Per budget key (<see cref="LlmRoutingHints.WithBudgetKey"/>), e.g. a project or feature.</summary>
    Key,
}

/// <summary>The length of a budget's period.</summary>
public enum BudgetPeriod
{
    /// <summary>An hour.</summary>
    Hour = 0,

    /// <summary>A day.</summary>
    Day,

    /// <summary>A month (a calendar month, or 30 days when rolling).</summary>
    Month,
}

/// <summary>How a budget's period moves.</summary>
public enum BudgetWindow
{
    /// <summary>Calendar-aligned in UTC: the hour, day or month resets at its boundary.</summary>
    Calendar = 0,

    /// <summary>Rolling: the spend of the last hour, 24 hours or 30 days, counted in 60 slices of the period.</summary>
    Rolling,
}

/// <summary>What the router does when a request does not fit a budget.</summary>
public enum BudgetMode
{
    /// <summary>Throws <see cref="BudgetExceededException"/> when the candidate the policy ranked first does not fit.</summary>
    Reject = 0,

    /// <summary>Downgrades to candidates whose estimated cost fits what is left; throws <see cref="BudgetExceededException"/> only when none does.</summary>
    Downgrade,
}
