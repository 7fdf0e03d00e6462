namespace LlmRouting;

/// <summary>
/// Resilience settings of one deployment (<c>LlmRouting:Resilience:Deployments:&lt;name&gt;</c>). Every property left
/// <see langword="null"/> inherits the global setting of <see cref="ResilienceOptions"/>; a zero timeout turns that timeout off.
/// </summary>
public sealed class DeploymentResilienceOptions
{
    /// <summary>Gets or sets the timeout of one attempt on this deployment (a stream: until its first update).</summary>
    public TimeSpan? AttemptTimeout { get; set; }

    /// <summary>Gets or sets how long a stream from this deployment may take to produce its first update.</summary>
    public TimeSpan? TimeToFirstTokenTimeout { get; set; }

    /// <summary>Gets or sets how long a stream from this deployment may go without an update.</summary>
    public TimeSpan? StreamIdleTimeout { get; set; }

    /// <summary>Gets or sets how many times one request may retry this deployment.</summary>
    public int? MaxRetryAttempts { get; set; }

    /// <summary>Gets or sets the longest Retry-After of this deployment that a request waits for.</summary>
    public TimeSpan? MaxRetryAfter { get; set; }

    /// <summary>Gets or sets the failure ratio that opens this deployment's circuit.</summary>
    public double? FailureRatio { get; set; }

    /// <summary>Gets or sets the window over which this deployment's failure ratio is measured.</summary>
    public TimeSpan? SamplingDuration { get; set; }

    /// <summary>Gets or sets the least number of attempts in the window before this deployment's circuit may open.</summary>
    public int? MinimumThroughput { get; set; }

    /// <summary>Gets or sets how long this deployment's circuit stays open.</summary>
    public TimeSpan? BreakDuration { get; set; }

    /// <summary>Gets or sets this deployment's requests per minute.</summary>
    public int? RequestsPerMinute { get; set; }

    /// <summary>Gets or sets this deployment's tokens per minute.</summary>
    public long? TokensPerMinute { get; set; }

    /// <summary>Gets or sets this deployment's maximum number of concurrent attempts.</summary>
    public int? MaxConcurrency { get; set; }

    /// <summary>Gets or sets whether requests whose first candidate is this deployment are hedged.</summary>
    public bool? HedgingEnabled { get; set; }

    /// <summary>Gets or sets the fixed hedging delay while this deployment's attempt runs.</summary>
    public TimeSpan? HedgingDelay { get; set; }
}
