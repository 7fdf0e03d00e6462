namespace LlmRouting;

/// <summary>
/// Spreads traffic by <see cref="Deployment.Weight"/>: the first candidate is drawn with probability proportional to its weight, and
/// the failover order is a weighted draw of the rest (weighted sampling without replacement).
/// </summary>
/// <remarks>
/// Randomness comes from the <see cref="Random"/> given to the constructor (a seeded one makes tests deterministic; it is used under
/// a lock), or <see cref="Random.Shared"/>. Thread-safe.
/// </remarks>
public sealed class WeightedRoutingPolicy : IRoutingPolicy
{
    /// <summary>The policy name, <c>weighted</c>.</summary>
    public const string PolicyName = "weighted";

    private readonly Random? _random;

    /// <summary>Initializes a new instance of the <see cref="WeightedRoutingPolicy"/> class.</summary>
    /// <param name="random">The random source; <see cref="Random.Shared"/> when <see langword="null"/>.</param>
    public WeightedRoutingPolicy(Random? random = null)
    {
        _random = random;
    }

    /// <inheritdoc/>
    public string Name => PolicyName;

    /// <inheritdoc/>
    public IReadOnlyList<RoutingCandidate> Rank(IReadOnlyList<RoutingCandidate> candidates, RequestProfile profile)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        var keys = new (double Key, int Index)[candidates.Count];
        for (int i = 0; i < candidates.Count; i++)
        {
            double u = NextDouble();
            double w = candidates[i].Deployment.Weight;
            // Efraimidis–Spirakis: sorting by u^(1/w) descending draws without replacement in proportion to the weights.
            keys[i] = (w > 0 && double.IsFinite(w) ? Math.Log(Math.Max(u, double.Epsilon)) / w : double.NegativeInfinity, i);
        }

        Array.Sort(keys, static (a, b) => b.Key != a.Key ? b.Key.CompareTo(a.Key) : a.Index.CompareTo(b.Index));
        var ranked = new RoutingCandidate[candidates.Count];
        for (int i = 0; i < keys.Length; i++)
        {
            ranked[i] = candidates[keys[i].Index];
        }

        return ranked;
    }

    private double NextDouble()
    {
        if (_random is null)
        {
            return Random.Shared.NextDouble();
        }

        lock (_random)
        {
            return _random.NextDouble();
        }
    }
}
