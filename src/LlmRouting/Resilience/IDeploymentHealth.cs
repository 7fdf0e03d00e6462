namespace LlmRouting;

/// <summary>
/// The live health of deployments as the resilience layer sees it: circuit state and saturation of client-side limits.
/// The router asks it to skip deployments that cannot take a request now; applications may ask it for dashboards or health checks.
/// </summary>
/// <remarks>
/// Registered in DI by <c>AddLlmRouting()</c>; without DI, get it from the chain with <c>chatClient.GetService&lt;IDeploymentHealth&gt;()</c>.
/// Implementations are thread-safe.
/// </remarks>
public interface IDeploymentHealth
{
    /// <summary>Gets the state of a deployment.</summary>
    /// <param name="deployment">The deployment name.</param>
    /// <param name="estimatedTokens">The token estimate of the request being routed (prompt plus output), for the tokens-per-minute check; 0 to ignore.</param>
    /// <returns>The state; a deployment never used yet reads closed and unsaturated unless its limits say otherwise.</returns>
    /// <exception cref="ArgumentException"><paramref name="deployment"/> is empty.</exception>
    DeploymentHealthState GetState(string deployment, long estimatedTokens = 0);

    /// <summary>Gets the state of every deployment used so far, by name.</summary>
    /// <returns>The states.</returns>
    IReadOnlyList<DeploymentHealthState> GetStates();
}
