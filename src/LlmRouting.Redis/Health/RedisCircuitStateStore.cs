using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace LlmRouting.Redis;

/// <summary>
/// Circuit-breaker state shared by the fleet: every instance publishes its circuits' transitions (open with a break end, or closed) and
/// adopts the newest one any instance published, so a deployment one instance opens is open for every instance until its break ends or
/// a probe closes it. Transitions live in one hash (deployment → <c>o|changedAt|openUntil</c> or <c>c|changedAt|0</c>, Unix ms; a
/// script keeps the newer one), are published on a channel so other instances learn them within milliseconds, and every instance
/// re-reads the hash every <see cref="LlmRoutingRedisOptions.HealthRefreshInterval"/>, so a missed message costs at most one interval.
/// </summary>
/// <remarks>
/// <see cref="Get"/> and <see cref="IsOpen"/> answer from memory and <see cref="Publish"/> does not wait (the resilience layer calls them
/// on the request path). While Redis is unreachable the instance keeps what it
/// knew and what it reports itself (fail-open: local breakers keep working). Thread-safe.
/// </remarks>
internal sealed partial class RedisCircuitStateStore : IDisposable
{
    private static readonly RedisScript s_publish = new("""
        local known = redis.call('HGET', KEYS[1], ARGV[1])
        if known then
          local at = tonumber(string.match(known, '^%a|(%d+)|'))
          if at and at >= tonumber(ARGV[3]) then return 0 end
        end
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
        redis.call('PUBLISH', KEYS[2], ARGV[1] .. '\n' .. ARGV[2])
        return 1
        """);

    private readonly ConcurrentDictionary<string, CircuitTransition> _circuits = new(StringComparer.OrdinalIgnoreCase);
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
        _key = connection.Options.KeyPrefix + "{health}:circuits";
        _channel = RedisChannel.Literal(connection.Options.KeyPrefix + "{health}:changes");
        if (startTimer)
        {
            TimeSpan interval = connection.Options.HealthRefreshInterval;
            _timer = _timeProvider.CreateTimer(static s => _ = ((RedisCircuitStateStore)s!).RefreshAsync(), this, TimeSpan.Zero, interval);
        }
    }

    /// <summary>Gets the latest transition any instance published for <paramref name="deployment"/>'s circuit (from memory).</summary>
    public CircuitTransition? Get(string deployment)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(deployment);
        return _circuits.TryGetValue(deployment, out CircuitTransition? t) ? t : null;
    }

    /// <summary>Gets whether the fleet holds <paramref name="deployment"/>'s circuit open now, and for how long.</summary>
    public bool IsOpen(string deployment, out TimeSpan remaining)
    {
        remaining = TimeSpan.Zero;
        if (Get(deployment) is not { IsOpen: true, OpenUntil: { } until })
        {
            return false;
        }

        remaining = until - _timeProvider.GetUtcNow();
        return remaining > TimeSpan.Zero;
    }

    /// <summary>Gets every circuit the fleet holds open now, with its break end.</summary>
    public IReadOnlyDictionary<string, DateTimeOffset> OpenCircuits()
    {
        DateTimeOffset now = _timeProvider.GetUtcNow();
        return _circuits.Where(p => p.Value is { IsOpen: true, OpenUntil: { } u } && u > now)
            .ToDictionary(p => p.Key, p => p.Value.OpenUntil!.Value, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Publishes a transition of this instance's circuit without waiting (the request path): this instance's mirror changes at once,
    /// Redis and the other instances follow in the background. The newer transition (by <see cref="CircuitTransition.ChangedAt"/>) wins.
    /// </summary>
    public void Publish(string deployment, CircuitTransition transition) => _ = PublishAsync(deployment, transition);

    /// <summary>Publishes a transition and waits until Redis has it.</summary>
    /// <returns><see langword="true"/> if Redis was reached (otherwise only this instance knows).</returns>
    public Task<bool> PublishAsync(string deployment, CircuitTransition transition)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(deployment);
        ArgumentNullException.ThrowIfNull(transition);
        string name = deployment.ToLowerInvariant();
        Adopt(name, transition);
        _ = EnsureSubscribedAsync();
        RedisValue[] args = [name, transition.Encode(), transition.ChangedAtMicroseconds];
        return _connection.TryExecuteAsync("health.publish", db => s_publish.EvaluateAsync(db, [_key, (string)_channel!], args));
    }

    /// <summary>Tells the fleet that this instance opened <paramref name="deployment"/>'s circuit for <paramref name="breakDuration"/>.</summary>
    public Task<bool> ReportOpenedAsync(string deployment, TimeSpan breakDuration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(breakDuration, TimeSpan.Zero);
        DateTimeOffset now = _timeProvider.GetUtcNow();
        return PublishAsync(deployment, new CircuitTransition(true, now, now + breakDuration));
    }

    /// <summary>Tells the fleet that <paramref name="deployment"/>'s circuit closed (a probe succeeded).</summary>
    public Task<bool> ReportClosedAsync(string deployment) => PublishAsync(deployment, new CircuitTransition(false, _timeProvider.GetUtcNow(), null));

    /// <summary>Re-reads the open circuits (runs on the timer; callable by tests).</summary>
    /// <returns><see langword="true"/> if Redis was reached.</returns>
    internal Task<bool> RefreshAsync()
    {
        lock (_circuits)
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
            HashEntry[]? all = await _connection.ExecuteAsync<HashEntry[]?>(
                "health.refresh",
                async db => await db.HashGetAllAsync(_key).ConfigureAwait(false),
                static () => null).ConfigureAwait(false);
            if (all is null)
            {
                return false;
            }

            foreach (HashEntry e in all)
            {
                if (CircuitTransition.TryDecode(e.Value.ToString(), out CircuitTransition? t))
                {
                    Adopt(e.Name.ToString(), t);
                }
            }

            await EnsureSubscribedAsync().ConfigureAwait(false);
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
        string[] parts = message.ToString().Split('\n', 2);
        if (parts.Length == 2 && CircuitTransition.TryDecode(parts[1], out CircuitTransition? t))
        {
            Adopt(parts[0], t);
        }
    }

    private void Adopt(string name, CircuitTransition transition) =>
        _circuits.AddOrUpdate(name, transition, (_, known) => transition.ChangedAt > known.ChangedAt ? transition : known);

    private long NowMs() => _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    [LoggerMessage(EventId = 30, Level = LogLevel.Warning, Message = "Reading the fleet's circuit state from Redis failed ({ErrorType}); the last known state stays in use.")]
    private static partial void LogRefreshFailed(ILogger logger, string errorType);
}
