namespace LlmRouting;

/// <summary>What <see cref="IRoutingReports.Summarize"/> groups by.</summary>
/// <remarks>
/// Grouping by <see cref="Deployment"/>, <see cref="Provider"/> or <see cref="Model"/> counts attempts (each failed attempt
/// belongs to the deployment that failed, each attempt's cost to its own model); every other grouping counts requests.
/// </remarks>
public enum ReportDimension
{
    /// <summary>The deployment of each attempt.</summary>
    Deployment = 0,

    /// <summary>The provider of each attempt.</summary>
    Provider,

    /// <summary>The model requested by each attempt.</summary>
    Model,

    /// <summary>The request's tenant.</summary>
    Tenant,

    /// <summary>Each of the request's tags (a request with two tags counts in both rows).</summary>
    Tag,

    /// <summary>The UTC day the request started (<c>yyyy-MM-dd</c>).</summary>
    Day,

    /// <summary>The prompt category the router assigned.</summary>
    PromptCategory,

    /// <summary>The experiment variant.</summary>
    ExperimentVariant,

    /// <summary>The routing policy.</summary>
    Policy,
}
