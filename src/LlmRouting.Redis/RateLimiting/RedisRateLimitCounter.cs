using StackExchange.Redis;

namespace LlmRouting.Redis;

/// <summary>
/// Rate-limit counters shared by the fleet: requests and tokens per deployment over a rolling 60-second window of one-second buckets,
/// checked and counted in one server-side script, so a per-minute limit holds across every instance (the bucket edge makes the window
/// between 59 and 60 seconds long: within 2%).
/// </summary>
/// <remarks>
/// <para>
/// One hash per deployment: buckets <c>r:&lt;second&gt;</c> and <c>t:&lt;second&gt;</c>, the window's totals <c>R</c> and <c>T</c>,
/// and <c>p</c>, the last second already pruned. Each script first prunes the seconds that left the window since <c>p</c> (one
/// <c>HMGET</c> of at most 60 seconds, usually one), so admitting a request costs a few field operations, not a read of the whole
/// window; the oldest bucket is looked up only to say when a refused request could start.
/// </para>
/// <para>
/// A request counts with its token estimate and is settled to its actual usage (<see cref="SettleAsync"/>). While Redis is unreachable
/// the counter admits (fail-open: each instance's own limiter still applies) and counts the fallback. Thread-safe.
/// </para>
/// </remarks>
internal sealed class RedisRateLimitCounter
{
    /// <summary>
    /// The shared prelude: <c>prune(key, oldest)</c> drops the buckets older than <c>oldest</c>, keeps <c>R</c>/<c>T</c> their sums, and
    /// returns the window's requests, tokens and whether the key exists.
    /// </summary>
    internal const string Prune = """
        local function prune(key, oldest)
          local head = redis.call('HMGET', key, 'p', 'R', 'T')
          local p = tonumber(head[1])
          if p == nil then
            if redis.call('EXISTS', key) == 0 then return 0, 0, false end
            p = oldest - 1000
          end
          local R, T = tonumber(head[2]) or 0, tonumber(head[3]) or 0
          if p >= oldest - 1 then return R, T, true end
          if p < oldest - 61 then
            R, T = 0, 0
            local all = redis.call('HGETALL', key)
            for j = 1, #all, 2 do
              local kind, b = string.match(all[j], '^(%a):(%d+)$')
              if kind then
                b = tonumber(b)
                if b < oldest then redis.call('HDEL', key, all[j])
                elseif kind == 'r' then R = R + tonumber(all[j + 1])
                else T = T + tonumber(all[j + 1]) end
              end
            end
          else
            local fields = {}
            for b = p + 1, oldest - 1 do
              fields[#fields + 1] = 'r:' .. b
              fields[#fields + 1] = 't:' .. b
            end
            local values = redis.call('HMGET', key, unpack(fields))
            for i = 1, #fields, 2 do
              R = R - (tonumber(values[i]) or 0)
              T = T - (tonumber(values[i + 1]) or 0)
            end
            redis.call('HDEL', key, unpack(fields))
          end
          redis.call('HSET', key, 'R', R, 'T', T, 'p', oldest - 1)
          return R, T, true
        end

        """;

    private static readonly RedisScript s_acquire = new(Prune + """
        local key = KEYS[1]
        local now = tonumber(ARGV[1])
        local rpm, tpm, tokens = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
        local sec = math.floor(now / 1000)
        local oldest = sec - 59
        local R, T = prune(key, oldest)
        if rpm >= 0 and R + 1 > rpm then
          local first = sec
          if R > 0 then
            local fields = {}
            for b = oldest, sec do fields[#fields + 1] = 'r:' .. b end
            local values = redis.call('HMGET', key, unpack(fields))
            for i = 1, #values do
              if (tonumber(values[i]) or 0) > 0 then first = oldest + i - 1 break end
            end
          end
          return { 0, 'requests_per_minute', (first + 60) * 1000 - now }
        end
        if tpm >= 0 and T > 0 and T + tokens > tpm then
          local fields = {}
          for b = oldest, sec do fields[#fields + 1] = 't:' .. b end
          local values = redis.call('HMGET', key, unpack(fields))
          local excess, freed, at = T + tokens - tpm, 0, sec
          for i = 1, #values do
            local v = tonumber(values[i]) or 0
            if v > 0 then
              freed = freed + v
              at = oldest + i - 1
              if freed >= excess then break end
            end
          end
          return { 0, 'tokens_per_minute', (at + 60) * 1000 - now }
        end
        redis.call('HINCRBY', key, 'r:' .. sec, 1)
        if tokens > 0 then
          redis.call('HINCRBY', key, 't:' .. sec, tokens)
          redis.call('HSET', key, 'R', R + 1, 'T', T + tokens, 'p', oldest - 1)
        else
          redis.call('HSET', key, 'R', R + 1, 'p', oldest - 1)
        end
        redis.call('PEXPIRE', key, 61000)
        return { 1, sec, 0 }
        """);

