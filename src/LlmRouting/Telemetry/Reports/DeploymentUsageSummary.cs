namespace LlmRouting;

/// <summary>Observed behaviour of one deployment over the request log: the live statistics a router can rank by.</summary>
public sealed record DeploymentUsageSummary
{
    /// <summary>Gets the deployment.</summary>
    public required string Deployment { get; init; }

    /// <summary>Gets the number of attempts observed.</summary>
    public int Attempts { get; init; }

    /// <summary>Gets the number of failed attempts.</summary>
    public int Failures { get; init; }

    /// <summary>Gets failed / (succeeded + failed) attempts; 0 when none.</summary>
    public double ErrorRate { get; init; }

    /// <summary>Gets the attempt-duration percentiles.</summary>
    public LatencyPercentiles? Latency { get; init; }

    /// <summary>Gets the time-to-first-token percentiles of streamed attempts.</summary>
    public LatencyPercentiles? TimeToFirstToken { get; init; }

    /// <summary>Gets the mean output speed of successful attempts in tokens per second (after the first token for streams).</summary>
    public double? OutputTokensPerSecond { get; init; }

    /// <summary>Gets the mean quality score of the answers it gave, if any were scored.</summary>
    public double? QualityScore { get; init; }

    /// <summary>Gets the cost of its attempts in US dollars.</summary>
    public decimal CostUsd { get; init; }

    /// <summary>Gets when its most recent observed request ended.</summary>
    public DateTimeOffset? LastSeen { get; init; }
}
