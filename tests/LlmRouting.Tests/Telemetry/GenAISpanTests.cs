using System.Diagnostics;
using System.Net;

namespace LlmRouting.Tests.Telemetry;

[TestFixture]
[NonParallelizable]
public class GenAISpanTests
{
    private static ChainHarness FailoverHarness()
    {
        var h = new ChainHarness();
        h.Add(TelemetryChain.Deployment("first", "openai", "model-a", 0.1m, 0.1m, new Uri("http://127.0.0.1:8081/v1/")), "x",
            _ => new LlmProviderException(LlmErrorKind.RateLimited, "429 for prompt 'hello'") { StatusCode = HttpStatusCode.TooManyRequests });
        h.Add(TelemetryChain.Deployment("second", "anthropic", "model-b", 3m, 15m), "fine answer", usageIn: 1000, usageOut: 200);
        return h;
    }

    private static void Hints(LlmRequestContext c)
    {
        c.Tenant = "acme";
        c.User = "ana@example.com";
        c.Tags = ["feature:summary", "team:search"];
        c.BudgetKey = "tenant:acme:day";
        c.Experiment = "router-v2";
        c.ExperimentVariant = "B";
        c.PromptCategory = "summarisation";
    }

    [Test]
    public async Task One_request_span_is_the_parent_of_one_genai_client_span_per_attempt([Values] bool streaming)
    {
        using var otel = new OtelCapture();
        IChatClient chat = TelemetryChain.Build(FailoverHarness(), Hints);

        ChatResponse response = await chat.AskAsync(streaming, "hello", new ChatOptions { Temperature = 0.2f, MaxOutputTokens = 300, TopP = 0.9f, Seed = 7 });
        otel.Flush();

        Activity route = otel.Spans.Single(s => s.OperationName == "route");
        Activity[] attempts = otel.Spans.Where(s => s.DisplayName.StartsWith("chat ", StringComparison.Ordinal)).OrderBy(s => (int)s.GetTagItem("llm_routing.attempt")!).ToArray();
        Assert.That(attempts, Has.Length.EqualTo(2));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(route.DisplayName, Is.EqualTo("route cheapest"));
            Assert.That(route.Kind, Is.EqualTo(ActivityKind.Internal));
            Assert.That(attempts.Select(a => a.ParentSpanId), Has.All.EqualTo(route.SpanId), "attempt spans are children of the request span");
            Assert.That(attempts.Select(a => a.TraceId), Has.All.EqualTo(route.TraceId));
            Assert.That(attempts.Select(a => a.Kind), Has.All.EqualTo(ActivityKind.Client));
            Assert.That(attempts.Select(a => a.DisplayName), Is.EqualTo(new[] { "chat model-a", "chat model-b" }));

            Assert.That(route.GetTagItem("llm_routing.request_id"), Is.EqualTo(response.GetRoutingReport()!.RequestId));
            Assert.That(route.GetTagItem("llm_routing.policy"), Is.EqualTo("cheapest"));
            Assert.That(route.GetTagItem("llm_routing.candidate_count"), Is.EqualTo(2));
            Assert.That(route.GetTagItem("llm_routing.candidates"), Is.EqualTo(new[] { "first", "second" }));
            Assert.That(route.GetTagItem("llm_routing.attempts"), Is.EqualTo(2));
            Assert.That(route.GetTagItem("llm_routing.failovers"), Is.EqualTo(1));
            Assert.That(route.GetTagItem("llm_routing.retries"), Is.EqualTo(0));
            Assert.That(route.GetTagItem("llm_routing.hedged"), Is.False);
            Assert.That(route.GetTagItem("llm_routing.deployment"), Is.EqualTo("second"));
            Assert.That(route.GetTagItem("llm_routing.provider"), Is.EqualTo("anthropic"));
            Assert.That(route.GetTagItem("llm_routing.outcome"), Is.EqualTo("succeeded"));
            Assert.That(route.GetTagItem("llm_routing.cost_usd"), Is.EqualTo(0.006d));
            Assert.That(route.GetTagItem("llm_routing.usage.input_tokens"), Is.EqualTo(1000L));
            Assert.That(route.GetTagItem("llm_routing.tenant"), Is.EqualTo("acme"));
            Assert.That(route.GetTagItem("llm_routing.tags"), Is.EqualTo(new[] { "feature:summary", "team:search" }));
            Assert.That(route.GetTagItem("llm_routing.budget_key"), Is.EqualTo("tenant:acme:day"));
            Assert.That(route.GetTagItem("llm_routing.experiment"), Is.EqualTo("router-v2"));
            Assert.That(route.GetTagItem("llm_routing.experiment.variant"), Is.EqualTo("B"));
            Assert.That(route.GetTagItem("llm_routing.prompt_category"), Is.EqualTo("summarisation"));
            Assert.That(route.GetTagItem("llm_routing.user"), Does.Match("^u_[0-9a-f]{16}$"), "a pseudonym, never the raw user id");
            Assert.That(route.GetTagItem("gen_ai.request.stream"), Is.EqualTo(streaming));
            Assert.That(route.Status, Is.EqualTo(ActivityStatusCode.Unset));
        }

