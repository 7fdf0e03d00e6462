namespace LlmRouting;

/// <summary>Per-variant results of the router's experiments: requests, cost, latency, error rate and quality score, compared with a baseline.</summary>
/// <remarks>Counts live in this process since it started. Get it from DI or from <see cref="CostRouterChatClient.Experiments"/>. Thread-safe.</remarks>
public interface IExperimentResults
{
    /// <summary>Gets the names of experiments that have served requests.</summary>
    IReadOnlyList<string> Experiments { get; }

    /// <summary>Compares the variants of an experiment.</summary>
    /// <param name="experiment">The experiment name.</param>
    /// <returns>The summary, or <see langword="null"/> if the experiment has served no request.</returns>
    ExperimentSummary? GetSummary(string experiment);
}

/// <summary>The variants of one experiment side by side.</summary>
/// <param name="Experiment">The experiment name.</param>
/// <param name="Baseline">The variant the others are compared with: <c>control</c> if there is one, else the first by name.</param>
/// <param name="Variants">One entry per variant that served requests, by name.</param>
public sealed record ExperimentSummary(string Experiment, string Baseline, IReadOnlyList<ExperimentVariantSummary> Variants);

/// <summary>The results of one experiment variant.</summary>
public sealed record ExperimentVariantSummary
{
    /// <summary>Gets the variant name.</summary>
    public required string Variant { get; init; }

    /// <summary>Gets the number of requests assigned to the variant that completed (successfully or not).</summary>
    public long Requests { get; init; }

    /// <summary>Gets the number of those requests that failed.</summary>
    public long Failures { get; init; }

    /// <summary>Gets the share of requests that failed, 0 to 1.</summary>
    public double ErrorRate => Requests == 0 ? 0 : (double)Failures / Requests;

    /// <summary>Gets the total cost in US dollars.</summary>
    public decimal TotalCostUsd { get; init; }

    /// <summary>Gets the mean cost per request in US dollars.</summary>
    public decimal MeanCostUsd => Requests == 0 ? 0m : TotalCostUsd / Requests;

    /// <summary>Gets the mean total latency of successful requests.</summary>
    public TimeSpan MeanLatency { get; init; }

    /// <summary>Gets the mean quality score (automatic answer checks and feedback), 0 to 1; <see langword="null"/> without samples.</summary>
    public double? QualityScore { get; init; }

    /// <summary>Gets the number of quality samples.</summary>
    public long QualitySamples { get; init; }

    /// <summary>Gets the mean cost relative to the baseline (0.5 = half as expensive); <see langword="null"/> when the baseline cost nothing.</summary>
    public double? CostRatio { get; init; }

    /// <summary>Gets the mean latency relative to the baseline; <see langword="null"/> without baseline latency.</summary>
    public double? LatencyRatio { get; init; }

    /// <summary>Gets the error rate minus the baseline's.</summary>
    public double ErrorRateDelta { get; init; }

    /// <summary>Gets the quality score minus the baseline's; <see langword="null"/> when either has no samples.</summary>
    public double? QualityDelta { get; init; }
}
