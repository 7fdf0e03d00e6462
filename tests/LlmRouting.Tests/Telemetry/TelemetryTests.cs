using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace LlmRouting.Tests;

[TestFixture]
[NonParallelizable]
public class TelemetryTests
{
    private readonly List<Activity> _activities = [];
    private ActivityListener? _listener;

    [SetUp]
    public void Listen()
    {
        _activities.Clear();
        _listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == LlmRoutingDiagnostics.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => { lock (_activities) { _activities.Add(a); } },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    [TearDown]
    public void Stop() => _listener?.Dispose();

    [Test]
    public async Task One_genai_span_per_attempt_with_usage_cost_and_error_type([Values] bool streaming)
    {
        string unique = "model-" + Guid.NewGuid().ToString("N")[..8];
        var h = new ChainHarness();
        h.Add(new Deployment("first", "openai", unique + "-a", ChainHarness.Model("openai", unique + "-a", 0.1m, 0.1m)), "x",
            _ => new LlmProviderException(LlmErrorKind.RateLimited, "429") { StatusCode = HttpStatusCode.TooManyRequests });
        h.Add(new Deployment("second", "anthropic", unique + "-b", ChainHarness.Model("anthropic", unique + "-b", 3m, 15m)), "fine", usageIn: 1000, usageOut: 200);

        ChatResponse response = await h.Build().AskAsync(streaming, "hello");

        Activity[] spans = _activities.Where(a => a.GetTagItem("gen_ai.request.model") is string m && m.StartsWith(unique, StringComparison.Ordinal)).ToArray();
        Assert.That(spans, Has.Length.EqualTo(2));
        Activity failed = spans.Single(s => (string)s.GetTagItem("gen_ai.request.model")! == unique + "-a");
        Activity ok = spans.Single(s => (string)s.GetTagItem("gen_ai.request.model")! == unique + "-b");

        Assert.That(failed.DisplayName, Is.EqualTo("chat " + unique + "-a"));
        Assert.That(failed.GetTagItem("error.type"), Is.EqualTo("rate_limited"));
        Assert.That(failed.Status, Is.EqualTo(ActivityStatusCode.Error));
        Assert.That(failed.GetTagItem("llm_routing.attempt"), Is.EqualTo(1));

        Assert.That(ok.Kind, Is.EqualTo(ActivityKind.Client));
        Assert.That(ok.GetTagItem("gen_ai.operation.name"), Is.EqualTo("chat"));
        Assert.That(ok.GetTagItem("gen_ai.provider.name"), Is.EqualTo("anthropic"));
        Assert.That(ok.GetTagItem("gen_ai.usage.input_tokens"), Is.EqualTo(1000));
        Assert.That(ok.GetTagItem("gen_ai.usage.output_tokens"), Is.EqualTo(200));
        Assert.That(ok.GetTagItem("llm_routing.deployment"), Is.EqualTo("second"));
        Assert.That(ok.GetTagItem("llm_routing.attempt"), Is.EqualTo(2));
        // 1000 x $3/M + 200 x $15/M = 0.003 + 0.003
        Assert.That(ok.GetTagItem("llm_routing.cost_usd"), Is.EqualTo(0.006d));
        Assert.That(response.GetRoutingReport()!.CostUsd, Is.EqualTo(0.006m));
        Assert.That(response.GetRoutingReport()!.Attempts[1].CostUsd, Is.EqualTo(0.006m));
        Assert.That(spans.SelectMany(s => s.Tags).Select(t => t.Value), Has.None.Contains("hello"), "no prompt content in spans");
    }

    [Test]
    public async Task Duration_and_token_metrics_are_recorded([Values] bool streaming)
    {
        string unique = "metric-" + Guid.NewGuid().ToString("N")[..8];
        using var duration = new MetricCollector<double>(null, LlmRoutingDiagnostics.SourceName, "gen_ai.client.operation.duration");
        using var tokens = new MetricCollector<int>(null, LlmRoutingDiagnostics.SourceName, "gen_ai.client.token.usage");
        var h = new ChainHarness();
        h.Add(new Deployment("d", "openai", unique, ChainHarness.Model("openai", unique, 1m, 1m)), "ok", usageIn: 42, usageOut: 7);

        await h.Build().AskAsync(streaming, "hello");

        Assert.That(duration.GetMeasurementSnapshot().Count(m => (string?)m.Tags["gen_ai.request.model"] == unique), Is.EqualTo(1));
        var tokenPoints = tokens.GetMeasurementSnapshot().Where(m => (string?)m.Tags["gen_ai.request.model"] == unique).ToArray();
        Assert.That(tokenPoints.Select(p => ((string?)p.Tags["gen_ai.token.type"], p.Value)), Is.EquivalentTo(new[] { ("input", 42), ("output", 7) }));
    }

    [Test]
    public async Task Streaming_records_time_to_first_token_on_the_attempt()
    {
        var h = new ChainHarness();
        h.Add(new Deployment("d", "openai", "m", ChainHarness.Model("openai", "m", 1m, 1m)), "one two three");
        ChatResponse response = await h.Build().AskAsync(true, "hello");
        RoutingReport report = response.GetRoutingReport()!;
        Assert.That(report.Attempts[0].TimeToFirstToken, Is.Not.Null);
        Assert.That(report.TimeToFirstToken, Is.Not.Null);
        Assert.That(report.Usage.InputTokens, Is.EqualTo(10));
    }
}
