namespace LlmRouting;

/// <summary>
/// Thrown when every deployment tried for a request failed. <see cref="Attempts"/> lists each attempt with its
/// error kind; <see cref="Exception.InnerException"/> is the last failure, with its original stack trace.
/// </summary>
public sealed class AllAttemptsFailedException : LlmRoutingException
{
    /// <summary>Initializes a new instance of the <see cref="AllAttemptsFailedException"/> class.</summary>
    public AllAttemptsFailedException()
        : this("Every attempt failed.", [], null)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="AllAttemptsFailedException"/> class with a message.</summary>
    /// <param name="message">The message.</param>
    public AllAttemptsFailedException(string message)
        : this(message, [], null)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="AllAttemptsFailedException"/> class with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The last failure.</param>
    public AllAttemptsFailedException(string message, Exception? innerException)
        : this(message, [], innerException)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="AllAttemptsFailedException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="attempts">Every attempt made.</param>
    /// <param name="innerException">The last failure.</param>
    public AllAttemptsFailedException(string message, IReadOnlyList<RoutingAttempt> attempts, Exception? innerException)
        : base(message, innerException)
    {
        Attempts = attempts ?? [];
    }

    /// <summary>Gets every attempt made, in order.</summary>
    public IReadOnlyList<RoutingAttempt> Attempts { get; }

    /// <summary>Gets the error kind of the last attempt.</summary>
    public LlmErrorKind LastErrorKind => Attempts.Count == 0 ? LlmErrorKind.Unknown : Attempts[^1].ErrorKind ?? LlmErrorKind.Unknown;

    /// <summary>Gets the routing report of the request, when the router is in the chain.</summary>
    public RoutingReport? Report { get; internal set; }
}
