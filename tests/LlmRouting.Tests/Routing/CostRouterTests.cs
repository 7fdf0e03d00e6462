namespace LlmRouting.Tests;

[TestFixture]
public class CostRouterTests
{
    private static Deployment Dep(string name, ModelInfo info, int priority = 0) => new(name, info.Provider, info.ModelId, info) { Priority = priority };

    private static ChainHarness ThreeTiers()
    {
        var h = new ChainHarness();
        h.Add(Dep("premium", ChainHarness.Model("openai", "gpt-big", 10m, 30m, ModelCapabilities.Tools | ModelCapabilities.Vision | ModelCapabilities.JsonSchema)), "premium answer");
        h.Add(Dep("mid", ChainHarness.Model("anthropic", "claude-mid", 3m, 15m, ModelCapabilities.Tools | ModelCapabilities.Vision)), "mid answer");
        h.Add(Dep("cheap", ChainHarness.Model("groq", "llama-small", 0.05m, 0.08m, ModelCapabilities.None, context: 8_000)), "cheap answer");
        return h;
    }

    [Test]
    public async Task Picks_the_cheapest_eligible_deployment([Values] bool streaming)
    {
        ChainHarness h = ThreeTiers();
        ChatResponse response = await h.Build().AskAsync(streaming, "What is the capital of France?");

        RoutingReport report = response.GetRoutingReport()!;
        Assert.That(report.Deployment, Is.EqualTo("cheap"));
        Assert.That(report.Policy, Is.EqualTo("cheapest"));
        Assert.That(report.Candidates, Is.EqualTo(new[] { "cheap", "mid", "premium" }));
        Assert.That(response.Text, Does.Contain("cheap answer"));
        Assert.That(h.Calls.Select(c => c.Deployment), Is.EqualTo(new[] { "cheap" }));
        Assert.That(h.Calls[0].Options!.ModelId, Is.EqualTo("llama-small"), "the provider receives its own model id");
    }

    [Test]
    public async Task ModelId_pins_a_deployment_by_name_or_model([Values] bool streaming, [Values("premium", "gpt-big", "openai/gpt-big")] string pin)
    {
        ChainHarness h = ThreeTiers();
        ChatResponse response = await h.Build().AskAsync(streaming, "hi", new ChatOptions { ModelId = pin });

        RoutingReport report = response.GetRoutingReport()!;
        Assert.That(report.Deployment, Is.EqualTo("premium"));
        Assert.That(report.Policy, Is.EqualTo("pinned"));
        Assert.That(report.RejectedCandidates.Select(r => (r.Deployment, r.Reason)), Is.EquivalentTo(new[] { ("mid", "not_pinned"), ("cheap", "not_pinned") }));
    }

    [Test]
    public async Task Images_require_vision_and_the_rejection_is_reported([Values] bool streaming)
    {
        ChainHarness h = ThreeTiers();
        var message = new ChatMessage(ChatRole.User, [new TextContent("What is in this picture?"), new UriContent("https://example.invalid/cat.png", "image/png")]);
        ChatResponse response = await h.Build().AskAsync(streaming, [message]);

        RoutingReport report = response.GetRoutingReport()!;
        Assert.That(report.Deployment, Is.EqualTo("mid"));
        CandidateRejection rejection = report.RejectedCandidates.Single();
        Assert.That(rejection.Deployment, Is.EqualTo("cheap"));
        Assert.That(rejection.Reason, Is.EqualTo("no_vision"));
    }

    [Test]
    public async Task Tools_and_json_schema_filter_candidates([Values] bool streaming)
    {
        ChainHarness h = ThreeTiers();
        var options = new ChatOptions
        {
            Tools = [AIFunctionFactory.CreateDeclaration("get_weather", "Gets the weather", System.Text.Json.JsonDocument.Parse("""{"type":"object","properties":{"city":{"type":"string"}}}""").RootElement)],
            ResponseFormat = ChatResponseFormat.ForJsonSchema(System.Text.Json.JsonDocument.Parse("""{"type":"object"}""").RootElement, "answer"),
        };
        ChatResponse response = await h.Build().AskAsync(streaming, "Weather in Paris as JSON", options);

        RoutingReport report = response.GetRoutingReport()!;
        Assert.That(report.Deployment, Is.EqualTo("premium"));
        Assert.That(report.RejectedCandidates.ToDictionary(r => r.Deployment, r => r.Reason), Is.EquivalentTo(new Dictionary<string, string> { ["cheap"] = "no_tools", ["mid"] = "no_json_schema" }));
    }

