using System.Text.Json;
using Microsoft.Extensions.Time.Testing;

namespace LlmRouting.Tests.Routing;

[TestFixture]
public class StatisticsTests
{
    private static readonly ChatOptions HundredTokens = new() { MaxOutputTokens = 100 };

    /// <summary>A is predicted fastest (0.2 s + 100 tokens at 100/s = 1.2 s) over B (1.4 s); both behave as their priors say.</summary>
    private static (RouterKit Kit, Behaviour A, Behaviour B) TwoDeployments()
    {
        var kit = new RouterKit();
        Behaviour a = kit.Add("A", RouterKit.Model("p1", "a", 1m, 1m, ttftSeconds: 0.2, tokensPerSecond: 100));
        Behaviour b = kit.Add("B", RouterKit.Model("p2", "b", 2m, 2m, ttftSeconds: 0.4, tokensPerSecond: 100));
        foreach (Behaviour x in new[] { a, b })
        {
            x.Generation = TimeSpan.FromMilliseconds(200); // 20 output tokens at 100/s
            x.OutputTokens = 20;
        }

        a.TimeToFirstToken = TimeSpan.FromMilliseconds(200);
        b.TimeToFirstToken = TimeSpan.FromMilliseconds(400);
        return (kit, a, b);
    }

    private static async Task<string> Serve(IChatClient client, bool streaming, ChatOptions? options = null) =>
        (await client.AskAsync(streaming, "hi", options ?? HundredTokens)).GetRoutingReport()!.Deployment!;

    [Test]
    public async Task Traffic_leaves_a_deployment_whose_latency_degrades_and_returns_when_the_samples_age([Values] bool streaming)
    {
        (RouterKit kit, Behaviour a, _) = TwoDeployments();
        IChatClient client = kit.Build(r => r.Policy = new FastestRoutingPolicy());

        Assert.That(await Serve(client, streaming), Is.EqualTo("A"));

        a.TimeToFirstToken = TimeSpan.FromSeconds(3); // A degrades
        Assert.That(await Serve(client, streaming), Is.EqualTo("A"), "the first slow answer is the evidence");
        Assert.That(await Serve(client, streaming), Is.EqualTo("B"), "traffic moves away");
        Assert.That(await Serve(client, streaming), Is.EqualTo("B"));
        DeploymentStatistics stats = kit.Router.Statistics.GetStatistics("A");
        Assert.That(stats.TimeToFirstToken!.Value.Mean, Is.GreaterThan(0.5), "well above the 0.2 s prior");

        a.TimeToFirstToken = TimeSpan.FromMilliseconds(200); // A recovers, unseen
        kit.Time.Advance(TimeSpan.FromMinutes(30));          // six half-lives: the slow samples weigh 1/64
        Assert.That(await Serve(client, streaming), Is.EqualTo("A"), "traffic returns once the evidence has aged");
        Assert.That(await Serve(client, streaming), Is.EqualTo("A"), "and stays, because A is fast again");
    }

    [Test]
    public async Task Probes_that_see_a_recovered_deployment_bring_traffic_back_before_the_samples_age([Values] bool streaming)
    {
        (RouterKit kit, Behaviour a, _) = TwoDeployments();
        IChatClient client = kit.Build(r => r.Policy = new FastestRoutingPolicy());
        a.TimeToFirstToken = TimeSpan.FromSeconds(3);
        await Serve(client, streaming);
        Assert.That(await Serve(client, streaming), Is.EqualTo("B"));

        a.TimeToFirstToken = TimeSpan.FromMilliseconds(200);
        int probes = 0;
        while (await Serve(client, streaming) == "B")
        {
            // A pinned request is a health probe: it is served by A and its timings count like any other.
            Assert.That(await Serve(client, streaming, new ChatOptions { MaxOutputTokens = 100, ModelId = "A" }), Is.EqualTo("A"));
            Assert.That(++probes, Is.LessThan(40));
        }

        Assert.That(probes, Is.GreaterThan(0));
        Assert.That(kit.Time.GetUtcNow() - new DateTimeOffset(2026, 3, 2, 10, 0, 0, TimeSpan.Zero), Is.LessThan(TimeSpan.FromMinutes(2)), "recovered by evidence, not by ageing");
    }