    private static readonly RedisScript s_settle = new("""
        local sec = tonumber(ARGV[1])
        local p = tonumber(redis.call('HGET', KEYS[1], 'p'))
        if p == nil or sec <= p or sec < math.floor(tonumber(ARGV[3]) / 1000) - 59 then return 0 end
        local delta = tonumber(ARGV[2])
        if delta ~= 0 then
          redis.call('HINCRBY', KEYS[1], 't:' .. ARGV[1], delta)
          redis.call('HINCRBY', KEYS[1], 'T', delta)
        end
        return 1
        """);

    private readonly RedisConnection _connection;
    private readonly TimeProvider _timeProvider;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, RedisKey> _keys = new(StringComparer.Ordinal);

    public RedisRateLimitCounter(RedisConnection connection, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _connection = connection;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Checks the fleet-wide limits of <paramref name="deployment"/> and, if they allow, counts one request of <paramref name="estimatedTokens"/>.</summary>
    /// <param name="deployment">The deployment (or provider account) the limits belong to.</param>
    /// <param name="requestsPerMinute">The fleet's requests per minute; <see langword="null"/> for none.</param>
    /// <param name="tokensPerMinute">The fleet's tokens per minute; <see langword="null"/> for none.</param>
    /// <param name="estimatedTokens">The request's token estimate.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The decision (its <see cref="SharedAdmission.Ticket"/> is the second it was counted in); when Redis is unreachable, an admission marked <see cref="SharedAdmission.IsLocalOnly"/>.</returns>
    public Task<SharedAdmission> TryAcquireAsync(string deployment, long? requestsPerMinute, long? tokensPerMinute, long estimatedTokens, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(deployment);
        ArgumentOutOfRangeException.ThrowIfNegative(estimatedTokens);
        var call = new AcquireCall(Key(deployment), _timeProvider.GetUtcNow().ToUnixTimeMilliseconds(), requestsPerMinute ?? -1, tokensPerMinute ?? -1, estimatedTokens);
        return _connection.ExecuteAsync("ratelimit.acquire", static (db, c) => c.RunAsync(db), call, static c => SharedAdmission.Admitted(c.Tokens, isLocalOnly: true), cancellationToken);
    }

    /// <summary>Replaces an admitted request's token estimate with its actual usage (no effect once its bucket left the window).</summary>
    /// <returns><see langword="true"/> if Redis took the correction.</returns>
    public Task<bool> SettleAsync(string deployment, SharedAdmission admission, long actualTokens)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(actualTokens);
        if (!admission.IsAcquired || admission.IsLocalOnly || actualTokens == admission.Tokens)
        {
            return Task.FromResult(false);
        }

        long now = _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        RedisValue[] args = [admission.Ticket, actualTokens - admission.Tokens, now];
        RedisKey key = Key(deployment);
        return _connection.ExecuteAsync(
            "ratelimit.settle",
            static async (db, s) => (long)(await s_settle.EvaluateAsync(db, [s.Key], s.Args).ConfigureAwait(false)) == 1,
            (Key: key, Args: args),
            static _ => false);
    }

    /// <summary>The key of a deployment's counts (shared with <see cref="RedisRateLimitCounterStore"/>'s exchange), built once per deployment.</summary>
    internal RedisKey Key(string deployment) => _keys.GetOrAdd(deployment, static (name, connection) => Key(connection, name), _connection);

    internal static RedisKey Key(RedisConnection connection, string deployment) => connection.Options.KeyPrefix + "{limits}:" + deployment.ToLowerInvariant();

    private sealed class AcquireCall(RedisKey key, long now, long rpm, long tpm, long tokens)
    {
        public long Tokens => tokens;

        public async Task<SharedAdmission> RunAsync(IDatabase db)
        {
            var r = (RedisResult[])(await s_acquire.EvaluateAsync(db, [key], [now, rpm, tpm, tokens]).ConfigureAwait(false))!;
            return (int)r[0] == 1
                ? SharedAdmission.Admitted(tokens, (long)r[1])
                : SharedAdmission.Refused((string)r[1]!, TimeSpan.FromMilliseconds(Math.Max(0, (long)r[2])));
        }
    }
}
