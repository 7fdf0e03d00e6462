namespace LlmRouting;

/// <summary>
/// Ranks candidates by expected latency — predicted time to first token + estimated output tokens / output speed, from live
/// statistics blended with catalog priors, divided by (1 − error rate) — fastest first. Candidates with unknown latency go last;
/// ties by estimated cost, then priority and name.
/// </summary>
/// <remarks>Thread-safe.</remarks>
public sealed class FastestRoutingPolicy : IRoutingPolicy
{
    /// <summary>The policy name, <c>fastest</c>.</summary>
    public const string PolicyName = "fastest";

    /// <inheritdoc/>
    public string Name => PolicyName;

    /// <inheritdoc/>
    public IReadOnlyList<RoutingCandidate> Rank(IReadOnlyList<RoutingCandidate> candidates, RequestProfile profile)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        var ranked = candidates.ToArray();
        Array.Sort(ranked, static (a, b) =>
        {
            TimeSpan? la = a.ExpectedLatency, lb = b.ExpectedLatency;
            int c = (la is null).CompareTo(lb is null);
            if (c == 0 && la is { } x && lb is { } y)
            {
                c = x.CompareTo(y);
            }

            return c != 0 ? c : PolicyOrdering.ByCost(a, b);
        });
        return ranked;
    }
}
