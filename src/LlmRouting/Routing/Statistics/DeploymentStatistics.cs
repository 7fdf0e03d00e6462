namespace LlmRouting;

/// <summary>A snapshot of the live statistics of one deployment, taken from an <see cref="IRoutingStatisticsStore"/>.</summary>
/// <remarks>A metric is <see langword="null"/> until its first sample. Immutable.</remarks>
public sealed class DeploymentStatistics
{
    /// <summary>Initializes a new instance of the <see cref="DeploymentStatistics"/> class.</summary>
    /// <param name="deployment">The deployment name.</param>
    /// <exception cref="ArgumentException"><paramref name="deployment"/> is empty.</exception>
    public DeploymentStatistics(string deployment)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(deployment);
        Deployment = deployment;
    }

    /// <summary>Gets the deployment name.</summary>
    public string Deployment { get; }

    /// <summary>Gets the duration of successful attempts, in seconds.</summary>
    public StatisticEstimate? Latency { get; init; }

    /// <summary>Gets the time to first token of streamed attempts (and scaled estimates from non-streamed ones), in seconds.</summary>
    public StatisticEstimate? TimeToFirstToken { get; init; }

    /// <summary>Gets the output speed in tokens per second.</summary>
    public StatisticEstimate? OutputTokensPerSecond { get; init; }

    /// <summary>Gets the error rate (0 to 1) of attempts that reached the deployment.</summary>
    public StatisticEstimate? ErrorRate { get; init; }

    /// <summary>Gets the quality score (0 to 1) from automatic answer checks and explicit feedback.</summary>
    public StatisticEstimate? Quality { get; init; }

    /// <summary>Gets the estimate of one metric.</summary>
    /// <param name="metric">The metric.</param>
    /// <returns>The estimate, or <see langword="null"/> without samples.</returns>
    public StatisticEstimate? Get(DeploymentMetric metric) => metric switch
    {
        DeploymentMetric.Latency => Latency,
        DeploymentMetric.TimeToFirstToken => TimeToFirstToken,
        DeploymentMetric.OutputTokensPerSecond => OutputTokensPerSecond,
        DeploymentMetric.ErrorRate => ErrorRate,
        DeploymentMetric.Quality => Quality,
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, null),
    };
}
