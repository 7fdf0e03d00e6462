using System.Globalization;
using StackExchange.Redis;

namespace LlmRouting.Redis;

/// <summary>
/// Rate-limit counters shared by the fleet: requests and tokens per deployment over a rolling 60-second window of one-second buckets,
/// checked and counted in one server-side script, so a per-minute limit holds across every instance (the bucket edge makes the window
/// between 59 and 60 seconds long: within 2%).
/// </summary>
/// <remarks>
/// A request counts with its token estimate and is settled to its actual usage (<see cref="SettleAsync"/>). While Redis is unreachable
/// the counter admits (fail-open: each instance's own limiter still applies) and counts the fallback. Thread-safe.
/// </remarks>
internal sealed class RedisRateLimitCounter
{
    private static readonly RedisScript s_acquire = new("""
        local now = tonumber(ARGV[1])
        local rpm, tpm, tokens = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
        local sec = math.floor(now / 1000)
        local oldest = sec - 59
        local requests, used = 0, 0
        local firstRequest, tokenBuckets = nil, {}
        local all = redis.call('HGETALL', KEYS[1])
        for j = 1, #all, 2 do
          local kind, b = string.match(all[j], '^(%a):(%d+)$')
          b = tonumber(b)
          if b < oldest then
            redis.call('HDEL', KEYS[1], all[j])
          elseif kind == 'r' then
            requests = requests + tonumber(all[j + 1])
            if firstRequest == nil or b < firstRequest then firstRequest = b end
          elseif kind == 't' then
            used = used + tonumber(all[j + 1])
            tokenBuckets[#tokenBuckets + 1] = { b, tonumber(all[j + 1]) }
          end
        end
        if rpm >= 0 and requests + 1 > rpm then
          return { 0, 'requests_per_minute', ((firstRequest or sec) + 60) * 1000 - now }
        end
        if tpm >= 0 and used > 0 and used + tokens > tpm then
          table.sort(tokenBuckets, function(x, y) return x[1] < y[1] end)
          local excess, freed, at = used + tokens - tpm, 0, sec
          for _, e in ipairs(tokenBuckets) do
            freed = freed + e[2]
            at = e[1]
            if freed >= excess then break end
          end
          return { 0, 'tokens_per_minute', (at + 60) * 1000 - now }
        end
        redis.call('HINCRBY', KEYS[1], 'r:' .. sec, 1)
        if tokens > 0 then redis.call('HINCRBY', KEYS[1], 't:' .. sec, ARGV[4]) end
        redis.call('PEXPIRE', KEYS[1], 61000)
        return { 1, tostring(sec), 0 }
        """);

    private static readonly RedisScript s_settle = new("""
        local sec = tonumber(ARGV[1])
        if sec < math.floor(tonumber(ARGV[3]) / 1000) - 59 then return 0 end
        local delta = tonumber(ARGV[2])
        if delta ~= 0 then redis.call('HINCRBY', KEYS[1], 't:' .. ARGV[1], ARGV[2]) end
        return 1
        """);

    private readonly RedisConnection _connection;
    private readonly TimeProvider _timeProvider;

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
    /// <returns>The decision; when Redis is unreachable, an admission marked <see cref="SharedRateLimitDecision.IsLocalOnly"/>.</returns>
    public async Task<SharedRateLimitDecision> TryAcquireAsync(string deployment, long? requestsPerMinute, long? tokensPerMinute, long estimatedTokens, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(deployment);
        ArgumentOutOfRangeException.ThrowIfNegative(estimatedTokens);
        RedisKey key = Key(deployment);
        long now = _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        RedisValue[] args = [now, requestsPerMinute ?? -1, tokensPerMinute ?? -1, estimatedTokens];
        return await _connection.ExecuteAsync(
            "ratelimit.acquire",
            async db =>
            {
                var r = (RedisResult[])(await s_acquire.EvaluateAsync(db, [key], args).ConfigureAwait(false))!;
                return (int)r[0] == 1
                    ? new SharedRateLimitDecision(true, null, null, deployment, long.Parse((string)r[1]!, CultureInfo.InvariantCulture), estimatedTokens, false)
                    : new SharedRateLimitDecision(false, (string?)r[1], TimeSpan.FromMilliseconds(Math.Max(0, (long)r[2])), deployment, 0, 0, false);
            },
            () => new SharedRateLimitDecision(true, null, null, deployment, 0, estimatedTokens, true),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Replaces an admitted request's token estimate with its actual usage (no effect once its bucket left the window).</summary>
    public Task<bool> SettleAsync(SharedRateLimitDecision decision, long actualTokens)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(actualTokens);
        if (!decision.Acquired || decision.IsLocalOnly || actualTokens == decision.Tokens)
        {
            return Task.FromResult(false);
        }

        long now = _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        RedisValue[] args = [decision.Bucket, actualTokens - decision.Tokens, now];
        return _connection.TryExecuteAsync("ratelimit.settle", db => s_settle.EvaluateAsync(db, [Key(decision.Deployment)], args));
    }

    private RedisKey Key(string deployment) => _connection.Options.KeyPrefix + "{limits}:" + deployment.ToLowerInvariant();
}

/// <summary>The outcome of <see cref="RedisRateLimitCounter.TryAcquireAsync"/>.</summary>
/// <param name="Acquired">Whether the request may start.</param>
/// <param name="Reason">When refused: <c>requests_per_minute</c> or <c>tokens_per_minute</c>.</param>
/// <param name="RetryAfter">When refused: how long until the window has room.</param>
/// <param name="Deployment">The deployment.</param>
/// <param name="Bucket">The second the request was counted in (for settling).</param>
/// <param name="Tokens">The tokens counted.</param>
/// <param name="IsLocalOnly">Redis was unreachable; only local limits applied.</param>
internal readonly record struct SharedRateLimitDecision(bool Acquired, string? Reason, TimeSpan? RetryAfter, string Deployment, long Bucket, long Tokens, bool IsLocalOnly);
