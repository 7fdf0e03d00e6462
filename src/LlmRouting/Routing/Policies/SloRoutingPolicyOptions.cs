namespace LlmRouting;

/// <summary>
/// Targets of the <c>slo</c> policy (<c>LlmRouting:Routing:Slo</c>). A request's hints (<see cref="LlmRoutingHints.WithMaxLatency"/>,
/// <see cref="LlmRoutingHints.WithMaxCost"/>, <see cref="LlmRoutingHints.WithMinQuality"/>) replace the matching target.
/// </summary>
public sealed class SloRoutingPolicyOptions
{
    /// <summary>Gets or sets the maximum predicted latency (e.g. <c>00:00:00.5</c>); no latency target when <see langword="null"/>.</summary>
    public TimeSpan? MaxLatency { get; set; }

    /// <summary>Gets or sets the maximum estimated cost per call in US dollars (e.g. <c>0.0001</c>); no cost target when <see langword="null"/>.</summary>
    public decimal? MaxCostUsd { get; set; }

    /// <summary>Gets or sets the minimum predicted quality, 0 to 1; no quality target when <see langword="null"/>.</summary>
    public double? MinQuality { get; set; }
}
