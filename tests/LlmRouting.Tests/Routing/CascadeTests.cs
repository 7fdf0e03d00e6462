using System.Text.Json;

namespace LlmRouting.Tests.Routing;

[TestFixture]
public class CascadeTests
{
    private const string Good = """{"city":"Paris","temp":21}""";
    private static readonly JsonElement Schema = JsonDocument.Parse("""{"type":"object","properties":{"city":{"type":"string"},"temp":{"type":"number"}},"required":["city","temp"]}""").RootElement;

    private static RouterKit Fleet()
    {
        var kit = new RouterKit();
        const ModelCapabilities caps = ModelCapabilities.JsonSchema | ModelCapabilities.Tools | ModelCapabilities.Streaming;
        kit.Add("mini", RouterKit.Model("openai", "mini", 0.15m, 0.6m, caps)).Answer = "mini says hello";
        kit.Add("mid", RouterKit.Model("openai", "mid", 1m, 4m, caps)).Answer = "mid says hello";
        kit.Add("large", RouterKit.Model("openai", "large", 2.5m, 10m, caps)).Answer = "large says hello";
        return kit;
    }

    private static IChatClient Build(RouterKit kit, Action<CostRouterChatClient>? more = null) => kit.Build(r =>
    {
        r.Options.QualityPriors["mini"] = 0.4;
        r.Options.QualityPriors["mid"] = 0.6;
        r.Options.QualityPriors["large"] = 0.9;
        r.Options.Cascade.Enabled = true;
        more?.Invoke(r);
    });

    private static async Task<(ChatResponse Response, List<ChatResponseUpdate> Updates)> Ask(IChatClient client, bool streaming, string prompt, ChatOptions? options = null)
    {
        if (!streaming)
        {
            return (await client.GetResponseAsync(prompt, options), []);
        }

        var updates = new List<ChatResponseUpdate>();
        await foreach (ChatResponseUpdate u in client.GetStreamingResponseAsync(prompt, options))
        {
            updates.Add(u);
        }

        return (updates.ToChatResponse(), updates);
    }

    [Test]
    public async Task An_answer_that_breaks_the_schema_escalates_and_both_attempts_are_paid_for([Values] bool streaming)
    {
        RouterKit kit = Fleet();
        kit.Behaviours["mini"].Answer = """{"city":"Paris"}""";
        kit.Behaviours["large"].Answer = Good;
        IChatClient client = Build(kit);

        (ChatResponse response, List<ChatResponseUpdate> updates) = await Ask(client, streaming, "weather?", new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(Schema, "w") });
        RoutingReport report = response.GetRoutingReport()!;

