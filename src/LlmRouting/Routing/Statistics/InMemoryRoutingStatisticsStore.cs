using System.Collections.Concurrent;
using System.Globalization;

namespace LlmRouting;

/// <summary>
/// The default <see cref="IRoutingStatisticsStore"/>: per-process, time-decayed moving averages (exponentially weighted by age,
/// using the <see cref="TimeProvider"/>), so a burst of slow or bad answers weighs less as time passes.
/// </summary>
/// <remarks>Thread-safe; one small lock per deployment.</remarks>
public sealed class InMemoryRoutingStatisticsStore : IRoutingStatisticsStore
{
    private const int MetricCount = 5;
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.OrdinalIgnoreCase);
    private readonly TimeProvider _timeProvider;
    private readonly double _halfLifeSeconds;

    /// <summary>Initializes a new instance of the <see cref="InMemoryRoutingStatisticsStore"/> class.</summary>
    /// <param name="halfLife">How fast samples lose weight; 5 minutes when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="halfLife"/> is not positive.</exception>
    public InMemoryRoutingStatisticsStore(TimeSpan? halfLife = null, TimeProvider? timeProvider = null)
    {
        HalfLife = halfLife ?? TimeSpan.FromMinutes(5);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(HalfLife, TimeSpan.Zero, nameof(halfLife));
        _halfLifeSeconds = HalfLife.TotalSeconds;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Gets the half-life of a sample's weight.</summary>
    public TimeSpan HalfLife { get; }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException"><paramref name="deployment"/> is empty or <paramref name="value"/> is not a finite number.</exception>
    public void Record(string deployment, DeploymentMetric metric, double value)
    {
        ValidateSample(deployment, value);

        int index = Index(metric);
        Entry entry = _entries.GetOrAdd(deployment, static _ => new Entry());
        long now = _timeProvider.GetTimestamp();
        lock (entry)
        {
            ref Average a = ref entry.Averages[index];
            double f = Decay(a.Last, now);
            a.Sum = (a.Sum * f) + value;
            a.Weight = (a.Weight * f) + 1;
            a.Count++;
            a.Last = now;
        }
    }

    /// <inheritdoc/>
    public DeploymentStatistics GetStatistics(string deployment)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(deployment);
        if (!_entries.TryGetValue(deployment, out Entry? entry))
        {
            return new DeploymentStatistics(deployment);
        }

        long now = _timeProvider.GetTimestamp();
        lock (entry)
        {
            return new DeploymentStatistics(deployment)
            {
                Latency = Estimate(entry, DeploymentMetric.Latency, now),
                TimeToFirstToken = Estimate(entry, DeploymentMetric.TimeToFirstToken, now),
                OutputTokensPerSecond = Estimate(entry, DeploymentMetric.OutputTokensPerSecond, now),
                ErrorRate = Estimate(entry, DeploymentMetric.ErrorRate, now),
                Quality = Estimate(entry, DeploymentMetric.Quality, now),
            };
        }
    }

    private StatisticEstimate? Estimate(Entry entry, DeploymentMetric metric, long now)
    {
        ref Average a = ref entry.Averages[(int)metric];
        return a.Count == 0 ? null : new StatisticEstimate(a.Sum / a.Weight, a.Weight * Decay(a.Last, now), a.Count);
    }

    private static int Index(DeploymentMetric metric) => (uint)metric < MetricCount
        ? (int)metric
        : throw new ArgumentOutOfRangeException(nameof(metric), metric, "Unknown metric.");

    /// <summary>The weight left after the time between two <see cref="TimeProvider.GetTimestamp"/> readings.</summary>
    private double Decay(long last, long now)
    {
        if (now <= last)
        {
            return 1;
        }

        double age = _timeProvider.GetElapsedTime(last, now).TotalSeconds;
        return Math.Pow(2, -age / _halfLifeSeconds);
    }

    private struct Average
    {
        public double Sum;
        public double Weight;
        public long Count;
        public long Last; // a TimeProvider timestamp
    }

    private sealed class Entry
    {
        public readonly Average[] Averages = new Average[MetricCount];
    }

    /// <summary>The argument checks of <see cref="IRoutingStatisticsStore.Record"/>, shared by every store.</summary>
    /// <exception cref="ArgumentException"><paramref name="deployment"/> is empty or <paramref name="value"/> is not a finite number.</exception>
    internal static void ValidateSample(string deployment, double value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(deployment);
        if (!double.IsFinite(value))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"A statistics sample must be a finite number (was {value})."), nameof(value));
        }
    }
}
