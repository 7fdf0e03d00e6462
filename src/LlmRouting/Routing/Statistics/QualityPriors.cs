namespace LlmRouting;

/// <summary>
/// Maps a model's published capability onto LlmRouting's 0-to-1 quality scale: the share of the embedded catalog's models
/// with a lower Artificial Analysis intelligence index (ties count half). 0.9 means "better than 90% of known models".
/// </summary>
internal static class QualityPriors
{
    private static readonly Lazy<double[]> s_sorted = new(static () =>
        ModelCatalog.Default.Models
            .Select(m => m.Priors?.IntelligenceIndex)
            .Where(i => i is double d && double.IsFinite(d))
            .Select(i => i!.Value)
            .Order()
            .ToArray());

    /// <summary>Gets the catalog percentile of an intelligence index, or <see langword="null"/> when unknown.</summary>
    public static double? FromIntelligenceIndex(double? index)
    {
        if (index is not double x || !double.IsFinite(x))
        {
            return null;
        }

        double[] sorted = s_sorted.Value;
        if (sorted.Length == 0)
        {
            return null;
        }

        int below = LowerBound(sorted, x);
        int upTo = UpperBound(sorted, x);
        return (below + (0.5 * (upTo - below))) / sorted.Length;
    }

    /// <summary>Gets the quality prior of a deployment: a configured value (by deployment name, model id or catalog key) or the catalog percentile.</summary>
    public static double? For(Deployment deployment, IDictionary<string, double>? configured)
    {
        if (configured is { Count: > 0 })
        {
            if (configured.TryGetValue(deployment.Name, out double q)
                || configured.TryGetValue(deployment.ModelInfo.Key, out q)
                || configured.TryGetValue(deployment.Model, out q))
            {
                return q;
            }
        }

        return FromIntelligenceIndex(deployment.ModelInfo.Priors?.IntelligenceIndex);
    }

    private static int LowerBound(double[] a, double x)
    {
        int lo = 0, hi = a.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (a[mid] < x)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private static int UpperBound(double[] a, double x)
    {
        int lo = 0, hi = a.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (a[mid] <= x)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
