using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace LlmRouting.Redis;

/// <summary>
/// Circuit-breaker state shared by the fleet: a deployment whose circuit one instance opens is open for every instance until its break
/// ends (or an instance reports it closed). Open circuits live in one sorted set (deployment → break end, Unix ms); changes are published
/// on a channel so other instances learn them within milliseconds, and every instance re-reads the set every
/// <see cref="LlmRoutingRedisOptions.HealthRefreshInterval"/>, so a missed message costs at most one interval.
/// </summary>
/// <remarks>
/// <see cref="IsOpen"/> answers from memory (the router asks on every request). While Redis is unreachable the instance keeps what it
/// knew and what it reports itself (fail-open: local breakers keep working). Thread-safe.
/// </remarks>
internal sealed partial class RedisCircuitStateStore : IDisposable
{
    private readonly ConcurrentDictionary<string, long> _openUntil = new(StringComparer.OrdinalIgnoreCase);
    private readonly RedisConnection _connection;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly ITimer? _timer;
    private readonly RedisKey _key;
    private readonly RedisChannel _channel;
    private int _subscribed;
    private Task<bool>? _refresh;

    public RedisCircuitStateStore(RedisConnection connection, TimeProvider? timeProvider = null, bool startTimer = true, ILogger<RedisCircuitStateStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _connection = connection;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _key = connection.Options.KeyPrefix + "{health}:open";
        _channel = RedisChannel.Literal(connection.Options.KeyPrefix + "health");
        if (startTimer)
        {
            TimeSpan interval = connection.Options.HealthRefreshInterval;
            _timer = _timeProvider.CreateTimer(static s => _ = ((RedisCircuitStateStore)s!).RefreshAsync(), this, TimeSpan.Zero, interval);
        }
    }

    /// <summary>Gets whether the fleet holds <paramref name="deployment"/>'s circuit open now, and for how long.</summary>
    public bool IsOpen(string deployment, out TimeSpan remaining)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(deployment);
        long now = NowMs();
        if (_openUntil.TryGetValue(deployment, out long until) && until > now)
        {
            remaining = TimeSpan.FromMilliseconds(until - now);
            return true;
        }

        remaining = TimeSpan.Zero;
        return false;
    }

    /// <summary>Gets every circuit the fleet holds open now, with its break end.</summary>
    public IReadOnlyDictionary<string, DateTimeOffset> OpenCircuits()
    {
        long now = NowMs();
        return _openUntil.Where(p => p.Value > now).ToDictionary(p => p.Key, p => DateTimeOffset.FromUnixTimeMilliseconds(p.Value), StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Tells the fleet that this instance opened <paramref name="deployment"/>'s circuit for <paramref name="breakDuration"/>.</summary>
    /// <returns><see langword="true"/> if Redis was reached (otherwise only this instance knows).</returns>
    public Task<bool> ReportOpenedAsync(string deployment, TimeSpan breakDuration)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(deployment);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(breakDuration, TimeSpan.Zero);
        long until = NowMs() + (long)breakDuration.TotalMilliseconds;
        string name = deployment.ToLowerInvariant();
        _openUntil.AddOrUpdate(name, until, (_, old) => Math.Max(old, until));
        _ = EnsureSubscribedAsync();
        return _connection.TryExecuteAsync("health.open", async db =>
        {
            // GT: a longer break reported by another instance wins.
            await db.SortedSetAddAsync(_key, name, until, SortedSetWhen.GreaterThan).ConfigureAwait(false);
            await db.PublishAsync(_channel, "o|" + until.ToString(CultureInfo.InvariantCulture) + "|" + name).ConfigureAwait(false);
        });
    }

    /// <summary>Tells the fleet that <paramref name="deployment"/>'s circuit closed (a probe succeeded).</summary>
    /// <returns><see langword="true"/> if Redis was reached.</returns>
    public Task<bool> ReportClosedAsync(string deployment)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(deployment);
        string name = deployment.ToLowerInvariant();
        _openUntil.TryRemove(name, out _);
        _ = EnsureSubscribedAsync();
        return _connection.TryExecuteAsync("health.close", async db =>
        {
            await db.SortedSetRemoveAsync(_key, name).ConfigureAwait(false);
            await db.PublishAsync(_channel, "c|0|" + name).ConfigureAwait(false);
        });
    }

    /// <summary>Re-reads the open circuits (runs on the timer; callable by tests).</summary>
    /// <returns><see langword="true"/> if Redis was reached.</returns>
    internal Task<bool> RefreshAsync()
    {
        lock (_openUntil)
        {
            if (_refresh is { IsCompleted: false } running)
            {
                return running;
            }

            return _refresh = RefreshCoreAsync();
        }
    }

    public void Dispose() => _timer?.Dispose();

    private async Task<bool> RefreshCoreAsync()
    {
        try
        {
            long now = NowMs();
            SortedSetEntry[]? open = await _connection.ExecuteAsync<SortedSetEntry[]?>(
                "health.refresh",
                async db =>
                {
                    _ = db.SortedSetRemoveRangeByScoreAsync(_key, double.NegativeInfinity, now - 3_600_000, flags: CommandFlags.FireAndForget);
                    return await db.SortedSetRangeByScoreWithScoresAsync(_key, now, double.PositiveInfinity).ConfigureAwait(false);
                },
                static () => null).ConfigureAwait(false);
            if (open is null)
            {
                return false;
            }

            await EnsureSubscribedAsync().ConfigureAwait(false);

            var fresh = open.ToDictionary(e => (string)e.Element!, e => (long)e.Score, StringComparer.OrdinalIgnoreCase);
            foreach (string name in _openUntil.Keys)
            {
                if (!fresh.ContainsKey(name))
                {
                    _openUntil.TryRemove(name, out _);
                }
            }

            foreach ((string name, long until) in fresh)
            {
                _openUntil[name] = until;
            }

            return true;
        }
#pragma warning disable CA1031 // A background refresh must never crash the process; the last known state stays in use.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogRefreshFailed(_logger, ex.GetType().Name);
            return false;
        }
    }

    private Task EnsureSubscribedAsync()
    {
        if (Volatile.Read(ref _subscribed) == 1 || _connection.ConnectedMultiplexer is not { } multiplexer || Interlocked.Exchange(ref _subscribed, 1) == 1)
        {
            return Task.CompletedTask;
        }

        // The subscription survives reconnects (the multiplexer re-subscribes).
        return multiplexer.GetSubscriber().SubscribeAsync(_channel, (_, message) => OnMessage(message));
    }

    private void OnMessage(RedisValue message)
    {
        string text = message.ToString();
        string[] parts = text.Split('|', 3);
        if (parts.Length != 3 || !long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out long until))
        {
            return;
        }

        if (parts[0] == "o")
        {
            _openUntil.AddOrUpdate(parts[2], until, (_, old) => Math.Max(old, until));
        }
        else if (parts[0] == "c")
        {
            _openUntil.TryRemove(parts[2], out _);
        }
    }

    private long NowMs() => _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    [LoggerMessage(EventId = 30, Level = LogLevel.Warning, Message = "Reading the fleet's circuit state from Redis failed ({ErrorType}); the last known state stays in use.")]
    private static partial void LogRefreshFailed(ILogger logger, string errorType);
}
