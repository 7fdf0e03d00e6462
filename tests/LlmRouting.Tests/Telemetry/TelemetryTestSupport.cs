using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace LlmRouting.Tests.Telemetry;

/// <summary>Collects LlmRouting's spans and metrics with the OpenTelemetry SDK and its in-memory exporters.</summary>
internal sealed class OtelCapture : IDisposable
{
    private readonly TracerProvider _tracer;
    private readonly MeterProvider _meter;

    public OtelCapture()
    {
        _tracer = Sdk.CreateTracerProviderBuilder()
            .AddSource(LlmRoutingDiagnostics.SourceName)
            .SetSampler(new AlwaysOnSampler())
            .AddInMemoryExporter(Spans)
            .Build();
        _meter = Sdk.CreateMeterProviderBuilder()
            .AddMeter(LlmRoutingDiagnostics.SourceName)
            .AddInMemoryExporter(Metrics)
            .Build();
    }

    public List<Activity> Spans { get; } = [];

    public List<MetricSnapshot> Metrics { get; } = [];

    /// <summary>Exports everything recorded so far.</summary>
    public void Flush()
    {
        _tracer.ForceFlush();
        Metrics.Clear();
        _meter.ForceFlush();
    }

    /// <summary>Gets the points of a metric as (tags, value) where value is the sum (counters) or the sum of a histogram.</summary>
    public List<(Dictionary<string, object?> Tags, double Value, long Count)> Points(string name)
    {
        var result = new List<(Dictionary<string, object?>, double, long)>();
        foreach (MetricSnapshot metric in Metrics.Where(m => m.Name == name))
        {
            foreach (MetricPoint point in metric.MetricPoints)
            {
                var tags = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (KeyValuePair<string, object?> tag in point.Tags)
                {
                    tags[tag.Key] = tag.Value;
                }

                (double value, long count) = metric.MetricType switch
                {
                    MetricType.Histogram => (point.GetHistogramSum(), point.GetHistogramCount()),
                    MetricType.LongSum => (point.GetSumLong(), 1L),
                    MetricType.DoubleSum => (point.GetSumDouble(), 1L),
                    _ => (double.NaN, 0L),
                };
                result.Add((tags, value, count));
            }
        }

        return result;
    }

    /// <summary>Every string value in every exported span and metric point: names, tags, events, status descriptions.</summary>
    public IEnumerable<string> AllStrings()
    {
        foreach (Activity span in Spans)
        {
            yield return span.DisplayName;
            yield return span.StatusDescription ?? string.Empty;
            foreach (KeyValuePair<string, object?> tag in span.TagObjects)
            {
                yield return tag.Key;
                yield return Describe(tag.Value);
            }

            foreach (ActivityEvent e in span.Events)
            {
                yield return e.Name;
                foreach (KeyValuePair<string, object?> tag in e.Tags)
                {
                    yield return Describe(tag.Value);
                }
            }
        }

        foreach (MetricSnapshot metric in Metrics)
        {
            foreach (MetricPoint point in metric.MetricPoints)
            {
                foreach (KeyValuePair<string, object?> tag in point.Tags)
                {
                    yield return tag.Key;
                    yield return Describe(tag.Value);
                }
            }
        }
    }

    public void Dispose()
    {
        _tracer.Dispose();
        _meter.Dispose();
    }

    private static string Describe(object? value) => value switch
    {
        null => string.Empty,
        string s => s,
        System.Collections.IEnumerable e => string.Join("|", e.Cast<object?>()),
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty,
    };
}

/// <summary>Stands in for the router's hints (router2 writes these into the context): sets tenant, user, tags, budget, experiment.</summary>
internal sealed class HintsChatClient : DelegatingChatClient
{
    private readonly Action<LlmRequestContext> _apply;

    public HintsChatClient(IChatClient inner, Action<LlmRequestContext> apply)
        : base(inner)
    {
        _apply = apply;
    }

    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Apply(options);
        return base.GetResponseAsync(messages, options, cancellationToken);
    }

    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Apply(options);
        return base.GetStreamingResponseAsync(messages, options, cancellationToken);
    }

    private void Apply(ChatOptions? options)
    {
        if (LlmRequestContext.TryGet(options, out LlmRequestContext? context))
        {
            _apply(context);
        }
    }
}

internal static class TelemetryChain
{
    /// <summary>Router → hints → redactor → resilience → telemetry → dispatcher over the harness's deployments.</summary>
    public static IChatClient Build(
        ChainHarness harness, Action<LlmRequestContext>? hints = null, Action<RoutingTelemetryChatClient>? telemetry = null, TimeProvider? time = null)
    {
        var services = new ServiceCollection();
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        IServiceProvider sp = services.BuildServiceProvider();
        var builder = new ChatClientBuilder(new DeploymentDispatcherChatClient(harness.Registry)).UseCostRouter(harness.Registry);
        if (hints is not null)
        {
            builder.Use(inner => new HintsChatClient(inner, hints));
        }

        // One attempt per deployment: the telemetry tests count attempts and spans (retries of the same deployment are resilience tests).
        return builder.UseRedaction().UseResilience(r => r.Options.Retry.MaxRetryAttempts = 0).UseRoutingTelemetry(telemetry).Build(sp);
    }

    public static Deployment Deployment(string name, string provider, string model, decimal inPerM = 1m, decimal outPerM = 2m, Uri? endpoint = null) =>
        new(name, provider, model, ChainHarness.Model(provider, model, inPerM, outPerM)) { Endpoint = endpoint };
}

/// <summary>A sink that records what it receives, optionally slowly or failing.</summary>
internal sealed class RecordingSink : IRequestLogSink
{
    private readonly List<RequestLogRecord> _records = [];

    public Func<RequestLogRecord, CancellationToken, Task>? OnWrite { get; init; }

    public IReadOnlyList<RequestLogRecord> Records
    {
        get
        {
            lock (_records)
            {
                return _records.ToArray();
            }
        }
    }

    public async ValueTask WriteAsync(RequestLogRecord record, CancellationToken cancellationToken)
    {
        if (OnWrite is not null)
        {
            await OnWrite(record, cancellationToken);
        }

        lock (_records)
        {
            _records.Add(record);
        }
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
