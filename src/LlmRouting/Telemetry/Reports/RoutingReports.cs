using System.Globalization;

namespace LlmRouting;

/// <summary>
/// <see cref="IRoutingReports"/> over the most recent records of a <see cref="RingBufferRequestLogSink"/> (or any other source
/// of <see cref="RequestLogRecord"/>s). Reports are computed on demand; <see cref="GetDeploymentStatistics"/> is cached until the
/// buffer changes, so a router may call it often.
/// </summary>
/// <remarks>Thread-safe.</remarks>
public sealed class RoutingReports : IRoutingReports
{
    private const string None = "(none)";
    private readonly Func<IReadOnlyList<RequestLogRecord>> _source;
    private readonly Func<string, double, bool> _setQuality;
    private readonly Func<long> _version;
    private readonly Lock _cacheLock = new();
    private (long Version, ReportQuery? Query, IReadOnlyList<DeploymentUsageSummary> Result)? _statisticsCache;

    /// <summary>Initializes a new instance of the <see cref="RoutingReports"/> class over a ring buffer.</summary>
    /// <param name="buffer">The buffer the request log fills.</param>
    /// <exception cref="ArgumentNullException"><paramref name="buffer"/> is <see langword="null"/>.</exception>
    public RoutingReports(RingBufferRequestLogSink buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        _source = buffer.Snapshot;
        _setQuality = buffer.TrySetQualityScore;
        _version = () => buffer.Version;
    }

