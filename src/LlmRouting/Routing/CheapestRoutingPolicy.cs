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
        Array.Sort(ranked, static (a, b) =>
        {
            bool aKnown = a.Deployment.ModelInfo.Pricing.IsKnown || a.Deployment.IsLocal;
            bool bKnown = b.Deployment.ModelInfo.Pricing.IsKnown || b.Deployment.IsLocal;
            int c = bKnown.CompareTo(aKnown);
            if (c == 0)
            {
                c = a.EstimatedCostUsd.CompareTo(b.EstimatedCostUsd);
            }

            if (c == 0)
            {
                c = a.Deployment.Priority.CompareTo(b.Deployment.Priority);
            }

            return c != 0 ? c : string.CompareOrdinal(a.Deployment.Name, b.Deployment.Name);
        });
        return ranked;
    }
}
