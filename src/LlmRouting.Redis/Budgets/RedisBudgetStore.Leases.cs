using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace LlmRouting.Redis;

/// <summary>
/// Budget leases (<see cref="LlmRoutingRedisOptions.BudgetLeases"/>): per account, this instance holds an amount reserved in
/// Redis as an ordinary reservation and hands it out locally, so most reservations take no round trip. A background loop records the
/// spend settled locally and resizes each lease to a share of what the account has left (<c>LeaseSync</c>); near the limit leases
/// drain to zero and every reservation goes to Redis. Everything handed out locally is backed by the lease in Redis, so the fleet's
/// overspend bound is unchanged. README "Running a fleet" documents the behaviour.
/// </summary>
internal sealed partial class RedisBudgetStore
{
    private const string LeasePrefix = "lease-";
    private const string LeaseOutcomeTag = "llm_routing.redis.lease.outcome";

    // With leases on, every reservation: "hit" when served from this instance's leases, "miss" when it went to Redis.
    private static readonly Counter<long> s_leaseReservations = LlmRoutingRedisDiagnostics.Meter.CreateCounter<long>(
        "llm_routing.redis.budget_lease.reservations", "{reservation}",
        "Budget reservations with leases on: served from this instance's lease (outcome hit) or taken in Redis (miss).");
    private readonly ConcurrentDictionary<string, BudgetLease> _leases = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, BudgetLease[]> _leased = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _syncGate = new(1, 1);
    private ITimer? _leaseTimer;
    private int _syncQueued;
    private long _localReservations;

    /// <summary>Gets the number of reservations served from a lease without a round trip (for tests and diagnostics).</summary>
    internal long LocalReservations => Interlocked.Read(ref _localReservations);

    private bool LeasesOn => _connection.Options.BudgetLeases;

    private void StartLeaseTimer()
    {
        if (LeasesOn)
        {
            TimeSpan every = _connection.Options.BudgetLeaseSyncInterval;
            _leaseTimer = _timeProvider.CreateTimer(static s => ((RedisBudgetStore)s!).QueueSync(), this, every, every);
        }
    }

    /// <summary>Takes every charge from this instance's leases, or none (then the caller reserves in Redis). No I/O.</summary>
    private BudgetReservation? TryReserveFromLeases(IReadOnlyList<BudgetCharge> charges)
    {
        long ts = _timeProvider.GetTimestamp();
        var leases = new BudgetLease[charges.Count];
        var amounts = new long[charges.Count];
        bool miss = false;
        for (int i = 0; i < charges.Count; i++)
        {
            BudgetAccount account = charges[i].Account;
            BudgetLease lease = _leases.GetOrAdd(account.Id, static (_, a) => new BudgetLease(a), account);
            lease.Account = account; // the latest limit
            lease.LastUsed = ts;
            leases[i] = lease;
            amounts[i] = ToNanos(charges[i].AmountUsd);
            if (amounts[i] > Volatile.Read(ref lease.LargestCharge))
            {
                Interlocked.Exchange(ref lease.LargestCharge, amounts[i]); // a racing larger value may be lost: only a sizing hint
            }
            if (lease.Busy || lease.UsableUntil <= ts || lease.Available < amounts[i])
            {
                miss = true;
            }
        }

        if (miss)
        {
            QueueSync();
            return null;
        }

        // All-or-nothing: lock the leases in a fixed order.
        BudgetLease[] order = leases.Distinct().OrderBy(static l => l.Key, StringComparer.Ordinal).ToArray();
        foreach (BudgetLease l in order)
        {
            Monitor.Enter(l);
        }

        try
        {
            var needed = new Dictionary<BudgetLease, long>();
            for (int i = 0; i < leases.Length; i++)
            {
                needed[leases[i]] = needed.GetValueOrDefault(leases[i]) + amounts[i];
            }

            foreach ((BudgetLease l, long n) in needed)
            {
                if (l.Busy || l.UsableUntil <= ts || l.Available < n)
                {
                    return null;
                }
            }

            for (int i = 0; i < leases.Length; i++)
            {
                leases[i].Outstanding += amounts[i];
            }
        }
        finally
        {
            foreach (BudgetLease l in order)
            {
                Monitor.Exit(l);
            }
        }

        string id = LeasePrefix + Guid.NewGuid().ToString("N");
        _leased[id] = leases;
        Interlocked.Increment(ref _localReservations);
        return new BudgetReservation(id, [.. charges]);
    }

