using System.Globalization;
using System.Net;
using System.Text.Json;

namespace LlmRouting;

/// <summary>The parts of an OpenAI-style error body the adapter uses.</summary>
/// <param name="Message">The provider's message (may be <see langword="null"/>).</param>
/// <param name="Code">The error code (<c>error.code</c>), as text.</param>
/// <param name="Type">The error type (<c>error.type</c>).</param>
/// <param name="NumericCode">An HTTP-like status carried in the body (OpenRouter, vLLM), if any.</param>
internal sealed record OpenAIErrorInfo(string? Message, string? Code, string? Type, int? NumericCode);

/// <summary>Parses and classifies OpenAI-style error bodies: <c>{"error":{message,type,param,code}}</c> and the variants of compatible servers.</summary>
internal static class OpenAIErrors
{
    /// <summary>Parses an error body.</summary>
    /// <param name="body">The body bytes.</param>
    /// <returns>The error, or <see langword="null"/> when the body is not JSON or not an error.</returns>
    public static OpenAIErrorInfo? TryParse(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return null;
        }

        try
        {
            var reader = new Utf8JsonReader(body);
            using JsonDocument doc = JsonDocument.ParseValue(ref reader);
            return FromRoot(doc.RootElement);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Not JSON, or JSON whose strings are not valid UTF-8/UTF-16.
            return null;
        }
    }

    /// <summary>Reads the error of a parsed body: <c>error</c> as an object or a string, a top-level <c>{"object":"error"}</c> (vLLM), or <c>detail</c>.</summary>
    /// <param name="root">The body's root element.</param>
    /// <returns>The error, or <see langword="null"/>.</returns>
    public static OpenAIErrorInfo? FromRoot(JsonElement root)
    {
        if (root.ValueKind == JsonValueKind.Array && root.GetArrayLength() > 0)
        {
            root = root[0];
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (root.TryGetProperty("error", out JsonElement error))
        {
            return FromErrorElement(error);
        }

        if (root.TryGetProperty("object", out JsonElement obj) && obj.ValueKind == JsonValueKind.String && obj.ValueEquals("error"u8))
        {
            return FromErrorElement(root);
        }

        if (root.TryGetProperty("detail", out JsonElement detail) && detail.ValueKind == JsonValueKind.String)
        {
            return new OpenAIErrorInfo(detail.GetString(), null, null, null);
        }

        return null;
    }

    /// <summary>Reads an <c>error</c> value (an object with <c>message</c>/<c>code</c>/<c>type</c>, or a string).</summary>
    /// <param name="error">The value.</param>
    /// <returns>The error, or <see langword="null"/> for <c>null</c>.</returns>
    public static OpenAIErrorInfo? FromErrorElement(JsonElement error)
    {
        switch (error.ValueKind)
        {
            case JsonValueKind.String:
                return new OpenAIErrorInfo(error.GetString(), null, null, null);
            case JsonValueKind.Object:
                string? message = GetString(error, "message");
                string? type = GetString(error, "type");
                string? code = null;
                int? numeric = null;
                if (error.TryGetProperty("code", out JsonElement c))
                {
                    if (c.ValueKind == JsonValueKind.String)
                    {
                        code = c.GetString();
                        if (int.TryParse(code, NumberStyles.None, CultureInfo.InvariantCulture, out int n))
                        {
                            numeric = n;
                        }
                    }
                    else if (c.ValueKind == JsonValueKind.Number && c.TryGetInt32(out int n))
                    {
                        numeric = n;
                        code = n.ToString(CultureInfo.InvariantCulture);
                    }
                }

                return new OpenAIErrorInfo(message, code, type, numeric);
            case JsonValueKind.Null or JsonValueKind.Undefined:
                return null;
            default:
                return new OpenAIErrorInfo(null, null, null, null);
        }
    }

    /// <summary>Classifies an error from the HTTP status and the body's code and type.</summary>
    /// <param name="httpStatus">The HTTP status when the reply itself failed; <see langword="null"/> for errors inside a 200 body or a stream.</param>
    /// <param name="error">The parsed error, if any.</param>
    /// <returns>The kind.</returns>
    public static LlmErrorKind Classify(int? httpStatus, OpenAIErrorInfo? error)
    {
        string code = error?.Code?.ToUpperInvariant() ?? string.Empty;
        string type = error?.Type?.ToUpperInvariant() ?? string.Empty;
        string message = error?.Message ?? string.Empty;

        // Specific causes that override the status class.
        if (Is(code, type, "CONTEXT_LENGTH_EXCEEDED")
            || message.Contains("maximum context length", StringComparison.OrdinalIgnoreCase))
        {
            return LlmErrorKind.ContextLengthExceeded;
        }

        if (Is(code, type, "CONTENT_FILTER") || Is(code, type, "CONTENT_POLICY_VIOLATION")
            || message.Contains("content management policy", StringComparison.OrdinalIgnoreCase))
        {
            return LlmErrorKind.ContentFiltered;
        }

        if (Is(code, type, "INSUFFICIENT_QUOTA"))
        {
            return LlmErrorKind.QuotaExceeded;
        }

        if (httpStatus is { } status && ProviderErrorClassifier.FromStatusCode(status) is var byStatus && byStatus != LlmErrorKind.Unknown)
        {
            return byStatus;
        }

        // No failing status (error inside a 200 body or a stream): use the code/type, then a status carried in the body.
        if (Is(code, type, "RATE_LIMIT_EXCEEDED") || Is(code, type, "RATE_LIMIT_ERROR") || Is(code, type, "TOKENS") || Is(code, type, "REQUESTS"))
        {
            return LlmErrorKind.RateLimited;
        }

        if (Is(code, type, "INVALID_API_KEY") || Is(code, type, "AUTHENTICATION_ERROR"))
        {
            return LlmErrorKind.Authentication;
        }

        if (Is(code, type, "PERMISSION_ERROR") || Is(code, type, "PERMISSION_DENIED"))
        {
            return LlmErrorKind.PermissionDenied;
        }

        if (Is(code, type, "MODEL_NOT_FOUND") || Is(code, type, "NOT_FOUND_ERROR"))
        {
            return LlmErrorKind.NotFound;
        }

        if (Is(code, type, "OVERLOADED_ERROR") || Is(code, type, "OVERLOADED") || Is(code, type, "SERVICE_UNAVAILABLE"))
        {
            return LlmErrorKind.Overloaded;
        }

        if (Is(code, type, "INVALID_REQUEST_ERROR"))
        {
            return LlmErrorKind.BadRequest;
        }

        if (error?.NumericCode is { } bodyStatus && ProviderErrorClassifier.FromStatusCode(bodyStatus) is var byBodyStatus && byBodyStatus != LlmErrorKind.Unknown)
        {
            return byBodyStatus;
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
        OpenAIErrorInfo? error = TryParse(body);
        int status = (int)response.StatusCode;
        LlmErrorKind kind = Classify(status, error);
        string reason = DescribeStatus(response.StatusCode);
        string detail = Describe(call, kind, error, bodyIsJson: error is not null || body.IsEmpty);
        return call.CreateException(kind, $"{call.Provider} returned HTTP {status} ({reason}){detail}", response, error?.Code ?? error?.Type);
    }

    /// <summary>Creates the exception for an error inside a successful reply or inside a stream.</summary>
    /// <param name="call">The call.</param>
    /// <param name="response">The reply.</param>
    /// <param name="error">The parsed error.</param>
    /// <param name="inStream">Whether the error arrived as a stream event.</param>
    /// <returns>The exception.</returns>
    public static LlmProviderException ForBodyError(ProviderHttpCall call, HttpResponseMessage response, OpenAIErrorInfo error, bool inStream)
    {
        LlmErrorKind kind = Classify(null, error);
        string where = inStream ? "an error event in the stream" : "an error in a successful (HTTP 200) reply";
        return call.CreateException(kind, $"{call.Provider} returned {where}{Describe(call, kind, error, bodyIsJson: true)}", response, error.Code ?? error.Type);
    }

    private static string Describe(ProviderHttpCall call, LlmErrorKind kind, OpenAIErrorInfo? error, bool bodyIsJson)
    {
        if (!bodyIsJson)
        {
            return " with a body that is not a JSON error.";
        }

        string? label = error?.Code ?? error?.Type;
        string prefix = string.IsNullOrEmpty(label) ? string.Empty : $" [{call.Sanitize(label)}]";

        // Authentication failures often echo (part of) the key: never copy their text.
        if (kind is LlmErrorKind.Authentication or LlmErrorKind.PermissionDenied)
        {
            return prefix + ".";
        }

        string text = call.Sanitize(error?.Message);
        return text.Length == 0 ? prefix + "." : $"{prefix}: {text}";
    }

    private static string DescribeStatus(HttpStatusCode status) => (int)status switch
    {
        529 => "Overloaded",
        _ => Enum.IsDefined(status) ? status.ToString() : "Error",
    };

    private static bool Is(string code, string type, string value) =>
        string.Equals(code, value, StringComparison.Ordinal) || string.Equals(type, value, StringComparison.Ordinal);

    private static string? GetString(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
