using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace LlmRouting.Benchmarks;

/// <summary>
/// The telemetry layer by itself — the per-attempt <see cref="RoutingTelemetryChatClient"/> plus the request-level scope the
/// router opens and closes — over an in-memory provider, against the bare provider. <see cref="Listening"/> selects
/// whether the OpenTelemetry SDK listens (AlwaysOn sampling, batch span processor and a periodic metric reader, both with
/// exporters that discard) or nothing listens at all; <see cref="RequestLog"/> adds the request log with a ring-buffer sink.
/// </summary>
[MemoryDiagnoser]
public class TelemetryOverheadBenchmarks : IDisposable
{
    private const int Chunks = 100;
    private IChatClient _bare = null!;
    private RoutingTelemetryChatClient _telemetry = null!;
    private RequestTelemetry _request = null!;
    private LlmRequestContext _context = null!;
    private ChatOptions _options = null!;
    private List<ChatMessage> _messages = null!;
    private TracerProvider? _tracer;
    private MeterProvider? _meter;
    private RequestLog? _log;

    [Params(false, true)]
    public bool Listening { get; set; }

    [Params(false, true)]
    public bool RequestLog { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        if (Listening)
        {
            _tracer = Sdk.CreateTracerProviderBuilder()
                .AddSource(LlmRoutingDiagnostics.SourceName)
                .SetSampler(new AlwaysOnSampler())
                .AddProcessor(new BatchActivityExportProcessor(new DiscardingActivityExporter()))
                .Build();
            _meter = Sdk.CreateMeterProviderBuilder()
                .AddMeter(LlmRoutingDiagnostics.SourceName)
                .AddReader(new PeriodicExportingMetricReader(new DiscardingMetricExporter(), exportIntervalMilliseconds: 10_000))
                .Build();
        }

        _bare = new InMemoryChatClient(Chunks);
        _telemetry = new RoutingTelemetryChatClient(_bare);
        if (RequestLog)
        {
            _log = new RequestLog([new RingBufferRequestLogSink(1024)]);
            _telemetry.RequestLog = _log;
        }

        _request = (RequestTelemetry)_telemetry.GetService(typeof(RequestTelemetry))!;
        var model = new ModelInfo { Provider = "openai", ModelId = "gpt-4o-mini", Pricing = new ModelPricing { InputPerToken = 0.00000015m, OutputPerToken = 0.0000006m } };
        var deployment = new Deployment("cheap", "openai", "gpt-4o-mini", model);
        _context = new LlmRequestContext("bench-request", streaming: false) { Tenant = "acme", Tags = ["feature:bench"] };
        _context.Candidates = [deployment];
        RoutingAttempt attempt = _context.StartAttempt(deployment);
        attempt.Outcome = AttemptOutcome.Succeeded;
        _options = new ChatOptions
        {
            AdditionalProperties = new AdditionalPropertiesDictionary
            {
                [LlmRequestContext.OptionsKey] = _context,
                [AttemptContext.OptionsKey] = new AttemptContext(_context, deployment, attempt),
            },
        };
        _messages = [new ChatMessage(ChatRole.System, "You are a concise analyst."), new ChatMessage(ChatRole.User, "Summarise the quarterly report.")];
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _log?.Dispose();
        _tracer?.Dispose();
        _meter?.Dispose();
        _telemetry?.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark(Baseline = true)]
    public Task<ChatResponse> Bare() => _bare.GetResponseAsync(_messages, _options);

    [Benchmark]
    public async Task<ChatResponse> Telemetry()
    {
        using RequestTelemetryScope? scope = _request.Start(streaming: false);
        scope?.Attach(_context);
        ChatResponse response = await _telemetry.GetResponseAsync(_messages, _options).ConfigureAwait(false);
        scope?.Succeeded();
        return response;
    }

    [Benchmark]
    public Task<int> BareStreaming() => StreamCounting.CountAsync(_bare, _messages, _options);

    [Benchmark]
    public async Task<int> TelemetryStreaming()
    {
        int n = 0;
        using RequestTelemetryScope? scope = _request.Start(streaming: true);
        scope?.Attach(_context);
        await foreach (ChatResponseUpdate _ in _telemetry.GetStreamingResponseAsync(_messages, _options).ConfigureAwait(false))
        {
            n++;
        }

        scope?.Succeeded();
        return n;
    }

    private sealed class DiscardingActivityExporter : BaseExporter<Activity>
    {
        public override ExportResult Export(in Batch<Activity> batch) => ExportResult.Success;
    }

    private sealed class DiscardingMetricExporter : BaseExporter<Metric>
    {
        public override ExportResult Export(in Batch<Metric> batch) => ExportResult.Success;
    }
}
