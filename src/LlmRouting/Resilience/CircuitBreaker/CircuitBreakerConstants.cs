namespace LlmRouting;

/// <summary>Defaults and names of the circuit breaker.</summary>
internal static class CircuitBreakerConstants
{
    public const double DefaultFailureRatio = 0.5;

    public const int DefaultMinimumThroughput = 10;

    /// <summary>The number of buckets the sampling window is split into.</summary>
    public const int WindowBuckets = 10;

    /// <summary>The reason code of a candidate skipped because its circuit is open.</summary>
    public const string RejectionReason = "circuit_open";

    public static readonly TimeSpan DefaultSamplingDuration = TimeSpan.FromSeconds(30);

    public static readonly TimeSpan DefaultBreakDuration = TimeSpan.FromSeconds(15);
}
