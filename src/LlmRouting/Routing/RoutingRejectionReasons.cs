namespace LlmRouting;

/// <summary>The reason codes of <see cref="CandidateRejection.Reason"/>: why the router did not consider a deployment for a request.</summary>
public static class RoutingRejectionReasons
{
    /// <summary>The request pinned another model with <c>ChatOptions.ModelId</c>.</summary>
    public const string NotPinned = "not_pinned";

    /// <summary>The provider is not in the allowed providers (configuration or hint).</summary>
    public const string ProviderNotAllowed = "provider_not_allowed";

    /// <summary>The provider is blocked (configuration or hint).</summary>
    public const string ProviderBlocked = "provider_blocked";

    /// <summary>The model is not in the allowed models.</summary>
    public const string ModelNotAllowed = "model_not_allowed";

    /// <summary>The model is blocked.</summary>
    public const string ModelBlocked = "model_blocked";

    /// <summary>The deployment's region is not allowed (or unknown while regions are restricted).</summary>
    public const string RegionNotAllowed = "region_not_allowed";

    /// <summary>The deployment's region is blocked.</summary>
    public const string RegionBlocked = "region_blocked";

    /// <summary>The deployment is not in the tier the request asked for.</summary>
    public const string NotInTier = "not_in_tier";

    /// <summary>The request's experiment variant routes to other deployments.</summary>
    public const string ExperimentVariant = "experiment_variant";

    /// <summary>The model does not accept images.</summary>
    public const string NoVision = "no_vision";

    /// <summary>The model does not support tool calling.</summary>
    public const string NoTools = "no_tools";

    /// <summary>The model cannot emit several tool calls in one turn, and the request needs it.</summary>
    public const string NoParallelTools = "no_parallel_tools";

    /// <summary>The model does not support JSON-schema structured output.</summary>
    public const string NoJsonSchema = "no_json_schema";

    /// <summary>The model is not a reasoning model, and the request sets a reasoning effort.</summary>
    public const string NoReasoning = "no_reasoning";

    /// <summary>The model lacks another capability the request needs.</summary>
    public const string MissingCapability = "missing_capability";

    /// <summary>The estimated prompt plus requested output exceed the context window.</summary>
    public const string ContextWindow = "context_window";

    /// <summary>The estimated cost exceeds the request's maximum cost.</summary>
    public const string OverMaxCost = "over_max_cost";

    /// <summary>The request has a maximum cost and the deployment's price is unknown.</summary>
    public const string CostUnknown = "cost_unknown";

    /// <summary>The predicted latency exceeds the request's maximum latency.</summary>
    public const string OverMaxLatency = "over_max_latency";

    /// <summary>The request has a maximum latency and nothing predicts the deployment's latency (no live statistics, no catalog prior).</summary>
    public const string LatencyUnknown = "latency_unknown";

    /// <summary>The predicted quality is below the request's minimum quality.</summary>
    public const string UnderMinQuality = "under_min_quality";

    /// <summary>The request has a minimum quality and nothing predicts the deployment's quality.</summary>
    public const string QualityUnknown = "quality_unknown";

    /// <summary>The estimated cost does not fit what is left of a budget (or the price is unknown while a budget applies).</summary>
    public const string OverBudget = "over_budget";

    /// <summary>The routing policy left the deployment out of its ranking.</summary>
    public const string PolicyExcluded = "policy_excluded";
}
