namespace LlmRouting;

/// <summary>Ranks candidates by estimated cost, cheapest first; ties by priority, then name. Deployments with unknown prices go last.</summary>
public sealed class CheapestRoutingPolicy : IRoutingPolicy
{
    /// <summary>The policy name, <c>cheapest</c>.</summary>
    public const string PolicyName = "cheapest";

    /// <inheritdoc/>
    public string Name => PolicyName;

    /// <inheritdoc/>
    public IReadOnlyList<RoutingCandidate> Rank(IReadOnlyList<RoutingCandidate> candidates, RequestProfile profile)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        var ranked = candidates.ToArray();
        Array.Sort(ranked, PolicyOrdering.ByCost);
        return ranked;
    }
}
