namespace LlmRouting;

/// <summary>Ranks candidates by their configured <see cref="Deployment.Priority"/> (lower first), then registration order.</summary>
public sealed class PriorityRoutingPolicy : IRoutingPolicy
{
    /// <summary>The policy name, <c>priority</c>.</summary>
    public const string PolicyName = "priority";

    /// <inheritdoc/>
    public string Name => PolicyName;

    /// <inheritdoc/>
    public IReadOnlyList<RoutingCandidate> Rank(IReadOnlyList<RoutingCandidate> candidates, RequestProfile profile)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        return candidates.Select((c, i) => (c, i)).OrderBy(x => x.c.Deployment.Priority).ThenBy(x => x.i).Select(x => x.c).ToArray();
    }
}
