using System.Net;
using System.Text.Json;

namespace LlmRouting;

/// <summary>The parts of a Google API error body the adapter uses.</summary>
/// <param name="Code">The HTTP-like code in the body (<c>error.code</c>).</param>
/// <param name="Message">The provider's message.</param>
/// <param name="Status">The canonical status (<c>error.status</c>, e.g. <c>RESOURCE_EXHAUSTED</c>).</param>
/// <param name="Reason">The <c>google.rpc.ErrorInfo</c> reason, if any (e.g. <c>API_KEY_INVALID</c>).</param>
/// <param name="RetryDelay">The <c>google.rpc.RetryInfo</c> delay, if any.</param>
internal sealed record GeminiErrorInfo(int? Code, string? Message, string? Status, string? Reason, TimeSpan? RetryDelay);

/// <summary>
/// Parses and classifies Google API error bodies: <c>{"error":{"code","message","status","details":[…]}}</c>, also wrapped in an array
/// (as the stream endpoint sends them).
/// </summary>
internal static class GeminiErrors
{
    /// <summary>Parses an error body.</summary>
    /// <param name="body">The body bytes.</param>
    /// <returns>The error, or <see langword="null"/> when the body is not JSON or not an error.</returns>
    public static GeminiErrorInfo? TryParse(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return null;
        }

