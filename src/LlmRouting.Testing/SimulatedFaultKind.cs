namespace LlmRouting.Testing;

/// <summary>A failure or misbehaviour a <see cref="SimulatedChatClient"/> can inject into a call.</summary>
/// <remarks>
/// <para>
/// Every failing kind surfaces as an <see cref="LlmProviderException"/> with the <see cref="LlmErrorKind"/>, HTTP status,
/// <see cref="LlmProviderException.RetryAfter"/> and provider error code listed on the member, with
/// <see cref="LlmProviderException.Provider"/>, <see cref="LlmProviderException.Model"/> and
/// <see cref="LlmProviderException.Deployment"/> set, exactly as real provider adapters throw.
/// Streaming calls throw from the first <see cref="IAsyncEnumerator{T}.MoveNextAsync"/> (before any update),
/// except <see cref="TruncatedStream"/>, which throws after some updates.
/// </para>
/// <para>
/// Non-streaming calls see the same faults. The stream-only kinds map to their non-streaming equivalents:
/// <see cref="TruncatedStream"/> becomes a <see cref="LlmErrorKind.Network"/> failure (the connection dropped while the body was read),
/// <see cref="InStreamError"/> becomes an <see cref="LlmErrorKind.Overloaded"/> error body inside an HTTP 200 reply, and
/// <see cref="SlowFirstToken"/> delays the whole response by the same extra time.
/// </para>
/// </remarks>
public enum SimulatedFaultKind
{
    /// <summary>No fault: the call succeeds. Use it in a fault script to let one call through.</summary>
    None = 0,

    /// <summary>HTTP 429 with a Retry-After of <see cref="SimulatedProviderOptions.RetryAfter"/>: <see cref="LlmErrorKind.RateLimited"/>, error code <c>rate_limit_exceeded</c>.</summary>
    RateLimited,

    /// <summary>HTTP 500: <see cref="LlmErrorKind.ServerError"/>, error code <c>server_error</c>.</summary>
    ServerError,

    /// <summary>HTTP 503: <see cref="LlmErrorKind.Overloaded"/>, error code <c>overloaded</c>.</summary>
    Overloaded,

    /// <summary>
    /// The attempt hangs until <see cref="SimulatedProviderOptions.FaultTimeout"/> has passed and then fails with
    /// <see cref="LlmErrorKind.Timeout"/> (no HTTP status, inner <see cref="TimeoutException"/>), or until the call is cancelled,
    /// which throws <see cref="OperationCanceledException"/>.
    /// </summary>
    Timeout,

    /// <summary>The connection is reset before a reply: <see cref="LlmErrorKind.Network"/>, no HTTP status, inner <see cref="HttpRequestException"/>.</summary>
    ConnectionReset,

    /// <summary>HTTP 200 with a body that cannot be parsed: <see cref="LlmErrorKind.InvalidResponse"/>, inner <see cref="System.Text.Json.JsonException"/>.</summary>
    MalformedResponse,

    /// <summary>
    /// The stream yields some text updates (<see cref="SimulatedProviderOptions.TruncatedStreamUpdates"/>), never the final one,
    /// and then fails with <see cref="LlmErrorKind.StreamInterrupted"/> (no HTTP status, inner <see cref="HttpIOException"/>).
    /// Non-streaming: <see cref="LlmErrorKind.Network"/>.
    /// </summary>
    TruncatedStream,

    /// <summary>
    /// The stream opens with HTTP 200 but its first event is an error event: <see cref="LlmErrorKind.Overloaded"/>,
    /// status 200, error code <c>overloaded_error</c>, thrown by the first <see cref="IAsyncEnumerator{T}.MoveNextAsync"/>.
    /// Non-streaming: the same error inside an HTTP 200 reply.
    /// </summary>
    InStreamError,

    /// <summary>The call succeeds, but the first token comes <see cref="SimulatedProviderOptions.SlowFirstTokenDelay"/> later than usual.</summary>
    SlowFirstToken,

    /// <summary>HTTP 400: <see cref="LlmErrorKind.ContentFiltered"/>, error code <c>content_filter</c>.</summary>
    ContentFiltered,

    /// <summary>HTTP 400: <see cref="LlmErrorKind.ContextLengthExceeded"/>, error code <c>context_length_exceeded</c>.</summary>
    ContextLengthExceeded,

    /// <summary>HTTP 401: <see cref="LlmErrorKind.Authentication"/>, error code <c>invalid_api_key</c>.</summary>
    Authentication,

    /// <summary>HTTP 400: <see cref="LlmErrorKind.BadRequest"/>, error code <c>invalid_request_error</c>.</summary>
    BadRequest,
}