    [Test]
    public async Task Prompts_longer_than_the_context_window_skip_small_models([Values] bool streaming)
    {
        ChainHarness h = ThreeTiers();
        string longPrompt = new('x', 40_000); // ~10k tokens > 8k window
        ChatResponse response = await h.Build().AskAsync(streaming, longPrompt);

        RoutingReport report = response.GetRoutingReport()!;
        Assert.That(report.Deployment, Is.EqualTo("mid"));
        Assert.That(report.RejectedCandidates.Single().Reason, Is.EqualTo("context_window"));
    }

    [Test]
    public async Task No_eligible_deployment_throws_with_every_reason([Values] bool streaming)
    {
        ChainHarness h = ThreeTiers();
        IChatClient client = h.Build();
        var ex = await Assert.ThrowsAsync<NoEligibleDeploymentException>(() => client.AskAsync(streaming, "hi", new ChatOptions { ModelId = "nonexistent" }));
        Assert.That(ex!.Rejections, Has.Count.EqualTo(3));
        Assert.That(ex.Rejections.Select(r => r.Reason), Is.All.EqualTo("not_pinned"));
        Assert.That(ex.Report, Is.Not.Null);
        Assert.That(h.Calls, Is.Empty, "nothing was sent");
    }

    [Test]
    public async Task The_callers_options_and_messages_are_not_mutated([Values] bool streaming)
    {
        ChainHarness h = ThreeTiers();
        var options = new ChatOptions { Temperature = 0.2f };
        var messages = new List<ChatMessage> { new(ChatRole.User, "mail me at jane.doe@example.com") };
        await h.Build().AskAsync(streaming, messages, options);

        Assert.That(options.AdditionalProperties, Is.Null);
        Assert.That(options.ModelId, Is.Null);
        Assert.That(messages, Has.Count.EqualTo(1));
        Assert.That(messages[0].Text, Is.EqualTo("mail me at jane.doe@example.com"));
    }

    [Test]
    public async Task Report_has_usage_cost_and_timings([Values] bool streaming)
    {
        ChainHarness h = ThreeTiers();
        ChatResponse response = await h.Build().AskAsync(streaming, "hi");
        RoutingReport report = response.GetRoutingReport()!;

        // cheap: 10 input tokens x $0.05/M + 5 output tokens x $0.08/M = 0.0000005 + 0.0000004
        Assert.That(report.CostUsd, Is.EqualTo(0.0000009m));
        Assert.That(report.Usage.InputTokens, Is.EqualTo(10));
        Assert.That(report.Usage.OutputTokens, Is.EqualTo(5));
        Assert.That(report.Attempts, Has.Count.EqualTo(1));
        Assert.That(report.Attempts[0].Outcome, Is.EqualTo(AttemptOutcome.Succeeded));
        Assert.That(report.TotalLatency, Is.GreaterThanOrEqualTo(TimeSpan.Zero));
        Assert.That(report.TimeToFirstToken.HasValue, Is.EqualTo(streaming));
        Assert.That(report.Streaming, Is.EqualTo(streaming));
        Assert.That(report.EstimatedCostUsd, Is.GreaterThan(0m));
    }

    [Test]
    public void Router_answers_metadata_itself()
    {
        IChatClient client = ThreeTiers().Build();
        var metadata = client.GetService<ChatClientMetadata>();
        Assert.That(metadata?.ProviderName, Is.EqualTo("llm-routing"));
        Assert.That(client.GetService<ProviderRegistry>(), Is.Not.Null);
    }

    [Test]
    public async Task Priority_policy_orders_by_priority([Values] bool streaming)
    {
        var h = new ChainHarness();
        h.Add(Dep("a", ChainHarness.Model("openai", "a", 10m, 10m), priority: 2));
        h.Add(Dep("b", ChainHarness.Model("openai", "b", 1m, 1m), priority: 1));
        h.Add(Dep("c", ChainHarness.Model("openai", "c", 0.1m, 0.1m), priority: 3));
        var builder = new ChatClientBuilder(new DeploymentDispatcherChatClient(h.Registry));
        IChatClient client = builder.UseCostRouter(h.Registry, r => r.Policy = new PriorityRoutingPolicy()).UseRedaction().UseResilience().UseRoutingTelemetry().Build();

        ChatResponse response = await client.AskAsync(streaming, "hi");
        Assert.That(response.GetRoutingReport()!.Candidates, Is.EqualTo(new[] { "b", "a", "c" }));
    }

    [Test]
    public void Request_profile_estimates_tokens_and_needs()
    {
        var profile = RequestProfile.Create([new ChatMessage(ChatRole.User, new string('a', 400))], new ChatOptions { MaxOutputTokens = 100, Instructions = new string('b', 40) }, 256);
        Assert.That(profile.EstimatedInputTokens, Is.EqualTo(4 + 110));
        Assert.That(profile.EstimatedOutputTokens, Is.EqualTo(100));
        Assert.That(profile.RequiredCapabilities, Is.EqualTo(ModelCapabilities.None));
    }
}
