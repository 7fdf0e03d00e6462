namespace LlmRouting;

/// <summary>An eligible deployment with the router's estimates for the current request.</summary>
/// <param name="Deployment">The deployment.</param>
/// <param name="EstimatedCostUsd">The estimated cost of the request on this deployment, in US dollars.</param>
/// <remarks>
/// Predictions blend live statistics (<see cref="IRoutingStatisticsStore"/>) with catalog priors; each is <see langword="null"/>
/// when neither is known.
/// </remarks>
public sealed record RoutingCandidate(Deployment Deployment, decimal EstimatedCostUsd)
{
    /// <summary>Gets the predicted time to first token.</summary>
    public TimeSpan? PredictedTimeToFirstToken { get; init; }

    /// <summary>Gets the predicted output speed in tokens per second.</summary>
    public double? PredictedOutputTokensPerSecond { get; init; }

    /// <summary>Gets the predicted latency of the request: time to first token + estimated output tokens / output speed.</summary>
    public TimeSpan? PredictedLatency { get; init; }

    /// <summary>Gets the predicted quality, 0 to 1: the quality prior (catalog percentile or configured) times the observed quality score.</summary>
    public double? PredictedQuality { get; init; }

    /// <summary>Gets the predicted error rate, 0 to 1 (0 when nothing has been observed).</summary>
    public double PredictedErrorRate { get; init; }

    /// <summary>Gets a value indicating whether the price of the deployment is known (or it is local, and free).</summary>
    public bool IsCostKnown => Deployment.ModelInfo.Pricing.IsKnown || Deployment.IsLocal;

    /// <summary>Gets the live statistics the predictions were made from, if the router has a statistics store.</summary>
    public DeploymentStatistics? Statistics { get; init; }

    /// <summary>
    /// Gets the predicted latency adjusted for failures: <see cref="PredictedLatency"/> / (1 − error rate), the expected time
    /// when failed calls must be repeated. <see langword="null"/> when the latency is unknown.
    /// </summary>
    public TimeSpan? ExpectedLatency => PredictedLatency is TimeSpan l
        ? TimeSpan.FromSeconds(l.TotalSeconds / (1 - Math.Clamp(PredictedErrorRate, 0, 0.95)))
        : null;
}
