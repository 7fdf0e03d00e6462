namespace LlmRouting;

/// <summary>Failover and resilience settings (<c>LlmRouting:Resilience</c>).</summary>
/// <remarks>
/// Each strategy has its own section (<see cref="Retry"/>, <see cref="CircuitBreaker"/>, <see cref="Timeouts"/>, <see cref="Hedging"/>,
/// <see cref="RateLimits"/>); <see cref="Deployments"/> overrides them for single deployments, and
/// <see cref="ResilienceHints.WithResilience(Microsoft.Extensions.AI.ChatOptions, ResilienceRequestOptions)"/> for single requests.
/// Options are read when a deployment is first used; change them before the first request.
/// </remarks>
/// <example>
/// <code language="json">
/// "Resilience": {
///   "MaxAttempts": 4,
///   "ContentPolicyFallbacks": [ "azure-gpt-4o" ],
///   "Retry": { "MaxRetryAfter": "00:00:05" },
///   "Timeouts": { "TotalRequestTimeout": "00:01:00", "TimeToFirstTokenTimeout": "00:00:10" },
///   "Hedging": { "Enabled": true },
///   "Deployments": { "mini": { "RequestsPerMinute": 500, "TokensPerMinute": 200000, "MaxConcurrency": 20 } }
/// }
/// </code>
/// </example>
public sealed class ResilienceOptions
{
    /// <summary>Gets or sets the maximum number of attempts (calls to deployments, retries and hedges included) for one request. The default is 3.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>
    /// Gets or sets a value indicating whether a request whose candidates are all unavailable (open circuit, saturated limits,
    /// Retry-After or backoff pending) waits for the earliest one to recover within its deadline ("healthy or panic") instead of failing at once.
    /// The default is <see langword="true"/>.
    /// </summary>
    public bool WaitForRecovery { get; set; } = true;

    /// <summary>
    /// Gets or sets the deployments, in order, that a request fails over to after a deployment refused it under its content policy
    /// (<see cref="LlmErrorKind.ContentFiltered"/>). When empty (the default), a content-filtered request fails with that error.
    /// </summary>
    public IList<string> ContentPolicyFallbacks { get; set; } = [];

    /// <summary>Gets or sets the retry and backoff settings.</summary>
    public ResilienceRetryOptions Retry { get; set; } = new();

    /// <summary>Gets or sets the circuit-breaker settings.</summary>
    public ResilienceCircuitBreakerOptions CircuitBreaker { get; set; } = new();

    /// <summary>Gets or sets the timeouts.</summary>
    public ResilienceTimeoutOptions Timeouts { get; set; } = new();

    /// <summary>Gets or sets the hedging (latency arbitration) settings.</summary>
    public ResilienceHedgingOptions Hedging { get; set; } = new();

    /// <summary>Gets or sets client-side limits applied to every deployment (each deployment has its own budget).</summary>
    public ResilienceRateLimitOptions RateLimits { get; set; } = new();

    /// <summary>Gets or sets per-deployment overrides, keyed by deployment name.</summary>
    public IDictionary<string, DeploymentResilienceOptions> Deployments { get; set; } =
        new Dictionary<string, DeploymentResilienceOptions>(StringComparer.OrdinalIgnoreCase);
}
