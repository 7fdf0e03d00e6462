namespace LlmRouting;

/// <summary>
/// An A/B test or canary (<c>LlmRouting:Routing:Experiments:{name}</c>): requests are split between variants by percentage, sticky
/// per experiment key, user or tenant; each variant may route with another policy or to other deployments.
/// </summary>
/// <example>
/// <code language="json">
/// "Experiments": {
///   "new-mini": {
///     "Variants": {
///       "control": { "Percent": 95 },
///       "canary":  { "Percent": 5, "Deployments": [ "gpt-5-mini" ] }
///     }
///   }
/// }
/// </code>
/// </example>
public sealed class ExperimentOptions
{
    /// <summary>Gets or sets a value indicating whether requests are assigned to the experiment. The default is <see langword="true"/>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Gets or sets the variants by name; their percentages add up to at most 100 (the rest of the traffic is not enrolled).</summary>
    public IDictionary<string, ExperimentVariantOptions> Variants { get; set; } = new Dictionary<string, ExperimentVariantOptions>(StringComparer.OrdinalIgnoreCase);
}

/// <summary>One variant of an experiment.</summary>
public sealed class ExperimentVariantOptions
{
    /// <summary>Gets or sets the share of requests, 0 to 100.</summary>
    public double Percent { get; set; }

    /// <summary>Gets or sets the routing policy of the variant; the router's when <see langword="null"/>.</summary>
    public string? Policy { get; set; }

    /// <summary>Gets or sets the deployments the variant may use (names); all when empty.</summary>
    public IList<string> Deployments { get; set; } = [];
}
