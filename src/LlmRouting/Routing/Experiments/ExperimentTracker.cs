using System.Collections.Concurrent;

namespace LlmRouting;

/// <summary>Counts requests, failures, cost, latency and quality per experiment variant.</summary>
internal sealed class ExperimentTracker : IExperimentResults
{
    private readonly ConcurrentDictionary<(string Experiment, string Variant), Counters> _counters = new();

    public IReadOnlyList<string> Experiments => _counters.Keys.Select(k => k.Experiment).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();

    public void RecordRequest(string experiment, string variant, bool failed, decimal costUsd, TimeSpan latency)
    {
        Counters c = _counters.GetOrAdd((experiment, variant), static _ => new Counters());
        lock (c)
        {
            c.Requests++;
            c.Cost += costUsd;
            if (failed)
            {
                c.Failures++;
            }
            else
            {
                c.LatencySeconds += latency.TotalSeconds;
            }
        }

        ExperimentDiagnostics.Record(experiment, variant, failed, costUsd, latency);
    }

    public void RecordQuality(string experiment, string variant, double score)
    {
        Counters c = _counters.GetOrAdd((experiment, variant), static _ => new Counters());
        lock (c)
        {
            c.QualitySum += score;
            c.QualitySamples++;
        }
    }

    public ExperimentSummary? GetSummary(string experiment)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(experiment);
        var rows = new List<(string Variant, long Requests, long Failures, decimal Cost, double Latency, double? Quality, long QualitySamples)>();
        foreach (KeyValuePair<(string Experiment, string Variant), Counters> entry in _counters)
        {
            if (!string.Equals(entry.Key.Experiment, experiment, StringComparison.Ordinal))
            {
                continue;
            }

            Counters c = entry.Value;
            lock (c)
            {
                long successes = c.Requests - c.Failures;
                rows.Add((entry.Key.Variant, c.Requests, c.Failures, c.Cost,
                    successes == 0 ? 0 : c.LatencySeconds / successes,
                    c.QualitySamples == 0 ? null : c.QualitySum / c.QualitySamples, c.QualitySamples));
            }
        }

        if (rows.Count == 0)
        {
            return null;
        }

        rows.Sort((a, b) => string.CompareOrdinal(a.Variant, b.Variant));
        var baseline = rows.FirstOrDefault(r => string.Equals(r.Variant, "control", StringComparison.OrdinalIgnoreCase));
        if (baseline.Variant is null)
        {
            baseline = rows[0];
        }

        decimal baseCost = baseline.Requests == 0 ? 0m : baseline.Cost / baseline.Requests;
        double baseError = baseline.Requests == 0 ? 0 : (double)baseline.Failures / baseline.Requests;
        var variants = rows.Select(r =>
        {
            decimal meanCost = r.Requests == 0 ? 0m : r.Cost / r.Requests;
            double error = r.Requests == 0 ? 0 : (double)r.Failures / r.Requests;
            return new ExperimentVariantSummary
            {
                Variant = r.Variant,
                Requests = r.Requests,
                Failures = r.Failures,
                TotalCostUsd = r.Cost,
                MeanLatency = TimeSpan.FromSeconds(r.Latency),
                QualityScore = r.Quality,
                QualitySamples = r.QualitySamples,
                CostRatio = baseCost == 0m ? null : (double)(meanCost / baseCost),
                LatencyRatio = baseline.Latency > 0 ? r.Latency / baseline.Latency : null,
                ErrorRateDelta = error - baseError,
                QualityDelta = r.Quality is double q && baseline.Quality is double bq ? q - bq : null,
            };
        }).ToArray();
        return new ExperimentSummary(experiment, baseline.Variant, variants);
    }

    private sealed class Counters
    {
        public long Requests;
        public long Failures;
        public decimal Cost;
        public double LatencySeconds;
        public double QualitySum;
        public long QualitySamples;
    }
}