    [Test]
    public async Task Traffic_leaves_a_deployment_whose_answers_go_bad_and_returns_when_it_recovers([Values] bool streaming)
    {
        (RouterKit kit, Behaviour a, _) = TwoDeployments();
        IChatClient client = kit.Build(r =>
        {
            r.Options.QualityPriors["A"] = 0.8;
            r.Options.QualityPriors["B"] = 0.9;
            r.Policy = new SloRoutingPolicy(new SloRoutingPolicyOptions { MinQuality = 0.5 });
        });
        Assert.That(await Serve(client, streaming), Is.EqualTo("A"), "cheapest meeting quality ≥ 0.5");

        a.Answer = ""; // A starts answering with nothing
        ChatResponse bad = await client.AskAsync(streaming, "hi", HundredTokens);
        Assert.That(bad.GetRoutingReport()!.QualitySignals, Is.EqualTo(new[] { "empty_answer" }));
        Assert.That(await Serve(client, streaming), Is.EqualTo("A"), "0.8 × (1 + 2) / (2 + 2) = 0.6: still above 0.5 after one bad answer");
        Assert.That(await Serve(client, streaming), Is.EqualTo("B"), "0.8 × 3 / 5 = 0.48: traffic moves away after the second");
        RoutingReport onB = (await client.AskAsync(streaming, "hi", HundredTokens)).GetRoutingReport()!;
        Assert.That(onB.Deployment, Is.EqualTo("B"));
        Assert.That(onB.QualitySignals, Is.Empty);

        a.Answer = "fine again";
        kit.Time.Advance(TimeSpan.FromHours(1));
        RoutingReport back = (await client.AskAsync(streaming, "hi", HundredTokens)).GetRoutingReport()!;
        Assert.That(back.Deployment, Is.EqualTo("A"), "traffic returns");
        Assert.That(back.PredictedQuality, Is.GreaterThan(0.79));
    }

    [Test]
    public async Task Explicit_feedback_by_request_id_or_report_moves_traffic([Values] bool streaming)
    {
        (RouterKit kit, _, _) = TwoDeployments();
        IChatClient client = kit.Build(r =>
        {
            r.Options.QualityPriors["A"] = 0.8;
            r.Options.QualityPriors["B"] = 0.9;
            r.Policy = new SloRoutingPolicy(new SloRoutingPolicyOptions { MinQuality = 0.6 });
        });
        IRoutingFeedback feedback = client.GetService<IRoutingFeedback>()!;
        Assert.That(feedback, Is.SameAs(kit.Router.Feedback));

        RoutingReport first = (await client.AskAsync(streaming, "hi", HundredTokens)).GetRoutingReport()!;
        Assert.That(first.Deployment, Is.EqualTo("A"));
        Assert.That(feedback.Score(first.RequestId, 0.0), Is.True);
        Assert.That(feedback.Score(first, 0.1), Is.True);

        RoutingReport second = (await client.AskAsync(streaming, "hi", HundredTokens)).GetRoutingReport()!;
        Assert.That(second.Deployment, Is.EqualTo("B"), "users scored A's answers badly");
        Assert.That(kit.Router.Statistics.GetStatistics("A").Quality!.Value.Count, Is.EqualTo(3), "one automatic sample and two scores");

        Assert.That(feedback.Score("no-such-request", 1), Is.False);
        Assert.Throws<ArgumentOutOfRangeException>(() => feedback.Score(first.RequestId, 1.5));
    }

