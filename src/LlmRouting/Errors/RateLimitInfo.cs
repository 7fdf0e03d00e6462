namespace LlmRouting;

/// <summary>Rate-limit state reported by a provider in its reply headers (<c>x-ratelimit-*</c>, <c>anthropic-ratelimit-*</c>).</summary>
public sealed class RateLimitInfo
{
    /// <summary>Gets or initializes the requests remaining in the current window.</summary>
    public long? RemainingRequests { get; init; }

    /// <summary>Gets or initializes the tokens remaining in the current window.</summary>
    public long? RemainingTokens { get; init; }

    /// <summary>Gets or initializes the request limit of the window.</summary>
    public long? LimitRequests { get; init; }

    /// <summary>Gets or initializes the token limit of the window.</summary>
    public long? LimitTokens { get; init; }

    /// <summary>Gets or initializes the time until the request window resets.</summary>
    public TimeSpan? ResetRequests { get; init; }

    /// <summary>Gets or initializes the time until the token window resets.</summary>
    public TimeSpan? ResetTokens { get; init; }
}
