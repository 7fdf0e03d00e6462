namespace LlmRouting;

/// <summary>Settings of the <c>auto</c> policy, <see cref="ComplexityRoutingPolicy"/> (<c>LlmRouting:Routing:Complexity</c>).</summary>
/// <remarks>
/// The operating point: with <see cref="QualityValueUsd"/> the policy maximises
/// <c>QualityValueUsd × expected quality − estimated cost</c> (spend more only where the prompt needs it and the gain is worth
/// the price); with <see cref="MinimumExpectedQuality"/> alone it picks the cheapest candidate expected to reach that quality.
/// Both together: candidates reaching the minimum come first, ranked by value.
/// </remarks>
public sealed class ComplexityRoutingOptions
{
    /// <summary>The default <see cref="QualityValueUsd"/>.</summary>
    public const double DefaultQualityValueUsd = 0.01;

    /// <summary>
    /// Gets or sets what a good answer is worth in US dollars: a dearer candidate wins only if its gain in expected quality
    /// times this value exceeds the extra estimated cost. Larger favours quality, smaller favours cost; 0 is always-cheapest.
    /// The default is <see cref="DefaultQualityValueUsd"/> (one cent). <see langword="null"/> ranks by <see cref="MinimumExpectedQuality"/> alone.
    /// </summary>
    public double? QualityValueUsd { get; set; } = DefaultQualityValueUsd;

    /// <summary>
    /// Gets or sets the expected quality (probability of a good answer, 0–1) a candidate must reach to be preferred;
    /// when none does, the most capable goes first. <see langword="null"/> (the default) sets no floor.
    /// </summary>
    public double? MinimumExpectedQuality { get; set; }

    /// <summary>
    /// Gets or sets the intelligence index assumed for models without a prior or profile; <see langword="null"/> (the default)
    /// ranks such deployments after all deployments of known quality, cheapest first.
    /// </summary>
    public double? DefaultIntelligenceIndex { get; set; }

    /// <summary>
    /// Gets or sets calibrated quality profiles, keyed by deployment name, catalog key (<c>provider/modelId</c>) or model id,
    /// tried in that order. A profile overrides the catalog's priors.
    /// </summary>
    public IDictionary<string, ModelQualityProfile> Profiles { get; set; } = new Dictionary<string, ModelQualityProfile>(StringComparer.OrdinalIgnoreCase);
}
