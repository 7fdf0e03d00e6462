namespace LlmRouting;

/// <summary>A snapshot of one deployment's health (see <see cref="IDeploymentHealth"/>).</summary>
public sealed record DeploymentHealthState
{
    /// <summary>Gets the deployment name.</summary>
    public required string Deployment { get; init; }

    /// <summary>Gets the circuit state.</summary>
    public DeploymentCircuitState Circuit { get; init; }

    /// <summary>Gets a value indicating whether the circuit lets a request through now (closed, or open with its break over so a probe may start).</summary>
    public bool CircuitAcceptsRequests { get; init; } = true;

    /// <summary>Gets a value indicating whether a client-side limit (or a provider's Retry-After) keeps the deployment from taking a request now.</summary>
    public bool IsSaturated { get; init; }

    /// <summary>Gets which limit is saturated: <c>concurrency</c>, <c>requests_per_minute</c>, <c>tokens_per_minute</c>, <c>retry_after</c>, <c>provider_requests</c> or <c>provider_tokens</c>.</summary>
    public string? SaturationReason { get; init; }

    /// <summary>Gets how long until the deployment can take a request again, when it cannot now and that is known.</summary>
    public TimeSpan? AvailableIn { get; init; }

    /// <summary>Gets the share of failed attempts in the circuit breaker's current window.</summary>
    public double FailureRatio { get; init; }

    /// <summary>Gets the number of attempts in the circuit breaker's current window.</summary>
    public int SampleCount { get; init; }

    /// <summary>Gets the number of attempts in flight (streams included until they end).</summary>
    public int InFlight { get; init; }

    /// <summary>Gets the observed 90th percentile time to first token of streamed attempts, once enough were seen.</summary>
    public TimeSpan? TimeToFirstTokenP90 { get; init; }

    /// <summary>Gets a value indicating whether the deployment can take a request now.</summary>
    public bool IsAvailable => CircuitAcceptsRequests && !IsSaturated;
}
