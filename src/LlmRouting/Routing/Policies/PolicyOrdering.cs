namespace LlmRouting;

/// <summary>Tie-breakers shared by the built-in policies.</summary>
internal static class PolicyOrdering
{
    /// <summary>Known prices first, then cheaper, then lower priority value, then name.</summary>
    public static int ByCost(RoutingCandidate a, RoutingCandidate b)
    {
        int c = b.IsCostKnown.CompareTo(a.IsCostKnown);
        if (c == 0)
        {
            c = a.EstimatedCostUsd.CompareTo(b.EstimatedCostUsd);
        }

        if (c == 0)
        {
            c = a.Deployment.Priority.CompareTo(b.Deployment.Priority);
        }

        return c != 0 ? c : string.CompareOrdinal(a.Deployment.Name, b.Deployment.Name);
    }
}
