using System.Collections.Concurrent;
using System.Globalization;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace LlmRouting.Redis;

/// <summary>
/// An <see cref="IBudgetStore"/> shared by every instance through Redis: reserve, settle and release run as server-side Lua scripts,
/// so a reservation across several accounts is atomic fleet-wide and concurrent requests on any number of instances cannot reserve more
/// than a budget has left.
/// </summary>
/// <remarks>
/// <para>
/// Periods match <see cref="InMemoryBudgetStore"/>: UTC calendar hours, days and months, or rolling windows of 60 slices; the instance's
/// <see cref="TimeProvider"/> decides the period, so instances should have synchronized clocks. Amounts are kept in nano-dollars.
/// Reservations are leases (<see cref="LlmRoutingRedisOptions.BudgetReservationTimeout"/>): a crashed instance's reservations free
/// themselves. Settling is idempotent (a settled marker per reservation).
/// </para>
/// <para>
/// While Redis is unreachable: fail-open (the default) reserves on a local <see cref="InMemoryBudgetStore"/> and replays the local spend
/// (and any settlement that could not reach Redis) into Redis when it returns; fail-closed throws
/// <see cref="SharedStateUnavailableException"/>. Thread-safe.
/// </para>
/// </remarks>
internal sealed partial class RedisBudgetStore : IBudgetStore, IDisposable, IAsyncDisposable
{
    private const string LocalPrefix = "local-";
    private const int MaxPendingSettlements = 100_000;
    private static readonly TimeSpan UsageCacheTime = TimeSpan.FromSeconds(1);
    private const long MaxNanos = 9_000_000_000_000_000; // 2^53 > this: exact in Lua's doubles (9 million USD)
    private static readonly Counter<long> s_dropped = LlmRoutingRedisDiagnostics.Meter.CreateCounter<long>(
        "llm_routing.redis.budget.dropped_settlements", "{settlement}", "Budget settlements that could not be kept for replay into Redis (the replay queue was full).");

    private readonly RedisConnection _connection;
    private readonly InMemoryBudgetStore _local;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly ConcurrentQueue<(BudgetReservation Reservation, long[] Actual)> _pending = new();
    private readonly SemaphoreSlim _replayGate = new(1, 1);
    private readonly ConcurrentDictionary<string, CachedUsage> _usage = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> _inFlight = new();

    public RedisBudgetStore(RedisConnection connection, TimeProvider? timeProvider = null, ILogger<RedisBudgetStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _connection = connection;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _local = new InMemoryBudgetStore(_timeProvider);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        StartLeaseTimer();
    }

    /// <summary>Gets the number of settlements waiting to be replayed into Redis.</summary>
    internal int PendingReplays => _pending.Count;

    private bool FailClosed => _connection.Options.BudgetFailureMode == RedisFailureMode.FailClosed;

