using System.Buffers.Binary;
using Microsoft.Extensions.Caching.Distributed;
using StackExchange.Redis;

namespace LlmRouting.Redis;

/// <summary>
/// An <see cref="IDistributedCache"/> on Redis for Microsoft.Extensions.AI's exact-match response cache
/// (<c>UseDistributedCache()</c>). Fail-open: while Redis is unreachable, reads miss and writes are dropped.
/// </summary>
/// <remarks>
/// Values are stored with a 16-byte header (absolute expiry and sliding window in milliseconds) so sliding
/// expiration can be renewed on read. Thread-safe.
/// </remarks>
internal sealed class RedisResponseCache : IDistributedCache
{
    private const int HeaderSize = 16;
    private readonly RedisConnection _connection;
    private readonly TimeProvider _timeProvider;

    public RedisResponseCache(RedisConnection connection, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _connection = connection;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    public byte[]? Get(string key) => GetAsync(key).GetAwaiter().GetResult();

    public Task<byte[]?> GetAsync(string key, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        RedisKey redisKey = _connection.Key("cache", key);
        return _connection.ExecuteAsync<byte[]?>(
            "cache.get",
            async db =>
            {
                byte[]? stored = await db.StringGetAsync(redisKey).ConfigureAwait(false);
                if (stored is null || stored.Length < HeaderSize)
                {
                    return null;
                }

                long absolute = BinaryPrimitives.ReadInt64LittleEndian(stored);
                long sliding = BinaryPrimitives.ReadInt64LittleEndian(stored.AsSpan(8));
                if (sliding > 0)
                {
                    await db.KeyExpireAsync(redisKey, Ttl(absolute, sliding)).ConfigureAwait(false);
                }

                return stored.AsSpan(HeaderSize).ToArray();
            },
            static () => null,
            token);
    }

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => SetAsync(key, value, options).GetAwaiter().GetResult();

    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(options);
        DateTimeOffset now = _timeProvider.GetUtcNow();
        DateTimeOffset? absoluteAt = options.AbsoluteExpiration
            ?? (options.AbsoluteExpirationRelativeToNow is { } rel ? now + rel : (DateTimeOffset?)null)
            ?? (options.SlidingExpiration is null ? now + _connection.Options.ResponseCacheTimeToLive : (DateTimeOffset?)null);
        long absolute = absoluteAt?.ToUnixTimeMilliseconds() ?? 0;
        long sliding = (long)(options.SlidingExpiration?.TotalMilliseconds ?? 0);
        var payload = new byte[HeaderSize + value.Length];
        BinaryPrimitives.WriteInt64LittleEndian(payload, absolute);
        BinaryPrimitives.WriteInt64LittleEndian(payload.AsSpan(8), sliding);
        value.CopyTo(payload.AsSpan(HeaderSize));
        TimeSpan? ttl = Ttl(absolute, sliding);
        if (ttl is { } t && t <= TimeSpan.Zero)
        {
            return Task.CompletedTask;
        }

        RedisKey redisKey = _connection.Key("cache", key);
        return _connection.TryExecuteAsync("cache.set", db => ttl is { } expiry ? db.StringSetAsync(redisKey, payload, expiry) : db.StringSetAsync(redisKey, payload), token);
    }

    public void Refresh(string key) => RefreshAsync(key).GetAwaiter().GetResult();

    public Task RefreshAsync(string key, CancellationToken token = default) => GetAsync(key, token);

    public void Remove(string key) => RemoveAsync(key).GetAwaiter().GetResult();

    public Task RemoveAsync(string key, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        RedisKey redisKey = _connection.Key("cache", key);
        return _connection.TryExecuteAsync("cache.remove", db => db.KeyDeleteAsync(redisKey), token);
    }

    private TimeSpan? Ttl(long absoluteUnixMs, long slidingMs)
    {
        TimeSpan? untilAbsolute = absoluteUnixMs > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(absoluteUnixMs) - _timeProvider.GetUtcNow() : null;
        TimeSpan? window = slidingMs > 0 ? TimeSpan.FromMilliseconds(slidingMs) : null;
        return (untilAbsolute, window) switch
        {
            ({ } a, { } w) => a < w ? a : w,
            ({ } a, null) => a,
            (null, { } w) => w,
            _ => null,
        };
    }
}
