namespace LlmRouting;

/// <summary>
/// A named objective that ranks the eligible deployments of a request, best first. The resilience layer tries them in that order.
/// Register implementations in DI and select one by name with <c>LlmRouting:Routing:Policy</c>.
/// </summary>
/// <remarks>Implementations must be thread-safe and must not block.</remarks>
public interface IRoutingPolicy
{
    /// <summary>Gets the policy name used in configuration (e.g. <c>cheapest</c>).</summary>
    string Name { get; }

    /// <summary>Ranks the eligible candidates, best first.</summary>
    /// <param name="candidates">The eligible candidates (never empty).</param>
    /// <param name="profile">What the request needs.</param>
    /// <returns>The candidates in preference order; may drop candidates the policy refuses.</returns>
    IReadOnlyList<RoutingCandidate> Rank(IReadOnlyList<RoutingCandidate> candidates, RequestProfile profile);
}
