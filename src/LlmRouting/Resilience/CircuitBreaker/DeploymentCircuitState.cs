namespace LlmRouting;

/// <summary>The state of a deployment's circuit breaker.</summary>
public enum DeploymentCircuitState
{
    /// <summary>Requests flow normally.</summary>
    Closed = 0,

    /// <summary>The deployment failed too often; routing skips it until the break duration has passed.</summary>
    Open,

    /// <summary>The break duration has passed and one probe request decides whether the circuit closes or opens again.</summary>
    HalfOpen,
}
