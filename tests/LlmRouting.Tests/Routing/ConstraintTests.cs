using System.Text.Json;

namespace LlmRouting.Tests.Routing;

[TestFixture]
public class ConstraintTests
{
    private static RouterKit Fleet()
    {
        var kit = new RouterKit();
        kit.Add("cheap", RouterKit.Model("groq", "llama-small", 0.05m, 0.08m, ttftSeconds: 0.2, tokensPerSecond: 500), region: "us-east-1");
        kit.Add("mid", RouterKit.Model("anthropic", "claude-mid", 3m, 15m, ModelCapabilities.Tools | ModelCapabilities.Vision | ModelCapabilities.Reasoning, ttftSeconds: 1.0, tokensPerSecond: 60), region: "eu-west-1");
        kit.Add("premium", RouterKit.Model("openai", "gpt-big", 10m, 30m, ModelCapabilities.Tools | ModelCapabilities.ParallelToolCalls | ModelCapabilities.Vision | ModelCapabilities.JsonSchema, ttftSeconds: 0.5, tokensPerSecond: 100), region: "eu-central-1");
        return kit;
    }

    private static Dictionary<string, string> Rejections(RoutingReport report) => report.RejectedCandidates.ToDictionary(r => r.Deployment, r => r.Reason);

    [Test]
    public async Task Allowed_and_blocked_providers_models_and_regions_from_configuration([Values] bool streaming)
    {
        RouterKit kit = Fleet();
        IChatClient client = kit.Build(r =>
        {
            r.Options.BlockedProviders.Add("groq");
            r.Options.AllowedRegions.Add("eu-*");
            r.Options.BlockedModels.Add("anthropic/*");
        });

        RoutingReport report = (await client.AskAsync(streaming, "hi")).GetRoutingReport()!;

        Assert.That(report.Deployment, Is.EqualTo("premium"));
        Assert.That(Rejections(report), Is.EquivalentTo(new Dictionary<string, string>
        {
            ["cheap"] = RoutingRejectionReasons.ProviderBlocked,
            ["mid"] = RoutingRejectionReasons.ModelBlocked,
        }));
    }

    [Test]
    public async Task Per_request_lists_narrow_the_configured_ones([Values] bool streaming)
    {
        RouterKit kit = Fleet();
        IChatClient client = kit.Build(r => r.Options.AllowedProviders.Add("*"));
        var options = new ChatOptions().WithAllowedProviders("anthropic", "openai").WithBlockedRegions("eu-central-*");

        RoutingReport report = (await client.AskAsync(streaming, "hi", options)).GetRoutingReport()!;

        Assert.That(report.Deployment, Is.EqualTo("mid"));
        Assert.That(Rejections(report), Is.EquivalentTo(new Dictionary<string, string>
        {
            ["cheap"] = RoutingRejectionReasons.ProviderNotAllowed,
            ["premium"] = RoutingRejectionReasons.RegionBlocked,
        }));
        Assert.That(report.Hints["allowed_providers"], Is.EqualTo("anthropic,openai"));
    }

    [Test]
    public async Task Allowed_models_match_model_ids_and_catalog_keys_and_regions_must_be_known([Values] bool streaming)
    {
        RouterKit kit = Fleet();
        kit.Add("local", RouterKit.Model("ollama", "llama3.1", 0m, 0m), isLocal: true);
        IChatClient client = kit.Build();
        var options = new ChatOptions().WithAllowedModels("gpt-*", "ollama/llama3.1").WithAllowedRegions("eu-central-1");

        RoutingReport report = (await client.AskAsync(streaming, "hi", options)).GetRoutingReport()!;

        Assert.That(report.Deployment, Is.EqualTo("premium"));
        Dictionary<string, string> rejected = Rejections(report);
        Assert.That(rejected["cheap"], Is.EqualTo(RoutingRejectionReasons.ModelNotAllowed));
        Assert.That(rejected["mid"], Is.EqualTo(RoutingRejectionReasons.ModelNotAllowed));
        Assert.That(rejected["local"], Is.EqualTo(RoutingRejectionReasons.RegionNotAllowed), "a deployment without a region fails a region allow-list");
        Assert.That(report.RejectedCandidates.Single(r => r.Deployment == "local").Detail, Does.Contain("no region"));
    }

