using System.Text;
using LlmRouting.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LlmRouting.Tests;

[TestFixture]
public class ComplexityRoutingPolicyTests
{
    // Catalog-like tiers: a small model (intelligence index 7, like gpt-4o-mini) and a frontier model (index 35).
    private static Deployment Tier(string name, decimal inPerM, decimal outPerM, double? index) => new(name, "openai", name + "-model", new ModelInfo
    {
        Provider = "openai",
        ModelId = name + "-model",
        Pricing = new ModelPricing { InputPerToken = inPerM / 1_000_000m, OutputPerToken = outPerM / 1_000_000m },
        Capabilities = ModelCapabilities.Streaming | ModelCapabilities.Tools,
        ContextWindow = 128_000,
        Priors = index is null ? null : new ModelPriors { IntelligenceIndex = index },
    });

    private static ChainHarness Tiers(bool unknown = false)
    {
        var h = new ChainHarness();
        h.Add(Tier("small", 0.15m, 0.6m, 7), "small answer");
        h.Add(Tier("frontier", 2.5m, 10m, 35), "frontier answer");
        if (unknown)
        {
            h.Add(Tier("mystery", 0.01m, 0.01m, null), "mystery answer");
        }

        return h;
    }

    private static IChatClient Build(ChainHarness h, ComplexityRoutingOptions? options = null) =>
        new ChatClientBuilder(new DeploymentDispatcherChatClient(h.Registry))
            .UseCostRouter(h.Registry, r => r.Policy = new ComplexityRoutingPolicy(options))
            .UseRedaction()
            .UseResilience()
            .UseRoutingTelemetry()
            .Build();

    [Test]
    public async Task Easy_prompts_stay_on_the_cheap_model_and_hard_ones_move_up([Values] bool streaming)
    {
        ChainHarness h = Tiers();
        IChatClient chat = Build(h);

        ChatResponse easy = await chat.AskAsync(streaming, ComplexityModelTests.Everyday);
        ChatResponse hard = await chat.AskAsync(streaming, ComplexityModelTests.HardTask);

        Assert.That(easy.GetRoutingReport()!.Deployment, Is.EqualTo("small"));
        Assert.That(easy.Text, Does.Contain("small answer"));
        Assert.That(easy.GetRoutingReport()!.Policy, Is.EqualTo("auto"));
        Assert.That(hard.GetRoutingReport()!.Deployment, Is.EqualTo("frontier"));
        Assert.That(hard.GetRoutingReport()!.Candidates, Is.EqualTo(new[] { "frontier", "small" }), "the cheaper model stays as failover");
        Assert.That(h.Calls.Select(c => c.Deployment), Is.EqualTo(new[] { "small", "frontier" }));
    }

    [Test]
    public async Task The_quality_value_is_the_operating_point([Values] bool streaming)
    {
        // Worth nothing: always the cheapest. Worth a lot: the most capable even for a greeting.
        ChatResponse cheap = await Build(Tiers(), new ComplexityRoutingOptions { QualityValueUsd = 0 }).AskAsync(streaming, ComplexityModelTests.HardTask);
        ChatResponse dear = await Build(Tiers(), new ComplexityRoutingOptions { QualityValueUsd = 1000 }).AskAsync(streaming, ComplexityModelTests.Everyday);
        Assert.That(cheap.GetRoutingReport()!.Deployment, Is.EqualTo("small"));
        Assert.That(dear.GetRoutingReport()!.Deployment, Is.EqualTo("frontier"));
    }

    [Test]
    public async Task A_minimum_expected_quality_picks_the_cheapest_reaching_it([Values] bool streaming)
    {
        var threshold = new ComplexityRoutingOptions { QualityValueUsd = null, MinimumExpectedQuality = 0.5 };
        ComplexityEstimate hard = ComplexityModel.Default.Estimate(ComplexityModelTests.HardTask);
        Assume.That(hard.ExpectedQuality(7), Is.LessThan(0.5), "the small model is not expected to manage the hard task");
        Assume.That(hard.ExpectedQuality(35), Is.GreaterThanOrEqualTo(0.5));

        Assert.That((await Build(Tiers(), threshold).AskAsync(streaming, ComplexityModelTests.Everyday)).GetRoutingReport()!.Deployment, Is.EqualTo("small"));
        Assert.That((await Build(Tiers(), threshold).AskAsync(streaming, ComplexityModelTests.HardTask)).GetRoutingReport()!.Deployment, Is.EqualTo("frontier"));

        // Nobody reaches 0.9999: the most capable leads.
        var impossible = new ComplexityRoutingOptions { QualityValueUsd = null, MinimumExpectedQuality = 0.9999 };
        Assert.That((await Build(Tiers(), impossible).AskAsync(streaming, ComplexityModelTests.HardTask)).GetRoutingReport()!.Candidates, Is.EqualTo(new[] { "frontier", "small" }));
    }