    /// <summary>Settles (or releases, with actual amounts of 0) a reservation taken from leases. No I/O; the next sync records it in Redis.</summary>
    private void CompleteFromLease(BudgetReservation reservation, long[] actual)
    {
        if (!_leased.TryRemove(reservation.Id, out BudgetLease[]? leases))
        {
            return; // already settled: idempotent
        }

        for (int i = 0; i < leases.Length; i++)
        {
            long estimate = ToNanos(reservation.Charges[i].AmountUsd);
            BudgetLease l = leases[i];
            lock (l)
            {
                l.Outstanding -= estimate;
                l.PendingShrink += Math.Min(actual[i], estimate);
                l.PendingSpend += actual[i];
            }
        }
    }

    private void QueueSync()
    {
        if (Interlocked.Exchange(ref _syncQueued, 1) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static s => _ = s.SyncLeasesAsync(release: false), this, preferLocal: false);
        }
    }

    /// <summary>Synchronizes every lease that needs it (spend to record, below the low-water mark, near expiry, or unwanted).</summary>
    internal async Task SyncLeasesAsync(bool release)
    {
        Volatile.Write(ref _syncQueued, 0);
        if (release)
        {
            await _syncGate.WaitAsync().ConfigureAwait(false);
        }
        else if (!await _syncGate.WaitAsync(0).ConfigureAwait(false))
        {
            return;
        }

        try
        {
            DateTimeOffset now = _timeProvider.GetUtcNow();
            long ts = _timeProvider.GetTimestamp();
            long renewBefore = ts + (long)(_connection.Options.BudgetLeaseTimeToLive.TotalSeconds / 2 * _timeProvider.TimestampFrequency);
            long idle = (long)(_connection.Options.BudgetLeaseTimeToLive.TotalSeconds / 2 * _timeProvider.TimestampFrequency);
            foreach (BudgetLease lease in _leases.Values)
            {
                bool drop = release || ts - lease.LastUsed > idle; // an idle lease is returned
                bool needed;
                lock (lease)
                {
                    needed = lease.PendingSpend > 0 || lease.PendingShrink > 0 || lease.Batch is not null
                        || (drop ? lease.RedisAmount > 0
                                 : ts >= lease.NextTry && (lease.Available * 2 <= lease.RedisAmount || lease.RedisAmount == 0 || lease.UsableUntil <= renewBefore
                                    || lease.Available < Volatile.Read(ref lease.LargestCharge))); // too small to serve a request: resize or return it
                }

                if (needed)
                {
                    await SyncLeaseAsync(lease, drop, now, ts).ConfigureAwait(false);
                }

                if (drop && lease.RedisAmount == 0 && lease.Outstanding == 0 && lease.PendingSpend == 0 && lease.Batch is null)
                {
                    _leases.TryRemove(new KeyValuePair<string, BudgetLease>(lease.Key, lease));
                }
            }
        }
        finally
        {
            _syncGate.Release();
        }
    }

    private async Task SyncLeaseAsync(BudgetLease lease, bool release, DateTimeOffset now, long ts)
    {
        LlmRoutingRedisOptions o = _connection.Options;
        LeaseBatch batch;
        lock (lease)
        {
            if (lease.Batch is null)
            {
                // A new batch takes what was settled so far; a failed batch is retried as it was (its marker makes the retry safe).
                lease.Batch = new LeaseBatch(Guid.NewGuid().ToString("N"), lease.RedisAmount, lease.PendingShrink, lease.PendingSpend);
                lease.PendingShrink = 0;
                lease.PendingSpend = 0;
            }

            batch = lease.Batch;
            lease.Busy = true; // nothing handed out while the lease's size is uncertain
        }

        long floor;
        lock (lease)
        {
            floor = lease.Outstanding + lease.PendingShrink;
        }

        Period period = Period.Of(lease.Account, now, o.BudgetReservationTimeout);
        long nowMs = now.ToUnixTimeMilliseconds();
        long ttlMs = (long)o.BudgetLeaseTimeToLive.TotalMilliseconds;
        RedisKey[] keys = [Key(_connection, "leasesync", ":" + batch.Id), AccountKey(lease.Account), ReservationsKey(lease.Account)];
        RedisValue[] args =
        [
            ttlMs * 4, lease.Id, batch.OldAmount, batch.Shrink, batch.Spend, floor, nowMs, nowMs + ttlMs, ToNanos(lease.Account.LimitUsd),
            period.Window, period.Current, period.Oldest, Math.Max(period.TtlMs, ttlMs), ToNanos(o.BudgetLeaseMaxUsd), o.BudgetLeaseDivisor,
            ToNanos(o.BudgetLeaseMinRemainingUsd), release ? 1 : 0, Volatile.Read(ref lease.LargestCharge),
        ];
        RedisResult[]? result = await _connection.ExecuteAsync(
            "budget.lease",
            static async (db, s) => (RedisResult[]?)(await RedisBudgetScripts.LeaseSync.EvaluateAsync(db, s.keys, s.args).ConfigureAwait(false)),
            (keys, args),
            static _ => null,
            CancellationToken.None).ConfigureAwait(false);
        lock (lease)
        {
            lease.Busy = false;
            if (result is null)
            {
                return; // Redis unreachable: keep the batch for a retry; the lease stays usable until its local expiry
            }

            lease.Batch = null;
            lease.RedisAmount = (long)result[1];
            if ((int)result[0] == 0)
            {
                LogLeaseLost(_logger, lease.Account.Budget);
            }

            // Measured from before the request was sent, less a margin, so the local view never outlives the lease in Redis.
            lease.NextTry = ts + (long)(o.BudgetLeaseSyncInterval.TotalSeconds * _timeProvider.TimestampFrequency);
            lease.UsableUntil = lease.RedisAmount == 0 ? 0 : ts + (long)(o.BudgetLeaseTimeToLive.TotalSeconds * 0.8 * _timeProvider.TimestampFrequency);
        }
    }

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "A budget lease of '{Budget}' expired in Redis before it was renewed; its spend was recorded and a new lease is taken.")]
    private static partial void LogLeaseLost(ILogger logger, string budget);

    /// <summary>One in-flight (or failed, to retry) sync of a lease.</summary>
    private sealed record LeaseBatch(string Id, long OldAmount, long Shrink, long Spend);

    /// <summary>This instance's lease on one account and period. Mutable fields are guarded by the instance's lock.</summary>
    private sealed class BudgetLease(BudgetAccount account)
    {
        public string Key { get; } = account.Id;

        public string Id { get; } = "L" + Guid.NewGuid().ToString("N");

        public BudgetAccount Account { get; set; } = account;

        public long LastUsed;

        public long NextTry;

        public volatile bool Busy;

        public long RedisAmount;

        public long Outstanding;

        public long PendingShrink;

        public long PendingSpend;

        public long UsableUntil;

        /// <summary>The largest charge asked of this lease: a lease smaller than that is not taken (it could serve no such request, yet would hold budget the requests then reserved in Redis cannot use).</summary>
        public long LargestCharge;

        public LeaseBatch? Batch;

        /// <summary>Gets what can still be handed out (read under the lock for decisions; unlocked reads are only hints).</summary>
        public long Available => RedisAmount - Outstanding - PendingShrink - (Batch?.Shrink ?? 0);
    }
}
