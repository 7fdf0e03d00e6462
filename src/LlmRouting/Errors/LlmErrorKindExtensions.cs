namespace LlmRouting;

/// <summary>Helpers for <see cref="LlmErrorKind"/>.</summary>
public static class LlmErrorKindExtensions
{
    /// <summary>Gets a value indicating whether a failure of this kind is transient, so that the same request may succeed when tried again or on another deployment.</summary>
    /// <param name="kind">The error kind.</param>
    /// <returns><see langword="true"/> for rate limits, overload, server errors, timeouts, network failures, unparsable replies and interrupted streams.</returns>
    public static bool IsTransient(this LlmErrorKind kind) => kind switch
    {
        LlmErrorKind.RateLimited or LlmErrorKind.Overloaded or LlmErrorKind.ServerError or LlmErrorKind.Timeout
            or LlmErrorKind.Network or LlmErrorKind.InvalidResponse or LlmErrorKind.StreamInterrupted => true,
        _ => false,
    };

    /// <summary>Gets a value indicating whether another deployment may succeed where this one failed with this kind of error.</summary>
    /// <param name="kind">The error kind.</param>
    /// <returns><see langword="false"/> only for <see cref="LlmErrorKind.BadRequest"/>, which would fail the same way anywhere.</returns>
    public static bool AllowsFailover(this LlmErrorKind kind) => kind != LlmErrorKind.BadRequest;

    /// <summary>Gets the stable, lower-case name of the kind used in telemetry (<c>error.type</c>) and reports.</summary>
    /// <param name="kind">The error kind.</param>
    /// <returns>A snake_case name such as <c>rate_limited</c>.</returns>
    public static string ToTelemetryName(this LlmErrorKind kind) => kind switch
    {
        LlmErrorKind.RateLimited => "rate_limited",
        LlmErrorKind.Overloaded => "overloaded",
        LlmErrorKind.ServerError => "server_error",
        LlmErrorKind.Timeout => "timeout",
        LlmErrorKind.Network => "network",
        LlmErrorKind.InvalidResponse => "invalid_response",
        LlmErrorKind.Authentication => "authentication",
        LlmErrorKind.PermissionDenied => "permission_denied",
        LlmErrorKind.NotFound => "not_found",
        LlmErrorKind.BadRequest => "bad_request",
        LlmErrorKind.ContextLengthExceeded => "context_length_exceeded",
        LlmErrorKind.ContentFiltered => "content_filtered",
        LlmErrorKind.QuotaExceeded => "quota_exceeded",
        LlmErrorKind.StreamInterrupted => "stream_interrupted",
        _ => "unknown",
    };
}
