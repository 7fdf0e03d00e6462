namespace LlmRouting;

/// <summary>Retry and backoff settings (<c>LlmRouting:Resilience:Retry</c>).</summary>
/// <remarks>
/// A failed deployment is retried only for retryable failures (rate limited, overloaded, server error, timeout, network,
/// unparsable reply, stream interrupted before the commit point) and only when no other candidate is available at that moment:
/// failing over comes first. A retry waits for the provider's Retry-After when it sent one, otherwise for an exponential
/// backoff with jitter (<see cref="BaseDelay"/> × 2^(n−1), capped at <see cref="MaxDelay"/>).
/// </remarks>
public sealed class ResilienceRetryOptions
{
    /// <summary>Gets or sets how many times one request may retry the same deployment after its first attempt. The default is 2.</summary>
    public int MaxRetryAttempts { get; set; } = RetryConstants.DefaultMaxRetryAttempts;

    /// <summary>Gets or sets the backoff before the first retry of a deployment. The default is 500 ms.</summary>
    public TimeSpan BaseDelay { get; set; } = RetryConstants.DefaultBaseDelay;

    /// <summary>Gets or sets the longest backoff. The default is 10 s.</summary>
    public TimeSpan MaxDelay { get; set; } = RetryConstants.DefaultMaxDelay;

    /// <summary>Gets or sets a value indicating whether backoffs are jittered (each drawn between half and all of the exponential delay). The default is <see langword="true"/>.</summary>
    public bool UseJitter { get; set; } = true;

    /// <summary>
    /// Gets or sets the longest provider Retry-After a request waits for. A longer one takes the deployment out of the request
    /// (it fails over instead of waiting); the deployment still cools down for the whole Retry-After for every request. The default is 10 s.
    /// </summary>
    public TimeSpan MaxRetryAfter { get; set; } = RetryConstants.DefaultMaxRetryAfter;
}