        Activity failed = attempts[0], ok = attempts[1];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(failed.GetTagItem("gen_ai.operation.name"), Is.EqualTo("chat"));
            Assert.That(failed.GetTagItem("gen_ai.provider.name"), Is.EqualTo("openai"));
            Assert.That(failed.GetTagItem("gen_ai.request.model"), Is.EqualTo("model-a"));
            Assert.That(failed.GetTagItem("server.address"), Is.EqualTo("127.0.0.1"));
            Assert.That(failed.GetTagItem("server.port"), Is.EqualTo(8081));
            Assert.That(failed.GetTagItem("gen_ai.request.temperature"), Is.EqualTo(0.2f));
            Assert.That(failed.GetTagItem("gen_ai.request.max_tokens"), Is.EqualTo(300));
            Assert.That(failed.GetTagItem("gen_ai.request.top_p"), Is.EqualTo(0.9f));
            Assert.That(failed.GetTagItem("gen_ai.request.seed"), Is.EqualTo(7L));
            Assert.That(failed.GetTagItem("error.type"), Is.EqualTo("rate_limited"));
            Assert.That(failed.Status, Is.EqualTo(ActivityStatusCode.Error));
            Assert.That(failed.StatusDescription, Is.EqualTo("rate_limited"), "never the exception message, which may quote the prompt");
            Assert.That(failed.GetTagItem("llm_routing.attempt"), Is.EqualTo(1));
            Assert.That(failed.GetTagItem("llm_routing.deployment"), Is.EqualTo("first"));
            Assert.That(failed.GetTagItem("llm_routing.failover_reason"), Is.Null);

