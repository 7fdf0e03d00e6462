using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;

namespace LlmRouting;

/// <summary>Parses and classifies Anthropic error bodies (<c>{"type":"error","error":{"type","message"},"request_id"}</c>) and rate-limit headers.</summary>
internal static class AnthropicErrors
{
    /// <summary>Parses an error body.</summary>
    /// <param name="body">The body bytes.</param>
    /// <returns>The error envelope, or <see langword="null"/> when the body is not JSON or carries no error.</returns>
    public static AnthropicErrorEnvelopeDto? TryParse(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return null;
        }

        try
        {
            AnthropicErrorEnvelopeDto? envelope = JsonSerializer.Deserialize(body, AnthropicJsonContext.Default.AnthropicErrorEnvelopeDto);
            return envelope?.Error is null ? null : envelope;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Not JSON, or JSON whose strings are not valid UTF-8/UTF-16.
            return null;
        }
    }

    /// <summary>Classifies an error from its <c>error.type</c>, message and HTTP status.</summary>
    /// <param name="httpStatus">The HTTP status when the reply itself failed; <see langword="null"/> for errors inside a 200 body or a stream.</param>
    /// <param name="type">The <c>error.type</c>.</param>
    /// <param name="message">The provider's message.</param>
    /// <returns>The kind.</returns>
    public static LlmErrorKind Classify(int? httpStatus, string? type, string? message)
    {
        message ??= string.Empty;

        // Specific causes reported as invalid_request_error, recognised by their documented messages.
        if (message.Contains("prompt is too long", StringComparison.OrdinalIgnoreCase)
            || message.Contains("exceed context limit", StringComparison.OrdinalIgnoreCase)
            || message.Contains("context window", StringComparison.OrdinalIgnoreCase))
        {
            return LlmErrorKind.ContextLengthExceeded;
        }

        if (message.Contains("credit balance is too low", StringComparison.OrdinalIgnoreCase)
            || message.Contains("reached your specified API usage limits", StringComparison.OrdinalIgnoreCase))
        {
            return LlmErrorKind.QuotaExceeded;
        }

        if (message.Contains("content filtering policy", StringComparison.OrdinalIgnoreCase))
        {
            return LlmErrorKind.ContentFiltered;
        }

        LlmErrorKind byType = type switch
        {
            "invalid_request_error" => LlmErrorKind.BadRequest,
            "authentication_error" => LlmErrorKind.Authentication,
            "permission_error" => LlmErrorKind.PermissionDenied,
            "not_found_error" => LlmErrorKind.NotFound,
            "request_too_large" => LlmErrorKind.BadRequest,
            "rate_limit_error" => LlmErrorKind.RateLimited,
            "billing_error" => LlmErrorKind.QuotaExceeded,
            "api_error" => LlmErrorKind.ServerError,
            "overloaded_error" => LlmErrorKind.Overloaded,
            "timeout_error" => LlmErrorKind.Timeout,
            _ => LlmErrorKind.Unknown,
        };
        if (byType != LlmErrorKind.Unknown)
        {
            return byType;
        }

        if (httpStatus is { } status && ProviderErrorClassifier.FromStatusCode(status) is var byStatus && byStatus != LlmErrorKind.Unknown)
        {
            return byStatus;
        }

        // An unclassifiable error reported inside a reply or a stream is a provider-side failure.
        return LlmErrorKind.ServerError;
    }

    /// <summary>Creates the exception for a reply with a failing HTTP status.</summary>
    /// <param name="call">The call.</param>
    /// <param name="response">The reply.</param>
    /// <param name="body">The reply body.</param>
    /// <returns>The exception.</returns>
    public static LlmProviderException ForHttpError(ProviderHttpCall call, HttpResponseMessage response, ReadOnlySpan<byte> body)
    {
        AnthropicErrorEnvelopeDto? envelope = TryParse(body);
        int status = (int)response.StatusCode;
        LlmErrorKind kind = Classify(status, envelope?.Error?.Type, envelope?.Error?.Message);
        string reason = status == 529 ? "Overloaded" : Enum.IsDefined(response.StatusCode) ? response.StatusCode.ToString() : "Error";
        string detail = envelope is null && !body.IsEmpty ? " with a body that is not a JSON error." : Describe(call, kind, envelope?.Error);
        return call.CreateException(kind, $"{call.Provider} returned HTTP {status} ({reason}){detail}", response, envelope?.Error?.Type, providerRequestId: envelope?.RequestId);
    }

    /// <summary>Creates the exception for an error inside a successful reply or an <c>error</c> event of a stream.</summary>
    /// <param name="call">The call.</param>
    /// <param name="response">The reply.</param>
    /// <param name="error">The error.</param>
    /// <param name="inStream">Whether the error arrived as a stream event.</param>
    /// <returns>The exception.</returns>
    public static LlmProviderException ForBodyError(ProviderHttpCall call, HttpResponseMessage response, AnthropicErrorDto? error, bool inStream)
    {
        LlmErrorKind kind = Classify(null, error?.Type, error?.Message);
        string where = inStream ? "an error event in the stream" : "an error in a successful (HTTP 200) reply";
        return call.CreateException(kind, $"{call.Provider} returned {where}{Describe(call, kind, error)}", response, error?.Type);
    }

    /// <summary>
    /// Reads Anthropic's rate-limit headers: <c>anthropic-ratelimit-requests-{limit,remaining,reset}</c> and
    /// <c>anthropic-ratelimit-tokens-*</c> (else <c>anthropic-ratelimit-input-tokens-*</c>); resets are RFC 3339 times, returned as the wait from now.
    /// </summary>
    /// <param name="headers">The reply headers.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <returns>The limits, or <see langword="null"/> when no header is present.</returns>
    public static RateLimitInfo? GetRateLimits(HttpResponseHeaders headers, TimeProvider timeProvider)
    {
        const string P = "anthropic-ratelimit-";
        long? limitRequests = ProviderResponseHeaders.GetLong(headers, P + "requests-limit");
        long? remainingRequests = ProviderResponseHeaders.GetLong(headers, P + "requests-remaining");
        TimeSpan? resetRequests = Reset(headers, P + "requests-reset", timeProvider);
        string tokens = ProviderResponseHeaders.GetFirstOf(headers, [P + "tokens-limit", P + "tokens-remaining", P + "tokens-reset"]) is not null
            ? P + "tokens-"
            : P + "input-tokens-";
        long? limitTokens = ProviderResponseHeaders.GetLong(headers, tokens + "limit");
        long? remainingTokens = ProviderResponseHeaders.GetLong(headers, tokens + "remaining");
        TimeSpan? resetTokens = Reset(headers, tokens + "reset", timeProvider);
        if (limitRequests is null && remainingRequests is null && resetRequests is null && limitTokens is null && remainingTokens is null && resetTokens is null)
        {
            return null;
        }

        return new RateLimitInfo
        {
            LimitRequests = limitRequests,
            RemainingRequests = remainingRequests,
            ResetRequests = resetRequests,
            LimitTokens = limitTokens,
            RemainingTokens = remainingTokens,
            ResetTokens = resetTokens,
        };
    }

    private static TimeSpan? Reset(HttpResponseHeaders headers, string name, TimeProvider timeProvider)
    {
        if (ProviderResponseHeaders.GetFirstOf(headers, [name]) is not { } value)
        {
            return null;
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset at))
        {
            TimeSpan wait = at - timeProvider.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return ProviderResponseHeaders.TryParseDuration(value, out TimeSpan duration) ? duration : null;
    }

    private static string Describe(ProviderHttpCall call, LlmErrorKind kind, AnthropicErrorDto? error)
    {
        string prefix = string.IsNullOrEmpty(error?.Type) ? string.Empty : $" [{call.Sanitize(error.Type)}]";

        // Authentication failures may echo (part of) the key: never copy their text.
        if (kind is LlmErrorKind.Authentication or LlmErrorKind.PermissionDenied)
        {
            return prefix + ".";
        }

        string text = call.Sanitize(error?.Message);
        return text.Length == 0 ? prefix + "." : $"{prefix}: {text}";
    }
}
