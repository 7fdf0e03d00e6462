using System.Net;
using System.Text.Json.Nodes;
using LlmRouting.Tests.Providers.Anthropic;
using LlmRouting.Tests.Providers.Conformance;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RichardSzalay.MockHttp;
using static LlmRouting.Tests.Providers.Conformance.ConformanceHttp;

namespace LlmRouting.Tests.Providers;

/// <summary>Anthropic and Azure OpenAI factories, the yi preset, and their registration and validation through AddLlmRouting.</summary>
public sealed class ProviderFactoryRegistrationTests
{
    private const string Key = "test-key-0123456789abcdef";
    private const string AzureCompletion = """
        {"id":"chatcmpl-Az01","object":"chat.completion","created":1741569952,"model":"gpt-4o-2024-11-20",
         "prompt_filter_results":[{"prompt_index":0,"content_filter_results":{"hate":{"filtered":false,"severity":"safe"}}}],
         "choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"Hello from Azure."},
                     "content_filter_results":{"hate":{"filtered":false,"severity":"safe"}}}],
         "usage":{"prompt_tokens":9,"completion_tokens":4,"total_tokens":13}}
        """;

    private MockHttpMessageHandler _handler = null!;

    [SetUp]
    public void SetUp()
    {
        _handler = new MockHttpMessageHandler();
        _handler.Fallback.Throw(new InvalidOperationException("Unexpected HTTP request."));
    }

    [TearDown]
    public void TearDown() => _handler.Dispose();

    public static IEnumerable<string> AllProviderNames { get; } =
    [
        "openai", "azure-openai", "anthropic", "deepseek", "mistral", "groq", "together", "fireworks", "xai", "dashscope", "yi",
        "perplexity", "openrouter", "cerebras", "ollama", "vllm", "llamacpp", "lmstudio",
    ];

    [Test]
    public void AddLlmRouting_registers_every_provider_name_for_validation()
    {
        var services = new ServiceCollection();
        services.AddLlmRouting(o => o.Deployments["x"] = new DeploymentOptions { Provider = "openai", Model = "gpt-4o-mini" });
        using ServiceProvider sp = services.BuildServiceProvider();

        string[] names = sp.GetServices<IChatProviderFactory>().SelectMany(f => f.ProviderNames).ToArray();

        Assert.That(names, Is.SupersetOf(AllProviderNames));
        Assert.That(names, Is.Unique);
    }

    [TestCaseSource(nameof(AllProviderNames))]
    public void Every_provider_name_passes_validation_when_configured(string provider)
    {
        var options = new LlmRoutingOptions();
        options.Deployments["d"] = new DeploymentOptions { Provider = provider, Model = "some-model", Endpoint = new Uri("https://example.test/") };

        List<string> errors = Validate(options);

        Assert.That(errors, Is.Empty);
    }

    [Test]
    public void Provider_specific_settings_are_validated_with_their_paths()
    {
        var options = new LlmRoutingOptions();
        options.Deployments["az"] = new DeploymentOptions { Provider = "azure-openai", Model = "gpt4o-prod" };
        options.Deployments["claude"] = new DeploymentOptions { Provider = "anthropic", Model = "claude-sonnet-4-5", Settings = { ["MaxOutputTokens"] = "lots" } };
        options.Deployments["nope"] = new DeploymentOptions { Provider = "antropic", Model = "claude-sonnet-4-5" };

        List<string> errors = Validate(options);

        Assert.That(errors, Has.Member("LlmRouting:Deployments:az:Endpoint is required for Azure OpenAI (the resource URL, e.g. https://my-resource.openai.azure.com/)."));
        Assert.That(errors, Has.Member("LlmRouting:Deployments:claude:Settings:MaxOutputTokens must be a positive integer (was 'lots')."));
        Assert.That(errors.Single(e => e.Contains(":nope:", StringComparison.Ordinal)), Does.Contain("Provider 'antropic' has no registered provider").And.Contain("anthropic"));
    }

