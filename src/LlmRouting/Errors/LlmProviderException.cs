using System.Net;

namespace LlmRouting;

/// <summary>A typed failure of a call to a model provider, classified by <see cref="Kind"/>.</summary>
/// <remarks>Provider adapters throw this for HTTP errors, error bodies (including inside HTTP 200 replies), error events inside streams and unparsable replies.</remarks>
public class LlmProviderException : LlmRoutingException
{
    /// <summary>Initializes a new instance of the <see cref="LlmProviderException"/> class.</summary>
    public LlmProviderException()
        : this(LlmErrorKind.Unknown, "The provider call failed.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="LlmProviderException"/> class with a message.</summary>
    /// <param name="message">The message.</param>
    public LlmProviderException(string message)
        : this(LlmErrorKind.Unknown, message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="LlmProviderException"/> class with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public LlmProviderException(string message, Exception? innerException)
        : this(LlmErrorKind.Unknown, message, innerException)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="LlmProviderException"/> class.</summary>
    /// <param name="kind">The error classification.</param>
    /// <param name="message">The message; it must not contain secrets or prompt content.</param>
    /// <param name="innerException">The cause, if any.</param>
    public LlmProviderException(LlmErrorKind kind, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
    }

    /// <summary>Gets the classification of the failure.</summary>
    public LlmErrorKind Kind { get; }

    /// <summary>Gets or initializes the provider name (e.g. <c>openai</c>).</summary>
    public string? Provider { get; init; }

    /// <summary>Gets or initializes the model that was called.</summary>
    public string? Model { get; init; }

    /// <summary>Gets or initializes the deployment that was called.</summary>
    public string? Deployment { get; init; }

    /// <summary>Gets or initializes the HTTP status code of the reply, if there was one.</summary>
    public HttpStatusCode? StatusCode { get; init; }

    /// <summary>Gets or initializes the provider's request id (e.g. <c>x-request-id</c>), for support tickets.</summary>
    public string? ProviderRequestId { get; init; }

    /// <summary>Gets or initializes how long the provider asked the caller to wait before retrying.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Gets or initializes the provider's error code (e.g. <c>rate_limit_exceeded</c>, <c>overloaded_error</c>).</summary>
    public string? ProviderErrorCode { get; init; }

    /// <summary>Gets or initializes rate-limit information the provider returned with this reply, if any.</summary>
    public RateLimitInfo? RateLimits { get; init; }

    /// <summary>Gets a value indicating whether the failure is transient (see <see cref="LlmErrorKindExtensions.IsTransient"/>).</summary>
    public bool IsTransient => Kind.IsTransient();
}
