namespace LlmRouting;

/// <summary>
/// Holds live statistics per deployment — time-decayed moving averages of latency, time to first token, output speed,
/// error rate and quality — which the router updates after every attempt and reads when it ranks candidates.
/// </summary>
/// <remarks>
/// <para>
/// The router reads statistics on every request, synchronously, so implementations must answer from memory; a shared
/// (e.g. Redis) implementation keeps a local replica and exchanges samples in the background.
/// <see cref="InMemoryRoutingStatisticsStore"/> is the default. Implementations must be thread-safe.
/// </para>
/// </remarks>
public interface IRoutingStatisticsStore
{
    /// <summary>Records one sample.</summary>
    /// <param name="deployment">The deployment name.</param>
    /// <param name="metric">The metric.</param>
    /// <param name="value">The sample (seconds, tokens per second, 0/1 for errors, 0 to 1 for quality).</param>
    void Record(string deployment, DeploymentMetric metric, double value);

    /// <summary>Gets a snapshot of a deployment's statistics as of now.</summary>
    /// <param name="deployment">The deployment name.</param>
    /// <returns>The snapshot; metrics without samples are <see langword="null"/>.</returns>
    DeploymentStatistics GetStatistics(string deployment);
}
