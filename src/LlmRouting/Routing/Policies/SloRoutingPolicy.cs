using System.Globalization;
using System.Text;

namespace LlmRouting;

/// <summary>
/// "The cheapest candidate predicted to meet the SLO": candidates whose predicted latency, estimated cost and predicted quality meet
/// every target come first, cheapest first; the others follow, those that miss fewer targets by less first. A candidate whose
/// prediction for a target is unknown does not meet it. Targets come from the request's hints, else from
/// <see cref="SloRoutingPolicyOptions"/>.
/// </summary>
/// <remarks>
/// The targets here are objectives — when nothing meets them the request is still served by the closest candidate. Use the hints
/// as hard limits instead: the router rejects candidates that break a hinted limit before any policy runs. Thread-safe.
/// </remarks>
public sealed class SloRoutingPolicy : IRoutingPolicy
{
    /// <summary>The policy name, <c>slo</c>.</summary>
    public const string PolicyName = "slo";

    private readonly Lazy<SloRoutingPolicyOptions> _targets;

    /// <summary>Initializes a new instance of the <see cref="SloRoutingPolicy"/> class.</summary>
    /// <param name="options">The targets; none when <see langword="null"/> (then only hints set targets).</param>
    /// <exception cref="ArgumentException">A target is out of range.</exception>
    public SloRoutingPolicy(SloRoutingPolicyOptions? options = null)
    {
        SloRoutingPolicyOptions checkedOptions = Check(options ?? new SloRoutingPolicyOptions());
        _targets = new(checkedOptions);
    }

    /// <summary>Reads the targets on first use (DI: the options are validated at start-up, and reading them while they are being built would recurse).</summary>
    internal SloRoutingPolicy(Func<SloRoutingPolicyOptions?> options)
    {
        _targets = new(() => Check(options() ?? new SloRoutingPolicyOptions()));
    }

    private SloRoutingPolicyOptions Configured => _targets.Value;

    /// <inheritdoc/>
    public string Name => PolicyName;

    /// <inheritdoc/>
    public IReadOnlyList<RoutingCandidate> Rank(IReadOnlyList<RoutingCandidate> candidates, RequestProfile profile) =>
        RankCore(candidates, profile, out _);

    /// <inheritdoc/>
    public IReadOnlyList<RoutingCandidate> Rank(RoutingPolicyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        IReadOnlyList<RoutingCandidate> ranked = RankCore(context.Candidates, context.Profile, out int meeting);
        (TimeSpan? maxLatency, decimal? maxCost, double? minQuality) = Targets(context.Profile);
        RoutingCandidate first = ranked[0];
        var reason = new StringBuilder("slo: ");
        if (maxLatency is null && maxCost is null && minQuality is null)
        {
            context.Reason = string.Create(CultureInfo.InvariantCulture, $"slo: no targets (LlmRouting:Routing:Slo or hints), so cheapest first: ${first.EstimatedCostUsd:0.########}");
            return ranked;
        }

        reason.Append(meeting > 0
            ? string.Create(CultureInfo.InvariantCulture, $"cheapest of {meeting} predicted to meet ")
            : "no candidate is predicted to meet ");
        reason.Append(Describe(maxLatency, maxCost, minQuality));
        reason.Append(meeting > 0 ? "" : "; closest first");
        reason.Append(string.Create(
            CultureInfo.InvariantCulture,
            $" (predicted {BalancedRoutingPolicy.Ms(first.PredictedLatency)}, ${first.EstimatedCostUsd:0.########}, quality {BalancedRoutingPolicy.Q(first.PredictedQuality)})"));
        context.Reason = reason.ToString();
        return ranked;
    }

    private IReadOnlyList<RoutingCandidate> RankCore(IReadOnlyList<RoutingCandidate> candidates, RequestProfile profile, out int meeting)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(profile);
        (TimeSpan? maxLatency, decimal? maxCost, double? minQuality) = Targets(profile);
        var misses = new (int Count, double Amount)[candidates.Count];
        meeting = 0;
        for (int i = 0; i < candidates.Count; i++)
        {
            misses[i] = Misses(candidates[i], maxLatency, maxCost, minQuality);
            if (misses[i].Count == 0)
            {
                meeting++;
            }
        }

        var order = Enumerable.Range(0, candidates.Count).ToArray();
        Array.Sort(order, (i, j) =>
        {
            int c = misses[i].Count.CompareTo(misses[j].Count);
            if (c == 0 && misses[i].Count > 0)
            {
                c = misses[i].Amount.CompareTo(misses[j].Amount);
            }

            return c != 0 ? c : PolicyOrdering.ByCost(candidates[i], candidates[j]);
        });
        return order.Select(i => candidates[i]).ToArray();
    }

    private (TimeSpan? MaxLatency, decimal? MaxCost, double? MinQuality) Targets(RequestProfile profile) =>
        (profile.Hints.MaxLatency ?? Configured.MaxLatency, profile.Hints.MaxCostUsd ?? Configured.MaxCostUsd, profile.Hints.MinQuality ?? Configured.MinQuality);

    /// <summary>How many targets a candidate misses, and by how much in relative terms (an unknown prediction misses by 1).</summary>
    private static (int Count, double Amount) Misses(RoutingCandidate c, TimeSpan? maxLatency, decimal? maxCost, double? minQuality)
    {
        int count = 0;
        double amount = 0;
        if (maxLatency is { } l)
        {
            if (c.PredictedLatency is not { } p)
            {
                count++;
                amount += 1;
            }
            else if (p > l)
            {
                count++;
                amount += (p.TotalSeconds - l.TotalSeconds) / l.TotalSeconds;
            }
        }

        if (maxCost is decimal m)
        {
            if (!c.IsCostKnown)
            {
                count++;
                amount += 1;
            }
            else if (c.EstimatedCostUsd > m)
            {
                count++;
                amount += m == 0 ? 1 : (double)((c.EstimatedCostUsd - m) / m);
            }
        }

        if (minQuality is double q)
        {
            if (c.PredictedQuality is not double pq)
            {
                count++;
                amount += 1;
            }
            else if (pq < q)
            {
                count++;
                amount += q == 0 ? 0 : (q - pq) / q;
            }
        }

        return (count, amount);
    }

    private static SloRoutingPolicyOptions Check(SloRoutingPolicyOptions options)
    {
        if (options.MaxLatency is { } l && l <= TimeSpan.Zero)
        {
            throw new ArgumentException("MaxLatency must be positive.", nameof(options));
        }

        if (options.MaxCostUsd < 0)
        {
            throw new ArgumentException("MaxCostUsd cannot be negative.", nameof(options));
        }

        if (options.MinQuality is double q && !(q >= 0 && q <= 1))
        {
            throw new ArgumentException("MinQuality must be between 0 and 1.", nameof(options));
        }

        return options;
    }

    private static string Describe(TimeSpan? maxLatency, decimal? maxCost, double? minQuality)
    {
        var parts = new List<string>(3);
        if (maxLatency is { } l)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"latency ≤ {l.TotalMilliseconds:0} ms"));
        }

        if (maxCost is decimal m)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"cost ≤ ${m:0.########}"));
        }

        if (minQuality is double q)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"quality ≥ {q:0.00}"));
        }

        return parts.Count == 0 ? "no targets (cheapest first)" : string.Join(", ", parts);
    }
}