    /// <inheritdoc/>
    public async ValueTask<BudgetUsage> GetUsageAsync(BudgetAccount account, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(account);
        cancellationToken.ThrowIfCancellationRequested();
        await ReplayAsync(cancellationToken).ConfigureAwait(false);
        DateTimeOffset now = _timeProvider.GetUtcNow();
        Period period = Period.Of(account, now, _connection.Options.BudgetReservationTimeout);
        if (_connection.IsAvailable && _usage.TryGetValue(account.Id, out CachedUsage cached)
            && cached.Current == period.Current
            && _timeProvider.GetElapsedTime(cached.At) < UsageCacheTime
            && cached.Usage.RemainingUsd >= account.LimitUsd / 2)
        {
            // Far from the limit, this instance's last view decides nothing differently; the reservation itself is checked in Redis.
            return cached.Usage with { LimitUsd = account.LimitUsd };
        }

        BudgetUsage? shared = await _connection.ExecuteAsync<BudgetUsage?>(
            "budget.usage",
            async db =>
            {
                RedisResult result = await RedisBudgetScripts.Usage.EvaluateAsync(
                    db,
                    [AccountKey(account), ReservationsKey(account)],
                    [now.ToUnixTimeMilliseconds(), period.Window, period.Current, period.Oldest]).ConfigureAwait(false);
                var values = (RedisResult[])result!;
                return new BudgetUsage(account.LimitUsd, FromNanos((long)values[0]), FromNanos((long)values[1]), period.WindowStart, period.ResetsAt);
            },
            static () => null,
            cancellationToken).ConfigureAwait(false);
        if (shared is not null)
        {
            _usage[account.Id] = new CachedUsage(shared, period.Current, _timeProvider.GetTimestamp());
            return shared;
        }

        ThrowIfFailClosed("read");
        return await _local.GetUsageAsync(account, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">A charge is negative.</exception>
    /// <exception cref="SharedStateUnavailableException">Redis is unreachable and budgets fail closed.</exception>
    public async ValueTask<BudgetReservation?> TryReserveAsync(IReadOnlyList<BudgetCharge> charges, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(charges);
        cancellationToken.ThrowIfCancellationRequested();
        BudgetCharges.Validate(charges);

        if (LeasesOn)
        {
            BudgetReservation? leased = _pending.IsEmpty ? TryReserveFromLeases(charges) : null;
            s_leaseReservations.Add(1, new KeyValuePair<string, object?>(LeaseOutcomeTag, leased is null ? "miss" : "hit"));
            if (leased is not null)
            {
                return leased; // taken from this instance's leases: no round trip
            }
        }

        await ReplayAsync(cancellationToken).ConfigureAwait(false);
        DateTimeOffset now = _timeProvider.GetUtcNow();
        string id = Guid.NewGuid().ToString("N");
        var keys = new RedisKey[charges.Count * 2];
        var args = new RedisValue[4 + (charges.Count * 6)];
        long nowMs = now.ToUnixTimeMilliseconds();
        args[0] = nowMs;
        args[1] = nowMs + (long)_connection.Options.BudgetReservationTimeout.TotalMilliseconds;
        args[2] = id;
        args[3] = charges.Count;
        for (int i = 0; i < charges.Count; i++)
        {
            BudgetCharge c = charges[i];
            Period period = Period.Of(c.Account, now, _connection.Options.BudgetReservationTimeout);
            keys[2 * i] = AccountKey(c.Account);
            keys[(2 * i) + 1] = ReservationsKey(c.Account);
            int b = 4 + (i * 6);
            args[b] = ToNanos(c.Account.LimitUsd);
            args[b + 1] = ToNanos(c.AmountUsd);
            args[b + 2] = period.Window;
            args[b + 3] = period.Current;
            args[b + 4] = period.Oldest;
            args[b + 5] = period.TtlMs;
        }

        RedisResult[]? reserved = await _connection.ExecuteAsync(
            "budget.reserve",
            static async (db, s) => (RedisResult[]?)(await RedisBudgetScripts.Reserve.EvaluateAsync(db, s.Keys, s.Args).ConfigureAwait(false)),
            (Keys: keys, Args: args),
            static _ => null,
            cancellationToken).ConfigureAwait(false);
        switch (reserved is null ? -1 : (int)reserved[0])
        {
            case 1:
                long at = _timeProvider.GetTimestamp();
                for (int i = 0; i < charges.Count; i++)
                {
                    BudgetAccount account = charges[i].Account;
                    Period period = Period.Of(account, now, _connection.Options.BudgetReservationTimeout);
                    var usage = new BudgetUsage(account.LimitUsd, FromNanos((long)reserved![1 + (2 * i)]), FromNanos((long)reserved[2 + (2 * i)]), period.WindowStart, period.ResetsAt);
                    _usage[account.Id] = new CachedUsage(usage, period.Current, at);
                }

                return new BudgetReservation(id, [.. charges]);
            case 0:
                foreach (BudgetCharge c in charges)
                {
                    _usage.TryRemove(c.Account.Id, out _); // lost a race: the next look is fresh
                }

                return null;
            default:
                ThrowIfFailClosed("reserved");
                BudgetReservation? local = await _local.TryReserveAsync(charges, cancellationToken).ConfigureAwait(false);
                return local is null ? null : new BudgetReservation(LocalPrefix + local.Id, local.Charges);
        }
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException"><paramref name="actualUsd"/> does not have one amount per charge, or an amount is negative.</exception>
    public ValueTask SettleAsync(BudgetReservation reservation, IReadOnlyList<decimal> actualUsd, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reservation);
        ArgumentNullException.ThrowIfNull(actualUsd);
        if (actualUsd.Count != reservation.Charges.Count)
        {
            throw new ArgumentException("Settle needs one actual amount per reserved charge.", nameof(actualUsd));
        }

        var actual = new long[actualUsd.Count];
        for (int i = 0; i < actual.Length; i++)
        {
            actual[i] = actualUsd[i] < 0 ? throw new ArgumentException("An actual amount cannot be negative.", nameof(actualUsd)) : ToNanos(actualUsd[i]);
        }

        return CompleteAsync(reservation, actualUsd, actual);
    }

    /// <inheritdoc/>
    public ValueTask ReleaseAsync(BudgetReservation reservation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reservation);
        return CompleteAsync(reservation, null, new long[reservation.Charges.Count]);
    }

    /// <summary>Waits (briefly) for settlements still on their way to Redis, then releases resources.</summary>
    public void Dispose()
    {
        _leaseTimer?.Dispose();
        _ = FlushAsync().Wait(_connection.Options.OperationTimeout * 2);
        if (LeasesOn)
        {
            _ = Task.Run(() => SyncLeasesAsync(release: true)).Wait(_connection.Options.OperationTimeout * 2); // return unused leases
        }

        _replayGate.Dispose();
    }

    /// <summary>Waits (briefly) for settlements still on their way to Redis, then releases resources.</summary>
    /// <returns>A task that completes when done.</returns>
    public async ValueTask DisposeAsync()
    {
        _leaseTimer?.Dispose();
        await FlushAsync().WaitAsync(_connection.Options.OperationTimeout * 2).ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
        if (LeasesOn)
        {
            await SyncLeasesAsync(release: true).WaitAsync(_connection.Options.OperationTimeout * 2).ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
        }

        _replayGate.Dispose();
    }

    internal static RedisKey Key(RedisConnection connection, string accountId, string suffix) =>
        connection.Options.KeyPrefix + "{budgets}:" + accountId + suffix; // one hash slot: multi-account scripts work on a cluster

    private RedisKey AccountKey(BudgetAccount account) => Key(_connection, account.Id, ":a");

    private RedisKey ReservationsKey(BudgetAccount account) => Key(_connection, account.Id, ":z");

    private async ValueTask CompleteAsync(BudgetReservation reservation, IReadOnlyList<decimal>? actualUsd, long[] actual)
    {
        if (reservation.Id.StartsWith(LeasePrefix, StringComparison.Ordinal))
        {
            CompleteFromLease(reservation, actual);
            return;
        }

        if (reservation.Id.StartsWith(LocalPrefix, StringComparison.Ordinal))
        {
            // Reserved locally during an outage: complete it locally, and count its spend in Redis once Redis is back.
            var local = new BudgetReservation(reservation.Id[LocalPrefix.Length..], reservation.Charges);
            if (actualUsd is null)
            {
                await _local.ReleaseAsync(local, CancellationToken.None).ConfigureAwait(false);
                return;
            }

            await _local.SettleAsync(local, actualUsd, CancellationToken.None).ConfigureAwait(false);
            if (actual.Any(a => a > 0))
            {
                Enqueue(reservation, actual);
                await ReplayAsync(CancellationToken.None).ConfigureAwait(false);
            }

            return;
        }

        // This instance's view moves at once; Redis is updated off the request path (settling is idempotent and replayed on failure).
        for (int i = 0; i < reservation.Charges.Count; i++)
        {
            BudgetCharge c = reservation.Charges[i];
            if (_usage.TryGetValue(c.Account.Id, out CachedUsage cached))
            {
                _usage.TryUpdate(c.Account.Id, cached with
                {
                    Usage = cached.Usage with
                    {
                        ReservedUsd = Math.Max(0m, cached.Usage.ReservedUsd - c.AmountUsd),
                        SpentUsd = cached.Usage.SpentUsd + FromNanos(actual[i]),
                    },
                }, cached);
            }
        }

        Task settle = SettleInBackgroundAsync(reservation, actual);
        _inFlight.TryAdd(settle, 0);
        _ = settle.ContinueWith(static (t, s) => ((ConcurrentDictionary<Task, byte>)s!).TryRemove(t, out _), _inFlight, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Waits until every settlement started so far reached Redis or the replay queue (for tests and shutdown).</summary>
    internal Task FlushAsync() => Task.WhenAll(_inFlight.Keys);

    private async Task SettleInBackgroundAsync(BudgetReservation reservation, long[] actual)
    {
        // No hop to the thread pool first: writing the command takes microseconds, and an extra work item per request wakes a
        // second thread that competes with the request's own continuation (measured as tail latency on small machines). The
        // caller does not wait for the reply.
        if (!await TrySettleInRedisAsync(reservation, actual).ConfigureAwait(false))
        {
            Enqueue(reservation, actual);
        }
    }

    private Task<bool> TrySettleInRedisAsync(BudgetReservation reservation, long[] actual)
    {
        DateTimeOffset now = _timeProvider.GetUtcNow();
        TimeSpan lease = _connection.Options.BudgetReservationTimeout;
        var keys = new RedisKey[1 + (reservation.Charges.Count * 2)];
        var args = new RedisValue[3 + (reservation.Charges.Count * 6)];
        keys[0] = Key(_connection, "settled", ":" + reservation.Id);
        args[0] = (long)(lease.TotalMilliseconds * 2) + 3_600_000;
        args[1] = reservation.Id;
        args[2] = reservation.Charges.Count;
        for (int i = 0; i < reservation.Charges.Count; i++)
        {
            BudgetCharge c = reservation.Charges[i];
            Period period = Period.Of(c.Account, now, lease);
            keys[1 + (2 * i)] = AccountKey(c.Account);
            keys[2 + (2 * i)] = ReservationsKey(c.Account);
            int b = 3 + (i * 6);
            args[b] = ToNanos(c.AmountUsd);
            args[b + 1] = actual[i];
            args[b + 2] = period.Window;
            args[b + 3] = period.Current;
            args[b + 4] = period.Oldest;
            args[b + 5] = period.TtlMs;
        }

        return _connection.TryExecuteAsync("budget.settle", db => RedisBudgetScripts.Settle.EvaluateAsync(db, keys, args));
    }

    private void Enqueue(BudgetReservation reservation, long[] actual)
    {
        if (_pending.Count >= MaxPendingSettlements)
        {
            s_dropped.Add(1);
            return;
        }

        _pending.Enqueue((reservation, actual));
    }

    /// <summary>Replays settlements that could not reach Redis (and spend recorded locally during an outage), oldest first.</summary>
    private async ValueTask ReplayAsync(CancellationToken cancellationToken)
    {
        if (_pending.IsEmpty || !await _replayGate.WaitAsync(0, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        try
        {
            int replayed = 0;
            while (_pending.TryPeek(out (BudgetReservation Reservation, long[] Actual) item))
            {
                if (!await TrySettleInRedisAsync(item.Reservation, item.Actual).ConfigureAwait(false))
                {
                    break; // still unreachable: keep the rest for later
                }

                _pending.TryDequeue(out _);
                replayed++;
            }

            if (replayed > 0)
            {
                LogReplayed(_logger, replayed);
            }
        }
        finally
        {
            _replayGate.Release();
        }
    }

    private void ThrowIfFailClosed(string what)
    {
        if (FailClosed)
        {
            throw new SharedStateUnavailableException(
                $"Redis is unreachable, so the budget could not be {what}; {LlmRoutingRedisOptions.SectionName}:BudgetFailureMode is FailClosed, so the request is refused.");
        }
    }

    private static long ToNanos(decimal usd) => (long)Math.Min(MaxNanos, decimal.Ceiling(usd * 1_000_000_000m));

    private static decimal FromNanos(long nanos) => nanos / 1_000_000_000m;

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Replayed {Count} budget settlements into Redis after it became reachable again.")]
    private static partial void LogReplayed(ILogger logger, int count);

    /// <summary>This instance's last view of an account (for the period <see cref="Current"/>, read at timestamp <see cref="At"/>).</summary>
    private readonly record struct CachedUsage(BudgetUsage Usage, long Current, long At);

    /// <summary>The script arguments of an account's period at one moment.</summary>
    private readonly record struct Period(int Window, long Current, long Oldest, long TtlMs, DateTimeOffset WindowStart, DateTimeOffset? ResetsAt)
    {
        public static Period Of(BudgetAccount account, DateTimeOffset now, TimeSpan lease)
        {
            const long Hour = 3_600_000;
            long leaseMs = (long)lease.TotalMilliseconds;
            if (account.Window == BudgetWindow.Rolling)
            {
                long slice = BudgetPeriods.Slice(now, account.Period);
                long ttl = (long)BudgetPeriods.RollingLength(account.Period).TotalMilliseconds + leaseMs + Hour;
                return new Period(1, slice, slice - BudgetPeriods.RollingSlices + 1, ttl, BudgetPeriods.SliceStart(slice - BudgetPeriods.RollingSlices + 1, account.Period), null);
            }

            DateTimeOffset start = BudgetPeriods.CalendarStart(now, account.Period);
            DateTimeOffset end = BudgetPeriods.CalendarEnd(start, account.Period);
            long untilEnd = (long)(end - now).TotalMilliseconds;
            return new Period(0, start.ToUnixTimeMilliseconds(), 0, Math.Max(untilEnd, leaseMs) + Hour, start, end);
        }
    }
}
