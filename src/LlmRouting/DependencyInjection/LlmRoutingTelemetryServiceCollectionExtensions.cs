using LlmRouting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers LlmRouting's request log and reports in an <see cref="IServiceCollection"/>.</summary>
public static class LlmRoutingTelemetryServiceCollectionExtensions
{
    /// <summary>
    /// Switches the request log on (<c>LlmRouting:Telemetry:RequestLog:Enabled</c>) and optionally configures it. The log is
    /// registered by <c>AddLlmRouting</c>; this is the same as setting the option. Resolve <see cref="RequestLog"/> for its
    /// counters and <see cref="IRoutingReports"/> for reports.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Adjusts the log's settings (built-in sinks, capacities).</param>
    /// <returns>The services.</returns>
    /// <example>
    /// <code>
    /// services.AddLlmRouting(configuration);
    /// services.AddLlmRoutingRequestLog(log => { log.WriteToLogger = true; log.JsonLines.Directory = "logs/llm"; });
    /// services.AddSingleton&lt;IRequestLogSink, MyWarehouseSink&gt;(); // any number of own sinks
    /// </code>
    /// </example>
    public static IServiceCollection AddLlmRoutingRequestLog(this IServiceCollection services, Action<RequestLogOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.Configure<LlmRoutingOptions>(options =>
        {
            options.Telemetry.RequestLog.Enabled = true;
            configure?.Invoke(options.Telemetry.RequestLog);
        });
        AddTelemetryServices(services);
        return services;
    }

    /// <summary>Registers the request-log host, the ring buffer, <see cref="RequestLog"/> and <see cref="IRoutingReports"/> (idempotent).</summary>
    internal static void AddTelemetryServices(IServiceCollection services)
    {
        services.TryAddSingleton(static sp => new RingBufferRequestLogSink(
            Math.Max(1, sp.GetService<IOptions<LlmRoutingOptions>>()?.Value.Telemetry.RequestLog.RingBufferCapacity ?? 10_000)));
        services.TryAddSingleton<IRoutingReports>(static sp => new RoutingReports(sp.GetRequiredService<RingBufferRequestLogSink>()));
        services.TryAddSingleton(static sp => new RequestLogHost(sp));
        services.TryAddSingleton(static sp => sp.GetRequiredService<RequestLogHost>().Log ?? throw new InvalidOperationException(
            "The request log is off: set LlmRouting:Telemetry:RequestLog:Enabled, call services.AddLlmRoutingRequestLog(), or register an IRequestLogSink."));
    }
}

/// <summary>Owns the DI-built <see cref="RequestLog"/> and the built-in sinks it created, and disposes them in order (drain first).</summary>
internal sealed class RequestLogHost : IAsyncDisposable, IDisposable
{
    private readonly JsonLinesRequestLogSink? _file;

    public RequestLogHost(IServiceProvider services)
    {
        LlmRoutingOptions? options = services.GetService<IOptions<LlmRoutingOptions>>()?.Value;
        RequestLogOptions settings = options?.Telemetry.RequestLog ?? new RequestLogOptions();
        IRequestLogSink[] registered = (services.GetService<IEnumerable<IRequestLogSink>>() ?? []).ToArray();
        if (!settings.Enabled && registered.Length == 0)
        {
            return;
        }

        var sinks = new List<IRequestLogSink>();
        if (settings.Enabled)
        {
            if (settings.RingBufferCapacity > 0)
            {
                sinks.Add(services.GetRequiredService<RingBufferRequestLogSink>());
            }

            if (settings.WriteToLogger && services.GetService<ILoggerFactory>() is { } loggerFactory)
            {
                sinks.Add(new LoggerRequestLogSink(loggerFactory));
            }

            if (!string.IsNullOrWhiteSpace(settings.JsonLines.Directory))
            {
                _file = new JsonLinesRequestLogSink(settings.JsonLines, services.GetService<TimeProvider>());
                sinks.Add(_file);
            }
        }

        sinks.AddRange(registered);
        Log = new RequestLog(sinks, settings, services.GetService<ILogger<RequestLog>>());
    }

    public RequestLog? Log { get; }

    public async ValueTask DisposeAsync()
    {
        if (Log is not null)
        {
            await Log.DisposeAsync().ConfigureAwait(false);
        }

        if (_file is not null)
        {
            await _file.DisposeAsync().ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        Log?.Dispose();
        _file?.Dispose();
    }
}