    [Test]
    public async Task Deployments_of_unknown_quality_come_last_unless_a_default_index_is_set([Values] bool streaming)
    {
        RoutingReport report = (await Build(Tiers(unknown: true)).AskAsync(streaming, ComplexityModelTests.Everyday)).GetRoutingReport()!;
        Assert.That(report.Deployment, Is.EqualTo("small"));
        Assert.That(report.Candidates[^1], Is.EqualTo("mystery"));

        var options = new ComplexityRoutingOptions { DefaultIntelligenceIndex = 7 };
        RoutingReport withDefault = (await Build(Tiers(unknown: true), options).AskAsync(streaming, ComplexityModelTests.Everyday)).GetRoutingReport()!;
        Assert.That(withDefault.Deployment, Is.EqualTo("mystery"), "as capable as the small model and cheaper");
    }

    [Test]
    public async Task Profiles_override_catalog_priors([Values] bool streaming)
    {
        // Calibrated as good as the frontier model, the small one keeps the hard task.
        var options = new ComplexityRoutingOptions { Profiles = { ["small"] = new ModelQualityProfile { IntelligenceIndex = 35 } } };
        Assert.That((await Build(Tiers(), options).AskAsync(streaming, ComplexityModelTests.HardTask)).GetRoutingReport()!.Deployment, Is.EqualTo("small"));

        // Keyed by catalog key too; a strongly negative loading on the prompt's task family pushes it away.
        ComplexityEstimate greeting = ComplexityModel.Default.Estimate(ComplexityModelTests.Everyday);
        var loadings = Enumerable.Range(0, greeting.TraitCount).ToDictionary(greeting.GetTraitName, _ => -20.0);
        var penalised = new ComplexityRoutingOptions { Profiles = { ["openai/small-model"] = new ModelQualityProfile { TraitLoadings = loadings } } };
        Assert.That((await Build(Tiers(), penalised).AskAsync(streaming, ComplexityModelTests.Everyday)).GetRoutingReport()!.Deployment, Is.EqualTo("frontier"));
    }

    [Test]
    public async Task Pinning_still_wins_over_the_policy([Values] bool streaming)
    {
        RoutingReport report = (await Build(Tiers()).AskAsync(streaming, ComplexityModelTests.HardTask, new ChatOptions { ModelId = "small" })).GetRoutingReport()!;
        Assert.That(report.Deployment, Is.EqualTo("small"));
        Assert.That(report.Policy, Is.EqualTo("pinned"));
    }

    [Test]
    public void Invalid_options_are_rejected_with_the_setting_named()
    {
        var ex = Assert.Throws<ArgumentException>(() => new ComplexityRoutingPolicy(new ComplexityRoutingOptions { QualityValueUsd = -1 }));
        Assert.That(ex!.Message, Does.Contain("QualityValueUsd"));
        Assert.Throws<ArgumentException>(() => new ComplexityRoutingPolicy(new ComplexityRoutingOptions { QualityValueUsd = null }));
        Assert.Throws<ArgumentException>(() => new ComplexityRoutingPolicy(new ComplexityRoutingOptions { MinimumExpectedQuality = 2 }));
        Assert.That(
            ComplexityRoutingPolicy.Validate(new ComplexityRoutingOptions { Profiles = { ["x"] = new ModelQualityProfile { IntelligenceIndex = double.NaN } } }, "LlmRouting:Routing:Complexity"),
            Is.EqualTo(new[] { "LlmRouting:Routing:Complexity:Profiles:x:IntelligenceIndex must be a finite number." }));
    }

    private sealed class EchoFactory : IChatProviderFactory
    {
        public IReadOnlyCollection<string> ProviderNames { get; } = ["echo"];

