namespace LlmRouting;

/// <summary>
/// The strict, fleet-wide admission of one attempt against a deployment's per-minute limits: an optional interface an
/// <see cref="IRateLimitCounterStore"/> also implements when it can check and count a request atomically in the shared store
/// (e.g. one server-side script in Redis), so that <see cref="ResilienceRateLimitOptions.RequestsPerMinute"/> and
/// <see cref="ResilienceRateLimitOptions.TokensPerMinute"/> hold for the whole fleet on the request path, not only as fresh as the
/// store's last exchange.
/// </summary>
/// <remarks>
/// <para>
/// The resilience layer calls <see cref="TryAcquireAsync"/> once per attempt on a deployment with a requests- or tokens-per-minute
/// limit, after the attempt took its local lease (concurrency, cool-down, provider headers, the store's fast counts) and outside
/// any lock, before the provider is called. A refusal frees the local lease and is handled like a local limit: the candidate is
/// skipped (reported as <c>rate_limited_locally</c> with the detail <c>fleet_requests_per_minute</c> or
/// <c>fleet_tokens_per_minute</c>) and the next candidate is tried. When the attempt ends, <see cref="SettleAsync"/> replaces
/// the token estimate with the actual usage, off the request path (its failures are logged, never thrown to the caller).
/// </para>
/// <para>
/// A store implementing this interface counts admitted requests itself: the layer no longer calls
/// <see cref="IRateLimitCounterStore.Add"/> for them, and the store's <see cref="IRateLimitCounterStore.Get"/> must include its
/// own admissions (it still serves the router's fast saturation check). An implementation that cannot reach its shared state
/// should admit (fail-open, see <see cref="SharedAdmission.IsLocalOnly"/>) and keep counting locally; an exception other than
/// the caller's cancellation is treated the same way by the layer, with a warning. Implementations are thread-safe.
/// </para>
/// </remarks>
public interface ISharedRateLimitGate
{
    /// <summary>Checks the fleet-wide limits of a deployment and, if they allow, counts one request of <paramref name="estimatedTokens"/> tokens.</summary>
    /// <param name="deployment">The deployment name.</param>
    /// <param name="requestsPerMinute">The fleet's requests per minute; <see langword="null"/> for no request limit.</param>
    /// <param name="tokensPerMinute">The fleet's tokens per minute; <see langword="null"/> for no token limit.</param>
    /// <param name="estimatedTokens">The request's token estimate (prompt plus expected output), zero or more.</param>
    /// <param name="cancellationToken">The attempt's cancellation.</param>
    /// <returns>The admission: acquired (possibly only locally, while the shared state is unreachable) or refused with a reason.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    ValueTask<SharedAdmission> TryAcquireAsync(string deployment, long? requestsPerMinute, long? tokensPerMinute, long estimatedTokens, CancellationToken cancellationToken);

    /// <summary>Replaces an admitted request's token estimate with its actual usage (no effect once it left the window, or for a refusal).</summary>
    /// <param name="deployment">The deployment name given to <see cref="TryAcquireAsync"/>.</param>
    /// <param name="admission">The admission <see cref="TryAcquireAsync"/> returned.</param>
    /// <param name="actualTokens">The tokens the attempt used (prompt plus output).</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>A task that completes when the counts are updated.</returns>
    ValueTask SettleAsync(string deployment, SharedAdmission admission, long actualTokens, CancellationToken cancellationToken);
}
