namespace LlmRouting;

/// <summary>Client-side limits (<c>LlmRouting:Resilience:RateLimits</c>), each deployment with its own budget. <see langword="null"/> means unlimited.</summary>
/// <remarks>
/// A request counts against <see cref="TokensPerMinute"/> with the router's token estimate (prompt plus expected output) when it
/// starts, settled to the provider's reported usage when it ends. A deployment at a limit is saturated: routing skips it while
/// another candidate is available. With <see cref="HonorProviderHeaders"/>, the provider's rate-limit headers tighten the limits
/// (a smaller reported limit replaces the configured one; remaining counts of zero block until the reported reset) and a
/// Retry-After cools the deployment down for every request.
/// </remarks>
public sealed class ResilienceRateLimitOptions
{
    /// <summary>Gets or sets the requests per minute (rolling 60-second window).</summary>
    public int? RequestsPerMinute { get; set; }

    /// <summary>Gets or sets the tokens (prompt plus output) per minute (rolling 60-second window).</summary>
    public long? TokensPerMinute { get; set; }

    /// <summary>Gets or sets the maximum number of concurrent attempts (a stream holds its slot until it ends).</summary>
    public int? MaxConcurrency { get; set; }

    /// <summary>Gets or sets a value indicating whether provider rate-limit headers and Retry-After tighten the limits. The default is <see langword="true"/>.</summary>
    public bool HonorProviderHeaders { get; set; } = true;
}
