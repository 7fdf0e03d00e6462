namespace LlmRouting;

/// <summary>
/// Thrown when a request contains values whose action is <see cref="PiiAction.Block"/>, or images while
/// <see cref="RedactionOptions.BlockImages"/> is set. Nothing was sent to any deployment.
/// </summary>
/// <remarks>Carries entity types and counts only — never the values.</remarks>
public sealed class PiiBlockedException : LlmRoutingException
{
    /// <summary>Initializes a new instance of the <see cref="PiiBlockedException"/> class.</summary>
    public PiiBlockedException()
        : this("The request was blocked by the redaction policy; nothing was sent.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="PiiBlockedException"/> class with a message.</summary>
    /// <param name="message">The message; it must not contain secrets or personal data.</param>
    public PiiBlockedException(string message)
        : this(message, new Dictionary<string, int>())
    {
    }

    /// <summary>Initializes a new instance of the <see cref="PiiBlockedException"/> class with a message and a cause.</summary>
    /// <param name="message">The message; it must not contain secrets or personal data.</param>
    /// <param name="innerException">The cause.</param>
    public PiiBlockedException(string message, Exception? innerException)
        : base(message, innerException)
    {
        BlockedEntities = new Dictionary<string, int>();
    }

    /// <summary>Initializes a new instance of the <see cref="PiiBlockedException"/> class.</summary>
    /// <param name="message">The message; it must not contain secrets or personal data.</param>
    /// <param name="blockedEntities">How many values of each blocked entity type the request contained (<c>IMAGE</c> for blocked images).</param>
    public PiiBlockedException(string message, IReadOnlyDictionary<string, int> blockedEntities)
        : base(message)
    {
        BlockedEntities = blockedEntities ?? new Dictionary<string, int>();
    }

    /// <summary>Gets how many values of each blocked entity type the request contained (<see cref="RedactionConstants.ImageEntityType"/> for images).</summary>
    public IReadOnlyDictionary<string, int> BlockedEntities { get; }

    /// <summary>Gets the routing report of the request, when the router is in the chain.</summary>
    public RoutingReport? Report { get; internal set; }
}
