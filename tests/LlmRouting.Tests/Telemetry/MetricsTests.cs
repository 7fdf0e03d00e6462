using System.Net;

namespace LlmRouting.Tests.Telemetry;

[TestFixture]
[NonParallelizable]
public class MetricsTests
{
    private static ChainHarness Harness()
    {
        var h = new ChainHarness();
        h.Add(TelemetryChain.Deployment("first", "openai", "model-a", 0.1m, 0.1m, new Uri("http://127.0.0.1:8081/v1/")), "x",
            _ => new LlmProviderException(LlmErrorKind.RateLimited, "429") { StatusCode = HttpStatusCode.TooManyRequests });
        h.Add(TelemetryChain.Deployment("second", "anthropic", "model-b", 3m, 15m), "one two three", usageIn: 1000, usageOut: 200);
        return h;
    }

    private static void Hints(LlmRequestContext c)
    {
        c.Tenant = "acme";
        c.Tags = ["feature:summary", "team:search"];
        c.BudgetKey = "tenant:acme:day";
        c.ExperimentVariant = "B";
    }

    [Test]
    public async Task GenAI_client_metrics_are_recorded_per_attempt_with_the_convention_attributes([Values] bool streaming)
    {
        using var otel = new OtelCapture();
        await TelemetryChain.Build(Harness(), Hints).AskAsync(streaming, "hello");
        otel.Flush();

        var durations = otel.Points("gen_ai.client.operation.duration");
        Assert.That(durations, Has.Count.EqualTo(2));
        var failed = durations.Single(p => (string?)p.Tags["gen_ai.request.model"] == "model-a");
        var ok = durations.Single(p => (string?)p.Tags["gen_ai.request.model"] == "model-b");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(failed.Tags["gen_ai.operation.name"], Is.EqualTo("chat"));
            Assert.That(failed.Tags["gen_ai.provider.name"], Is.EqualTo("openai"));
            Assert.That(failed.Tags["error.type"], Is.EqualTo("rate_limited"));
            Assert.That(failed.Tags["server.address"], Is.EqualTo("127.0.0.1"));
            Assert.That(failed.Tags["server.port"], Is.EqualTo(8081));
            Assert.That(failed.Tags["llm_routing.deployment"], Is.EqualTo("first"));
            Assert.That(ok.Tags.ContainsKey("error.type"), Is.False);
            Assert.That(ok.Count, Is.EqualTo(1));
        }

        var tokens = otel.Points("gen_ai.client.token.usage").Where(p => (string?)p.Tags["gen_ai.request.model"] == "model-b").ToArray();
        Assert.That(tokens.Select(p => ((string?)p.Tags["gen_ai.token.type"], p.Value)), Is.EquivalentTo(new[] { ("input", 1000d), ("output", 200d) }));

