namespace LlmRouting;

/// <summary>A per-deployment quantity tracked by an <see cref="IRoutingStatisticsStore"/>.</summary>
public enum DeploymentMetric
{
    /// <summary>Duration of a successful attempt, in seconds.</summary>
    Latency = 0,

    /// <summary>Time to the first streamed token, in seconds.</summary>
    TimeToFirstToken,

    /// <summary>Output tokens per second after the first token.</summary>
    OutputTokensPerSecond,

    /// <summary>1 for a failed attempt, 0 for a successful one (a moving error rate).</summary>
    ErrorRate,

    /// <summary>A quality score from 0 (bad) to 1 (good): automatic answer checks and explicit feedback.</summary>
    Quality,
}
