using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace LlmRouting.Redis;

/// <summary>
/// The resilience layer's rate-limit seams on Redis. As an <see cref="ISharedRateLimitGate"/> it admits each attempt on a deployment
/// with per-minute limits by one server-side script that checks the fleet's counts and counts the request atomically
/// (<see cref="RedisRateLimitCounter"/>), so <c>RequestsPerMinute</c> and <c>TokensPerMinute</c> hold across every instance on the
/// request path. As an <see cref="IRateLimitCounterStore"/> it keeps a local mirror of the fleet's one-second buckets for the
/// router's fast saturation check: every <see cref="LlmRoutingRedisOptions.RateLimitSyncInterval"/> one script reads the buckets
/// back (and adds token settlements, batched, and counts made while Redis was unreachable); this instance's admissions since that
/// read are added locally.
/// </summary>
/// <remarks>
/// The mirror only decides whether a deployment looks saturated before trying it (a stale mirror costs one refused round trip, or
/// skips a deployment for up to one interval); admission is always decided in Redis. While Redis is unreachable the gate admits
/// (fail-open: each instance's own limits apply, with a warning and the <c>llm_routing.redis.fallbacks</c> metric), counts locally,
/// and its counts reach the fleet when Redis returns. Thread-safe.
/// </remarks>
internal sealed partial class RedisRateLimitCounterStore : IRateLimitCounterStore, ISharedRateLimitGate, IDisposable
{
    private static readonly RedisScript s_merge = new(RedisRateLimitCounter.Prune + """
        local key = KEYS[1]
        local now = tonumber(ARGV[1])
        local n = tonumber(ARGV[2])
        local oldest = now - 59
        local R, T, exists = prune(key, oldest)
        local p = tonumber(redis.call('HGET', key, 'p')) or (oldest - 1)
        local added = false
        for i = 0, n - 1 do
          local b = 3 + i * 3
          local sec = tonumber(ARGV[b])
          if sec >= oldest and sec > p then
            local r, t = tonumber(ARGV[b + 1]), tonumber(ARGV[b + 2])
            if r ~= 0 then redis.call('HINCRBY', key, 'r:' .. sec, r) R = R + r end
            if t ~= 0 then redis.call('HINCRBY', key, 't:' .. sec, t) T = T + t end
            added = true
          end
        end
        if added then
          redis.call('HSET', key, 'R', R, 'T', T, 'p', math.max(p, oldest - 1))
          redis.call('PEXPIRE', key, 61000)
        elseif not exists then
          return {}
        end
        return redis.call('HGETALL', key)
        """);

    private readonly ConcurrentDictionary<string, Counters> _deployments = new(StringComparer.OrdinalIgnoreCase);
    private readonly RedisConnection _connection;
    private readonly RedisRateLimitCounter _counter;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly BackgroundExchange _sync;

    public RedisRateLimitCounterStore(RedisConnection connection, TimeProvider? timeProvider = null, bool startTimer = true, ILogger<RedisRateLimitCounterStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _connection = connection;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _counter = new RedisRateLimitCounter(connection, _timeProvider);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _sync = new BackgroundExchange(_timeProvider, connection.Options.RateLimitSyncInterval, startTimer, ExchangeAsync, ex => LogSyncFailed(_logger, ex.GetType().Name));
    }

