namespace LlmRouting;

/// <summary>
/// Thrown when a streamed answer fails after its first update reached the caller (the commit point),
/// so it cannot be failed over. It carries the output the caller already received.
/// </summary>
public sealed class StreamInterruptedException : LlmProviderException
{
    /// <summary>Initializes a new instance of the <see cref="StreamInterruptedException"/> class.</summary>
    public StreamInterruptedException()
        : this("The stream was interrupted.", string.Empty, 0, null)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="StreamInterruptedException"/> class with a message.</summary>
    /// <param name="message">The message.</param>
    public StreamInterruptedException(string message)
        : this(message, string.Empty, 0, null)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="StreamInterruptedException"/> class with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public StreamInterruptedException(string message, Exception? innerException)
        : this(message, string.Empty, 0, innerException)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="StreamInterruptedException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="partialText">The text already streamed to the caller.</param>
    /// <param name="updatesReceived">How many updates reached the caller.</param>
    /// <param name="innerException">The failure that cut the stream.</param>
    public StreamInterruptedException(string message, string partialText, int updatesReceived, Exception? innerException)
        : base(LlmErrorKind.StreamInterrupted, message, innerException)
    {
        PartialText = partialText;
        UpdatesReceived = updatesReceived;
    }

    /// <summary>Gets the text the caller already received before the stream was cut.</summary>
    public string PartialText { get; }

    /// <summary>Gets how many updates reached the caller before the stream was cut.</summary>
    public int UpdatesReceived { get; }

    /// <summary>Gets the routing report of the request, when the router is in the chain.</summary>
    public RoutingReport? Report { get; internal set; }
}
