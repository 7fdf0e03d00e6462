using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using RichardSzalay.MockHttp;
using static LlmRouting.Tests.Providers.OpenAI.OpenAITestSupport;

namespace LlmRouting.Tests.Providers.OpenAI;

public sealed class OpenAIProviderFactoryTests
{
    private MockHttpMessageHandler _handler = null!;

    [SetUp]
    public void SetUp()
    {
        _handler = new MockHttpMessageHandler();
        _handler.Fallback.Throw(new InvalidOperationException("Unexpected HTTP request."));
    }

    [TearDown]
    public void TearDown() => _handler.Dispose();

    [Test]
    public void Serves_openai_and_the_compatible_presets()
    {
        var factory = new OpenAIProviderFactory();

        Assert.That(factory.ProviderNames, Is.SupersetOf(new[]
        {
            "openai", "deepseek", "mistral", "groq", "together", "fireworks", "xai", "openrouter", "cerebras",
            "perplexity", "dashscope", "ollama", "vllm", "llamacpp", "lmstudio",
        }));
    }

    [Test]
    public async Task Uses_named_HttpClient_deployment_model_key_and_settings()
    {
        using ServiceProvider services = ServicesWith(OpenAIProviderFactory.HttpClientName("openai"));
        CapturedRequest request = Expect(_handler, () => Json(OpenAIFixtures.TextCompletion));
        var deployment = new Deployment("fast", "openai", "gpt-4o-mini")
        {
            ApiKey = new ApiKeySecret(ApiKey),
            Settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["Organization"] = "org-123", ["Project"] = "proj_456" },
        };

        using IChatClient client = new OpenAIProviderFactory().CreateClient(deployment, services);
        await client.GetResponseAsync("Hi");