        Assert.That(response.Text, Is.EqualTo(Good));
        Assert.That(updates.Select(u => u.Text), Has.None.Contains("Paris\"}"), "the rejected answer never reached the caller");
        Assert.That(report.Deployment, Is.EqualTo("large"));
        Assert.That(report.CascadeSteps.Select(s => (s.Step, s.Deployment, s.Accepted, s.Escalation, s.Buffered)), Is.EqualTo(new (int, string, bool, string?, bool)[]
        {
            (1, "mini", false, "json_schema_invalid", streaming),
            (2, "large", true, null, false),
        }));
        Assert.That(report.OutputBuffered, Is.EqualTo(streaming));
        Assert.That(report.Attempts.Select(a => a.Deployment), Is.EqualTo(new[] { "mini", "large" }));
        Assert.That(report.Attempts[0].FailoverReason, Is.EqualTo("cascade:json_schema_invalid"));
        Assert.That(report.CostUsd, Is.EqualTo(report.Attempts.Sum(a => a.CostUsd)));
        Assert.That(report.CostUsd, Is.EqualTo(report.CascadeSteps.Sum(s => s.CostUsd)));
        Assert.That(report.CascadeSteps[0].CostUsd, Is.GreaterThan(0m), "the cheap attempt counts");
        Assert.That(report.Reason, Does.Contain("cascade: mini → large"));
        Assert.That(report.QualitySignals, Is.Empty, "the answer returned is fine");
        Assert.That(kit.Router.Statistics.GetStatistics("mini").Quality!.Value.Mean, Is.Zero, "the rejected answer counts against mini");
    }

    [Test]
    public async Task An_answer_that_passes_ends_the_cascade_and_a_buffered_stream_is_replayed([Values] bool streaming)
    {
        RouterKit kit = Fleet();
        IChatClient client = Build(kit);

        (ChatResponse response, List<ChatResponseUpdate> updates) = await Ask(client, streaming, "hello");
        RoutingReport report = response.GetRoutingReport()!;

        Assert.That(response.Text, Is.EqualTo("mini says hello"));
        Assert.That(kit.CallsTo(), Is.EqualTo(new[] { "mini" }));
        Assert.That(report.CascadeSteps.Single(), Is.EqualTo(new CascadeStep(1, "mini", true, null, streaming, report.CostUsd)));
        Assert.That(report.OutputBuffered, Is.EqualTo(streaming));
        Assert.That(report.Candidates, Is.EqualTo(new[] { "mini", "mid", "large" }), "the report lists every candidate");
        if (streaming)
        {
            Assert.That(updates.Count(u => u.Text.Length > 0), Is.EqualTo(3), "all three word updates, replayed");
            Assert.That(updates[^1].GetRoutingReport(), Is.Not.Null);
            Assert.That(report.TimeToFirstToken, Is.GreaterThanOrEqualTo(report.Attempts[0].Duration), "buffering delays the first token until the check");
        }
    }

    [TestCase("", "empty_answer")]
    [TestCase("Paris, probably.\nConfidence: 0.3", "low_confidence")]
    [TestCase("Paris.\n**Confidence:** 20%", "low_confidence")]
    [TestCase("I'm sorry, but I can't help with that.", "refusal")]
    public async Task Empty_refused_and_unsure_answers_escalate(string cheapAnswer, string escalation)
    {
        foreach (bool streaming in new[] { false, true })
        {
            RouterKit kit = Fleet();
            kit.Behaviours["mini"].Answer = cheapAnswer;
            IChatClient client = Build(kit);

            (ChatResponse response, _) = await Ask(client, streaming, "capital of France?");

            Assert.That(response.Text, Is.EqualTo("large says hello"), $"streaming={streaming}");
            Assert.That(response.GetRoutingReport()!.CascadeSteps[0].Escalation, Is.EqualTo(escalation), $"streaming={streaming}");
        }
    }

    [Test]
    public async Task A_confident_answer_is_accepted([Values] bool streaming)
    {
        RouterKit kit = Fleet();
        kit.Behaviours["mini"].Answer = """{"answer":"Paris","confidence":0.93}""";
        IChatClient client = Build(kit);
        (ChatResponse response, _) = await Ask(client, streaming, "capital of France?");
        Assert.That(response.GetRoutingReport()!.Deployment, Is.EqualTo("mini"));
    }

    [Test]
    public async Task A_user_predicate_can_escalate([Values] bool streaming)
    {
        RouterKit kit = Fleet();
        var seen = new List<(int Step, string Deployment, string Text)>();
        IChatClient client = Build(kit, r => r.CascadePredicate = args =>
        {
            seen.Add((args.Step, args.Deployment.Name, args.Response.Text));
            return !args.Response.Text.Contains("mini", StringComparison.Ordinal);
        });

        (ChatResponse response, _) = await Ask(client, streaming, "hello");

        Assert.That(response.Text, Is.EqualTo("large says hello"));
        Assert.That(seen, Is.EqualTo(new[] { (1, "mini", "mini says hello") }), "the last step is not checked");
        Assert.That(response.GetRoutingReport()!.CascadeSteps[0].Escalation, Is.EqualTo("predicate"));
    }

    [Test]
    public async Task A_failing_cheap_step_escalates_but_a_bad_request_does_not([Values] bool streaming)
    {
        RouterKit kit = Fleet();
        kit.Behaviours["mini"].Fail = _ => new LlmProviderException(LlmErrorKind.ServerError, "down");
        IChatClient client = Build(kit);

        (ChatResponse response, _) = await Ask(client, streaming, "hello");
        RoutingReport report = response.GetRoutingReport()!;
        Assert.That(report.Deployment, Is.EqualTo("large"));
        Assert.That(report.CascadeSteps[0].Escalation, Is.EqualTo("error:server_error"));
        Assert.That(report.Attempts[0].Outcome, Is.EqualTo(AttemptOutcome.Failed));

        kit.Behaviours["mini"].Fail = _ => new LlmProviderException(LlmErrorKind.BadRequest, "malformed");
        var ex = await Assert.ThrowsAsync<LlmProviderException>(() => Ask(client, streaming, "hello"));
        Assert.That(ex!.Kind, Is.EqualTo(LlmErrorKind.BadRequest));
        Assert.That(kit.CallsTo().Count(c => c == "large"), Is.EqualTo(1), "a malformed request is not escalated");
    }

    [Test]
    public async Task Configured_steps_run_in_order_and_the_last_step_keeps_its_failover([Values] bool streaming)
    {
        RouterKit kit = Fleet();
        kit.Behaviours["mini"].Answer = "";
        kit.Behaviours["mid"].Answer = "";
        kit.Behaviours["large"].Fail = _ => new LlmProviderException(LlmErrorKind.Overloaded, "busy");
        IChatClient client = Build(kit, r => r.Options.Cascade.Steps = ["mini", "large"]);

        (ChatResponse response, _) = await Ask(client, streaming, "hello");
        RoutingReport report = response.GetRoutingReport()!;

        // mini is rejected; large (the last step) fails over to mid, the remaining candidate.
        Assert.That(report.Attempts.Select(a => a.Deployment), Is.EqualTo(new[] { "mini", "large", "mid" }));
        Assert.That(report.Deployment, Is.EqualTo("mid"));
        Assert.That(report.CascadeSteps.Select(s => (s.Deployment, s.Accepted)), Is.EqualTo(new[] { ("mini", false), ("mid", true) }));
        Assert.That(report.QualitySignals, Is.EqualTo(new[] { "empty_answer" }), "the last step is not checked, only observed");
    }

    [Test]
    public async Task The_hint_turns_the_cascade_on_or_off_per_request([Values] bool streaming)
    {
        RouterKit kit = Fleet();
        kit.Behaviours["mini"].Answer = "";
        IChatClient client = Build(kit, r => r.Options.Cascade.Enabled = false);

        Assert.That((await Ask(client, streaming, "hi")).Response.GetRoutingReport()!.CascadeSteps, Is.Empty);
        Assert.That((await Ask(client, streaming, "hi", new ChatOptions().WithCascade())).Response.GetRoutingReport()!.Deployment, Is.EqualTo("large"));

        IChatClient always = Build(Fleet());
        Assert.That((await Ask(always, streaming, "hi", new ChatOptions().WithCascade(false))).Response.GetRoutingReport()!.CascadeSteps, Is.Empty);
        Assert.That((await Ask(always, streaming, "hi", new ChatOptions { ModelId = "mid" })).Response.GetRoutingReport()!.CascadeSteps, Is.Empty, "a pinned request does not cascade");
    }

    [Test]
    public async Task A_budget_reserves_both_steps_and_is_charged_both([Values] bool streaming)
    {
        RouterKit kit = Fleet();
        kit.Behaviours["mini"].Answer = "";
        IChatClient client = Build(kit, r => r.Budgets["all"] = new BudgetOptions { LimitUsd = 1m });
        var options = new ChatOptions { MaxOutputTokens = 20 };

        RoutingReport report = (await Ask(client, streaming, "hello", options)).Response.GetRoutingReport()!;

        // "hello": 4 + 2 = 6 prompt tokens; mini 6 × 0.15 + 20 × 0.6 = $0.0000129, large 6 × 2.5 + 20 × 10 = $0.000215 (per million)
        BudgetStatus budget = report.Budgets.Single();
        Assert.That(budget.ReservedUsd, Is.EqualTo(0.0000129m + 0.000215m));
        Assert.That(budget.ChargedUsd, Is.EqualTo(report.CostUsd));
        Assert.That(report.CascadeSteps, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task A_caller_that_stops_reading_a_replayed_step_still_settles_the_budget()
    {
        RouterKit kit = Fleet();
        IChatClient client = Build(kit, r => r.Budgets["all"] = new BudgetOptions { LimitUsd = 1m });

        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync("hello", new ChatOptions { MaxOutputTokens = 20 }))
        {
            Assert.That(update.Text, Is.EqualTo("mini"));
            break;
        }

        BudgetUsage usage = await kit.Router.BudgetStore.GetUsageAsync(new BudgetAccount("all/global/*", "all", BudgetScope.Global, null, 1m, BudgetPeriod.Day, BudgetWindow.Calendar));
        Assert.That(usage.ReservedUsd, Is.Zero);
        Assert.That(usage.SpentUsd, Is.EqualTo((10 * 0.15m / 1_000_000m) + (20 * 0.6m / 1_000_000m)), "mini answered in full (10 + 20 tokens) and is charged its actual cost");
    }
}