    /// <summary>Initializes a new instance of the <see cref="RoutingReports"/> class over another record store.</summary>
    /// <param name="source">Returns the records to report on.</param>
    /// <param name="setQualityScore">Attaches a quality score to a stored record; returns whether it was found.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public RoutingReports(Func<IReadOnlyList<RequestLogRecord>> source, Func<string, double, bool> setQualityScore)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(setQualityScore);
        _source = source;
        _setQuality = setQualityScore;
        _version = static () => -1; // unknown: never cached
    }

    /// <inheritdoc/>
    public IReadOnlyList<ReportRow> Summarize(IReadOnlyList<ReportDimension> by, ReportQuery? query = null)
    {
        ArgumentNullException.ThrowIfNull(by);
        if (by.Count == 0)
        {
            throw new ArgumentException("Give at least one dimension to group by.", nameof(by));
        }

        bool perAttempt = by.Any(static d => d is ReportDimension.Deployment or ReportDimension.Provider or ReportDimension.Model);
        var groups = new Dictionary<string, (string[] Keys, Accumulator Totals)>(StringComparer.Ordinal);
        foreach (RequestLogRecord record in _source())
        {
            if (query is not null && !query.Includes(record))
            {
                continue;
            }

            if (perAttempt)
            {
                foreach (RequestLogAttempt attempt in record.Attempts)
                {
                    foreach (string[] keys in Keys(by, record, attempt))
                    {
                        Group(groups, keys).Add(attempt, record);
                    }
                }
            }
            else
            {
                foreach (string[] keys in Keys(by, record, null))
                {
                    Group(groups, keys).Add(record);
                }
            }
        }

        return groups.Values
            .Select(static g => g.Totals.ToRow(g.Keys))
            .OrderByDescending(static r => r.CostUsd)
            .ThenBy(static r => string.Join('\u001f', r.Keys), StringComparer.Ordinal)
            .ToArray();
    }

    /// <inheritdoc/>
    public IReadOnlyList<DeploymentUsageSummary> GetDeploymentStatistics(ReportQuery? query = null)
    {
        long version = _version();
        lock (_cacheLock)
        {
            if (version >= 0 && _statisticsCache is { } cached && cached.Version == version && Equals(cached.Query, query))
            {
                return cached.Result;
            }
        }

        var byDeployment = new Dictionary<string, DeploymentAccumulator>(StringComparer.Ordinal);
        foreach (RequestLogRecord record in _source())
        {
            if (query is not null && !query.Includes(record))
            {
                continue;
            }

            foreach (RequestLogAttempt attempt in record.Attempts)
            {
                if (!byDeployment.TryGetValue(attempt.Deployment, out DeploymentAccumulator? acc))
                {
                    byDeployment[attempt.Deployment] = acc = new DeploymentAccumulator();
                }

                acc.Add(attempt, record);
            }
        }

        DeploymentUsageSummary[] result = byDeployment
            .OrderBy(static kv => kv.Key, StringComparer.Ordinal)
            .Select(static kv => kv.Value.ToStatistics(kv.Key))
            .ToArray();
        lock (_cacheLock)
        {
            _statisticsCache = (version, query, result);
        }

        return result;
    }

    /// <inheritdoc/>
    public bool RecordQualityScore(string requestId, double score)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(requestId);
        if (!(score >= 0 && score <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(score), score, "A quality score is between 0 and 1.");
        }

        return _setQuality(requestId, score);
    }

    private static Accumulator Group(Dictionary<string, (string[] Keys, Accumulator Totals)> groups, string[] keys)
    {
        string id = string.Join('\u001f', keys);
        if (!groups.TryGetValue(id, out (string[] Keys, Accumulator Totals) group))
        {
            groups[id] = group = (keys, new Accumulator());
        }

        return group.Totals;
    }

    /// <summary>The key combinations a record (or attempt) falls into: one, or one per tag when grouping by tag.</summary>
    private static IEnumerable<string[]> Keys(IReadOnlyList<ReportDimension> by, RequestLogRecord record, RequestLogAttempt? attempt)
    {
        IEnumerable<string[]> combinations = [[]];
        foreach (ReportDimension dimension in by)
        {
            IReadOnlyList<string> values = Values(dimension, record, attempt);
            combinations = combinations.SelectMany(prefix => values.Select(v => (string[])[.. prefix, v])).ToArray();
        }

        return combinations;
    }

    private static IReadOnlyList<string> Values(ReportDimension dimension, RequestLogRecord record, RequestLogAttempt? attempt) => dimension switch
    {
        ReportDimension.Deployment => [attempt?.Deployment ?? record.Deployment ?? None],
        ReportDimension.Provider => [attempt?.Provider ?? record.Provider ?? None],
        ReportDimension.Model => [attempt?.Model ?? record.Model ?? None],
        ReportDimension.Tenant => [record.Tenant ?? None],
        ReportDimension.Tag => record.Tags.Count == 0 ? [None] : record.Tags.Distinct(StringComparer.Ordinal).ToArray(),
        ReportDimension.Day => [record.StartedAt.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)],
        ReportDimension.PromptCategory => [record.PromptCategory ?? None],
        ReportDimension.ExperimentVariant => [record.ExperimentVariant ?? None],
        ReportDimension.Policy => [record.Policy],
        _ => throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "Unknown report dimension."),
    };

    /// <summary>Whether an attempt gave the request's answer (and so carries its quality score).</summary>
    private static bool Answered(RequestLogAttempt attempt, RequestLogRecord record) =>
        attempt.Outcome == AttemptOutcome.Succeeded && string.Equals(attempt.Deployment, record.Deployment, StringComparison.Ordinal);

    private sealed class Accumulator
    {
        private readonly List<TimeSpan> _latency = [];
        private readonly List<TimeSpan> _ttft = [];
        private int _count, _succeeded, _failed, _cancelled, _qualitySamples;
        private decimal _cost;
        private long _input, _output;
        private double _qualitySum;

        public void Add(RequestLogRecord record)
        {
            _count++;
            switch (record.Outcome)
            {
                case RequestOutcome.Succeeded: _succeeded++; break;
                case RequestOutcome.Failed: _failed++; break;
                default: _cancelled++; break;
            }

            _cost += record.CostUsd;
            _input += record.Usage.InputTokens;
            _output += record.Usage.OutputTokens;
            _latency.Add(record.Latency.Total);
            if (record.Latency.TimeToFirstToken is { } ttft)
            {
                _ttft.Add(ttft);
            }

            AddQuality(record.QualityScore);
        }

        public void Add(RequestLogAttempt attempt, RequestLogRecord record)
        {
            _count++;
            switch (attempt.Outcome)
            {
                case AttemptOutcome.Succeeded: _succeeded++; break;
                case AttemptOutcome.Failed: _failed++; break;
                default: _cancelled++; break;
            }

            _cost += attempt.CostUsd;
            _input += attempt.Usage.InputTokens;
            _output += attempt.Usage.OutputTokens;
            _latency.Add(attempt.Duration);
            if (attempt.TimeToFirstToken is { } ttft)
            {
                _ttft.Add(ttft);
            }

            if (Answered(attempt, record))
            {
                AddQuality(record.QualityScore);
            }
        }

        public ReportRow ToRow(string[] keys) => new()
        {
            Keys = keys,
            Count = _count,
            Succeeded = _succeeded,
            Failed = _failed,
            Cancelled = _cancelled,
            ErrorRate = _succeeded + _failed == 0 ? 0 : (double)_failed / (_succeeded + _failed),
            CostUsd = _cost,
            InputTokens = _input,
            OutputTokens = _output,
            Latency = LatencyPercentiles.From(_latency),
            TimeToFirstToken = LatencyPercentiles.From(_ttft),
            QualityScore = _qualitySamples == 0 ? null : _qualitySum / _qualitySamples,
            QualitySamples = _qualitySamples,
        };

        private void AddQuality(double? score)
        {
            if (score is { } s)
            {
                _qualitySum += s;
                _qualitySamples++;
            }
        }
    }

    private sealed class DeploymentAccumulator
    {
        private readonly List<TimeSpan> _latency = [];
        private readonly List<TimeSpan> _ttft = [];
        private int _attempts, _succeeded, _failed, _speedSamples, _qualitySamples;
        private double _speedSum, _qualitySum;
        private decimal _cost;
        private DateTimeOffset? _lastSeen;

        public void Add(RequestLogAttempt attempt, RequestLogRecord record)
        {
            _attempts++;
            _cost += attempt.CostUsd;
            _latency.Add(attempt.Duration);
            if (attempt.TimeToFirstToken is { } ttft)
            {
                _ttft.Add(ttft);
            }

            if (_lastSeen is null || record.CompletedAt > _lastSeen)
            {
                _lastSeen = record.CompletedAt;
            }

            if (attempt.Outcome == AttemptOutcome.Failed)
            {
                _failed++;
                return;
            }

            if (attempt.Outcome != AttemptOutcome.Succeeded)
            {
                return;
            }

            _succeeded++;
            TimeSpan generating = attempt.Duration - (attempt.TimeToFirstToken ?? TimeSpan.Zero);
            if (attempt.Usage.OutputTokens > 0 && generating > TimeSpan.Zero)
            {
                _speedSum += attempt.Usage.OutputTokens / generating.TotalSeconds;
                _speedSamples++;
            }

            if (Answered(attempt, record) && record.QualityScore is { } score)
            {
                _qualitySum += score;
                _qualitySamples++;
            }
        }

        public DeploymentUsageSummary ToStatistics(string deployment) => new()
        {
            Deployment = deployment,
            Attempts = _attempts,
            Failures = _failed,
            ErrorRate = _succeeded + _failed == 0 ? 0 : (double)_failed / (_succeeded + _failed),
            Latency = LatencyPercentiles.From(_latency),
            TimeToFirstToken = LatencyPercentiles.From(_ttft),
            OutputTokensPerSecond = _speedSamples == 0 ? null : _speedSum / _speedSamples,
            QualityScore = _qualitySamples == 0 ? null : _qualitySum / _qualitySamples,
            CostUsd = _cost,
            LastSeen = _lastSeen,
        };
    }
}