    [Test]
    public async Task Anthropic_factory_uses_the_named_client_key_catalog_max_output_and_settings()
    {
        using ServiceProvider services = ServicesWith("anthropic");
        ObservedRequest request = Expect(_handler, "https://api.anthropic.com/v1/messages", () => Json(AnthropicTestSupport.TextMessage("Hi")));
        ModelCatalog.Default.TryGetModel("anthropic", "claude-haiku-4-5", out ModelInfo? info);
        var deployment = new Deployment("fast-claude", "anthropic", "claude-haiku-4-5", info)
        {
            ApiKey = new ApiKeySecret(Key),
            Settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["Beta"] = "token-efficient-tools-2025-02-19", ["ApiVersion"] = "2023-06-01" },
        };

        using IChatClient client = new AnthropicProviderFactory().CreateClient(deployment, services);
        await client.GetResponseAsync("Hi");

        Assert.Multiple(() =>
        {
            Assert.That(request.Headers["x-api-key"], Is.EqualTo(Key));
            Assert.That(request.Headers["anthropic-beta"], Is.EqualTo("token-efficient-tools-2025-02-19"));
            Assert.That(JsonNode.Parse(request.Body)!["model"]!.GetValue<string>(), Is.EqualTo("claude-haiku-4-5"));
            Assert.That(JsonNode.Parse(request.Body)!["max_tokens"]!.GetValue<int>(), Is.EqualTo(info!.MaxOutputTokens));
            Assert.That(client.GetService<ChatClientMetadata>()!.ProviderName, Is.EqualTo("anthropic"));
        });
    }

    [Test]
    public async Task Anthropic_MaxOutputTokens_setting_overrides_the_catalog_and_bad_values_are_rejected()
    {
        using ServiceProvider services = ServicesWith("anthropic");
        ObservedRequest request = Expect(_handler, "https://api.anthropic.com/v1/messages", () => Json(AnthropicTestSupport.TextMessage("Hi")));
        var factory = new AnthropicProviderFactory();
        var deployment = new Deployment("c", "anthropic", "claude-sonnet-4-5")
        {
            Settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["MaxOutputTokens"] = "8192" },
        };

        using IChatClient client = factory.CreateClient(deployment, services);
        await client.GetResponseAsync("Hi");

        Assert.That(JsonNode.Parse(request.Body)!["max_tokens"]!.GetValue<int>(), Is.EqualTo(8192));
        Assert.Throws<ArgumentException>(() => factory.CreateClient(new Deployment("c", "anthropic", "m") { Settings = new Dictionary<string, string> { ["MaxOutputTokens"] = "0" } }, services));
        Assert.Throws<ArgumentException>(() => factory.CreateClient(new Deployment("c", "openai", "m"), services));
    }

    [TestCase(null, null, "https://my-res.openai.azure.com/openai/deployments/gpt4o-prod/chat/completions?api-version=2024-10-21")]
    [TestCase("2025-04-01-preview", "gpt-4o-eu", "https://my-res.openai.azure.com/openai/deployments/gpt-4o-eu/chat/completions?api-version=2025-04-01-preview")]
    public async Task Azure_deployment_urls_api_version_api_key_and_no_model_in_the_body(string? apiVersion, string? azureDeployment, string url)
    {
        using ServiceProvider services = ServicesWith("azure-openai");
        ObservedRequest request = Expect(_handler, url, () => Json(AzureCompletion, HttpStatusCode.OK, ("apim-request-id", "9e1f-apim")));
        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (apiVersion is not null)
        {
            settings["ApiVersion"] = apiVersion;
        }

        if (azureDeployment is not null)
        {
            settings["DeploymentName"] = azureDeployment;
        }

        var deployment = new Deployment("az", "azure-openai", "gpt4o-prod") { Endpoint = new Uri("https://my-res.openai.azure.com/"), ApiKey = new ApiKeySecret(Key), Settings = settings };

        using IChatClient client = new OpenAIProviderFactory().CreateClient(deployment, services);
        ChatResponse response = await client.GetResponseAsync("Hi");

        Assert.Multiple(() =>
        {
            Assert.That(request.Uri!.ToString(), Is.EqualTo(url));
            Assert.That(request.Headers["api-key"], Is.EqualTo(Key));
            Assert.That(request.Headers.ContainsKey("Authorization"), Is.False);
            AssertJsonEqual("""{"messages":[{"role":"user","content":"Hi"}]}""", request.Body);
            Assert.That(response.Text, Is.EqualTo("Hello from Azure."));
            Assert.That(response.ModelId, Is.EqualTo("gpt-4o-2024-11-20"));
            Assert.That(response.AdditionalProperties?[LlmResponsePropertyKeys.ProviderRequestId], Is.EqualTo("9e1f-apim"));
        });
    }

    [Test]
    public async Task Azure_v1_api_and_gateway_endpoints()
    {
        using ServiceProvider services = ServicesWith("azure-openai");
        ObservedRequest v1 = Expect(_handler, "https://my-res.openai.azure.com/openai/v1/chat/completions", () => Json(AzureCompletion));
        ObservedRequest gateway = Expect(_handler, "https://apim.example.test/aoai/openai/deployments/gpt4o-prod/chat/completions?api-version=2024-10-21", () => Json(AzureCompletion));
        var factory = new OpenAIProviderFactory();

        using IChatClient v1Client = factory.CreateClient(
            new Deployment("az", "azure-openai", "gpt4o-prod") { Endpoint = new Uri("https://my-res.openai.azure.com/openai/"), Settings = new Dictionary<string, string> { ["ApiVersion"] = "v1" } },
            services);
        using IChatClient gatewayClient = factory.CreateClient(
            new Deployment("az2", "azure-openai", "gpt4o-prod") { Endpoint = new Uri("https://apim.example.test/aoai/") },
            services);
        await v1Client.GetResponseAsync("Hi");
        await gatewayClient.GetResponseAsync("Hi");

        Assert.That(JsonNode.Parse(v1.Body)!["model"]!.GetValue<string>(), Is.EqualTo("gpt4o-prod"), "the v1 API takes the deployment name as model");
        Assert.That(JsonNode.Parse(gateway.Body)!.AsObject().ContainsKey("model"), Is.False);
        Assert.Throws<ArgumentException>(() => factory.CreateClient(new Deployment("az3", "azure-openai", "gpt4o-prod"), services));
    }

    [Test]
    public async Task Azure_content_filter_errors_and_filtered_completions([Values] bool streaming)
    {
        using ServiceProvider services = ServicesWith("azure-openai");
        const string Url = "https://my-res.openai.azure.com/openai/deployments/gpt4o-prod/chat/completions?api-version=2024-10-21";
        Expect(_handler, Url, () => Json(
            """
            {"error":{"message":"The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry.",
              "type":null,"param":"prompt","code":"content_filter","status":400,
              "innererror":{"code":"ResponsibleAIPolicyViolation","content_filter_result":{"hate":{"filtered":true,"severity":"high"}}}}}
            """,
            HttpStatusCode.BadRequest,
            ("x-ms-retry-after-ms", "250"),
            ("apim-request-id", "a1b2-apim")));
        Expect(_handler, Url, () => streaming
            ? Sse(DataEvents(
                [
                    """{"choices":[],"created":0,"id":"","model":"","object":"","prompt_filter_results":[{"prompt_index":0,"content_filter_results":{}}]}""",
                    """{"choices":[{"delta":{"content":"Here is","role":"assistant"},"finish_reason":null,"index":0}],"created":1741569952,"id":"chatcmpl-Az02","model":"gpt-4o-2024-11-20","object":"chat.completion.chunk"}""",
                    """{"choices":[{"delta":{},"finish_reason":"content_filter","index":0,"content_filter_results":{"violence":{"filtered":true,"severity":"medium"}}}],"created":1741569952,"id":"chatcmpl-Az02","model":"gpt-4o-2024-11-20","object":"chat.completion.chunk"}""",
                ],
                "[DONE]"))
            : Json("""{"id":"chatcmpl-Az02","object":"chat.completion","created":1741569952,"model":"gpt-4o-2024-11-20","choices":[{"index":0,"finish_reason":"content_filter","message":{"role":"assistant","content":"Here is"}}]}"""));
        var deployment = new Deployment("az", "azure-openai", "gpt4o-prod") { Endpoint = new Uri("https://my-res.openai.azure.com/"), ApiKey = new ApiKeySecret(Key) };
        using IChatClient client = new OpenAIProviderFactory().CreateClient(deployment, services);

        LlmProviderException? ex = null;
        try
        {
            await GetAsync(client, streaming, [new ChatMessage(ChatRole.User, "Hi")]);
        }
        catch (LlmProviderException caught)
        {
            ex = caught;
        }

        ChatResponse filtered = await GetAsync(client, streaming, [new ChatMessage(ChatRole.User, "Hi")]);

        Assert.Multiple(() =>
        {
            Assert.That(ex?.Kind, Is.EqualTo(LlmErrorKind.ContentFiltered));
            Assert.That(ex?.Provider, Is.EqualTo("azure-openai"));
            Assert.That(ex?.ProviderRequestId, Is.EqualTo("a1b2-apim"));
            Assert.That(ex?.RetryAfter, Is.EqualTo(TimeSpan.FromMilliseconds(250)));
            Assert.That(filtered.FinishReason, Is.EqualTo(ChatFinishReason.ContentFilter));
            Assert.That(filtered.Text, Is.EqualTo("Here is"));
        });
    }

    [Test]
    public async Task Yi_preset_uses_its_base_url_and_max_tokens()
    {
        using ServiceProvider services = ServicesWith("yi");
        ObservedRequest request = Expect(_handler, "https://api.01.ai/v1/chat/completions", () => Json(AzureCompletion));

        using IChatClient client = new OpenAIProviderFactory().CreateClient(new Deployment("yi", "yi", "yi-lightning") { ApiKey = new ApiKeySecret(Key) }, services);
        await client.GetResponseAsync("Hi", new ChatOptions { MaxOutputTokens = 64 });

        AssertJsonEqual("""{"model":"yi-lightning","messages":[{"role":"user","content":"Hi"}],"max_tokens":64}""", request.Body);
        Assert.That(request.Headers["Authorization"], Is.EqualTo("Bearer " + Key));
    }

    [Test]
    public async Task AddLlmRouting_routes_to_an_anthropic_deployment_end_to_end([Values] bool streaming)
    {
        var services = new ServiceCollection();
        services.AddHttpClient(OpenAIProviderFactory.HttpClientName("anthropic")).ConfigurePrimaryHttpMessageHandler(() => _handler);
        services.AddLlmRouting(o => o.Deployments["claude"] = new DeploymentOptions { Provider = "anthropic", Model = "claude-sonnet-4-5", ApiKey = Key });
        Expect(_handler, "https://api.anthropic.com/v1/messages", () => streaming ? Sse(AnthropicTestSupport.TextEvents("Bonjour")) : Json(AnthropicTestSupport.TextMessage("Bonjour")));
        using ServiceProvider sp = services.BuildServiceProvider();

        ChatResponse response = await sp.GetRequiredService<IChatClient>().AskAsync(streaming, "Say hello in French.");

        RoutingReport report = response.GetRoutingReport()!;
        Assert.Multiple(() =>
        {
            Assert.That(response.Text, Is.EqualTo("Bonjour"));
            Assert.That(report.Provider, Is.EqualTo("anthropic"));
            Assert.That(report.Deployment, Is.EqualTo("claude"));
            Assert.That(report.Usage.InputTokens, Is.EqualTo(10));
            Assert.That(report.CostUsd, Is.GreaterThan(0m), "priced from the catalog");
        });
    }

    private static List<string> Validate(LlmRoutingOptions options)
    {
        var services = new ServiceCollection();
        services.AddLlmRouting();
        using ServiceProvider sp = services.BuildServiceProvider();
        ValidateOptionsResult result = sp.GetServices<IValidateOptions<LlmRoutingOptions>>().Single().Validate(null, options);
        return result.Failures?.ToList() ?? [];
    }

    private ServiceProvider ServicesWith(string provider)
    {
        var services = new ServiceCollection();
        services.AddHttpClient(OpenAIProviderFactory.HttpClientName(provider)).ConfigurePrimaryHttpMessageHandler(() => _handler);
        return services.BuildServiceProvider();
    }
}
