using System.Globalization;

namespace LlmRouting;

/// <summary>Narrows the router's candidates in the request context, recording each removed deployment as a rejection.</summary>
internal static class CandidateNarrowing
{
    /// <summary>Removes every candidate <paramref name="reject"/> returns a rejection for.</summary>
    /// <returns>The number of candidates left.</returns>
    /// <exception cref="NoEligibleDeploymentException">No candidate is left.</exception>
    public static int Narrow(LlmRequestContext context, Func<Deployment, CandidateRejection?> reject, string requirement)
    {
        IReadOnlyList<Deployment> candidates = context.Candidates;
        List<Deployment>? kept = null;
        for (int i = 0; i < candidates.Count; i++)
        {
            Deployment deployment = candidates[i];
            if (reject(deployment) is { } rejection)
            {
                if (kept is null)
                {
                    kept = new List<Deployment>(candidates.Count);
                    for (int j = 0; j < i; j++)
                    {
                        kept.Add(candidates[j]);
                    }
                }

                context.Rejections.Add(rejection);
            }
            else
            {
                kept?.Add(deployment);
            }
        }

        if (kept is null && candidates.Count > 0)
        {
            return candidates.Count;
        }

        if (kept is null || kept.Count == 0)
        {
            context.Candidates = [];
            var ex = new NoEligibleDeploymentException(
                string.Create(CultureInfo.InvariantCulture, $"No {requirement} is among the {candidates.Count} candidates for this request; see Rejections for each reason."),
                context.Rejections.ToArray());
            ex.Report = context.BuildReport();
            throw ex;
        }

        if (!ReferenceEquals(kept[0], candidates[0]))
        {
            context.EstimatedCostUsd = kept[0].ModelInfo.Pricing.Estimate(context.EstimatedInputTokens, context.EstimatedOutputTokens);
        }

        context.Candidates = kept.ToArray();
        return kept.Count;
    }
}
