using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace LlmRouting.Redis;

/// <summary>
/// An <see cref="IRoutingStatisticsStore"/> aggregated across every instance through Redis. The hot path never waits on Redis:
/// <see cref="Record"/> adds to a local batch and <see cref="GetStatistics"/> answers from the local replica (the fleet's sums as of the
/// last exchange plus the local batch). Every <see cref="LlmRoutingRedisOptions.StatisticsSyncInterval"/> one script merges the batch into
/// per-deployment hashes of time-decayed sums and reads the fleet's sums back, in one round trip.
/// </summary>
/// <remarks>
/// The decay matches <see cref="InMemoryRoutingStatisticsStore"/> (a sample's weight halves every half-life), on wall-clock time so
/// instances agree. While Redis is unreachable the batch keeps growing and reads include it; it is merged when Redis returns. Thread-safe.
/// </remarks>
internal sealed partial class RedisRoutingStatisticsStore : IRoutingStatisticsStore, IDisposable
{
    private const int MetricCount = 5;
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.OrdinalIgnoreCase);
    private readonly RedisConnection _connection;
    private readonly TimeProvider _timeProvider;
    private readonly double _halfLifeMs;
    private readonly ILogger _logger;
    private readonly BackgroundExchange _sync;

    public RedisRoutingStatisticsStore(RedisConnection connection, TimeSpan? halfLife = null, TimeProvider? timeProvider = null, bool startTimer = true, ILogger<RedisRoutingStatisticsStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _connection = connection;
        HalfLife = halfLife ?? TimeSpan.FromMinutes(5);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(HalfLife, TimeSpan.Zero, nameof(halfLife));
        _halfLifeMs = HalfLife.TotalMilliseconds;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _sync = new BackgroundExchange(_timeProvider, connection.Options.StatisticsSyncInterval, startTimer, ExchangeAsync, ex => LogSyncFailed(_logger, ex.GetType().Name));
    }

    public TimeSpan HalfLife { get; }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException"><paramref name="deployment"/> is empty or <paramref name="value"/> is not a finite number.</exception>
    public void Record(string deployment, DeploymentMetric metric, double value)
    {
        InMemoryRoutingStatisticsStore.ValidateSample(deployment, value);

        int index = Index(metric);
        Entry entry = _entries.GetOrAdd(deployment, static name => new Entry(name));
        long now = NowMs();
        lock (entry)
        {
            entry.Pending[index].Add(value, 1, 1, now, _halfLifeMs);
        }
    }

    /// <inheritdoc/>
    public DeploymentStatistics GetStatistics(string deployment)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(deployment);
        Entry entry = _entries.GetOrAdd(deployment, static name => new Entry(name)); // from now on, the fleet's figures are fetched
        long now = NowMs();
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

    /// <summary>Merges the local batch into Redis and refreshes the replica with the fleet's sums. Runs on the timer; callable by tests.</summary>
    /// <returns><see langword="true"/> if Redis was reached.</returns>
    internal Task<bool> SyncAsync() => _sync.RunAsync();

    public void Dispose() => _sync.Dispose();

    private async Task<bool> ExchangeAsync()
    {
        if (_entries.IsEmpty)
        {
            return false;
        }

        Entry[] entries = [.. _entries.Values];
        long now = NowMs();
        var batches = new List<(int Key, int Metric, Average Batch)>();
        for (int k = 0; k < entries.Length; k++)
        {
            lock (entries[k])
            {
                for (int m = 0; m < MetricCount; m++)
                {
                    ref Average p = ref entries[k].Pending[m];
                    if (p.Count > 0)
                    {
                        batches.Add((k, m, p.DecayedTo(now, _halfLifeMs)));
                        p = default;
                    }
                }
            }
        }

        var keys = new RedisKey[entries.Length];
        for (int k = 0; k < entries.Length; k++)
        {
            keys[k] = _connection.Options.KeyPrefix + "{stats}:" + entries[k].Name.ToLowerInvariant();
        }

        var args = new RedisValue[5 + (batches.Count * 5)];
        args[0] = now;
        args[1] = _halfLifeMs.ToString("R", CultureInfo.InvariantCulture);
        args[2] = (long)Math.Max(_halfLifeMs * 20, TimeSpan.FromHours(1).TotalMilliseconds);
        args[3] = MetricCount;
        args[4] = batches.Count;
        for (int i = 0; i < batches.Count; i++)
        {
            (int key, int metric, Average batch) = batches[i];
            int b = 5 + (i * 5);
            args[b] = key + 1;
            args[b + 1] = metric;
            args[b + 2] = batch.Sum.ToString("R", CultureInfo.InvariantCulture);
            args[b + 3] = batch.Weight.ToString("R", CultureInfo.InvariantCulture);
            args[b + 4] = batch.Count;
        }

        RedisResult[]? result = await _connection.ExecuteAsync<RedisResult[]?>(
            "statistics.sync",
            async db => (RedisResult[])(await RedisStatisticsScripts.MergeAndRead.EvaluateAsync(db, keys, args).ConfigureAwait(false))!,
            static () => null).ConfigureAwait(false);
        if (result is null)
        {
            // Unreachable: put the batch back; reads keep including it and the next exchange sends it.
            foreach ((int key, int metric, Average batch) in batches)
            {
                lock (entries[key])
                {
                    entries[key].Pending[metric].Add(batch.Sum, batch.Weight, batch.Count, batch.At, _halfLifeMs);
                }
            }

            return false;
        }

        for (int k = 0; k < entries.Length; k++)
        {
            lock (entries[k])
            {
                for (int m = 0; m < MetricCount; m++)
                {
                    int r = ((k * MetricCount) + m) * 4;
                    entries[k].Shared[m] = (string?)result[r] is { Length: > 0 } sum
                        ? new Average
                        {
                            Sum = double.Parse(sum, CultureInfo.InvariantCulture),
                            Weight = double.Parse((string)result[r + 1]!, CultureInfo.InvariantCulture),
                            Count = long.Parse((string)result[r + 2]!, CultureInfo.InvariantCulture),
                            At = long.Parse((string)result[r + 3]!, CultureInfo.InvariantCulture),
                        }
                        : default;
                }
            }
        }

        return true;
    }


    private static int Index(DeploymentMetric metric) => (uint)metric < MetricCount
        ? (int)metric
        : throw new ArgumentOutOfRangeException(nameof(metric), metric, "Unknown metric.");

    private long NowMs() => _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    private StatisticEstimate? Estimate(Entry entry, DeploymentMetric metric, long now)
    {
        Average shared = entry.Shared[(int)metric].DecayedTo(now, _halfLifeMs);
        Average pending = entry.Pending[(int)metric].DecayedTo(now, _halfLifeMs);
        long count = shared.Count + pending.Count;
        double weight = shared.Weight + pending.Weight;
        return count == 0 || weight <= 0 ? null : new StatisticEstimate((shared.Sum + pending.Sum) / weight, weight, count);
    }

    [LoggerMessage(EventId = 20, Level = LogLevel.Warning, Message = "Exchanging routing statistics with Redis failed ({ErrorType}); the local figures stay in use.")]
    private static partial void LogSyncFailed(ILogger logger, string errorType);

    /// <summary>Time-decayed sums as of <see cref="At"/> (Unix ms).</summary>
    private struct Average
    {
        public double Sum;
        public double Weight;
        public long Count;
        public long At;

        public readonly Average DecayedTo(long now, double halfLifeMs)
        {
            double f = Factor(At, now, halfLifeMs);
            return new Average { Sum = Sum * f, Weight = Weight * f, Count = Count, At = Math.Max(now, At) };
        }

        public void Add(double sum, double weight, long count, long at, double halfLifeMs)
        {
            if (Count == 0)
            {
                this = new Average { Sum = sum, Weight = weight, Count = count, At = at };
                return;
            }

            // Bring both to the later time, then add.
            long to = Math.Max(At, at);
            double mine = Factor(At, to, halfLifeMs), theirs = Factor(at, to, halfLifeMs);
            Sum = (Sum * mine) + (sum * theirs);
            Weight = (Weight * mine) + (weight * theirs);
            Count += count;
            At = to;
        }

        private static double Factor(long from, long to, double halfLifeMs) => to <= from ? 1 : Math.Pow(2, -(to - from) / halfLifeMs);
    }

    private sealed class Entry(string name)
    {
        public readonly string Name = name;
        public readonly Average[] Shared = new Average[MetricCount];
        public readonly Average[] Pending = new Average[MetricCount];
    }
}
