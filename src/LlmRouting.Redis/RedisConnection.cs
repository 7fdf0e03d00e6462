using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace LlmRouting.Redis;

/// <summary>
/// The shared Redis connection of one application instance, with fail-open execution: an operation that cannot reach
/// Redis within <see cref="LlmRoutingRedisOptions.OperationTimeout"/> runs its local fallback instead, logs a warning
/// once per outage and counts the fallback in the <c>llm_routing.redis.fallbacks</c> metric.
/// </summary>
/// <remarks>Thread-safe.</remarks>
internal sealed partial class RedisConnection : IDisposable
{
    private static readonly Counter<long> s_fallbacks = LlmRoutingRedisDiagnostics.Meter.CreateCounter<long>(
        "llm_routing.redis.fallbacks", "{operation}", "Redis operations that fell back to local state because Redis was unreachable.");

    private readonly Lazy<Task<ConnectionMultiplexer>> _multiplexer;
    private readonly ILogger _logger;
    private int _unavailable;

    public RedisConnection(LlmRoutingRedisOptions options, ILogger<RedisConnection>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _multiplexer = new Lazy<Task<ConnectionMultiplexer>>(ConnectAsync, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public LlmRoutingRedisOptions Options { get; }

    /// <summary>Gets a value indicating whether the last operation reached Redis.</summary>
    public bool IsAvailable => Volatile.Read(ref _unavailable) == 0;

    public string Key(string kind, string name) => Options.KeyPrefix + kind + ":" + name;

    /// <summary>Runs <paramref name="action"/> against Redis, or <paramref name="fallback"/> when Redis is unreachable.</summary>
    public async Task<T> ExecuteAsync<T>(string operation, Func<IDatabase, Task<T>> action, Func<T> fallback, CancellationToken cancellationToken = default)
    {
        try
        {
            T result = await RunAsync(action, cancellationToken).WaitAsync(Options.OperationTimeout, cancellationToken).ConfigureAwait(false);
            MarkAvailable();
            return result;
        }
        catch (Exception ex) when (IsConnectivityFailure(ex) && !cancellationToken.IsCancellationRequested)
        {
            MarkUnavailable(operation, ex);
            return fallback();
        }
    }

    /// <summary>Runs <paramref name="action"/> with <paramref name="state"/> against Redis (no closure per call), or <paramref name="fallback"/> when Redis is unreachable.</summary>
    public async Task<T> ExecuteAsync<TState, T>(string operation, Func<IDatabase, TState, Task<T>> action, TState state, Func<TState, T> fallback, CancellationToken cancellationToken = default)
    {
        try
        {
            Task<T> run = _multiplexer.Value.IsCompletedSuccessfully
                ? action(_multiplexer.Value.Result.GetDatabase(), state)
                : RunAsync(action, state, cancellationToken);
            T result = await run.WaitAsync(Options.OperationTimeout, cancellationToken).ConfigureAwait(false);
            MarkAvailable();
            return result;
        }
        catch (Exception ex) when (IsConnectivityFailure(ex) && !cancellationToken.IsCancellationRequested)
        {
            MarkUnavailable(operation, ex);
            return fallback(state);
        }
    }

    /// <summary>Runs <paramref name="action"/> against Redis and reports whether it succeeded (no fallback value).</summary>
    public async Task<bool> TryExecuteAsync(string operation, Func<IDatabase, Task> action, CancellationToken cancellationToken = default)
    {
        try
        {
            await RunAsync(async db => { await action(db).ConfigureAwait(false); return true; }, cancellationToken).WaitAsync(Options.OperationTimeout, cancellationToken).ConfigureAwait(false);
            MarkAvailable();
            return true;
        }
        catch (Exception ex) when (IsConnectivityFailure(ex) && !cancellationToken.IsCancellationRequested)
        {
            MarkUnavailable(operation, ex);
            return false;
        }
    }

    /// <summary>Gets the multiplexer once connected (for subscriptions); <see langword="null"/> while connecting or unreachable.</summary>
    public ConnectionMultiplexer? ConnectedMultiplexer => _multiplexer.IsValueCreated && _multiplexer.Value.IsCompletedSuccessfully ? _multiplexer.Value.Result : null;

    /// <summary>Starts connecting (e.g. at start-up) so the first request does not wait for the connection.</summary>
    public void Warm() => _ = _multiplexer.Value;

    public void Dispose()
    {
        if (_multiplexer.IsValueCreated && _multiplexer.Value.IsCompletedSuccessfully)
        {
            _multiplexer.Value.Result.Dispose();
        }
    }

    private async Task<T> RunAsync<T>(Func<IDatabase, Task<T>> action, CancellationToken cancellationToken)
    {
        ConnectionMultiplexer multiplexer = await _multiplexer.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        return await action(multiplexer.GetDatabase()).ConfigureAwait(false);
    }

    private async Task<T> RunAsync<TState, T>(Func<IDatabase, TState, Task<T>> action, TState state, CancellationToken cancellationToken)
    {
        ConnectionMultiplexer multiplexer = await _multiplexer.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        return await action(multiplexer.GetDatabase(), state).ConfigureAwait(false);
    }

    internal static bool IsConnectivityFailure(Exception ex) =>
        ex is RedisConnectionException or RedisTimeoutException or TimeoutException or ObjectDisposedException
        || (ex is RedisServerException server && server.Message.StartsWith("LOADING", StringComparison.Ordinal));

    private Task<ConnectionMultiplexer> ConnectAsync()
    {
        ConfigurationOptions config = ConfigurationOptions.Parse(Options.ConnectionString);
        config.AbortOnConnectFail = false; // keep reconnecting in the background; operations fall back meanwhile
        config.BacklogPolicy = BacklogPolicy.FailFast; // no queued commands that run after their caller fell back (double counting)
        return ConnectionMultiplexer.ConnectAsync(config);
    }

    private void MarkAvailable()
    {
        if (Interlocked.Exchange(ref _unavailable, 0) == 1)
        {
            LogRecovered(_logger);
        }
    }

    private void MarkUnavailable(string operation, Exception ex)
    {
        if (s_fallbacks.Enabled)
        {
            s_fallbacks.Add(1, new KeyValuePair<string, object?>("llm_routing.redis.operation", operation));
        }

        if (Interlocked.Exchange(ref _unavailable, 1) == 0)
        {
            LogUnavailable(_logger, operation, ex.GetType().Name);
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Redis is unreachable ({ErrorType} during {Operation}); LlmRouting continues on local per-instance state until it returns.")]
    private static partial void LogUnavailable(ILogger logger, string operation, string errorType);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Redis is reachable again; LlmRouting uses shared state.")]
    private static partial void LogRecovered(ILogger logger);
}
