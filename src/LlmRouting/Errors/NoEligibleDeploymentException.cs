namespace LlmRouting;

/// <summary>Thrown when no configured deployment can serve a request; <see cref="Rejections"/> says why each was rejected.</summary>
public sealed class NoEligibleDeploymentException : LlmRoutingException
{
    /// <summary>Initializes a new instance of the <see cref="NoEligibleDeploymentException"/> class.</summary>
    public NoEligibleDeploymentException()
        : this("No deployment can serve this request.", [])
    {
    }

    /// <summary>Initializes a new instance of the <see cref="NoEligibleDeploymentException"/> class with a message.</summary>
    /// <param name="message">The message.</param>
    public NoEligibleDeploymentException(string message)
        : this(message, [])
    {
    }

    /// <summary>Initializes a new instance of the <see cref="NoEligibleDeploymentException"/> class with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public NoEligibleDeploymentException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Rejections = [];
    }

    /// <summary>Initializes a new instance of the <see cref="NoEligibleDeploymentException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="rejections">Every rejected deployment with its reason.</param>
    public NoEligibleDeploymentException(string message, IReadOnlyList<CandidateRejection> rejections)
        : base(message)
    {
        Rejections = rejections ?? [];
    }

    /// <summary>Gets every rejected deployment with its reason.</summary>
    public IReadOnlyList<CandidateRejection> Rejections { get; }

    /// <summary>Gets the routing report of the request.</summary>
    public RoutingReport? Report { get; internal set; }
}