    [Test]
    public async Task Failures_raise_the_error_rate_and_push_a_deployment_down_until_it_recovers([Values] bool streaming)
    {
        (RouterKit kit, Behaviour a, _) = TwoDeployments();
        IChatClient client = kit.Build(r => r.Policy = new FastestRoutingPolicy());
        a.Fail = _ => new LlmProviderException(LlmErrorKind.ServerError, "boom");

        RoutingReport report = (await client.AskAsync(streaming, "hi", HundredTokens)).GetRoutingReport()!;
        Assert.That(report.Attempts.Select(x => x.Deployment), Is.EqualTo(new[] { "A", "B" }), "A fails, B serves");
        report = (await client.AskAsync(streaming, "hi", HundredTokens)).GetRoutingReport()!;
        Assert.That(report.Candidates[0], Is.EqualTo("B"), "expected latency 1.2 s / (1 − 1/3) = 1.8 s > 1.4 s");
        Assert.That(report.Attempts.Select(x => x.Deployment), Is.EqualTo(new[] { "B" }));
        Assert.That(kit.Router.Statistics.GetStatistics("A").ErrorRate!.Value.Mean, Is.EqualTo(1.0));

        a.Fail = null;
        kit.Time.Advance(TimeSpan.FromHours(1));
        report = (await client.AskAsync(streaming, "hi", HundredTokens)).GetRoutingReport()!;
        Assert.That(report.Candidates[0], Is.EqualTo("A"));
        Assert.That(report.Attempts.Single().Outcome, Is.EqualTo(AttemptOutcome.Succeeded));
    }

    [Test]
    public async Task Streamed_attempts_record_time_to_first_token_and_speed([Values] bool streaming)
    {
        (RouterKit kit, Behaviour a, _) = TwoDeployments();
        IChatClient client = kit.Build(r => r.Policy = new FastestRoutingPolicy());
        a.TimeToFirstToken = TimeSpan.FromMilliseconds(500);
        a.Generation = TimeSpan.FromMilliseconds(400); // 20 tokens in 0.4 s = 50/s

        await client.AskAsync(streaming, "hi", HundredTokens);

        DeploymentStatistics s = kit.Router.Statistics.GetStatistics("A");
        Assert.That(s.Latency!.Value.Mean, Is.EqualTo(0.9).Within(1e-9));
        Assert.That(s.ErrorRate!.Value.Mean, Is.Zero);
        if (streaming)
        {
            Assert.That(s.TimeToFirstToken!.Value.Mean, Is.EqualTo(0.5).Within(1e-9));
            Assert.That(s.OutputTokensPerSecond!.Value.Mean, Is.EqualTo(50).Within(1e-6));
        }
        else
        {
            // Only the total is known: the predicted 0.2 s + 20 / 100 s = 0.4 s took 0.9 s, so both parts scale by 2.25.
            Assert.That(s.TimeToFirstToken!.Value.Mean, Is.EqualTo(0.45).Within(1e-9));
            Assert.That(s.OutputTokensPerSecond!.Value.Mean, Is.EqualTo(100 / 2.25).Within(1e-6));
        }
    }

    [Test]
    public async Task Answers_that_do_not_match_the_requested_schema_are_a_quality_signal([Values] bool streaming)
    {
        var kit = new RouterKit();
        Behaviour b = kit.Add("json", RouterKit.Model("p", "j", 1m, 1m, ModelCapabilities.JsonSchema | ModelCapabilities.Streaming));
        IChatClient client = kit.Build();
        JsonElement schema = JsonDocument.Parse("""
            {"type":"object","properties":{"city":{"type":"string"},"temp":{"type":"number","minimum":-90}},"required":["city","temp"],"additionalProperties":false}
            """).RootElement;
        var options = new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(schema, "weather") };

        b.Answer = """{"city":"Paris","temp":21.5}""";
        Assert.That((await client.AskAsync(streaming, "weather", options)).GetRoutingReport()!.QualitySignals, Is.Empty);

