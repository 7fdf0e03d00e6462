using System.Text.Json;

namespace LlmRouting;

/// <summary>The parts of a Cohere error body the adapter uses.</summary>
/// <param name="Message">The provider's message.</param>
/// <param name="Id">The id Cohere gives the failed request, if any.</param>
internal sealed record CohereErrorInfo(string? Message, string? Id);

/// <summary>Parses and classifies Cohere error bodies, <c>{"id": "…", "message": "…"}</c>, and stream errors.</summary>
internal static class CohereErrors
{
    /// <summary>Parses an error body.</summary>
    /// <param name="body">The body bytes.</param>
    /// <returns>The error, or <see langword="null"/> when the body is not a JSON error.</returns>
    public static CohereErrorInfo? TryParse(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return null;
        }

        try
        {
            var reader = new Utf8JsonReader(body);
            using JsonDocument document = JsonDocument.ParseValue(ref reader);
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("message", out JsonElement message) || message.ValueKind != JsonValueKind.String)
            {
                return null;
            }

            return new CohereErrorInfo(message.GetString(), root.TryGetProperty("id", out JsonElement id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Malformed JSON or text that is not valid UTF-8/UTF-16.
            return null;
        }
    }

    /// <summary>Classifies an error from the HTTP status and the message.</summary>
    /// <param name="httpStatus">The HTTP status when the reply itself failed; <see langword="null"/> for errors inside a stream.</param>
    /// <param name="message">The provider's message, if any.</param>
    /// <returns>The kind.</returns>
    public static LlmErrorKind Classify(int? httpStatus, string? message)
    {
        message ??= string.Empty;
        if (message.Contains("too many tokens", StringComparison.OrdinalIgnoreCase)
            || message.Contains("context length", StringComparison.OrdinalIgnoreCase)
            || message.Contains("context window", StringComparison.OrdinalIgnoreCase))
        {
            return LlmErrorKind.ContextLengthExceeded;
        }

        switch (httpStatus)
        {
            case 429 when message.Contains("/ month", StringComparison.OrdinalIgnoreCase)
                || message.Contains("per month", StringComparison.OrdinalIgnoreCase)
                || message.Contains("monthly", StringComparison.OrdinalIgnoreCase):
                // Trial keys have a monthly call allowance: waiting seconds will not help.
                return LlmErrorKind.QuotaExceeded;
            case 498:
                // "Invalid token": the request or the response contains a deny-listed token.
                return LlmErrorKind.ContentFiltered;
            case 499:
                // Cancelled on Cohere's side (the caller's own cancellation never reaches here).
                return LlmErrorKind.ServerError;
            case 504:
                return LlmErrorKind.Timeout;
            case { } status when ProviderErrorClassifier.FromStatusCode(status) is var kind && kind != LlmErrorKind.Unknown:
                return kind;
        }

        // An error reported mid-stream (message-end with an error, finish reason ERROR) is a provider-side failure.
        return LlmErrorKind.ServerError;
    }

    /// <summary>Creates the exception for a reply with a failing HTTP status.</summary>
    /// <param name="call">The call.</param>
    /// <param name="response">The reply.</param>
    /// <param name="body">The reply body.</param>
    /// <returns>The exception.</returns>
    public static LlmProviderException ForHttpError(ProviderHttpCall call, HttpResponseMessage response, ReadOnlySpan<byte> body)
    {
        CohereErrorInfo? error = TryParse(body);
        int status = (int)response.StatusCode;
        LlmErrorKind kind = Classify(status, error?.Message);
        string reason = status switch
        {
            498 => "Invalid Token",
            499 => "Request Cancelled",
            _ => Enum.IsDefined(response.StatusCode) ? response.StatusCode.ToString() : "Error",
        };
        string detail = error is null
            ? body.IsEmpty ? "." : " with a body that is not a JSON error."
            : Describe(call, kind, error.Message);
        return call.CreateException(kind, $"{call.Provider} returned HTTP {status} ({reason}){detail}", response, providerErrorCode: null, innerException: null, providerRequestId: error?.Id);
    }

    /// <summary>Creates the exception for an error reported inside a successful reply or stream.</summary>
    /// <param name="call">The call.</param>
    /// <param name="response">The reply.</param>
    /// <param name="kind">The classification.</param>
    /// <param name="what">What happened, e.g. "an error at the end of the stream".</param>
    /// <param name="message">The provider's message, if any.</param>
    /// <param name="code">The provider's code (e.g. the finish reason), if any.</param>
    /// <returns>The exception.</returns>
    public static LlmProviderException ForBodyError(ProviderHttpCall call, HttpResponseMessage response, LlmErrorKind kind, string what, string? message, string? code) =>
        call.CreateException(kind, $"{call.Provider} returned {what}{Describe(call, kind, message)}", response, code);

    private static string Describe(ProviderHttpCall call, LlmErrorKind kind, string? message)
    {
        // Authentication failures may echo (part of) the key: never copy their text.
        if (kind is LlmErrorKind.Authentication or LlmErrorKind.PermissionDenied)
        {
            return ".";
        }

        string text = call.Sanitize(message);
        return text.Length == 0 ? "." : ": " + text;
    }
}
