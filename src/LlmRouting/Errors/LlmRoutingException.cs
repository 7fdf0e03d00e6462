namespace LlmRouting;

/// <summary>The base class of every exception LlmRouting throws. Messages never contain API keys, prompts or detected personal data.</summary>
public class LlmRoutingException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="LlmRoutingException"/> class.</summary>
    public LlmRoutingException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="LlmRoutingException"/> class with a message.</summary>
    /// <param name="message">The message; it must not contain secrets or personal data.</param>
    public LlmRoutingException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="LlmRoutingException"/> class with a message and an inner exception.</summary>
    /// <param name="message">The message; it must not contain secrets or personal data.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public LlmRoutingException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