        b.Answer = """{"city":"Paris"}""";
        Assert.That((await client.AskAsync(streaming, "weather", options)).GetRoutingReport()!.QualitySignals, Is.EqualTo(new[] { "json_schema_invalid" }));

        b.Answer = "Paris is sunny.";
        Assert.That((await client.AskAsync(streaming, "weather", options)).GetRoutingReport()!.QualitySignals, Is.EqualTo(new[] { "json_invalid" }));

        StatisticEstimate quality = kit.Router.Statistics.GetStatistics("json").Quality!.Value;
        Assert.That(quality.Count, Is.EqualTo(3));
        Assert.That(quality.Mean, Is.EqualTo(1.0 / 3).Within(1e-3), "two of three answers failed (recent ones weigh a little more)");
    }

    [Test]
    public async Task Cut_answers_bad_tool_arguments_and_refusals_are_quality_signals([Values] bool streaming)
    {
        var kit = new RouterKit();
        Behaviour b = kit.Add("m", RouterKit.Model("p", "m", 1m, 1m));
        IChatClient client = kit.Build();

        b.FinishReason = ChatFinishReason.Length;
        b.Answer = "The answer is long and";
        Assert.That((await client.AskAsync(streaming, "q")).GetRoutingReport()!.QualitySignals, Is.EqualTo(new[] { "length_limit" }));

        b.FinishReason = ChatFinishReason.ToolCalls;
        b.Answer = "";
        b.ExtraContents.Add(new FunctionCallContent("c1", "lookup") { Exception = new JsonException("bad arguments") });
        Assert.That((await client.AskAsync(streaming, "q")).GetRoutingReport()!.QualitySignals, Is.EqualTo(new[] { "invalid_tool_arguments" }));

        b.ExtraContents.Clear();
        b.FinishReason = ChatFinishReason.Stop;
        b.Answer = "I'm sorry, but I can't help with that.";
        Assert.That((await client.AskAsync(streaming, "q")).GetRoutingReport()!.QualitySignals, Is.EqualTo(new[] { "refusal" }));

        b.Answer = "";
        b.ExtraContents.Add(new ErrorContent("no") { ErrorCode = "refusal" });
        Assert.That((await client.AskAsync(streaming, "q")).GetRoutingReport()!.QualitySignals, Is.EqualTo(new[] { "refusal" }));

        b.ExtraContents.Clear();
        b.Answer = "I'm sorry, but I can't stress enough how much detail matters here. " + new string('x', 500);
        Assert.That((await client.AskAsync(streaming, "q")).GetRoutingReport()!.QualitySignals, Is.Empty, "a long answer that opens politely is an answer");
    }

    [Test]
    public void The_store_averages_with_exponential_time_decay()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var store = new InMemoryRoutingStatisticsStore(TimeSpan.FromMinutes(1), time);
        Assert.That(store.GetStatistics("x").Latency, Is.Null);

        store.Record("x", DeploymentMetric.Latency, 1.0);
        time.Advance(TimeSpan.FromMinutes(1));
        store.Record("x", DeploymentMetric.Latency, 4.0);

        StatisticEstimate e = store.GetStatistics("X").Latency!.Value; // names are case-insensitive
        Assert.That(e.Count, Is.EqualTo(2));
        Assert.That(e.Weight, Is.EqualTo(1.5).Within(1e-12), "the older sample counts half");
        Assert.That(e.Mean, Is.EqualTo((0.5 * 1 + 4) / 1.5).Within(1e-12));

        time.Advance(TimeSpan.FromMinutes(2));
        StatisticEstimate later = store.GetStatistics("x").Latency!.Value;
        Assert.That(later.Weight, Is.EqualTo(1.5 / 4).Within(1e-12));
        Assert.That(later.Mean, Is.EqualTo(e.Mean).Within(1e-12), "ageing lowers the weight, not the mean");

        Assert.That(RoutingPredictor.Blend(later, 1.0, 2.0), Is.EqualTo(((later.Mean * later.Weight) + 2.0) / (later.Weight + 2.0)).Within(1e-12));
        Assert.Throws<ArgumentException>(() => store.Record("x", DeploymentMetric.Latency, double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => store.Record("x", (DeploymentMetric)42, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new InMemoryRoutingStatisticsStore(TimeSpan.Zero));
    }

    [Test]
    public void The_store_is_safe_under_concurrent_writers()
    {
        var store = new InMemoryRoutingStatisticsStore(TimeSpan.FromHours(1), new FakeTimeProvider());
        Parallel.For(0, 10_000, i => store.Record("x", DeploymentMetric.ErrorRate, i % 4 == 0 ? 1 : 0));
        StatisticEstimate e = store.GetStatistics("x").ErrorRate!.Value;
        Assert.That(e.Count, Is.EqualTo(10_000));
        Assert.That(e.Mean, Is.EqualTo(0.25).Within(1e-9));
    }

    [Test]
    public void Schema_check_covers_the_structured_output_keywords()
    {
        string schema = """
            {"$defs":{"item":{"type":"object","properties":{"n":{"type":"integer"}},"required":["n"]}},
             "type":"object",
             "properties":{
               "kind":{"enum":["a","b"]},
               "items":{"type":"array","items":{"$ref":"#/$defs/item"},"minItems":1},
               "name":{"type":["string","null"],"maxLength":5},
               "score":{"anyOf":[{"type":"number","maximum":1},{"type":"string"}]}
             },
             "required":["kind","items"]}
            """;
        JsonElement s = JsonDocument.Parse(schema).RootElement;
        Assert.That(JsonSchemaValidator.Validate("""{"kind":"a","items":[{"n":1}],"name":null,"score":0.5}""", s), Is.Null);
        Assert.That(JsonSchemaValidator.Validate("""{"kind":"c","items":[{"n":1}]}""", s), Does.Contain("$.kind"));
        Assert.That(JsonSchemaValidator.Validate("""{"kind":"a","items":[]}""", s), Does.Contain("fewer than 1 items"));
        Assert.That(JsonSchemaValidator.Validate("""{"kind":"a","items":[{"n":1.5}]}""", s), Does.Contain("$.items[0].n"));
        Assert.That(JsonSchemaValidator.Validate("""{"kind":"a","items":[{"n":1}],"name":"toolong"}""", s), Does.Contain("longer than 5"));
        Assert.That(JsonSchemaValidator.Validate("""{"kind":"a","items":[{"n":1}],"score":3}""", s), Does.Contain("anyOf"));
        Assert.That(JsonSchemaValidator.Validate("""{"items":[{"n":1}]}""", s), Does.Contain("missing required property 'kind'"));
        Assert.That(JsonSchemaValidator.Validate("[1,", null), Is.EqualTo("the answer is not valid JSON"));
        Assert.That(JsonSchemaValidator.Validate("[1]", null), Is.Null, "JSON mode without a schema only needs valid JSON");
    }

    [Test]
    public async Task A_failing_statistics_store_falls_back_to_priors_and_never_fails_a_request([Values] bool streaming)
    {
        (RouterKit kit, _, _) = TwoDeployments();
        IChatClient client = kit.Build(r =>
        {
            r.Policy = new FastestRoutingPolicy();
            r.Statistics = new BrokenStore();
        });

        RoutingReport report = (await client.AskAsync(streaming, "hi", HundredTokens)).GetRoutingReport()!;

        Assert.That(report.Deployment, Is.EqualTo("A"));
        Assert.That(report.PredictedLatency!.Value.TotalSeconds, Is.EqualTo(1.2).Within(1e-9), "catalog priors only");
    }

    private sealed class BrokenStore : IRoutingStatisticsStore
    {
        public void Record(string deployment, DeploymentMetric metric, double value) => throw new InvalidOperationException("store down");

        public DeploymentStatistics GetStatistics(string deployment) => throw new InvalidOperationException("store down");
    }
}