        ChatClientMetadata metadata = client.GetService<ChatClientMetadata>()!;
        Assert.Multiple(() =>
        {
            Assert.That(OpenAIProviderFactory.HttpClientName("OpenAI"), Is.EqualTo("LlmRouting.openai"));
            Assert.That(request.Uri, Is.EqualTo(new Uri(ChatUrl)));
            Assert.That(request.Headers["Authorization"], Is.EqualTo("Bearer " + ApiKey));
            Assert.That(request.Headers["OpenAI-Organization"], Is.EqualTo("org-123"));
            Assert.That(request.Headers["OpenAI-Project"], Is.EqualTo("proj_456"));
            Assert.That(JsonNode.Parse(request.Body)!["model"]!.GetValue<string>(), Is.EqualTo("gpt-4o-mini"));
            Assert.That(metadata.ProviderName, Is.EqualTo("openai"));
            Assert.That(metadata.DefaultModelId, Is.EqualTo("gpt-4o-mini"));
        });
    }

    [Test]
    public async Task Deployment_endpoint_overrides_the_preset_and_errors_name_the_deployment()
    {
        using ServiceProvider services = ServicesWith(OpenAIProviderFactory.HttpClientName("vllm"));
        Expect(_handler, () => Json("""{"object":"error","message":"The model `llama` does not exist.","type":"NotFoundError","param":null,"code":404}""", System.Net.HttpStatusCode.NotFound), "http://127.0.0.1:9000/v1/chat/completions");
        var deployment = new Deployment("local-llama", "vllm", "llama") { Endpoint = new Uri("http://127.0.0.1:9000/v1") };

        using IChatClient client = new OpenAIProviderFactory().CreateClient(deployment, services);
        LlmProviderException? ex = null;
        try
        {
            await client.GetResponseAsync("Hi");
        }
        catch (LlmProviderException caught)
        {
            ex = caught;
        }

        Assert.That(ex?.Kind, Is.EqualTo(LlmErrorKind.NotFound));
        Assert.That(ex?.Provider, Is.EqualTo("vllm"));
        Assert.That(ex?.Deployment, Is.EqualTo("local-llama"));
        Assert.That(ex?.Message, Does.Contain("does not exist"));
    }

    [TestCase("groq", "https://api.groq.com/openai/v1/chat/completions")]
    [TestCase("deepseek", "https://api.deepseek.com/v1/chat/completions")]
    [TestCase("perplexity", "https://api.perplexity.ai/chat/completions")]
    [TestCase("ollama", "http://localhost:11434/v1/chat/completions")]
    public async Task Presets_use_their_default_base_url(string provider, string url)
    {
        using ServiceProvider services = ServicesWith(OpenAIProviderFactory.HttpClientName(provider));
        Expect(_handler, () => Json(OpenAIFixtures.TextCompletion), url);

        using IChatClient client = new OpenAIProviderFactory().CreateClient(new Deployment("d", provider, "m"), services);
        await client.GetResponseAsync("Hi");

        _handler.VerifyNoOutstandingExpectation();
    }

    [Test]
    public async Task Mistral_quirks_rename_fields_and_skip_stream_options()
    {
        using ServiceProvider services = ServicesWith(OpenAIProviderFactory.HttpClientName("mistral"));
        CapturedRequest request = Expect(_handler, () => Sse(Events(OpenAIFixtures.TextChunks)), "https://api.mistral.ai/v1/chat/completions");

        using IChatClient client = new OpenAIProviderFactory().CreateClient(new Deployment("m", "mistral", "mistral-small-latest"), services);
        await GetAsync(client, streaming: true, [new ChatMessage(ChatRole.User, "Hi")], new ChatOptions { MaxOutputTokens = 100, Seed = 7 });

        AssertJsonEqual(
            """{"model":"mistral-small-latest","messages":[{"role":"user","content":"Hi"}],"max_tokens":100,"random_seed":7,"stream":true}""",
            request.Body);
    }

    [Test]
    public async Task TopK_is_sent_where_the_preset_supports_it()
    {
        using ServiceProvider services = ServicesWith(OpenAIProviderFactory.HttpClientName("together"));
        CapturedRequest request = Expect(_handler, () => Json(OpenAIFixtures.TextCompletion), "https://api.together.xyz/v1/chat/completions");

        using IChatClient client = new OpenAIProviderFactory().CreateClient(new Deployment("t", "together", "meta-llama/Llama-3.3-70B-Instruct-Turbo"), services);
        await client.GetResponseAsync("Hi", new ChatOptions { TopK = 40 });

        Assert.That(JsonNode.Parse(request.Body)!["top_k"]!.GetValue<int>(), Is.EqualTo(40));
    }

    [Test]
    public void Without_IHttpClientFactory_a_shared_client_is_used()
    {
        var services = new ServiceCollection().BuildServiceProvider();
        var factory = new OpenAIProviderFactory();

        using IChatClient first = factory.CreateClient(new Deployment("a", "openai", "gpt-4o-mini"), services);
        using IChatClient second = factory.CreateClient(new Deployment("b", "openai", "gpt-4o"), services);

        Assert.That(first.GetService<ChatClientMetadata>()?.DefaultModelId, Is.EqualTo("gpt-4o-mini"));
        Assert.That(second.GetService<ChatClientMetadata>()?.DefaultModelId, Is.EqualTo("gpt-4o"));
    }

    [Test]
    public void Unknown_provider_is_rejected()
    {
        using ServiceProvider services = new ServiceCollection().BuildServiceProvider();
        Assert.Throws<ArgumentException>(() => new OpenAIProviderFactory().CreateClient(new Deployment("x", "anthropic", "claude"), services));
    }

    [Test]
    public async Task Registry_creates_the_client_through_the_factory()
    {
        using ServiceProvider services = ServicesWith(OpenAIProviderFactory.HttpClientName("openai"));
        Expect(_handler, () => Json(OpenAIFixtures.TextCompletion));
        var deployment = new Deployment("fast", "openai", "gpt-4o-mini") { ApiKey = new ApiKeySecret(ApiKey) };
        using var registry = new ProviderRegistry(services);
        registry.Add(deployment, new OpenAIProviderFactory());

        ChatResponse response = await registry.GetClient(deployment).GetResponseAsync("Hi");

        Assert.That(response.Text, Is.EqualTo("Hello! How can I assist you today?"));
    }

    private ServiceProvider ServicesWith(string clientName)
    {
        var services = new ServiceCollection();
        services.AddHttpClient(clientName).ConfigurePrimaryHttpMessageHandler(() => _handler);
        return services.BuildServiceProvider();
    }
}
