namespace LlmRouting;

/// <summary>Percentiles (nearest rank) of a set of durations.</summary>
/// <param name="P50">The median.</param>
/// <param name="P90">The 90th percentile.</param>
/// <param name="P95">The 95th percentile.</param>
/// <param name="P99">The 99th percentile.</param>
/// <param name="Max">The largest value.</param>
/// <param name="Count">The number of values.</param>
public sealed record LatencyPercentiles(TimeSpan P50, TimeSpan P90, TimeSpan P95, TimeSpan P99, TimeSpan Max, int Count)
{
    /// <summary>Computes the percentiles of <paramref name="values"/>.</summary>
    /// <param name="values">The durations (sorted in place).</param>
    /// <returns>The percentiles, or <see langword="null"/> when there are no values.</returns>
    public static LatencyPercentiles? From(List<TimeSpan> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            return null;
        }

        values.Sort();
        return new LatencyPercentiles(Rank(values, 0.50), Rank(values, 0.90), Rank(values, 0.95), Rank(values, 0.99), values[^1], values.Count);
    }

    private static TimeSpan Rank(List<TimeSpan> sorted, double percentile)
    {
        int rank = (int)Math.Ceiling(percentile * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }
}
