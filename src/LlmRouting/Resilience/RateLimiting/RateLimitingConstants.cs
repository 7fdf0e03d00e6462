namespace LlmRouting;

/// <summary>Names and defaults of the client-side limits.</summary>
internal static class RateLimitingConstants
{
    /// <summary>The reason code of a candidate skipped because a local limit is saturated.</summary>
    public const string RejectionReason = "rate_limited_locally";

    public const string Concurrency = "concurrency";
    public const string RequestsPerMinute = "requests_per_minute";
    public const string TokensPerMinute = "tokens_per_minute";
    public const string RetryAfter = "retry_after";
    public const string ProviderRequests = "provider_requests";
    public const string ProviderTokens = "provider_tokens";

    /// <summary>The fleet's shared requests-per-minute limit refused the attempt (<see cref="ISharedRateLimitGate"/>).</summary>
    public const string FleetRequestsPerMinute = "fleet_requests_per_minute";

    /// <summary>The fleet's shared tokens-per-minute limit refused the attempt (<see cref="ISharedRateLimitGate"/>).</summary>
    public const string FleetTokensPerMinute = "fleet_tokens_per_minute";

    /// <summary>Names a refusal of the fleet's gate.</summary>
    public static string Fleet(string? reason) => reason switch
    {
        RequestsPerMinute => FleetRequestsPerMinute,
        TokensPerMinute => FleetTokensPerMinute,
        null or "" => "fleet_limit",
        _ => "fleet_" + reason,
    };

    /// <summary>The rolling window of the per-minute limits.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    /// <summary>How soon a request waiting for a concurrency slot looks again (a slot frees when another attempt ends, which has no schedule).</summary>
    public static readonly TimeSpan ConcurrencyPollInterval = TimeSpan.FromMilliseconds(50);
}
