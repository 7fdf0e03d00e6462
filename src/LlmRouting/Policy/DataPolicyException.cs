namespace LlmRouting;

/// <summary>Thrown when a request cannot be checked against its data policy — e.g. it names a tenant that has no policy. Nothing was sent.</summary>
public sealed class DataPolicyException : LlmRoutingException
{
    /// <summary>Initializes a new instance of the <see cref="DataPolicyException"/> class.</summary>
    public DataPolicyException()
        : this("The request violates its data policy; nothing was sent.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="DataPolicyException"/> class with a message.</summary>
    /// <param name="message">The message; it must not contain secrets or personal data.</param>
    public DataPolicyException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="DataPolicyException"/> class with a message and a cause.</summary>
    /// <param name="message">The message; it must not contain secrets or personal data.</param>
    /// <param name="innerException">The cause.</param>
    public DataPolicyException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets the tenant the request named, if any.</summary>
    public string? Tenant { get; init; }

    /// <summary>Gets the routing report of the request, when the router is in the chain.</summary>
    public RoutingReport? Report { get; internal set; }
}
