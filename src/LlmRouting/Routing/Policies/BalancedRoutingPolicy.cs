using System.Globalization;

namespace LlmRouting;

/// <summary>
/// Ranks candidates by a weighted score of cost, latency and quality, best first. Cost and expected latency are placed on a
/// logarithmic 0-to-1 scale between the cheapest/fastest and the dearest/slowest candidate (a model ten times dearer is as far
/// from the cheapest as one a hundred times dearer is from that one); quality counts as 1 − predicted quality. Unknown values count
/// as the worst. Ties by cost, priority and name.
/// </summary>
/// <remarks>Thread-safe.</remarks>
public sealed class BalancedRoutingPolicy : IRoutingPolicy
{
    /// <summary>The policy name, <c>balanced</c>.</summary>
    public const string PolicyName = "balanced";

    private readonly Lazy<(double Cost, double Latency, double Quality)> _weights;

    /// <summary>Initializes a new instance of the <see cref="BalancedRoutingPolicy"/> class.</summary>
    /// <param name="options">The weights; 1/1/1 when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">A weight is negative or not finite, or all are zero.</exception>
    public BalancedRoutingPolicy(BalancedRoutingPolicyOptions? options = null)
    {
        (double, double, double) weights = Normalise(options ?? new BalancedRoutingPolicyOptions());
        _weights = new(weights);
    }

    /// <summary>Reads the weights on first use (DI: the options are validated at start-up, and reading them while they are being built would recurse).</summary>
    internal BalancedRoutingPolicy(Func<BalancedRoutingPolicyOptions?> options)
    {
        _weights = new(() => Normalise(options() ?? new BalancedRoutingPolicyOptions()));
    }

    private double CostShare => _weights.Value.Cost;

    private double LatencyShare => _weights.Value.Latency;

    private double QualityShare => _weights.Value.Quality;

    /// <inheritdoc/>
    public string Name => PolicyName;

    /// <inheritdoc/>
    public IReadOnlyList<RoutingCandidate> Rank(IReadOnlyList<RoutingCandidate> candidates, RequestProfile profile)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        double[] scores = Score(candidates);
        var order = Enumerable.Range(0, candidates.Count).ToArray();
        Array.Sort(order, (i, j) =>
        {
            int c = scores[i].CompareTo(scores[j]);
            return c != 0 ? c : PolicyOrdering.ByCost(candidates[i], candidates[j]);
        });
        return order.Select(i => candidates[i]).ToArray();
    }

    /// <inheritdoc/>
    public IReadOnlyList<RoutingCandidate> Rank(RoutingPolicyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        IReadOnlyList<RoutingCandidate> ranked = Rank(context.Candidates, context.Profile);
        RoutingCandidate first = ranked[0];
        context.Reason = string.Create(
            CultureInfo.InvariantCulture,
            $"balanced: best of {ranked.Count} on cost/latency/quality weights {CostShare:0.##}/{LatencyShare:0.##}/{QualityShare:0.##} (estimated ${first.EstimatedCostUsd:0.########}, {Ms(first.ExpectedLatency)}, quality {Q(first.PredictedQuality)})");
        return ranked;
    }

    private static (double Cost, double Latency, double Quality) Normalise(BalancedRoutingPolicyOptions options)
    {
        foreach ((string name, double w) in new[] { ("CostWeight", options.CostWeight), ("LatencyWeight", options.LatencyWeight), ("QualityWeight", options.QualityWeight) })
        {
            if (!(w >= 0) || !double.IsFinite(w))
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{name} must be a finite number of at least 0 (was {w})."), nameof(options));
            }
        }

        double sum = options.CostWeight + options.LatencyWeight + options.QualityWeight;
        if (sum <= 0)
        {
            throw new ArgumentException("At least one of CostWeight, LatencyWeight and QualityWeight must be positive.", nameof(options));
        }

        return (options.CostWeight / sum, options.LatencyWeight / sum, options.QualityWeight / sum);
    }

    internal static string Ms(TimeSpan? t) => t is { } v ? string.Create(CultureInfo.InvariantCulture, $"{v.TotalMilliseconds:0} ms") : "latency unknown";

    internal static string Q(double? q) => q is double v ? v.ToString("0.00", CultureInfo.InvariantCulture) : "unknown";

    private double[] Score(IReadOnlyList<RoutingCandidate> candidates)
    {
        double[] cost = LogScale(candidates.Select(c => c.IsCostKnown ? (double?)c.EstimatedCostUsd : null).ToArray());
        double[] latency = LogScale(candidates.Select(c => c.ExpectedLatency?.TotalSeconds).ToArray());
        var scores = new double[candidates.Count];
        for (int i = 0; i < scores.Length; i++)
        {
            double quality = candidates[i].PredictedQuality is double q ? 1 - q : 1;
            scores[i] = (CostShare * cost[i]) + (LatencyShare * latency[i]) + (QualityShare * quality);
        }

        return scores;
    }

    /// <summary>Maps values to 0 (smallest) … 1 (largest) on a log scale; unknown values map to 1.</summary>
    private static double[] LogScale(double?[] values)
    {
        const double Floor = 1e-9;
        var logs = values.Select(v => v is double x ? Math.Log(Math.Max(x, 0) + Floor) : (double?)null).ToArray();
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (double? l in logs)
        {
            if (l is double x)
            {
                min = Math.Min(min, x);
                max = Math.Max(max, x);
            }
        }

        var scaled = new double[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            scaled[i] = logs[i] is double x ? (max > min ? (x - min) / (max - min) : 0) : 1;
        }

        return scaled;
    }
}
