namespace LlmRouting;

/// <summary>
/// Where the client-side request and token counts of deployments are shared between application instances (the seam for a
/// distributed store such as Redis), so that <see cref="ResilienceRateLimitOptions.RequestsPerMinute"/> and
/// <see cref="ResilienceRateLimitOptions.TokensPerMinute"/> hold for the whole fleet instead of per process.
/// </summary>
/// <remarks>
/// <para>
/// Each instance adds what it starts (one request and the router's token estimate), corrects the tokens when the actual usage is
/// known (a negative or positive delta at the original time), and reads the totals over the rolling window of
/// <see cref="Window"/> when it decides whether a deployment is saturated. Concurrency limits and provider rate-limit headers stay
/// per instance. Members are called on the request path, under the limiter's lock: they must answer from memory and never block on
/// I/O (a distributed implementation keeps local per-second buckets, adds to the shared ones in the background and merges the
/// other instances' buckets as they arrive). Times are wall-clock UTC. Implementations are thread-safe.
/// </para>
/// <para>
/// Counts answered from memory are only as fresh as the store's last exchange. A store that can check and count atomically in the
/// shared state also implements <see cref="ISharedRateLimitGate"/>: each attempt is then admitted by the fleet on the request path
/// (one awaited call outside the lock), the limits hold fleet-wide at every moment, and <see cref="Get"/> serves only the router's
/// fast saturation check; the layer then does not call <see cref="Add"/> for the requests the gate counts.
/// </para>
/// <para>
/// Without a store (the default), counts are per process. <see cref="InMemoryRateLimitCounterStore"/> shares them between clients in
/// one process. Register an implementation in DI before <c>AddLlmRouting()</c> builds the resilience registry.
/// </para>
/// </remarks>
public interface IRateLimitCounterStore
{
    /// <summary>Gets the rolling window the counts cover (one minute).</summary>
    static TimeSpan Window => RateLimitingConstants.Window;

    /// <summary>Adds to a deployment's counts at <paramref name="at"/>.</summary>
    /// <param name="deployment">The deployment name.</param>
    /// <param name="at">When the request started (a token correction uses the original time, so it leaves the window with it).</param>
    /// <param name="requests">Requests to add (1 for a start, 0 for a token correction).</param>
    /// <param name="tokens">Tokens to add; negative to correct an estimate downwards.</param>
    void Add(string deployment, DateTimeOffset at, long requests, long tokens);

    /// <summary>Gets a deployment's counts over the window ending at <paramref name="now"/>.</summary>
    /// <param name="deployment">The deployment name.</param>
    /// <param name="now">The end of the window.</param>
    /// <returns>The counts, and when the oldest counted request leaves the window.</returns>
    RateLimitCounts Get(string deployment, DateTimeOffset now);
}

/// <summary>A deployment's request and token counts over the rolling window (see <see cref="IRateLimitCounterStore"/>).</summary>
/// <param name="Requests">The requests started in the window.</param>
/// <param name="Tokens">Their tokens (estimates settled to the actual usage).</param>
/// <param name="OldestAt">When the oldest counted request started, if any.</param>
public readonly record struct RateLimitCounts(long Requests, long Tokens, DateTimeOffset? OldestAt);
