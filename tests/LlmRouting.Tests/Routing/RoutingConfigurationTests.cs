using System.Text;
using LlmRouting.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LlmRouting.Tests.Routing;

[TestFixture]
public class RoutingConfigurationTests
{
    private const string Deployments = """
        "Deployments": {
          "small": { "Provider": "echo", "Model": "small-model", "Region": "eu-west-1" },
          "big":   { "Provider": "echo", "Model": "big-model", "Region": "us-east-1" }
        },
        "Models": [
          { "Provider": "echo", "ModelId": "small-model", "Pricing": { "InputPerToken": 0.0000001, "OutputPerToken": 0.0000002 }, "Capabilities": "Streaming",
            "Priors": { "TimeToFirstTokenSeconds": 0.3, "OutputTokensPerSecond": 100 } },
          { "Provider": "echo", "ModelId": "big-model", "Pricing": { "InputPerToken": 0.000001, "OutputPerToken": 0.000002 }, "Capabilities": "Streaming, Tools",
            "Priors": { "TimeToFirstTokenSeconds": 0.1, "OutputTokensPerSecond": 200 } }
        ],
        """;

    private sealed class EchoFactory : IChatProviderFactory
    {
        public IReadOnlyCollection<string> ProviderNames { get; } = ["echo"];

        public IChatClient CreateClient(Deployment deployment, IServiceProvider services) => new TestChatClient
        {
            GetResponseAsyncCallback = (m, o, ct) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "from " + deployment.Name))
            {
                Usage = new UsageDetails { InputTokenCount = 5, OutputTokenCount = 10 },
            }),
            GetStreamingResponseAsyncCallback = (m, o, ct) => new[]
            {
                new ChatResponseUpdate(ChatRole.Assistant, "from " + deployment.Name),
                new ChatResponseUpdate { Contents = [new UsageContent(new UsageDetails { InputTokenCount = 5, OutputTokenCount = 10 })] },
            }.ToAsyncEnumerable(),
        };
    }

    private static ServiceProvider Services(string routingAndBudgets)
    {
        IConfiguration config = new ConfigurationBuilder()
            .AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes("{ \"LlmRouting\": { " + Deployments + routingAndBudgets + " } }")))
            .Build();
        var services = new ServiceCollection();
        services.AddSingleton<IChatProviderFactory>(new EchoFactory());
        services.AddLlmRouting(config);
        return services.BuildServiceProvider();
    }

    [Test]
    public async Task Policies_targets_filters_tiers_priors_and_budgets_bind_from_configuration([Values] bool streaming)
    {
        using ServiceProvider sp = Services("""
            "Routing": {
              "Policy": "slo",
              "Slo": { "MaxLatency": "00:00:00.5", "MaxCostUsd": 0.0001, "MinQuality": 0.8 },
              "QualityPriors": { "small": 0.5, "echo/big-model": 0.9 },
              "Tiers": { "premium": [ "big" ] },
              "BlockedRegions": [ "ap-*" ],
              "Statistics": { "HalfLife": "00:01:00", "PriorWeight": 3 }
            },
            "Budgets": {
              "per-user": { "Scope": "User", "LimitUsd": 0.5, "Period": "Day", "Window": "Rolling", "Mode": "Downgrade" }
            }
            """);
        IChatClient client = sp.GetRequiredService<IChatClient>();

        RoutingReport report = (await client.AskAsync(streaming, "hi", new ChatOptions { MaxOutputTokens = 20 }.WithUser("u1"))).GetRoutingReport()!;

        Assert.That(report.Policy, Is.EqualTo("slo"));
        Assert.That(report.Deployment, Is.EqualTo("big"), "small is cheaper but below the quality target");
        Assert.That(report.Reason, Does.StartWith("slo: cheapest of 1 predicted to meet latency ≤ 500 ms, cost ≤ $0.0001, quality ≥ 0.80"));
        Assert.That(report.PredictedQuality, Is.EqualTo(0.9));
        Assert.That(report.Budgets.Single(), Is.EqualTo(new BudgetStatus("per-user", BudgetScope.User, null, BudgetMode.Downgrade, 0.5m, 0.000045m, 0.5m, 0.000025m)));

        RoutingReport tiered = (await client.AskAsync(streaming, "hi", new ChatOptions().WithTier("premium").WithRoutingPolicy("cheapest"))).GetRoutingReport()!;
        Assert.That(tiered.Deployment, Is.EqualTo("big"));
        Assert.That(tiered.RejectedCandidates.Single().Reason, Is.EqualTo(RoutingRejectionReasons.NotInTier));

        // The DI singletons are the router's.
        Assert.That(client.GetService<IRoutingFeedback>(), Is.SameAs(sp.GetRequiredService<IRoutingFeedback>()));
        Assert.That(sp.GetRequiredService<IRoutingStatisticsStore>().GetStatistics("big").Latency, Is.Not.Null);
        Assert.That(sp.GetRequiredService<IRoutingStatisticsStore>(), Is.InstanceOf<InMemoryRoutingStatisticsStore>().With.Property("HalfLife").EqualTo(TimeSpan.FromMinutes(1)));
        Assert.That(sp.GetRequiredService<IExperimentResults>(), Is.SameAs(client.GetService<IExperimentResults>()));
        Assert.That(sp.GetRequiredService<IBudgetStore>(), Is.InstanceOf<InMemoryBudgetStore>());
    }

    [TestCase("cheapest", "small")]
    [TestCase("priority", null)]
    [TestCase("weighted", null)]
    [TestCase("fastest", "big")]
    [TestCase("balanced", "small")]
    [TestCase("slo", "small")]
    public async Task Every_built_in_policy_is_chosen_by_name(string policy, string? expected)
    {
        using ServiceProvider sp = Services($$"""
            "Routing": { "Policy": "{{policy}}", "Balanced": { "CostWeight": 2, "LatencyWeight": 1, "QualityWeight": 0 } }
            """);
        IChatClient client = sp.GetRequiredService<IChatClient>();
        foreach (bool streaming in new[] { false, true })
        {
            RoutingReport report = (await client.AskAsync(streaming, "hi")).GetRoutingReport()!;
            Assert.That(report.Policy, Is.EqualTo(policy));
            if (expected is not null)
            {
                Assert.That(report.Deployment, Is.EqualTo(expected));
            }
        }
    }

    [Test]
    public async Task Experiments_and_the_cascade_bind_from_configuration([Values] bool streaming)
    {
        using ServiceProvider sp = Services("""
            "Routing": {
              "Experiments": { "big-test": { "Variants": { "control": { "Percent": 0 }, "treatment": { "Percent": 100, "Deployments": [ "big" ], "Policy": "fastest" } } } },
              "Cascade": { "Enabled": true, "Steps": [ "small", "big" ], "Checks": "EmptyAnswer, Confidence", "MinConfidence": 0.7 }
            }
            """);
        IChatClient client = sp.GetRequiredService<IChatClient>();

        RoutingReport report = (await client.AskAsync(streaming, "hi", new ChatOptions().WithUser("u9"))).GetRoutingReport()!;

        Assert.That(report.ExperimentVariants["big-test"], Is.EqualTo("treatment"));
        Assert.That(report.Policy, Is.EqualTo("fastest"));
        Assert.That(report.Deployment, Is.EqualTo("big"));
        Assert.That(report.CascadeSteps, Is.Empty, "only one deployment is left, so there is nothing to cascade");
        ExperimentSummary summary = sp.GetRequiredService<IExperimentResults>().GetSummary("big-test")!;
        Assert.That(summary.Variants.Single().Requests, Is.EqualTo(1));
    }

    [Test]
    public void Invalid_routing_and_budget_settings_fail_at_start_up_with_messages_that_name_the_setting()
    {
        using ServiceProvider sp = Services("""
            "Routing": {
              "AllowedProviders": [ " " ],
              "QualityPriors": { "small": 2 },
              "Balanced": { "CostWeight": -1 },
              "Slo": { "MinQuality": 1.5, "MaxCostUsd": -1 },
              "Statistics": { "HalfLife": "00:00:00", "PriorWeight": -1 },
              "Experiments": { "e1": { "Variants": { "a": { "Percent": 70, "Policy": "nope" }, "b": { "Percent": 50, "Deployments": [ "ghost" ] } } } },
              "Cascade": { "MinConfidence": 2, "Steps": [ "ghost" ] }
            },
            "Budgets": {
              "b1": { "LimitUsd": 0 },
              "b2": { "Scope": "Deployment", "Key": "ghost", "LimitUsd": 1 },
              "b3": { "Scope": "Global", "Key": "x", "LimitUsd": 1 }
            }
            """);

        var ex = Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<IChatClient>());
        string[] expected =
        [
            "LlmRouting:Routing:AllowedProviders:0 cannot be empty.",
            "LlmRouting:Routing:QualityPriors:small must be between 0 and 1 (was 2).",
            "LlmRouting:Routing:Balanced:CostWeight must be a finite number of at least 0 (was -1).",
            "LlmRouting:Routing:Slo:MaxCostUsd cannot be negative (was -1).",
            "LlmRouting:Routing:Slo:MinQuality must be between 0 and 1 (was 1.5).",
            "LlmRouting:Routing:Statistics:HalfLife must be positive (was 00:00:00).",
            "LlmRouting:Routing:Statistics:PriorWeight must be a finite number of at least 0 (was -1).",
            "LlmRouting:Routing:Experiments:e1:Variants:a:Policy 'nope' is not a registered routing policy.",
            "LlmRouting:Routing:Experiments:e1:Variants:b:Deployments names 'ghost', which is not a configured deployment.",
            "LlmRouting:Routing:Experiments:e1:Variants percentages must add up to more than 0 and at most 100 (was 120).",
            "LlmRouting:Routing:Cascade:MinConfidence must be between 0 and 1 (was 2).",
            "LlmRouting:Routing:Cascade:Steps:0 names 'ghost', which is not a configured deployment.",
            "LlmRouting:Routing:Cascade:Steps needs at least two deployments",
            "LlmRouting:Budgets:b1:LimitUsd must be positive (was 0).",
            "LlmRouting:Budgets:b2:Key names 'ghost', which is not a configured deployment.",
            "LlmRouting:Budgets:b3:Key does not apply to a Global budget.",
        ];
        foreach (string message in expected)
        {
            Assert.That(ex!.Message, Does.Contain(message));
        }
    }

    [Test]
    public void An_empty_tier_is_rejected()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IChatProviderFactory>(new EchoFactory());
        services.AddLlmRouting(o =>
        {
            o.Deployments["a"] = new DeploymentOptions { Provider = "echo", Model = "m" };
            o.Routing.Tiers["gold"] = [];
        });
        using ServiceProvider sp = services.BuildServiceProvider();
        var ex = Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<IChatClient>());
        Assert.That(ex!.Message, Does.Contain("LlmRouting:Routing:Tiers:gold must list at least one deployment"));
    }
}