        var firstChunk = otel.Points("gen_ai.client.operation.time_to_first_chunk");
        var perChunk = otel.Points("gen_ai.client.operation.time_per_output_chunk");
        Assert.That(firstChunk.Sum(p => p.Count), Is.EqualTo(streaming ? 1 : 0));
        Assert.That(perChunk.Sum(p => p.Count), Is.EqualTo(streaming ? 3 : 0), "3 words + the usage update = 4 chunks, 3 gaps");
    }

    [Test]
    public async Task Cost_is_counted_by_provider_model_tenant_variant_tag_and_budget([Values] bool streaming)
    {
        using var otel = new OtelCapture();
        await TelemetryChain.Build(Harness(), Hints).AskAsync(streaming, "hello");
        otel.Flush();

        var cost = otel.Points("llm_routing.cost").Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(cost.Value, Is.EqualTo(0.006).Within(1e-12));
            Assert.That(cost.Tags["gen_ai.provider.name"], Is.EqualTo("anthropic"));
            Assert.That(cost.Tags["gen_ai.request.model"], Is.EqualTo("model-b"));
            Assert.That(cost.Tags["llm_routing.deployment"], Is.EqualTo("second"));
            Assert.That(cost.Tags["llm_routing.tenant"], Is.EqualTo("acme"));
            Assert.That(cost.Tags["llm_routing.experiment.variant"], Is.EqualTo("B"));
        }

        var byTag = otel.Points("llm_routing.tag.cost");
        Assert.That(byTag.Select(p => ((string?)p.Tags["llm_routing.tag"], Math.Round(p.Value, 9))), Is.EquivalentTo(new[] { ("feature:summary", 0.006), ("team:search", 0.006) }));
        var budget = otel.Points("llm_routing.budget.consumed").Single();
        Assert.That(budget.Tags["llm_routing.budget_key"], Is.EqualTo("tenant:acme:day"));
        Assert.That(budget.Value, Is.EqualTo(0.006).Within(1e-12));
    }

    [Test]
    public async Task Request_duration_failovers_and_redactions_are_counted([Values] bool streaming)
    {
        using var otel = new OtelCapture();
        await TelemetryChain.Build(Harness(), Hints).AskAsync(streaming, "write to ana@example.com and bo@example.com");
        otel.Flush();

        var request = otel.Points("llm_routing.request.duration").Single();
        var failovers = otel.Points("llm_routing.failovers").Single();
        var redactions = otel.Points("llm_routing.redactions").Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(request.Tags["llm_routing.outcome"], Is.EqualTo("succeeded"));
            Assert.That(request.Tags["llm_routing.policy"], Is.EqualTo("cheapest"));
            Assert.That(request.Tags["llm_routing.deployment"], Is.EqualTo("second"));
            Assert.That(request.Tags["llm_routing.tenant"], Is.EqualTo("acme"));
            Assert.That(request.Tags["gen_ai.request.stream"], Is.EqualTo(streaming));
            Assert.That(failovers.Value, Is.EqualTo(1));
            Assert.That(failovers.Tags["llm_routing.deployment"], Is.EqualTo("first"), "the deployment that was left");
            Assert.That(failovers.Tags["error.type"], Is.EqualTo("rate_limited"));
            Assert.That(redactions.Value, Is.EqualTo(2));
            Assert.That(redactions.Tags["llm_routing.redaction.entity_type"], Is.EqualTo("EMAIL_ADDRESS"));
            Assert.That(otel.Points("llm_routing.retries"), Is.Empty);
            Assert.That(otel.Points("llm_routing.hedges"), Is.Empty);
            Assert.That(otel.Points("llm_routing.request.time_to_first_token").Sum(p => p.Count), Is.EqualTo(streaming ? 1 : 0));
        }
    }

    [Test]
    public void Retries_and_hedges_are_told_apart_from_failovers_by_the_attempts_recorded()
    {
        using var otel = new OtelCapture();
        var a = new Deployment("a", "openai", "m-a");
        var b = new Deployment("b", "openai", "m-b");
        var context = new LlmRequestContext("req-1", streaming: false);
        RoutingAttempt first = context.StartAttempt(a);
        first.Outcome = AttemptOutcome.Failed;
        first.ErrorKind = LlmErrorKind.Overloaded;
        RoutingAttempt retry = context.StartAttempt(a); // same deployment again: a retry
        retry.Outcome = AttemptOutcome.Failed;
        retry.ErrorKind = LlmErrorKind.Timeout;
        RoutingAttempt failover = context.StartAttempt(b); // another deployment: a failover
        failover.Outcome = AttemptOutcome.Cancelled;
        RoutingAttempt hedge = context.StartAttempt(a); // started while b ran: a hedge
        hedge.Hedged = true;
        hedge.Outcome = AttemptOutcome.Succeeded;

        RequestTelemetryScope scope = new RequestTelemetry().Start(streaming: false)!;
        scope.Attach(context);
        scope.Succeeded();
        scope.Dispose();
        otel.Flush();

        var retries = otel.Points("llm_routing.retries").Single();
        var failovers = otel.Points("llm_routing.failovers").Single();
        var hedges = otel.Points("llm_routing.hedges").Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(retries.Value, Is.EqualTo(1));
            Assert.That(retries.Tags["error.type"], Is.EqualTo("overloaded"));
            Assert.That(failovers.Value, Is.EqualTo(1));
            Assert.That(failovers.Tags["llm_routing.deployment"], Is.EqualTo("a"));
            Assert.That(failovers.Tags["error.type"], Is.EqualTo("timeout"));
            Assert.That(hedges.Value, Is.EqualTo(1));
            Assert.That(otel.Spans.Single().GetTagItem("llm_routing.hedged"), Is.True);
        }
    }

    [Test]
    public void Provider_time_counts_overlapping_attempts_once()
    {
        var context = new LlmRequestContext("req-1", streaming: false);
        var d = new Deployment("a", "openai", "m");
        RoutingAttempt one = context.StartAttempt(d);
        one.StartOffset = TimeSpan.FromMilliseconds(10);
        one.Duration = TimeSpan.FromMilliseconds(100); // 10..110
        RoutingAttempt two = context.StartAttempt(d);
        two.StartOffset = TimeSpan.FromMilliseconds(60);
        two.Duration = TimeSpan.FromMilliseconds(100); // 60..160 (hedge, overlaps)
        RoutingAttempt three = context.StartAttempt(d);
        three.StartOffset = TimeSpan.FromMilliseconds(200);
        three.Duration = TimeSpan.FromMilliseconds(50); // 200..250

        Assert.That(RequestTelemetryScope.ProviderTime(context.Attempts), Is.EqualTo(TimeSpan.FromMilliseconds(200)));
    }
}
