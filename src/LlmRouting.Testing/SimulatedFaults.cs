using System.Globalization;
using System.Net;
using System.Text.Json;

namespace LlmRouting.Testing;

/// <summary>Builds the exceptions real provider adapters throw for each <see cref="SimulatedFaultKind"/>.</summary>
internal static class SimulatedFaults
{
    /// <summary>Gets a value indicating whether <paramref name="kind"/> lets the call produce output (possibly cut).</summary>
    public static bool ProducesOutput(SimulatedFaultKind kind, bool streaming) =>
        kind is SimulatedFaultKind.None or SimulatedFaultKind.SlowFirstToken || (streaming && kind == SimulatedFaultKind.TruncatedStream);

    /// <summary>Creates the exception for a fault that fails the call before any output.</summary>
    /// <param name="kind">The fault; not <see cref="SimulatedFaultKind.None"/> or <see cref="SimulatedFaultKind.SlowFirstToken"/>.</param>
    /// <param name="streaming">Whether the call is streaming; a non-streaming <see cref="SimulatedFaultKind.TruncatedStream"/> is a network failure.</param>
    /// <param name="call">Who failed.</param>
    /// <param name="retryAfter">The Retry-After of rate limits.</param>
    /// <param name="timeout">The elapsed time of a timeout.</param>
    public static LlmProviderException Create(SimulatedFaultKind kind, bool streaming, in FaultSource call, TimeSpan? retryAfter, TimeSpan timeout)
    {
        string who = call.Deployment is null ? $"model '{call.Model}'" : $"deployment '{call.Deployment}' (model '{call.Model}')";
        return kind switch
        {
            SimulatedFaultKind.RateLimited => Build(LlmErrorKind.RateLimited, $"Simulated rate limit (HTTP 429) from {who}.", call, HttpStatusCode.TooManyRequests, "rate_limit_exceeded", retryAfter),
            SimulatedFaultKind.ServerError => Build(LlmErrorKind.ServerError, $"Simulated server error (HTTP 500) from {who}.", call, HttpStatusCode.InternalServerError, "server_error"),
            SimulatedFaultKind.Overloaded => Build(LlmErrorKind.Overloaded, $"Simulated overload (HTTP 503) from {who}.", call, HttpStatusCode.ServiceUnavailable, "overloaded"),
            SimulatedFaultKind.Timeout => Build(
                LlmErrorKind.Timeout,
                string.Create(CultureInfo.InvariantCulture, $"The simulated call to {who} timed out after {timeout.TotalSeconds:0.###} s."),
                call,
                inner: new TimeoutException(string.Create(CultureInfo.InvariantCulture, $"The simulated call timed out after {timeout.TotalSeconds:0.###} s."))),
            SimulatedFaultKind.ConnectionReset => Build(
                LlmErrorKind.Network,
                $"Simulated connection reset by {who}.",
                call,
                inner: new HttpRequestException(HttpRequestError.ConnectionError, "Connection reset by peer (simulated).")),
            SimulatedFaultKind.MalformedResponse => Build(
                LlmErrorKind.InvalidResponse,
                $"Simulated malformed reply (HTTP 200) from {who}: the body is not valid JSON.",
                call,
                HttpStatusCode.OK,
                inner: new JsonException("'}' is invalid after a value (simulated).")),
            SimulatedFaultKind.TruncatedStream when streaming => Build(
                LlmErrorKind.StreamInterrupted,
                $"The simulated stream from {who} ended before its final event.",
                call,
                inner: new HttpIOException(HttpRequestError.ResponseEnded, "The response ended prematurely (simulated).")),
            SimulatedFaultKind.TruncatedStream => Build(
                LlmErrorKind.Network,
                $"The simulated reply from {who} ended prematurely.",
                call,
                inner: new HttpIOException(HttpRequestError.ResponseEnded, "The response ended prematurely (simulated).")),
            SimulatedFaultKind.InStreamError => Build(
                LlmErrorKind.Overloaded,
                streaming ? $"Simulated error event (overloaded_error) in the stream from {who}." : $"Simulated error body (overloaded_error) in an HTTP 200 reply from {who}.",
                call,
                HttpStatusCode.OK,
                "overloaded_error"),
            SimulatedFaultKind.ContentFiltered => Build(LlmErrorKind.ContentFiltered, $"Simulated content filter (HTTP 400) at {who}.", call, HttpStatusCode.BadRequest, "content_filter"),
            SimulatedFaultKind.ContextLengthExceeded => Build(
                LlmErrorKind.ContextLengthExceeded,
                $"Simulated context length exceeded (HTTP 400) at {who}.",
                call,
                HttpStatusCode.BadRequest,
                "context_length_exceeded"),
            SimulatedFaultKind.Authentication => Build(LlmErrorKind.Authentication, $"Simulated authentication failure (HTTP 401) at {who}.", call, HttpStatusCode.Unauthorized, "invalid_api_key"),
            SimulatedFaultKind.BadRequest => Build(LlmErrorKind.BadRequest, $"Simulated bad request (HTTP 400) at {who}.", call, HttpStatusCode.BadRequest, "invalid_request_error"),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "This fault kind does not fail the call."),
        };
    }

    private static LlmProviderException Build(
        LlmErrorKind kind,
        string message,
        in FaultSource call,
        HttpStatusCode? status = null,
        string? code = null,
        TimeSpan? retryAfter = null,
        Exception? inner = null) =>
        new(kind, message, inner)
        {
            Provider = call.Provider,
            Model = call.Model,
            Deployment = call.Deployment,
            StatusCode = status,
            ProviderErrorCode = code,
            RetryAfter = retryAfter,
            ProviderRequestId = call.RequestId,
        };

    /// <summary>Who a fault comes from.</summary>
    internal readonly record struct FaultSource(string Provider, string Model, string? Deployment, string RequestId);
}