        try
        {
            var reader = new Utf8JsonReader(body);
            using JsonDocument document = JsonDocument.ParseValue(ref reader);
            return FromRoot(document.RootElement);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Malformed JSON or text that is not valid UTF-8/UTF-16.
            return null;
        }
    }

    /// <summary>Reads the error of a parsed body.</summary>
    /// <param name="root">The body's root element.</param>
    /// <returns>The error, or <see langword="null"/>.</returns>
    public static GeminiErrorInfo? FromRoot(JsonElement root)
    {
        if (root.ValueKind == JsonValueKind.Array && root.GetArrayLength() > 0)
        {
            root = root[0];
        }

        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("error", out JsonElement error))
        {
            return null;
        }

        return FromErrorElement(error);
    }

    /// <summary>Reads an <c>error</c> object.</summary>
    /// <param name="error">The value.</param>
    /// <returns>The error, or <see langword="null"/> for <c>null</c>.</returns>
    public static GeminiErrorInfo? FromErrorElement(JsonElement error)
    {
        switch (error.ValueKind)
        {
            case JsonValueKind.Null or JsonValueKind.Undefined:
                return null;
            case JsonValueKind.String:
                return new GeminiErrorInfo(null, error.GetString(), null, null, null);
            case not JsonValueKind.Object:
                return new GeminiErrorInfo(null, null, null, null, null);
        }

        int? code = error.TryGetProperty("code", out JsonElement c) && c.ValueKind == JsonValueKind.Number && c.TryGetInt32(out int n) ? n : null;
        string? reason = null;
        TimeSpan? retryDelay = null;
        if (error.TryGetProperty("details", out JsonElement details) && details.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement detail in details.EnumerateArray())
            {
                string? type = GetString(detail, "@type");
                if (type is null)
                {
                    continue;
                }

                if (type.EndsWith("google.rpc.ErrorInfo", StringComparison.Ordinal))
                {
                    reason ??= GetString(detail, "reason");
                }
                else if (type.EndsWith("google.rpc.RetryInfo", StringComparison.Ordinal)
                    && ProviderResponseHeaders.TryParseDuration(GetString(detail, "retryDelay"), out TimeSpan delay))
                {
                    retryDelay = delay;
                }
            }
        }

        return new GeminiErrorInfo(code, GetString(error, "message"), GetString(error, "status"), reason, retryDelay);
    }

    /// <summary>Classifies an error from the HTTP status and the body's status, reason and message.</summary>
    /// <param name="httpStatus">The HTTP status when the reply itself failed; <see langword="null"/> for errors inside a 200 body or a stream.</param>
    /// <param name="error">The parsed error, if any.</param>
    /// <returns>The kind.</returns>
    public static LlmErrorKind Classify(int? httpStatus, GeminiErrorInfo? error)
    {
        string message = error?.Message ?? string.Empty;
        string reason = error?.Reason ?? string.Empty;

        if (reason is "API_KEY_INVALID" or "API_KEY_EXPIRED" or "CREDENTIALS_MISSING" or "ACCESS_TOKEN_EXPIRED")
        {
            return LlmErrorKind.Authentication;
        }

        if (IsTokenLimit(message))
        {
            return LlmErrorKind.ContextLengthExceeded;
        }

        LlmErrorKind byStatus = error?.Status switch
        {
            "RESOURCE_EXHAUSTED" => LlmErrorKind.RateLimited,
            "UNAVAILABLE" => LlmErrorKind.Overloaded,
            "INVALID_ARGUMENT" or "OUT_OF_RANGE" => LlmErrorKind.BadRequest,

            // E.g. "User location is not supported" or "free tier is not available in your country": another provider may serve the request.
            "FAILED_PRECONDITION" => LlmErrorKind.PermissionDenied,
            "PERMISSION_DENIED" => LlmErrorKind.PermissionDenied,
            "UNAUTHENTICATED" => LlmErrorKind.Authentication,
            "NOT_FOUND" => LlmErrorKind.NotFound,
            "INTERNAL" or "UNKNOWN" or "ABORTED" or "DATA_LOSS" or "CANCELLED" => LlmErrorKind.ServerError,
            "DEADLINE_EXCEEDED" => LlmErrorKind.Timeout,
            _ => LlmErrorKind.Unknown,
        };
        if (byStatus != LlmErrorKind.Unknown)
        {
            return byStatus;
        }

        foreach (int? status in (ReadOnlySpan<int?>)[httpStatus, error?.Code])
        {
            if (status is { } s && ProviderErrorClassifier.FromStatusCode(s) is var kind && kind != LlmErrorKind.Unknown)
            {
                return kind;
            }
        }

        // An unclassifiable error reported mid-reply is a provider-side failure.
        return LlmErrorKind.ServerError;
    }

    /// <summary>Creates the exception for a reply with a failing HTTP status.</summary>
    /// <param name="call">The call.</param>
    /// <param name="response">The reply.</param>
    /// <param name="body">The reply body.</param>
    /// <returns>The exception.</returns>
    public static LlmProviderException ForHttpError(ProviderHttpCall call, HttpResponseMessage response, ReadOnlySpan<byte> body)
    {
        GeminiErrorInfo? error = TryParse(body);
        int status = (int)response.StatusCode;
        LlmErrorKind kind = Classify(status, error);
        string reason = Enum.IsDefined(response.StatusCode) ? response.StatusCode.ToString() : "Error";
        string detail = Describe(call, kind, error, bodyIsJson: error is not null || body.IsEmpty);
        return call.CreateException(kind, $"{call.Provider} returned HTTP {status} ({reason}){detail}", response, Code(error), error?.RetryDelay);
    }

    /// <summary>Creates the exception for an error inside a successful reply or inside a stream.</summary>
    /// <param name="call">The call.</param>
    /// <param name="response">The reply.</param>
    /// <param name="error">The parsed error.</param>
    /// <param name="inStream">Whether the error arrived as a stream event.</param>
    /// <returns>The exception.</returns>
    public static LlmProviderException ForBodyError(ProviderHttpCall call, HttpResponseMessage response, GeminiErrorInfo error, bool inStream)
    {
        LlmErrorKind kind = Classify(null, error);
        string where = inStream ? "an error event in the stream" : "an error in a successful (HTTP 200) reply";
        return call.CreateException(kind, $"{call.Provider} returned {where}{Describe(call, kind, error, bodyIsJson: true)}", response, Code(error), error.RetryDelay);
    }

    private static bool IsTokenLimit(string message) =>
        (message.Contains("token count", StringComparison.OrdinalIgnoreCase) && message.Contains("exceeds", StringComparison.OrdinalIgnoreCase))
        || message.Contains("maximum number of tokens", StringComparison.OrdinalIgnoreCase)
        || message.Contains("context length", StringComparison.OrdinalIgnoreCase)
        || message.Contains("context window", StringComparison.OrdinalIgnoreCase);

    private static string? Code(GeminiErrorInfo? error) => error?.Reason ?? error?.Status;

    private static string Describe(ProviderHttpCall call, LlmErrorKind kind, GeminiErrorInfo? error, bool bodyIsJson)
    {
        if (!bodyIsJson)
        {
            return " with a body that is not a JSON error.";
        }

        string? label = Code(error);
        string prefix = string.IsNullOrEmpty(label) ? string.Empty : $" [{call.Sanitize(label)}]";

        // Authentication failures may echo (part of) the key: never copy their text.
        if (kind is LlmErrorKind.Authentication or LlmErrorKind.PermissionDenied)
        {
            return prefix + ".";
        }

        string text = call.Sanitize(error?.Message);
        return text.Length == 0 ? prefix + "." : $"{prefix}: {text}";
    }

    private static string? GetString(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
