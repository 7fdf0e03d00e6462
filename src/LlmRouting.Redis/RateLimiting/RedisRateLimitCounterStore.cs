using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace LlmRouting.Redis;

/// <summary>
/// The resilience layer's <see cref="IRateLimitCounterStore"/> seam on Redis: request and token counts per deployment in one-second
/// buckets shared by the fleet. <see cref="Add"/> and <see cref="Get"/> work on a local mirror (the seam forbids I/O on the request
/// path); every <see cref="LlmRoutingRedisOptions.RateLimitSyncInterval"/> one script adds this instance's new counts to the shared
/// buckets and reads the fleet's buckets back.
/// </summary>
/// <remarks>
/// The counts are as fresh as the last exchange: within one interval, instances do not see each other's newest requests, so a burst
/// can exceed a fleet-wide limit by what the other instances start in one interval. While Redis is unreachable each instance counts
/// alone (fail-open) and its counts reach the fleet when Redis returns. Thread-safe.
/// </remarks>
internal sealed partial class RedisRateLimitCounterStore : IRateLimitCounterStore, IDisposable
{
    private static readonly RedisScript s_merge = new("""
        local now = tonumber(ARGV[1])
        local n = tonumber(ARGV[2])
        for i = 0, n - 1 do
          local b = 3 + i * 3
          if ARGV[b + 1] ~= '0' then redis.call('HINCRBY', KEYS[1], 'r:' .. ARGV[b], ARGV[b + 1]) end
          if ARGV[b + 2] ~= '0' then redis.call('HINCRBY', KEYS[1], 't:' .. ARGV[b], ARGV[b + 2]) end
        end
        local all = redis.call('HGETALL', KEYS[1])
        local out = {}
        for j = 1, #all, 2 do
          local sec = tonumber(string.match(all[j], ':(%d+)$'))
          if sec and sec < now - 59 then redis.call('HDEL', KEYS[1], all[j])
          else
            out[#out + 1] = all[j]
            out[#out + 1] = all[j + 1]
          end
        end
        if n > 0 then redis.call('PEXPIRE', KEYS[1], 61000) end
        return out
        """);

    private readonly ConcurrentDictionary<string, Counters> _deployments = new(StringComparer.OrdinalIgnoreCase);
    private readonly RedisConnection _connection;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly ITimer? _timer;
    private int _syncing;

    public RedisRateLimitCounterStore(RedisConnection connection, TimeProvider? timeProvider = null, bool startTimer = true, ILogger<RedisRateLimitCounterStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _connection = connection;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        if (startTimer)
        {
            TimeSpan interval = connection.Options.RateLimitSyncInterval;
            _timer = _timeProvider.CreateTimer(static s => _ = ((RedisRateLimitCounterStore)s!).SyncAsync(), this, interval, interval);
        }
    }

    /// <inheritdoc/>
    public void Add(string deployment, DateTimeOffset at, long requests, long tokens)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(deployment);
        Counters c = _deployments.GetOrAdd(deployment, static name => new Counters(name));
        long second = at.ToUnixTimeSeconds();
        lock (c)
        {
            (long r, long t) = c.Pending.GetValueOrDefault(second);
            c.Pending[second] = (r + requests, t + tokens);
        }
    }

    /// <inheritdoc/>
    public RateLimitCounts Get(string deployment, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(deployment);
        Counters c = _deployments.GetOrAdd(deployment, static name => new Counters(name)); // from now on, the fleet's counts are fetched
        long first = now.ToUnixTimeSeconds() - (long)IRateLimitCounterStore.Window.TotalSeconds + 1;
        long requests = 0, tokens = 0, oldest = long.MaxValue;
        lock (c)
        {
            foreach (Dictionary<long, (long R, long T)> buckets in new[] { c.Fleet, c.InFlight, c.Pending })
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
        }

        return new RateLimitCounts(requests, Math.Max(0, tokens), oldest == long.MaxValue ? null : DateTimeOffset.FromUnixTimeSeconds(oldest));
    }

    /// <summary>Sends this instance's new counts and reads the fleet's (runs on the timer; callable by tests).</summary>
    /// <returns><see langword="true"/> if Redis was reached for every deployment.</returns>
    internal async Task<bool> SyncAsync()
    {
        if (Interlocked.Exchange(ref _syncing, 1) == 1)
        {
            return false;
        }

        try
        {
            bool all = true;
            long now = _timeProvider.GetUtcNow().ToUnixTimeSeconds();
            foreach (Counters c in _deployments.Values)
            {
                KeyValuePair<long, (long R, long T)>[] sending;
                lock (c)
                {
                    foreach ((long second, (long r, long t)) in c.Pending)
                    {
                        (long ir, long it) = c.InFlight.GetValueOrDefault(second);
                        c.InFlight[second] = (ir + r, it + t);
                    }

                    c.Pending.Clear();
                    sending = [.. c.InFlight];
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

                RedisKey key = _connection.Options.KeyPrefix + "{limits}:fleet:" + c.Name.ToLowerInvariant();
                RedisResult[]? result = await _connection.ExecuteAsync<RedisResult[]?>(
                    "ratelimit.sync",
                    async db => (RedisResult[])(await s_merge.EvaluateAsync(db, [key], args).ConfigureAwait(false))!,
                    static () => null).ConfigureAwait(false);
                if (result is null)
                {
                    all = false; // the in-flight counts stay counted locally and are sent again next time
                    continue;
                }

                var fleet = new Dictionary<long, (long R, long T)>();
                for (int j = 0; j + 1 < result.Length; j += 2)
                {
                    string field = (string)result[j]!;
                    long second = long.Parse(field.AsSpan(2), NumberStyles.Integer, CultureInfo.InvariantCulture);
                    long value = long.Parse((string)result[j + 1]!, NumberStyles.Integer, CultureInfo.InvariantCulture);
                    (long r, long t) = fleet.GetValueOrDefault(second);
                    fleet[second] = field[0] == 'r' ? (r + value, t) : (r, t + value);
                }

                lock (c)
                {
                    c.Fleet = fleet;
                    c.InFlight.Clear();
                }
            }

            return all;
        }
#pragma warning disable CA1031 // A background exchange must never crash the process; local counts stay in use.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogSyncFailed(_logger, ex.GetType().Name);
            return false;
        }
        finally
        {
            Volatile.Write(ref _syncing, 0);
        }
    }

    public void Dispose() => _timer?.Dispose();

    [LoggerMessage(EventId = 40, Level = LogLevel.Warning, Message = "Exchanging rate-limit counts with Redis failed ({ErrorType}); local counts stay in use.")]
    private static partial void LogSyncFailed(ILogger logger, string errorType);

    private sealed class Counters(string name)
    {
        public readonly string Name = name;
        public readonly Dictionary<long, (long R, long T)> Pending = [];
        public readonly Dictionary<long, (long R, long T)> InFlight = [];
        public Dictionary<long, (long R, long T)> Fleet = [];
    }
}
