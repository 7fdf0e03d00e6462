using System.Collections.Concurrent;

namespace LlmRouting;

/// <summary>Remembers which deployment (and experiment variants) answered recent requests, and turns scores into quality samples.</summary>
internal sealed class RoutingFeedback : IRoutingFeedback
{
    public const int DefaultCapacity = 10_000;

    private readonly ConcurrentDictionary<string, Target> _recent = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _order = new();
    private readonly Func<IRoutingStatisticsStore> _store;
    private readonly ExperimentTracker _experiments;
    private readonly int _capacity;

    public RoutingFeedback(Func<IRoutingStatisticsStore> store, ExperimentTracker experiments, int capacity = DefaultCapacity)
    {
        _store = store;
        _experiments = experiments;
        _capacity = capacity;
    }

    public ExperimentTracker Experiments => _experiments;

    public void Remember(string requestId, string deployment, IRoutingStatisticsStore store, IReadOnlyDictionary<string, string> variants)
    {
        if (_recent.TryAdd(requestId, new Target(deployment, store, variants)))
        {
            _order.Enqueue(requestId);
            while (_recent.Count > _capacity && _order.TryDequeue(out string? oldest))
            {
                _recent.TryRemove(oldest, out _);
            }
        }
    }

    public bool Score(string requestId, double score)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(requestId);
        Check(score);
        if (!_recent.TryGetValue(requestId, out Target? target))
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
        if (_recent.TryGetValue(report.RequestId, out Target? target))
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

    private sealed record Target(string Deployment, IRoutingStatisticsStore Store, IReadOnlyDictionary<string, string> Variants);
}
