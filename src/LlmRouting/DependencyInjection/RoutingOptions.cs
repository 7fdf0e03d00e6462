namespace LlmRouting;

/// <summary>Router settings (<c>LlmRouting:Routing</c>).</summary>
public sealed class RoutingOptions
{
    /// <summary>Gets or sets the name of the routing policy (<c>cheapest</c>, <c>priority</c>, <c>weighted</c>, <c>fastest</c>, <c>balanced</c>, <c>slo</c>, or a registered custom one). The default is <c>cheapest</c>.</summary>
    public string Policy { get; set; } = CheapestRoutingPolicy.PolicyName;

    /// <summary>Gets or sets the output-token estimate used when a request sets no maximum. The default is 256.</summary>
    public int DefaultEstimatedOutputTokens { get; set; } = 256;

    /// <summary>Gets or sets the providers requests may be routed to; all when empty.</summary>
    public IList<string> AllowedProviders { get; set; } = [];

    /// <summary>Gets or sets providers requests are never routed to.</summary>
    public IList<string> BlockedProviders { get; set; } = [];

    /// <summary>Gets or sets the models (model ids or catalog keys <c>provider/model</c>; <c>*</c> matches any characters) requests may use; all when empty.</summary>
    public IList<string> AllowedModels { get; set; } = [];

    /// <summary>Gets or sets models (ids, catalog keys or patterns) requests never use.</summary>
    public IList<string> BlockedModels { get; set; } = [];

    /// <summary>Gets or sets the deployment regions requests may use (<c>*</c> matches any characters); all when empty. Deployments without a region are then not used.</summary>
    public IList<string> AllowedRegions { get; set; } = [];

    /// <summary>Gets or sets deployment regions requests never use.</summary>
    public IList<string> BlockedRegions { get; set; } = [];

    /// <summary>
    /// Gets or sets named tiers for <see cref="LlmRoutingHints.WithTier"/>: each lists the deployments of the tier by deployment name,
    /// model id or catalog key (<c>*</c> matches any characters), e.g. <c>"premium": [ "gpt-4o", "anthropic/claude-*" ]</c>.
    /// </summary>
    public IDictionary<string, IList<string>> Tiers { get; set; } = new Dictionary<string, IList<string>>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Gets or sets quality priors (0 to 1) by deployment name, model id or catalog key, for models the catalog has no benchmark for
    /// (e.g. local models) or to override it. Otherwise the prior is the model's percentile of the catalog's intelligence index.
    /// </summary>
    public IDictionary<string, double> QualityPriors { get; set; } = new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets or sets the weights of the <c>balanced</c> policy.</summary>
    public BalancedRoutingPolicyOptions Balanced { get; set; } = new();

    /// <summary>Gets or sets the targets of the <c>slo</c> policy.</summary>
    public SloRoutingPolicyOptions Slo { get; set; } = new();

    /// <summary>Gets or sets how live statistics are averaged and blended with priors.</summary>
    public RoutingStatisticsOptions Statistics { get; set; } = new();

    /// <summary>Gets or sets A/B tests and canaries by name.</summary>
    public IDictionary<string, ExperimentOptions> Experiments { get; set; } = new Dictionary<string, ExperimentOptions>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets or sets the cascade (cheap first, escalate when a check fails).</summary>
    public CascadeOptions Cascade { get; set; } = new();
}