            Assert.That(ok.GetTagItem("gen_ai.provider.name"), Is.EqualTo("anthropic"));
            Assert.That(ok.GetTagItem("llm_routing.attempt"), Is.EqualTo(2));
            Assert.That(ok.GetTagItem("llm_routing.failover_reason"), Is.EqualTo("failover:rate_limited"), "why this attempt was made");
            Assert.That(ok.GetTagItem("gen_ai.usage.input_tokens"), Is.EqualTo(1000));
            Assert.That(ok.GetTagItem("gen_ai.usage.output_tokens"), Is.EqualTo(200));
            Assert.That(ok.GetTagItem("gen_ai.response.finish_reasons"), Is.EqualTo("[\"stop\"]"));
            Assert.That(ok.GetTagItem("gen_ai.response.id"), Is.EqualTo("resp-second"));
            Assert.That(ok.GetTagItem("llm_routing.cost_usd"), Is.EqualTo(0.006d));
            Assert.That(ok.GetTagItem("error.type"), Is.Null);
            Assert.That(ok.GetTagItem("gen_ai.request.stream"), streaming ? Is.True : Is.Null);
            Assert.That(ok.GetTagItem("gen_ai.response.time_to_first_chunk"), streaming ? Is.TypeOf<double>() : Is.Null);
            Assert.That(ok.GetTagItem("gen_ai.input.messages"), Is.Null, "content capture is off by default");
            Assert.That(ok.GetTagItem("gen_ai.output.messages"), Is.Null);
        }
    }

    [Test]
    public async Task A_request_that_fails_everywhere_ends_its_span_with_the_error_kind([Values] bool streaming)
    {
        using var otel = new OtelCapture();
        var h = new ChainHarness();
        h.Add(TelemetryChain.Deployment("a", "openai", "m-a"), "x", _ => new LlmProviderException(LlmErrorKind.Overloaded, "overloaded"));
        h.Add(TelemetryChain.Deployment("b", "openai", "m-b", 5m, 5m), "x", _ => new LlmProviderException(LlmErrorKind.ServerError, "boom"));

        await Assert.ThrowsAsync<AllAttemptsFailedException>(() => TelemetryChain.Build(h).AskAsync(streaming, "hi"));
        otel.Flush();

        Activity route = otel.Spans.Single(s => s.OperationName == "route");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(route.GetTagItem("error.type"), Is.EqualTo("server_error"), "the last failure's kind");
            Assert.That(route.Status, Is.EqualTo(ActivityStatusCode.Error));
            Assert.That(route.GetTagItem("llm_routing.outcome"), Is.EqualTo("failed"));
            Assert.That(route.GetTagItem("llm_routing.deployment"), Is.Null);
            Assert.That(otel.Spans.Count(s => s.ParentSpanId == route.SpanId), Is.EqualTo(2));
        }
    }

    [Test]
    public async Task A_request_no_deployment_can_serve_still_has_its_span([Values] bool streaming)
    {
        using var otel = new OtelCapture();
        var h = new ChainHarness();
        h.Add(TelemetryChain.Deployment("a", "openai", "m-a"));

        await Assert.ThrowsAsync<NoEligibleDeploymentException>(() => TelemetryChain.Build(h).AskAsync(streaming, "hi", new ChatOptions { ModelId = "unknown-model" }));
        otel.Flush();

        Activity route = otel.Spans.Single(s => s.OperationName == "route");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(route.DisplayName, Is.EqualTo("route pinned"), "the policy is known even though routing failed");
            Assert.That(route.GetTagItem("llm_routing.policy"), Is.EqualTo("pinned"));
            Assert.That(route.GetTagItem("llm_routing.rejected_count"), Is.EqualTo(1), "the one deployment was rejected");
            Assert.That(route.GetTagItem("llm_routing.candidate_count"), Is.EqualTo(0));
            Assert.That(route.GetTagItem("error.type"), Is.EqualTo("no_eligible_deployment"));
            Assert.That(route.GetTagItem("llm_routing.attempts"), Is.EqualTo(0));
            Assert.That(otel.Spans, Has.Count.EqualTo(1), "no attempt was made");
        }
    }

    [Test]
    public async Task Redaction_counts_are_on_the_request_span([Values] bool streaming)
    {
        using var otel = new OtelCapture();
        var h = new ChainHarness();
        h.Add(TelemetryChain.Deployment("a", "openai", "m-a"));

        await TelemetryChain.Build(h).AskAsync(streaming, "mail ana@example.com or bo@example.org, card 4111 1111 1111 1111");
        otel.Flush();

        Activity route = otel.Spans.Single(s => s.OperationName == "route");
        Assert.That(route.GetTagItem("llm_routing.redactions.email_address"), Is.EqualTo(2));
        Assert.That(route.GetTagItem("llm_routing.redactions.credit_card"), Is.EqualTo(1));
    }

    [Test]
    public async Task A_cancelled_request_ends_as_cancelled_not_failed([Values] bool streaming)
    {
        using var otel = new OtelCapture();
        var h = new ChainHarness();
        h.Add(TelemetryChain.Deployment("a", "openai", "m-a"));
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.CatchAsync<OperationCanceledException>(() => TelemetryChain.Build(h).AskAsync(streaming, "hi", ct: cts.Token));
        otel.Flush();

        Activity route = otel.Spans.Single(s => s.OperationName == "route");
        Assert.That(route.GetTagItem("llm_routing.outcome"), Is.EqualTo("cancelled"));
        Assert.That(route.GetTagItem("error.type"), Is.Null);
        Assert.That(route.Status, Is.EqualTo(ActivityStatusCode.Unset));
    }

    [Test]
    public async Task A_stream_the_caller_stops_reading_ends_as_cancelled()
    {
        using var otel = new OtelCapture();
        var h = new ChainHarness();
        h.Add(TelemetryChain.Deployment("a", "openai", "m-a"), "one two three four");

        await foreach (ChatResponseUpdate _ in TelemetryChain.Build(h).GetStreamingResponseAsync("hi"))
        {
            break;
        }

        otel.Flush();
        Activity route = otel.Spans.Single(s => s.OperationName == "route");
        Assert.That(route.GetTagItem("llm_routing.outcome"), Is.EqualTo("cancelled"));
        Assert.That(route.GetTagItem("llm_routing.deployment"), Is.EqualTo("a"), "the committed attempt answered, partly");
    }

    [Test]
    public async Task Without_listeners_no_span_is_created_and_the_request_still_reports([Values] bool streaming)
    {
        var h = new ChainHarness();
        h.Add(TelemetryChain.Deployment("a", "openai", "m-a"));

        Assert.That(LlmRoutingDiagnostics.ActivitySource.HasListeners(), Is.False);
        ChatResponse response = await TelemetryChain.Build(h).AskAsync(streaming, "hi");

        Assert.That(response.GetRoutingReport()!.Deployment, Is.EqualTo("a"));
        Assert.That(response.GetRoutingReport()!.CostUsd, Is.GreaterThan(0m), "cost is computed without listeners");
        Assert.That(new RequestTelemetry().Start(streaming), Is.Null, "no listener, no log: nothing is allocated");
    }
}
