namespace LlmRouting;

/// <summary>The effective resilience settings of one deployment: its <see cref="DeploymentResilienceOptions"/> over the global <see cref="ResilienceOptions"/>.</summary>
internal sealed record DeploymentPolicy
{
    public TimeSpan? AttemptTimeout { get; init; }

    public TimeSpan? TimeToFirstTokenTimeout { get; init; }

    public TimeSpan? StreamIdleTimeout { get; init; }

    public int MaxRetryAttempts { get; init; }

    public TimeSpan MaxRetryAfter { get; init; }

    public bool CircuitBreakerEnabled { get; init; }

    public double FailureRatio { get; init; }

    public TimeSpan SamplingDuration { get; init; }

    public int MinimumThroughput { get; init; }

    public TimeSpan BreakDuration { get; init; }

    public int? RequestsPerMinute { get; init; }

    public long? TokensPerMinute { get; init; }

    public int? MaxConcurrency { get; init; }

    public bool HonorProviderHeaders { get; init; }

    public bool HedgingEnabled { get; init; }

    public TimeSpan HedgingDelay { get; init; }

    public static DeploymentPolicy Resolve(ResilienceOptions options, string deployment)
    {
        DeploymentResilienceOptions? d = null;
        options.Deployments?.TryGetValue(deployment, out d);
        ResilienceTimeoutOptions t = options.Timeouts ?? new();
        ResilienceRetryOptions r = options.Retry ?? new();
        ResilienceCircuitBreakerOptions c = options.CircuitBreaker ?? new();
        ResilienceRateLimitOptions l = options.RateLimits ?? new();
        ResilienceHedgingOptions h = options.Hedging ?? new();
        return new DeploymentPolicy
        {
            AttemptTimeout = TimeoutConstants.Effective(d?.AttemptTimeout ?? t.AttemptTimeout),
            TimeToFirstTokenTimeout = TimeoutConstants.Effective(d?.TimeToFirstTokenTimeout ?? t.TimeToFirstTokenTimeout),
            StreamIdleTimeout = TimeoutConstants.Effective(d?.StreamIdleTimeout ?? t.StreamIdleTimeout),
            MaxRetryAttempts = d?.MaxRetryAttempts ?? r.MaxRetryAttempts,
            MaxRetryAfter = d?.MaxRetryAfter ?? r.MaxRetryAfter,
            CircuitBreakerEnabled = c.Enabled,
            FailureRatio = d?.FailureRatio ?? c.FailureRatio,
            SamplingDuration = d?.SamplingDuration ?? c.SamplingDuration,
            MinimumThroughput = d?.MinimumThroughput ?? c.MinimumThroughput,
            BreakDuration = d?.BreakDuration ?? c.BreakDuration,
            RequestsPerMinute = d?.RequestsPerMinute ?? l.RequestsPerMinute,
            TokensPerMinute = d?.TokensPerMinute ?? l.TokensPerMinute,
            MaxConcurrency = d?.MaxConcurrency ?? l.MaxConcurrency,
            HonorProviderHeaders = l.HonorProviderHeaders,
            HedgingEnabled = d?.HedgingEnabled ?? h.Enabled,
            HedgingDelay = d?.HedgingDelay ?? h.Delay,
        };
    }
}
