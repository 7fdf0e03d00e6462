namespace LlmRouting;

/// <summary>The outcome of a pipeline whose circuit breaker refused an attempt; the scheduler turns it into a skipped candidate and never throws it to callers.</summary>
internal sealed class CircuitOpenRejectedException : Exception
{
    public CircuitOpenRejectedException()
        : this("The deployment's circuit is open.", null)
    {
    }

    public CircuitOpenRejectedException(string message)
        : this(message, null)
    {
    }

    public CircuitOpenRejectedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    public CircuitOpenRejectedException(DeploymentCircuitState state, TimeSpan? recoversIn)
        : this($"The deployment's circuit is {state}.", null)
    {
        State = state;
        RecoversIn = recoversIn;
    }

    public DeploymentCircuitState State { get; }

    public TimeSpan? RecoversIn { get; }
}
