namespace LlmRouting;

/// <summary>
/// Remembers which deployment (and experiment variants) answered recent requests, and turns scores into quality samples.
/// </summary>
/// <remarks>
/// The ledger is a fixed ring of the last <see cref="DefaultCapacity"/> request ids (as <see cref="Guid"/>s) with a dictionary over it,
/// allocated once: remembering a request allocates nothing, so it adds no garbage-collection work to the hot path.
/// </remarks>
internal sealed class RoutingFeedback : IRoutingFeedback
{
    public const int DefaultCapacity = 10_000;

    private readonly object _gate = new();
    private readonly Func<IRoutingStatisticsStore> _store;
    private readonly ExperimentTracker _experiments;
    private readonly int _capacity;
    private Dictionary<Guid, Target>? _recent;
    private Guid[]? _ring;
    private int _next;

    public RoutingFeedback(Func<IRoutingStatisticsStore> store, ExperimentTracker experiments, int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _store = store;
        _experiments = experiments;
        _capacity = capacity;
    }

    public ExperimentTracker Experiments => _experiments;

    public void Remember(string requestId, string deployment, IRoutingStatisticsStore store, IReadOnlyDictionary<string, string> variants)
    {
        if (!Guid.TryParseExact(requestId, "N", out Guid id))
        {
            return;
        }

        lock (_gate)
        {
            _recent ??= new Dictionary<Guid, Target>(_capacity);
            _ring ??= new Guid[_capacity];
            if (_recent.Count >= _capacity)
            {
                _recent.Remove(_ring[_next]); // the oldest
            }

            _ring[_next] = id;
            _recent[id] = new Target(deployment, store, variants);
            _next = (_next + 1) % _capacity;
        }
    }

    public bool Score(string requestId, double score)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(requestId);
        Check(score);
        if (!TryFind(requestId, out Target target))
        {
            return false;
        }

        Apply(target.Deployment, target.Store, target.Variants, score);
        return true;
    }

    public bool Score(RoutingReport report, double score)
    {
        ArgumentNullException.ThrowIfNull(report);
        Check(score);
        if (TryFind(report.RequestId, out Target target))
        {
            Apply(target.Deployment, target.Store, target.Variants, score);
            return true;
        }

        if (report.Deployment is null)
        {
            return false;
        }

        Apply(report.Deployment, _store(), report.ExperimentVariants, score);
        return true;
    }

    private bool TryFind(string requestId, out Target target)
    {
        target = default;
        if (!Guid.TryParseExact(requestId, "N", out Guid id))
        {
            return false;
        }

        lock (_gate)
        {
            return _recent?.TryGetValue(id, out target) == true;
        }
    }

    private void Apply(string deployment, IRoutingStatisticsStore store, IReadOnlyDictionary<string, string> variants, double score)
    {
        store.Record(deployment, DeploymentMetric.Quality, score);
        foreach ((string experiment, string variant) in variants)
        {
            _experiments.RecordQuality(experiment, variant, score);
        }
    }

    private static void Check(double score)
    {
        if (!(score >= 0 && score <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(score), score, "A feedback score is between 0 and 1.");
        }
    }

    private readonly record struct Target(string Deployment, IRoutingStatisticsStore Store, IReadOnlyDictionary<string, string> Variants);
}