    [Test]
    public async Task Tier_hint_restricts_to_the_configured_tier([Values] bool streaming)
    {
        RouterKit kit = Fleet();
        IChatClient client = kit.Build(r =>
        {
            r.Options.Tiers["premium"] = ["premium", "anthropic/*"];
            r.Options.Tiers["economy"] = ["llama-small"];
        });

        RoutingReport report = (await client.AskAsync(streaming, "hi", new ChatOptions().WithTier("premium"))).GetRoutingReport()!;

        Assert.That(report.Deployment, Is.EqualTo("mid"), "cheapest within the tier");
        Assert.That(Rejections(report), Is.EquivalentTo(new Dictionary<string, string> { ["cheap"] = RoutingRejectionReasons.NotInTier }));
        Assert.That(report.Hints["tier"], Is.EqualTo("premium"));
    }

    [Test]
    public async Task Unknown_tier_is_a_clear_error([Values] bool streaming)
    {
        IChatClient client = Fleet().Build(r => r.Options.Tiers["economy"] = ["cheap"]);
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => client.AskAsync(streaming, "hi", new ChatOptions().WithTier("gold")));
        Assert.That(ex!.Message, Does.Contain("'gold'").And.Contain("LlmRouting:Routing:Tiers").And.Contain("economy"));
    }

    [Test]
    public async Task Max_cost_rejects_dear_candidates_and_unknown_prices([Values] bool streaming)
    {
        RouterKit kit = Fleet();
        kit.Add("unpriced", new ModelInfo { Provider = "custom", ModelId = "mystery", Capabilities = ModelCapabilities.Tools });
        IChatClient client = kit.Build(r => r.Policy = new PriorityRoutingPolicy());
        // ~5 prompt tokens + 100 output tokens: cheap ≈ $0.0000083, mid ≈ $0.0015, premium ≈ $0.003
        var options = new ChatOptions { MaxOutputTokens = 100 }.WithMaxCost(0.0001m);

        RoutingReport report = (await client.AskAsync(streaming, "hi", options)).GetRoutingReport()!;

        Assert.That(report.Deployment, Is.EqualTo("cheap"));
        Assert.That(Rejections(report), Is.EquivalentTo(new Dictionary<string, string>
        {
            ["mid"] = RoutingRejectionReasons.OverMaxCost,
            ["premium"] = RoutingRejectionReasons.OverMaxCost,
            ["unpriced"] = RoutingRejectionReasons.CostUnknown,
        }));
        Assert.That(report.Hints["max_cost_usd"], Is.EqualTo("0.0001"));
    }

    [Test]
    public async Task Max_latency_uses_predictions_from_catalog_priors([Values] bool streaming)
    {
        RouterKit kit = Fleet();
        kit.Add("no-priors", RouterKit.Model("custom", "x", 0.01m, 0.01m));
        IChatClient client = kit.Build(r => r.Policy = new PriorityRoutingPolicy());
        // 100 output tokens: cheap 0.2 + 0.2 = 0.4 s, mid 1.0 + 1.67 s, premium 0.5 + 1.0 = 1.5 s
        var options = new ChatOptions { MaxOutputTokens = 100 }.WithMaxLatency(TimeSpan.FromSeconds(1.6));

        RoutingReport report = (await client.AskAsync(streaming, "hi", options)).GetRoutingReport()!;

        Assert.That(report.Candidates, Is.EqualTo(new[] { "cheap", "premium" }));
        Assert.That(Rejections(report), Is.EquivalentTo(new Dictionary<string, string>
        {
            ["mid"] = RoutingRejectionReasons.OverMaxLatency,
            ["no-priors"] = RoutingRejectionReasons.LatencyUnknown,
        }));
        Assert.That(report.PredictedLatency!.Value.TotalSeconds, Is.EqualTo(0.4).Within(1e-9));
        Assert.That(report.PredictedTimeToFirstToken!.Value.TotalSeconds, Is.EqualTo(0.2).Within(1e-9));
    }

    [Test]
    public async Task Min_quality_uses_quality_priors([Values] bool streaming)
    {
        RouterKit kit = Fleet();
        IChatClient client = kit.Build(r =>
        {
            r.Options.QualityPriors["mid"] = 0.7;
            r.Options.QualityPriors["openai/gpt-big"] = 0.9;
        });

        RoutingReport report = (await client.AskAsync(streaming, "hi", new ChatOptions().WithMinQuality(0.75))).GetRoutingReport()!;

        Assert.That(report.Deployment, Is.EqualTo("premium"));
        Assert.That(report.PredictedQuality, Is.EqualTo(0.9));
        Assert.That(Rejections(report), Is.EquivalentTo(new Dictionary<string, string>
        {
            ["cheap"] = RoutingRejectionReasons.QualityUnknown,
            ["mid"] = RoutingRejectionReasons.UnderMinQuality,
        }));
    }

    [Test]
    public void Catalog_intelligence_index_maps_to_a_percentile()
    {
        double? low = QualityPriors.FromIntelligenceIndex(5);
        double? high = QualityPriors.FromIntelligenceIndex(50);
        Assert.That(low, Is.GreaterThan(0).And.LessThan(0.5));
        Assert.That(high, Is.GreaterThan(0.9).And.LessThanOrEqualTo(1));
        Assert.That(QualityPriors.FromIntelligenceIndex(null), Is.Null);
        Assert.That(QualityPriors.FromIntelligenceIndex(1_000), Is.EqualTo(1));
    }

    [Test]
    public async Task Parallel_tool_calls_are_required_when_the_conversation_uses_them([Values] bool streaming)
    {
        RouterKit kit = Fleet();
        IChatClient client = kit.Build();
        AIFunctionDeclaration tool = AIFunctionFactory.CreateDeclaration("lookup", "Looks up", JsonDocument.Parse("""{"type":"object"}""").RootElement);
        List<ChatMessage> history =
        [
            new(ChatRole.User, "weather in Paris and Rome?"),
            new(ChatRole.Assistant, [new FunctionCallContent("1", "lookup"), new FunctionCallContent("2", "lookup")]),
            new(ChatRole.Tool, [new FunctionResultContent("1", "sunny"), new FunctionResultContent("2", "rain")]),
            new(ChatRole.User, "and Berlin?"),
        ];

        RoutingReport report = (await client.AskAsync(streaming, history, new ChatOptions { Tools = [tool] })).GetRoutingReport()!;
        Assert.That(report.Deployment, Is.EqualTo("premium"));
        Assert.That(Rejections(report), Is.EquivalentTo(new Dictionary<string, string>
        {
            ["cheap"] = RoutingRejectionReasons.NoParallelTools,
            ["mid"] = RoutingRejectionReasons.NoParallelTools,
        }));

        // A caller that forbids parallel calls does not need them.
        report = (await client.AskAsync(streaming, history, new ChatOptions { Tools = [tool], AllowMultipleToolCalls = false })).GetRoutingReport()!;
        Assert.That(report.Deployment, Is.EqualTo("cheap"));

        // Without such history, only the hint asks for them.
        report = (await client.AskAsync(streaming, "hi", new ChatOptions { Tools = [tool], AllowMultipleToolCalls = true })).GetRoutingReport()!;
        Assert.That(report.Deployment, Is.EqualTo("cheap"));
        report = (await client.AskAsync(streaming, "hi", new ChatOptions { Tools = [tool], AllowMultipleToolCalls = true }.WithParallelToolCalls())).GetRoutingReport()!;
        Assert.That(report.Deployment, Is.EqualTo("premium"));
    }

    [Test]
    public async Task Reasoning_effort_requires_a_reasoning_model([Values] bool streaming)
    {
        IChatClient client = Fleet().Build();
        RoutingReport report = (await client.AskAsync(streaming, "prove it", new ChatOptions { Reasoning = new ReasoningOptions { Effort = ReasoningEffort.High } })).GetRoutingReport()!;
        Assert.That(report.Deployment, Is.EqualTo("mid"));
        Assert.That(Rejections(report).Values, Is.All.EqualTo(RoutingRejectionReasons.NoReasoning));
    }

    [Test]
    public async Task Every_rejection_is_in_the_exception_when_nothing_is_left([Values] bool streaming)
    {
        RouterKit kit = Fleet();
        IChatClient client = kit.Build(r => r.Options.BlockedProviders.Add("openai"));
        var options = new ChatOptions().WithAllowedRegions("us-*").WithMaxCost(0m);

        var ex = await Assert.ThrowsAsync<NoEligibleDeploymentException>(() => client.AskAsync(streaming, "hi", options));

        Assert.That(ex!.Rejections.ToDictionary(r => r.Deployment, r => r.Reason), Is.EquivalentTo(new Dictionary<string, string>
        {
            ["cheap"] = RoutingRejectionReasons.OverMaxCost,
            ["mid"] = RoutingRejectionReasons.RegionNotAllowed,
            ["premium"] = RoutingRejectionReasons.ProviderBlocked,
        }));
        Assert.That(ex.Report!.Hints["max_cost_usd"], Is.EqualTo("0"));
        Assert.That(kit.Calls, Is.Empty);
    }

    [Test]
    public async Task Hints_never_reach_the_provider_and_the_user_id_never_reaches_the_report([Values] bool streaming)
    {
        RouterKit kit = Fleet();
        IChatClient client = kit.Build();
        var options = new ChatOptions().WithUser("alice@example.com").WithRoutingTenant("acme").WithTags("search", "beta").WithBudgetKey("proj-7").WithMaxCost(1m);

        RoutingReport report = (await client.AskAsync(streaming, "hi", options)).GetRoutingReport()!;

        ChatOptions? sent = kit.Calls.Single().Options;
        Assert.That(sent?.AdditionalProperties?.Keys ?? [], Has.None.StartsWith("LlmRouting."));
        Assert.That(report.Hints["user"], Is.EqualTo("set"));
        Assert.That(report.Hints.Values, Has.None.Contain("alice"));
        Assert.That(report.Hints["tenant"], Is.EqualTo("acme"));
        Assert.That(report.Hints["tags"], Is.EqualTo("search,beta"));
        Assert.That(report.Hints["budget_key"], Is.EqualTo("proj-7"));
        Assert.That(options.AdditionalProperties![LlmRoutingPropertyKeys.User], Is.EqualTo("alice@example.com"), "the caller's options keep their hints");
    }

    [Test]
    public async Task Invalid_hint_values_are_clear_errors_naming_the_key([Values] bool streaming)
    {
        IChatClient client = Fleet().Build();
        var options = new ChatOptions { AdditionalProperties = new() { [LlmRoutingHints.MaxCostKey] = "a lot" } };
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => client.AskAsync(streaming, "hi", options));
        Assert.That(ex!.Message, Does.Contain(LlmRoutingHints.MaxCostKey).And.Contain("a number").And.Not.Contain("a lot"));

        options = new ChatOptions { AdditionalProperties = new() { [LlmRoutingHints.MinQualityKey] = 3.0 } };
        ex = await Assert.ThrowsAsync<ArgumentException>(() => client.AskAsync(streaming, "hi", options));
        Assert.That(ex!.Message, Does.Contain(LlmRoutingHints.MinQualityKey).And.Contain("between 0 and 1"));

        Assert.Throws<ArgumentOutOfRangeException>(() => new ChatOptions().WithMinQuality(1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ChatOptions().WithMaxCost(-1m));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ChatOptions().WithMaxLatency(TimeSpan.Zero));
        Assert.Throws<ArgumentException>(() => new ChatOptions().WithTags("ok", " "));
    }

    [Test]
    public void Hints_are_read_from_json_values_and_strings()
    {
        var options = new ChatOptions
        {
            AdditionalProperties = new()
            {
                [LlmRoutingHints.MaxCostKey] = JsonDocument.Parse("0.25").RootElement,
                [LlmRoutingHints.MaxLatencyKey] = "00:00:00.500",
                [LlmRoutingHints.MinQualityKey] = JsonDocument.Parse("\"0.6\"").RootElement,
                [LlmRoutingPropertyKeys.Tags] = JsonDocument.Parse("""["a","b"]""").RootElement,
                [LlmRoutingHints.AllowedProvidersKey] = "openai, groq",
                [LlmRoutingHints.CascadeKey] = JsonDocument.Parse("true").RootElement,
            },
        };

        RoutingHints hints = options.GetRoutingHints();
        Assert.That(hints.MaxCostUsd, Is.EqualTo(0.25m));
        Assert.That(hints.MaxLatency, Is.EqualTo(TimeSpan.FromMilliseconds(500)));
        Assert.That(hints.MinQuality, Is.EqualTo(0.6));
        Assert.That(hints.Tags, Is.EqualTo(new[] { "a", "b" }));
        Assert.That(hints.AllowedProviders, Is.EqualTo(new[] { "openai", "groq" }));
        Assert.That(hints.Cascade, Is.True);
        Assert.That(((ChatOptions?)null).GetRoutingHints(), Is.SameAs(RoutingHints.None));
    }

    [Test]
    public void Wildcards_match_case_insensitively()
    {
        Assert.That(WildcardPattern.IsMatch("gpt-4o*", "GPT-4o-mini"), Is.True);
        Assert.That(WildcardPattern.IsMatch("*claude*", "anthropic/claude-sonnet"), Is.True);
        Assert.That(WildcardPattern.IsMatch("eu-*-1", "eu-west-1"), Is.True);
        Assert.That(WildcardPattern.IsMatch("eu-*-1", "eu-west-2"), Is.False);
        Assert.That(WildcardPattern.IsMatch("gpt-4o", "gpt-4o-mini"), Is.False);
        Assert.That(WildcardPattern.IsMatch("*", null), Is.False);
    }
}
