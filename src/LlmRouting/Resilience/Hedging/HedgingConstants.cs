namespace LlmRouting;

/// <summary>Defaults and names of hedging.</summary>
internal static class HedgingConstants
{
    public const int DefaultMaxHedgedAttempts = 1;

    /// <summary>The least number of latency samples before the observed percentile is used.</summary>
    public const int MinimumSamples = 20;

    /// <summary>How many recent latency samples a deployment keeps.</summary>
    public const int SampleCapacity = 128;

    /// <summary>The percentile of the observed latency used as the hedging delay.</summary>
    public const double Percentile = 0.9;

    /// <summary>The <see cref="RoutingAttempt.FailoverReason"/> of an attempt that was still running when a hedge started.</summary>
    public const string HedgeReason = "hedge:slow_first_token";

    public static readonly TimeSpan DefaultDelay = TimeSpan.FromSeconds(2);
}
