namespace LlmRouting;

/// <summary>Timeouts (<c>LlmRouting:Resilience:Timeouts</c>). <see langword="null"/> or zero turns a timeout off.</summary>
/// <remarks>
/// <list type="bullet">
/// <item><see cref="TotalRequestTimeout"/> bounds the whole request: every attempt, backoff and recovery wait, and the whole of a stream.</item>
/// <item><see cref="AttemptTimeout"/> bounds one call to one deployment; for a stream, until its first update.</item>
/// <item><see cref="TimeToFirstTokenTimeout"/> bounds the wait for a stream's first update.</item>
/// <item><see cref="StreamIdleTimeout"/> bounds the gap between two updates of a stream.</item>
/// </list>
/// A timeout before a stream's first update fails over like any transient failure; after it, the stream ends with a
/// <see cref="StreamInterruptedException"/>. Override them per deployment (<see cref="DeploymentResilienceOptions"/>) and per request
/// (<see cref="ResilienceRequestOptions"/>).
/// </remarks>
public sealed class ResilienceTimeoutOptions
{
    /// <summary>Gets or sets the deadline of a whole request. The default is 5 minutes.</summary>
    public TimeSpan? TotalRequestTimeout { get; set; } = TimeoutConstants.DefaultTotalRequestTimeout;

    /// <summary>Gets or sets the timeout of one attempt (a stream: until its first update). The default is 100 s.</summary>
    public TimeSpan? AttemptTimeout { get; set; } = TimeoutConstants.DefaultAttemptTimeout;

    /// <summary>Gets or sets how long a stream may take to produce its first update. The default is 30 s.</summary>
    public TimeSpan? TimeToFirstTokenTimeout { get; set; } = TimeoutConstants.DefaultTimeToFirstTokenTimeout;

    /// <summary>Gets or sets how long a stream may go without an update once it started. The default is 30 s.</summary>
    public TimeSpan? StreamIdleTimeout { get; set; } = TimeoutConstants.DefaultStreamIdleTimeout;
}
