using System.Net;

namespace LlmRouting;

/// <summary>Provider-neutral classification of HTTP status codes into <see cref="LlmErrorKind"/>.</summary>
/// <remarks>Adapters refine the result with their provider's error codes (e.g. OpenAI <c>insufficient_quota</c>).</remarks>
internal static class ProviderErrorClassifier
{
    /// <summary>Classifies an HTTP status code.</summary>
    /// <param name="statusCode">The status code.</param>
    /// <returns>The kind; <see cref="LlmErrorKind.Unknown"/> for codes that are not errors.</returns>
    public static LlmErrorKind FromStatusCode(HttpStatusCode statusCode) => FromStatusCode((int)statusCode);

    /// <summary>Classifies an HTTP status code.</summary>
    /// <param name="statusCode">The status code.</param>
    /// <returns>The kind; <see cref="LlmErrorKind.Unknown"/> for codes that are not errors.</returns>
    public static LlmErrorKind FromStatusCode(int statusCode) => statusCode switch
    {
        400 => LlmErrorKind.BadRequest,
        401 => LlmErrorKind.Authentication,
        402 => LlmErrorKind.QuotaExceeded,
        403 => LlmErrorKind.PermissionDenied,
        404 => LlmErrorKind.NotFound,
        408 => LlmErrorKind.Timeout,
        409 => LlmErrorKind.ServerError,
        413 => LlmErrorKind.BadRequest,
        422 => LlmErrorKind.BadRequest,
        429 => LlmErrorKind.RateLimited,
        503 => LlmErrorKind.Overloaded,
        529 => LlmErrorKind.Overloaded,
        >= 500 and <= 599 => LlmErrorKind.ServerError,
        >= 400 and <= 499 => LlmErrorKind.BadRequest,
        _ => LlmErrorKind.Unknown,
    };
}
