using System.Text;
using LlmRouting.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LlmRouting.Tests;

[TestFixture]
public class AddLlmRoutingTests
{
    /// <summary>A provider factory for tests: every deployment answers with its own name.</summary>
    private sealed class EchoFactory : IChatProviderFactory
    {
        public List<string> Created { get; } = [];

        public IReadOnlyCollection<string> ProviderNames { get; } = ["echo", "openai"];

        public IChatClient CreateClient(Deployment deployment, IServiceProvider services)
        {
            Created.Add(deployment.Name);
            return new TestChatClient
            {
                GetResponseAsyncCallback = (m, o, ct) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "from " + deployment.Name))
                {
                    Usage = new UsageDetails { InputTokenCount = 100, OutputTokenCount = 10 },
                }),
                GetStreamingResponseAsyncCallback = (m, o, ct) => new[]
                {
                    new ChatResponseUpdate(ChatRole.Assistant, "from " + deployment.Name),
                    new ChatResponseUpdate { Contents = [new UsageContent(new UsageDetails { InputTokenCount = 100, OutputTokenCount = 10 })] },
                }.ToAsyncEnumerable(),
            };
        }
    }

    private static IConfiguration Json(string json) =>
        new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();

    [Test]
    public async Task Composes_the_chain_from_configuration([Values] bool streaming)
    {
        IConfiguration config = Json("""
        {
          "LlmRouting": {
            "Deployments": {
              "big":   { "Provider": "echo", "Model": "big-model" },
              "small": { "Provider": "echo", "Model": "small-model", "Region": "eu-west-1", "Jurisdictions": [ "EU" ] }
            },
            "Models": [
              { "Provider": "echo", "ModelId": "big-model",   "Pricing": { "InputPerToken": 0.00001, "OutputPerToken": 0.00003 }, "Capabilities": "Tools, Streaming" },
              { "Provider": "echo", "ModelId": "small-model", "Pricing": { "InputPerToken": 0.0000001, "OutputPerToken": 0.0000004 }, "Capabilities": "Streaming" }
            ]
          }
        }
        """);
        var factory = new EchoFactory();
        var services = new ServiceCollection();
        services.AddSingleton<IChatProviderFactory>(factory);
        services.AddLlmRouting(config);
        using ServiceProvider sp = services.BuildServiceProvider();

        IChatClient client = sp.GetRequiredService<IChatClient>();
        Assert.That(sp.GetRequiredKeyedService<IChatClient>(LlmRoutingServiceCollectionExtensions.ServiceKey), Is.SameAs(client));

        ChatResponse response = await client.AskAsync(streaming, "hello");
        RoutingReport report = response.GetRoutingReport()!;
        Assert.That(report.Deployment, Is.EqualTo("small"));
        Assert.That(response.Text, Is.EqualTo("from small"));
        // 100 x 0.0000001 + 10 x 0.0000004 (prices overridden from configuration)
        Assert.That(report.CostUsd, Is.EqualTo(0.000014m));

        Deployment small = sp.GetRequiredService<ProviderRegistry>().Deployments.Single(d => d.Name == "small");
        Assert.That(small.Region, Is.EqualTo("eu-west-1"));
        Assert.That(small.Jurisdictions, Is.EqualTo(new[] { "EU" }));
        Assert.That(factory.Created, Is.EqualTo(new[] { "small" }), "clients are created lazily");
    }

    [Test]
    public async Task The_returned_builder_adds_middleware_outside_the_router([Values] bool streaming)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IChatProviderFactory>(new EchoFactory());
        ChatClientMetadata? seenByOuter = null;
        services.AddLlmRouting(o => o.Deployments["only"] = new DeploymentOptions { Provider = "echo", Model = "m" })
            .Use((inner, _) =>
            {
                seenByOuter = inner.GetService<ChatClientMetadata>();
                return inner;
            });
        using ServiceProvider sp = services.BuildServiceProvider();
        ChatResponse response = await sp.GetRequiredService<IChatClient>().AskAsync(streaming, "hi");

        Assert.That(seenByOuter?.ProviderName, Is.EqualTo("llm-routing"));
        Assert.That(response.GetRoutingReport()!.Deployment, Is.EqualTo("only"));
    }

    [TestCase("""{ "LlmRouting": { "Deployments": { } } }""", "LlmRouting:Deployments must contain at least one deployment.")]
    [TestCase("""{ "LlmRouting": { "Deployments": { "main": { "Provider": "echo" } } } }""", "LlmRouting:Deployments:main:Model is required.")]
    [TestCase("""{ "LlmRouting": { "Deployments": { "main": { "Model": "x" } } } }""", "LlmRouting:Deployments:main:Provider is required.")]
    [TestCase("""{ "LlmRouting": { "Deployments": { "main": { "Provider": "nope", "Model": "x" } } } }""", "LlmRouting:Deployments:main:Provider 'nope' has no registered provider.")]
    [TestCase("""{ "LlmRouting": { "Deployments": { "main": { "Provider": "echo", "Model": "x", "Weight": 0 } } } }""", "LlmRouting:Deployments:main:Weight must be a positive number")]
    [TestCase("""{ "LlmRouting": { "Deployments": { "main": { "Provider": "echo", "Model": "x" } }, "Routing": { "Policy": "fancy" } } }""", "LlmRouting:Routing:Policy 'fancy' is not a registered routing policy.")]
    [TestCase("""{ "LlmRouting": { "Deployments": { "main": { "Provider": "echo", "Model": "x" } }, "Resilience": { "MaxAttempts": 0 } } }""", "LlmRouting:Resilience:MaxAttempts must be at least 1.")]
    [TestCase("""{ "LlmRouting": { "Deployments": { "main": { "Provider": "echo", "Model": "x" } }, "Models": [ { "Provider": "echo" } ] } }""", "LlmRouting:Models:0 needs both Provider and ModelId.")]
    public void Bad_configuration_fails_at_start_up_naming_the_setting(string json, string expected)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IChatProviderFactory>(new EchoFactory());
        services.AddLlmRouting(Json(json));
        using ServiceProvider sp = services.BuildServiceProvider();
        var ex = Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<IChatClient>());
        Assert.That(ex!.Message, Does.Contain(expected));
    }

    [Test]
    public void Api_keys_never_appear_in_deployments_text_or_validation_errors()
    {
        const string key = "sk-test-SECRET-0123456789abcdef";
        var services = new ServiceCollection();
        services.AddSingleton<IChatProviderFactory>(new EchoFactory());
        services.AddLlmRouting(o => o.Deployments["main"] = new DeploymentOptions { Provider = "nope", Model = "x", ApiKey = key });
        using ServiceProvider sp = services.BuildServiceProvider();
        var ex = Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<IChatClient>());
        Assert.That(ex!.ToString(), Does.Not.Contain(key));

        var secret = new ApiKeySecret(key);
        Assert.That(secret.ToString(), Is.EqualTo("***"));
        Assert.That(secret.Reveal(), Is.EqualTo(key));
        var deployment = Deployment.FromOptions("main", new DeploymentOptions { Provider = "openai", Model = "x", ApiKey = key }, new ModelCatalog([]));
        Assert.That(deployment.ToString(), Does.Not.Contain(key));
    }

    [Test]
    public void Api_key_can_come_from_an_environment_variable()
    {
        string variable = "LLMROUTING_TEST_KEY_" + Guid.NewGuid().ToString("N")[..6];
        Environment.SetEnvironmentVariable(variable, "from-env");
        try
        {
            Deployment d = Deployment.FromOptions("x", new DeploymentOptions { Provider = "openai", Model = "m", ApiKeyEnvironmentVariable = variable }, new ModelCatalog([]));
            Assert.That(d.ApiKey?.Reveal(), Is.EqualTo("from-env"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Test]
    public async Task Chain_can_be_composed_by_hand_without_DI([Values] bool streaming)
    {
        var registry = new ProviderRegistry();
        var info = new ModelInfo { Provider = "echo", ModelId = "m", Pricing = new ModelPricing { InputPerToken = 0.000001m, OutputPerToken = 0.000002m } };
        registry.Add(new Deployment("only", "echo", "m", info), new EchoFactory());
        using IChatClient client = new ChatClientBuilder(new DeploymentDispatcherChatClient(registry))
            .UseCostRouter(registry)
            .UseRedaction()
            .UseResilience()
            .UseRoutingTelemetry()
            .Build();

        ChatResponse response = await client.AskAsync(streaming, "card 4111111111111111");
        RoutingReport report = response.GetRoutingReport()!;
        Assert.That(report.Deployment, Is.EqualTo("only"));
        Assert.That(report.Redactions["CREDIT_CARD"], Is.EqualTo(1));
    }
}
