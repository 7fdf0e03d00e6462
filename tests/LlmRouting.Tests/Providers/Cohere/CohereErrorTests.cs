using System.Net;
using Microsoft.Extensions.DependencyInjection;
using RichardSzalay.MockHttp;
using static LlmRouting.Tests.Providers.Cohere.CohereTestSupport;
using static LlmRouting.Tests.Providers.OpenAI.OpenAITestSupport;

namespace LlmRouting.Tests.Providers.Cohere;

public sealed class CohereErrorTests
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

    private static IEnumerable<TestCaseData> HttpErrors()
    {
        (int Status, string Body, LlmErrorKind Kind)[] cases =
        [
            (400, CohereFixtures.Error("invalid request: message must be at least 1 token long or tool results must be specified."), LlmErrorKind.BadRequest),
            (400, CohereFixtures.Error("too many tokens: total number of tokens in the prompt cannot exceed 256000 - received 291337. Try using a shorter prompt"), LlmErrorKind.ContextLengthExceeded),
            (401, CohereFixtures.Error("invalid api token"), LlmErrorKind.Authentication),
            (402, CohereFixtures.Error("Please add or update your payment method to continue using the API."), LlmErrorKind.QuotaExceeded),
            (403, CohereFixtures.Error("Forbidden: this model is not available for your organization."), LlmErrorKind.PermissionDenied),
            (404, CohereFixtures.Error("model 'command-z' not found, make sure the correct model ID was used and that you have access to the model."), LlmErrorKind.NotFound),
            (422, CohereFixtures.Error("invalid request: p must be between 0.01 and 0.99"), LlmErrorKind.BadRequest),
            (429, CohereFixtures.Error("You are using a Trial key, which is limited to 20 API calls / minute. You can continue to use the Trial key for free or upgrade to a Production key with higher rate limits."), LlmErrorKind.RateLimited),
            (429, CohereFixtures.Error("You are using a Trial key, which is limited to 1000 API calls / month. You can continue to use the Trial key for free or upgrade to a Production key with higher rate limits."), LlmErrorKind.QuotaExceeded),
            (498, CohereFixtures.Error("blocked output: the response contains a deny-listed token"), LlmErrorKind.ContentFiltered),
            (499, CohereFixtures.Error("request cancelled"), LlmErrorKind.ServerError),
            (500, CohereFixtures.Error("internal server error, this has been reported to our developers"), LlmErrorKind.ServerError),
            (503, CohereFixtures.Error("service unavailable"), LlmErrorKind.Overloaded),
            (504, CohereFixtures.Error("gateway timeout"), LlmErrorKind.Timeout),
            (502, "<html><body>502 Bad Gateway</body></html>", LlmErrorKind.ServerError),
        ];
        foreach (bool streaming in new[] { false, true })
        {
            foreach ((int status, string body, LlmErrorKind kind) in cases)
            {
                yield return new TestCaseData(status, body, kind, streaming).SetArgDisplayNames($"{status}", kind.ToString(), streaming ? "stream" : "unary");
            }
        }
    }

    [TestCaseSource(nameof(HttpErrors))]
    public async Task Http_errors_are_classified(int status, string body, LlmErrorKind kind, bool streaming)
    {
        Expect(_handler, () => Json(body, (HttpStatusCode)status), CohereChatUrl);
        using CohereChatClient client = CreateCohere(_handler, o => o.DeploymentName = "command");

        LlmProviderException ex = await CatchAsync(client, streaming);

        Assert.Multiple(() =>
        {
            Assert.That(ex.Kind, Is.EqualTo(kind), ex.Message);
            Assert.That(ex.StatusCode, Is.EqualTo((HttpStatusCode)status));
            Assert.That(ex.Provider, Is.EqualTo("cohere"));
            Assert.That(ex.Model, Is.EqualTo(Model));
            Assert.That(ex.Deployment, Is.EqualTo("command"));
            Assert.That(ex.ProviderRequestId, Is.EqualTo(body.StartsWith('{') ? "11864227-5c7f-4c4a-8c9b-6465ab44a26e" : null), "the body's id identifies the request");
            Assert.That(ex.Message, Does.Contain($"HTTP {status}"));
            Assert.That(ex.ToString(), Does.Not.Contain(CohereApiKey).And.Not.Contain(CohereApiKey[..12]));
            Assert.That(ex.ToString(), Does.Not.Contain("Tell me a secret"));
        });
    }

    [Test]
    public async Task Trace_header_wins_over_the_body_id_and_retry_after_is_read([Values] bool streaming)
    {
        Expect(_handler, () => Json(CohereFixtures.Error("rate limited"), HttpStatusCode.TooManyRequests, ("x-debug-trace-id", "trace-77"), ("retry-after", "12")), CohereChatUrl);
        using CohereChatClient client = CreateCohere(_handler);

        LlmProviderException ex = await CatchAsync(client, streaming);

        Assert.That(ex.ProviderRequestId, Is.EqualTo("trace-77"));
        Assert.That(ex.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(12)));
    }

    [Test]
    public async Task Provider_message_is_kept_but_key_echoes_are_removed()
    {
        Expect(_handler, () => Json(CohereFixtures.Error("invalid request: p must be between 0.01 and 0.99"), HttpStatusCode.UnprocessableEntity), CohereChatUrl);
        Expect(_handler, () => Json(CohereFixtures.Error($"invalid api token {CohereApiKey}"), HttpStatusCode.Unauthorized), CohereChatUrl);
        Expect(_handler, () => Json(CohereFixtures.Error($"bad header {CohereApiKey} {new string('x', 2000)}"), HttpStatusCode.BadRequest), CohereChatUrl);
        using CohereChatClient client = CreateCohere(_handler);

        LlmProviderException invalid = await CatchAsync(client, streaming: false);
        LlmProviderException auth = await CatchAsync(client, streaming: false);
        LlmProviderException echoed = await CatchAsync(client, streaming: false);

        Assert.Multiple(() =>
        {
            Assert.That(invalid.Message, Is.EqualTo("cohere returned HTTP 422 (UnprocessableEntity): invalid request: p must be between 0.01 and 0.99"));
            Assert.That(auth.Message, Is.EqualTo("cohere returned HTTP 401 (Unauthorized)."));
            Assert.That(echoed.Message, Does.Contain("bad header ***").And.Not.Contain(CohereApiKey));
            Assert.That(echoed.Message, Has.Length.LessThan(700));
        });
    }

    [Test]
    public void Factory_serves_cohere_deployments()
    {
        using ServiceProvider provider = new ServiceCollection().BuildServiceProvider();
        var factory = new CohereProviderFactory();

        using IChatClient client = factory.CreateClient(new Deployment("command", "cohere", "command-a-03-2025") { ApiKey = new ApiKeySecret(CohereApiKey) }, provider);

        Assert.Multiple(() =>
        {
            Assert.That(factory.ProviderNames, Is.EquivalentTo(new[] { "cohere" }));
            Assert.That(client, Is.InstanceOf<CohereChatClient>());
            Assert.That(client.GetService<ChatClientMetadata>()?.ProviderUri, Is.EqualTo(CohereChatClientOptions.DefaultEndpoint));
            Assert.That(client.GetService<ChatClientMetadata>()?.DefaultModelId, Is.EqualTo("command-a-03-2025"));
            Assert.That(() => factory.CreateClient(new Deployment("x", "gemini", "gemini-2.5-flash"), provider), Throws.ArgumentException);
        });
    }

    [Test]
    public void AddLlmRouting_registers_the_Cohere_factory()
    {
        var services = new ServiceCollection();
        services.AddLlmRouting(o => o.Deployments["command"] = new DeploymentOptions { Provider = "cohere", Model = "command-a-03-2025", ApiKey = CohereApiKey });
        using ServiceProvider provider = services.BuildServiceProvider();
        ProviderRegistry registry = provider.GetRequiredService<ProviderRegistry>();

        Assert.That(provider.GetServices<IChatProviderFactory>().OfType<CohereProviderFactory>(), Has.Exactly(1).Items);
        Assert.That(registry.GetClient(registry.Deployments.Single()), Is.InstanceOf<CohereChatClient>());
    }

    private static async Task<LlmProviderException> CatchAsync(IChatClient client, bool streaming)
    {
        try
        {
            await GetAsync(client, streaming, [new ChatMessage(ChatRole.User, "Tell me a secret")]);
        }
        catch (LlmProviderException ex)
        {
            return ex;
        }

        Assert.Fail("No LlmProviderException was thrown.");
        return null!;
    }
}
