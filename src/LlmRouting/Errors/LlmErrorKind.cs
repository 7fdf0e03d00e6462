namespace LlmRouting;

/// <summary>Classifies a failed call to a model provider so that the resilience layer can decide whether to retry, fail over or give up.</summary>
public enum LlmErrorKind
{
    /// <summary>The failure could not be classified.</summary>
    Unknown = 0,

    /// <summary>The provider rejected the call because a rate limit was reached (HTTP 429). Retryable.</summary>
    RateLimited,

    /// <summary>The provider is temporarily overloaded (HTTP 529, Anthropic <c>overloaded_error</c>, HTTP 503). Retryable.</summary>
    Overloaded,

    /// <summary>The provider failed with a server error (HTTP 5xx). Retryable.</summary>
    ServerError,

    /// <summary>The call timed out. Retryable.</summary>
    Timeout,

    /// <summary>The connection failed or was reset. Retryable.</summary>
    Network,

    /// <summary>The provider's reply could not be parsed. Retryable on another deployment.</summary>
    InvalidResponse,

    /// <summary>The API key is missing or was rejected (HTTP 401). Not retried against the same deployment.</summary>
    Authentication,

    /// <summary>The key is valid but not allowed to use this resource (HTTP 403).</summary>
    PermissionDenied,

    /// <summary>The model or endpoint does not exist (HTTP 404).</summary>
    NotFound,

    /// <summary>The request is invalid for this provider (HTTP 400, 422). Never retried.</summary>
    BadRequest,

    /// <summary>The prompt and requested output do not fit the model's context window.</summary>
    ContextLengthExceeded,

    /// <summary>The provider's content policy refused the prompt or the answer.</summary>
    ContentFiltered,

    /// <summary>The account's quota or credit is exhausted (e.g. OpenAI <c>insufficient_quota</c>, HTTP 402).</summary>
    QuotaExceeded,

    /// <summary>A streamed answer was cut before its proper end.</summary>
    StreamInterrupted,
}
