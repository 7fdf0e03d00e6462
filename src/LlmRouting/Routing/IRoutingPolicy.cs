namespace LlmRouting;

/// <summary>
/// A named objective that ranks the eligible deployments of a request, best first. The resilience layer tries them in that order.
/// Register implementations in DI and select one by name with <c>LlmRouting:Routing:Policy</c> (or per request with
/// <see cref="LlmRoutingHints.WithRoutingPolicy"/>, or per experiment variant).
/// </summary>
/// <remarks>
/// <para>
/// The router calls <see cref="Rank(RoutingPolicyContext)"/>. Its default implementation calls
/// <see cref="Rank(IReadOnlyList{RoutingCandidate}, RequestProfile)"/>, so a policy that needs only the candidates (with their cost,
/// latency and quality predictions) and the request profile (with its hints) implements that; a policy that needs the messages or
/// wants to explain its choice in the report overrides the context overload too.
/// </para>
/// <para>Implementations must be thread-safe and must not block.</para>
/// </remarks>
public interface IRoutingPolicy
{
    /// <summary>Gets the policy name used in configuration (e.g. <c>cheapest</c>).</summary>
    string Name { get; }

    /// <summary>Ranks the eligible candidates, best first.</summary>
    /// <param name="candidates">The eligible candidates (never empty).</param>
    /// <param name="profile">What the request needs.</param>
    /// <returns>The candidates in preference order; may drop candidates the policy refuses.</returns>
    IReadOnlyList<RoutingCandidate> Rank(IReadOnlyList<RoutingCandidate> candidates, RequestProfile profile);

    /// <summary>Ranks the eligible candidates of a request, best first, with access to the whole request.</summary>
    /// <param name="context">The request, its profile and hints, and the eligible candidates with their predictions.</param>
    /// <returns>The candidates in preference order; may drop candidates the policy refuses.</returns>
    IReadOnlyList<RoutingCandidate> Rank(RoutingPolicyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Rank(context.Candidates, context.Profile);
    }
}