    /// <inheritdoc/>
    public void Add(string deployment, DateTimeOffset at, long requests, long tokens)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(deployment);
        Counters c = _deployments.GetOrAdd(deployment, static (name, time) => new Counters(name, time.GetTimestamp()), _timeProvider);
        AddPending(c, at.ToUnixTimeSeconds(), requests, tokens);
    }

    /// <inheritdoc/>
    public RateLimitCounts Get(string deployment, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(deployment);
        Counters c = _deployments.GetOrAdd(deployment, static (name, time) => new Counters(name, time.GetTimestamp()), _timeProvider); // from now on, the fleet's counts are fetched
        long first = now.ToUnixTimeSeconds() - (long)IRateLimitCounterStore.Window.TotalSeconds + 1;
        long requests = 0, tokens = 0, oldest = long.MaxValue;
        lock (c)
        {
            c.LastUsed = _timeProvider.GetTimestamp();
            if (c.Admitted.Count > 0 && c.Admitted[0].Second < first)
            {
                c.Admitted.RemoveAll(a => a.Second < first); // only while exchanges fail: they remove what Redis has counted
            }

            Sum(c.Fleet, first, ref requests, ref tokens, ref oldest);
            Sum(c.InFlight, first, ref requests, ref tokens, ref oldest);
            Sum(c.Pending, first, ref requests, ref tokens, ref oldest);
            foreach (Admission a in c.Admitted)
            {
                if (a.Second >= first)
                {
                    requests++;
                    tokens += a.Tokens;
                    oldest = Math.Min(oldest, a.Second);
                }
            }
        }

        return new RateLimitCounts(requests, Math.Max(0, tokens), oldest == long.MaxValue ? null : DateTimeOffset.FromUnixTimeSeconds(oldest));
    }

    /// <inheritdoc/>
    public async ValueTask<SharedAdmission> TryAcquireAsync(string deployment, long? requestsPerMinute, long? tokensPerMinute, long estimatedTokens, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(deployment);
        estimatedTokens = Math.Max(0, estimatedTokens);
        Counters c = _deployments.GetOrAdd(deployment, static (name, time) => new Counters(name, time.GetTimestamp()), _timeProvider);
        SharedAdmission admission = await _counter.TryAcquireAsync(deployment, requestsPerMinute, tokensPerMinute, estimatedTokens, cancellationToken).ConfigureAwait(false);
        if (!admission.IsAcquired)
        {
            return admission;
        }

        if (admission.IsLocalOnly)
        {
            // Redis is unreachable: count locally (the limiter's own limits decided); the count reaches the fleet when Redis returns.
            long second = _timeProvider.GetUtcNow().ToUnixTimeSeconds();
            AddPending(c, second, 1, estimatedTokens);
            return SharedAdmission.Admitted(estimatedTokens, second, isLocalOnly: true);
        }

        lock (c)
        {
            c.Admitted.Add(new Admission(++c.Sequence, admission.Ticket, estimatedTokens));
            c.LastUsed = _timeProvider.GetTimestamp();
        }

        return admission;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// No round trip per request: the correction counts in this instance's view at once and reaches Redis with the next exchange
    /// (within <see cref="LlmRoutingRedisOptions.RateLimitSyncInterval"/>), in the second the request was counted in.
    /// </remarks>
    public ValueTask SettleAsync(string deployment, SharedAdmission admission, long actualTokens, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(deployment);
        actualTokens = Math.Max(0, actualTokens);
        if (admission.IsAcquired && actualTokens != admission.Tokens)
        {
            Add(deployment, DateTimeOffset.FromUnixTimeSeconds(admission.Ticket), 0, actualTokens - admission.Tokens);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Reads the fleet's counts and sends counts made while Redis was unreachable (runs on the timer; callable by tests).</summary>
    /// <returns><see langword="true"/> if Redis was reached for every deployment.</returns>
    internal Task<bool> SyncAsync() => _sync.RunAsync();

    public void Dispose() => _sync.Dispose();

    private async Task<bool> ExchangeAsync()
    {
        bool all = true;
        long now = _timeProvider.GetUtcNow().ToUnixTimeSeconds();
        long first = now - (long)IRateLimitCounterStore.Window.TotalSeconds + 1;
        foreach (Counters c in _deployments.Values)
        {
            KeyValuePair<long, (long R, long T)>[] sending;
            long cut;
            lock (c)
            {
                if (c.Pending.Count == 0 && c.InFlight.Count == 0 && _timeProvider.GetElapsedTime(c.LastUsed) > IRateLimitCounterStore.Window)
                {
                    continue; // idle for a whole window: nothing to send, and nobody reads the mirror
                }

                foreach ((long second, (long r, long t)) in c.Pending)
                {
                    (long ir, long it) = c.InFlight.GetValueOrDefault(second);
                    c.InFlight[second] = (ir + r, it + t);
                }

                c.Pending.Clear();
                foreach (long stale in c.InFlight.Keys.Where(second => second < first).ToList())
                {
                    c.InFlight.Remove(stale); // out of the window: Redis would ignore it
                }

                sending = [.. c.InFlight];
                cut = c.Sequence; // admissions Redis confirmed before this read are in what it returns
            }

            var args = new RedisValue[2 + (sending.Length * 3)];
            args[0] = now;
            args[1] = sending.Length;
            for (int i = 0; i < sending.Length; i++)
            {
                args[2 + (i * 3)] = sending[i].Key;
                args[3 + (i * 3)] = sending[i].Value.R;
                args[4 + (i * 3)] = sending[i].Value.T;
            }

            RedisResult[]? result = await _connection.ExecuteAsync(
                "ratelimit.sync",
                static async (db, s) => (RedisResult[]?)(await s_merge.EvaluateAsync(db, [s.Key], s.Args).ConfigureAwait(false)),
                (Key: RedisRateLimitCounter.Key(_connection, c.Name), Args: args),
                static _ => null).ConfigureAwait(false);
            if (result is null)
            {
                all = false; // the in-flight counts stay counted locally and are sent again next time
                continue;
            }

            var fleet = new Dictionary<long, (long R, long T)>();
            for (int j = 0; j + 1 < result.Length; j += 2)
            {
                string field = (string)result[j]!;
                if (field.Length < 3 || field[1] != ':')
                {
                    continue; // the window's totals and pruning mark
                }

                long second = long.Parse(field.AsSpan(2), NumberStyles.Integer, CultureInfo.InvariantCulture);
                long value = long.Parse((string)result[j + 1]!, NumberStyles.Integer, CultureInfo.InvariantCulture);
                (long r, long t) = fleet.GetValueOrDefault(second);
                fleet[second] = field[0] == 'r' ? (r + value, t) : (r, t + value);
            }

            lock (c)
            {
                c.Fleet = fleet;
                c.InFlight.Clear();
                c.Admitted.RemoveAll(a => a.Sequence <= cut);
            }
        }

        return all;
    }


    private static void AddPending(Counters c, long second, long requests, long tokens)
    {
        lock (c)
        {
            (long r, long t) = c.Pending.GetValueOrDefault(second);
            c.Pending[second] = (r + requests, t + tokens);
        }
    }

    private static void Sum(Dictionary<long, (long R, long T)> buckets, long first, ref long requests, ref long tokens, ref long oldest)
    {
        foreach ((long second, (long r, long t)) in buckets)
        {
            if (second >= first)
            {
                requests += r;
                tokens += t;
                if (r > 0 && second < oldest)
                {
                    oldest = second;
                }
            }
        }
    }

    [LoggerMessage(EventId = 40, Level = LogLevel.Warning, Message = "Exchanging rate-limit counts with Redis failed ({ErrorType}); local counts stay in use.")]
    private static partial void LogSyncFailed(ILogger logger, string errorType);

    private readonly record struct Admission(long Sequence, long Second, long Tokens);

    private sealed class Counters(string name, long created)
    {
        public readonly string Name = name;
        public readonly Dictionary<long, (long R, long T)> Pending = [];
        public readonly Dictionary<long, (long R, long T)> InFlight = [];
        public readonly List<Admission> Admitted = [];
        public Dictionary<long, (long R, long T)> Fleet = [];
        public long Sequence;
        public long LastUsed = created;
    }
}