        public IChatClient CreateClient(Deployment deployment, IServiceProvider services) => new TestChatClient
        {
            GetResponseAsyncCallback = (m, o, ct) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "from " + deployment.Name))),
            GetStreamingResponseAsyncCallback = (m, o, ct) => new[] { new ChatResponseUpdate(ChatRole.Assistant, "from " + deployment.Name) }.ToAsyncEnumerable(),
        };
    }

    private static ServiceProvider Services(string json)
    {
        IConfiguration config = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IChatProviderFactory>(new EchoFactory());
        services.AddLlmRouting(config);
        return services.BuildServiceProvider();
    }

    private const string Models = """
        "Models": [
          { "Provider": "echo", "ModelId": "small-model", "Pricing": { "InputPerToken": 0.00000015, "OutputPerToken": 0.0000006 }, "Capabilities": "Streaming", "Priors": { "IntelligenceIndex": 7 } },
          { "Provider": "echo", "ModelId": "frontier-model", "Pricing": { "InputPerToken": 0.0000025, "OutputPerToken": 0.00001 }, "Capabilities": "Streaming", "Priors": { "IntelligenceIndex": 35 } }
        ],
        "Deployments": {
          "small": { "Provider": "echo", "Model": "small-model" },
          "frontier": { "Provider": "echo", "Model": "frontier-model" }
        }
        """;

    [Test]
    public async Task Auto_is_chosen_and_configured_from_configuration([Values] bool streaming)
    {
        using ServiceProvider sp = Services($$"""
            { "LlmRouting": { {{Models}},
              "Routing": { "Policy": "auto", "Complexity": { "QualityValueUsd": 0.01, "Profiles": { "small": { "IntelligenceIndex": 7, "TraitLoadings": { "task.gsm8k": 0.5 } } } } } } }
            """);
        IChatClient chat = sp.GetRequiredService<IChatClient>();
        Assert.That((await chat.AskAsync(streaming, ComplexityModelTests.Everyday)).Text, Does.Contain("from small"));
        Assert.That((await chat.AskAsync(streaming, ComplexityModelTests.HardTask)).Text, Does.Contain("from frontier"));

        LlmRoutingOptions options = sp.GetRequiredService<IOptions<LlmRoutingOptions>>().Value;
        Assert.That(options.Routing.Complexity.Profiles["small"].TraitLoadings["task.gsm8k"], Is.EqualTo(0.5));
    }

    [Test]
    public async Task Configured_quality_priors_move_a_model_along_the_catalog_scale([Values] bool streaming)
    {
        // Routing:QualityPriors is a catalog percentile; the auto policy reads it back as an intelligence index.
        using ServiceProvider sp = Services($$"""
            { "LlmRouting": { {{Models}}, "Routing": { "Policy": "auto", "QualityPriors": { "small": 0.99 } } } }
            """);
        RoutingReport report = (await sp.GetRequiredService<IChatClient>().AskAsync(streaming, ComplexityModelTests.HardTask)).GetRoutingReport()!;
        Assert.That(report.Deployment, Is.EqualTo("small"), "at the catalog's 99th percentile the cheap model is as capable as the strongest");
        Assert.That(report.Reason, Does.StartWith("auto: complexity "));

        using ServiceProvider weak = Services($$"""
            { "LlmRouting": { {{Models}}, "Routing": { "Policy": "auto", "QualityPriors": { "frontier": 0.01 } } } }
            """);
        Assert.That(
            (await weak.GetRequiredService<IChatClient>().AskAsync(streaming, ComplexityModelTests.HardTask)).GetRoutingReport()!.Deployment,
            Is.EqualTo("small"),
            "a frontier model configured at the 1st percentile is not worth its price");
    }

    [Test]
    public void Invalid_complexity_settings_fail_at_start_up_naming_the_setting()
    {
        using ServiceProvider sp = Services($$"""
            { "LlmRouting": { {{Models}}, "Routing": { "Policy": "auto", "Complexity": { "QualityValueUsd": -2, "MinimumExpectedQuality": 1.5 } } } }
            """);
        var ex = Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<IChatClient>());
        Assert.That(ex!.Failures, Does.Contain("LlmRouting:Routing:Complexity:QualityValueUsd must be a non-negative number."));
        Assert.That(ex.Failures, Does.Contain("LlmRouting:Routing:Complexity:MinimumExpectedQuality must be between 0 and 1."));
    }
}
