// LlmRouting telemetry sample: traces, metrics, the request log and reports, offline.
//
//   dotnet run --project samples/Telemetry                          # console exporter only
//   dotnet run --project samples/Telemetry -- --quiet               # no span/metric dump, just the reports
//   OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4317 dotnet run --project samples/Telemetry
//                                                                   # also OTLP (Aspire dashboard, Grafana Alloy/Tempo/Prometheus)
//
// Providers are simulated (LlmRouting.Testing) with real catalog prices, so nothing leaves the machine. With no OTLP
// endpoint set, nothing is exported over the network; when one is set and nothing listens, the exporter logs and drops.
using System.Globalization;
using LlmRouting;
using LlmRouting.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using TelemetrySample;

bool quiet = args.Contains("--quiet");
string? otlp = Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT");
string logDirectory = Path.Combine(Path.GetTempPath(), "llmrouting-telemetry-sample");

// 1. OpenTelemetry: LlmRouting's ActivitySource and Meter are both named "LlmRouting".
ResourceBuilder resource = ResourceBuilder.CreateDefault().AddService("llmrouting-telemetry-sample");
TracerProviderBuilder tracing = Sdk.CreateTracerProviderBuilder().SetResourceBuilder(resource).AddSource(LlmRoutingDiagnostics.SourceName);
MeterProviderBuilder metrics = Sdk.CreateMeterProviderBuilder().SetResourceBuilder(resource).AddMeter(LlmRoutingDiagnostics.SourceName);
if (!quiet)
{
    tracing.AddConsoleExporter();
    metrics.AddConsoleExporter();
}

if (!string.IsNullOrWhiteSpace(otlp))
{
    tracing.AddOtlpExporter(o => o.Endpoint = new Uri(otlp));
    metrics.AddOtlpExporter((o, reader) =>
    {
        o.Endpoint = new Uri(otlp);
        reader.TemporalityPreference = MetricReaderTemporalityPreference.Cumulative;
    });
}

using TracerProvider tracerProvider = tracing.Build();
using MeterProvider meterProvider = metrics.Build();

// 2. LlmRouting with a simulated fleet and the request log (ring buffer for reports + JSON Lines files).
var services = new ServiceCollection();
services.AddLogging();
services.AddSimulatedProviders(SampleFleet.Configure);
services.AddLlmRouting(options =>
{
    foreach ((string name, string catalogModel) in SampleFleet.Deployments)
    {
        options.Deployments[name] = new DeploymentOptions { Provider = "simulated", Model = name, CatalogModel = catalogModel };
    }

    options.Telemetry.UserPseudonymKey = "sample-pseudonym-key"; // in production: from a secret store
});
services.AddLlmRoutingRequestLog(log => log.JsonLines.Directory = logDirectory);

await using ServiceProvider provider = services.BuildServiceProvider();

// Until the router reads tenant/user/tag hints from ChatOptions itself, this sample's own layer (between router and
// redactor) copies them from its own keys into the request context, which is where telemetry reads them.
IChatClient chat = new ChatClientBuilder(new DeploymentDispatcherChatClient(provider.GetRequiredService<ProviderRegistry>()))
    .UseCostRouter()
    .Use(inner => new SampleHintsChatClient(inner))
    .UseRedaction()
    .UseResilience()
    .UseRoutingTelemetry()
    .Build(provider);

RequestLog requestLogReady = provider.GetRequiredService<RequestLog>();
IRoutingReports reports = provider.GetRequiredService<IRoutingReports>();

// 3. A batch: three tenants, tags, a user id, streaming and not, an outage of the cheapest deployment half-way through.
int failed = 0;
IReadOnlyList<SampleRequest> batch = SampleRequest.Batch();
for (int i = 0; i < batch.Count; i++)
{
    SampleRequest request = batch[i];
    if (i == batch.Count / 2)
    {
        SampleFleet.StartOutage(provider);
    }

    try
    {
        ChatResponse response = request.Streaming
            ? await chat.GetStreamingResponseAsync(request.Prompt, request.Options()).ToChatResponseAsync()
            : await chat.GetResponseAsync(request.Prompt, request.Options());

        // Simulated user feedback (thumbs up = 1, thumbs down = 0) on every third answer, attached by request id.
        if (i % 3 == 0 && response.GetRoutingReport() is { } report)
        {
            await requestLogReady.FlushAsync();
            reports.RecordQualityScore(report.RequestId, i % 2 == 0 ? 1.0 : 0.0);
        }
    }
    catch (LlmRoutingException ex)
    {
        failed++;
        Console.WriteLine($"request failed: {ex.GetType().Name}");
    }
}

RequestLog requestLog = requestLogReady;
await requestLog.FlushAsync();
tracerProvider.ForceFlush();
meterProvider.ForceFlush();

// 4. Reports over the request log.
Console.WriteLine();
Console.WriteLine($"{batch.Count} requests, {failed} failed; request log: {requestLog.DeliveredCount} delivered, {requestLog.DroppedCount} dropped; JSON Lines in {logDirectory}");
Print("Cost per model (attempts)", reports.Summarize([ReportDimension.Model]));
Print("Cost per tenant", reports.Summarize([ReportDimension.Tenant]));
Print("Cost per tag", reports.Summarize([ReportDimension.Tag]));
Print("Cost per day", reports.Summarize([ReportDimension.Day]));
Print("Quality per model and prompt category", reports.Summarize([ReportDimension.Model, ReportDimension.PromptCategory]));

Console.WriteLine();
Console.WriteLine("Live statistics per deployment (what a router can rank by)");
Console.WriteLine($"  {"deployment",-18} {"attempts",8} {"errors",7} {"p50 ms",8} {"p90 ttft",9} {"tok/s",8}");
foreach (DeploymentUsageSummary s in reports.GetDeploymentStatistics())
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"  {s.Deployment,-18} {s.Attempts,8} {s.ErrorRate,7:P0} {s.Latency?.P50.TotalMilliseconds,8:0} {s.TimeToFirstToken?.P90.TotalMilliseconds,9:0} {s.OutputTokensPerSecond,8:0}"));
}

static void Print(string title, IReadOnlyList<ReportRow> rows)
{
    Console.WriteLine();
    Console.WriteLine(title);
    Console.WriteLine($"  {"key",-30} {"count",6} {"errors",7} {"cost USD",12} {"p50 ms",8} {"p95 ms",8} {"quality",8}");
    foreach (ReportRow r in rows)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {string.Join(" / ", r.Keys),-30} {r.Count,6} {r.ErrorRate,7:P0} {r.CostUsd,12:0.000000} {r.Latency?.P50.TotalMilliseconds,8:0} {r.Latency?.P95.TotalMilliseconds,8:0} {r.QualityScore,8:0.00}"));
    }
}
