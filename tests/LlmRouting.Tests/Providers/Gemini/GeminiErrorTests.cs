using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RichardSzalay.MockHttp;
using static LlmRouting.Tests.Providers.Gemini.GeminiTestSupport;
using static LlmRouting.Tests.Providers.OpenAI.OpenAITestSupport;

namespace LlmRouting.Tests.Providers.Gemini;

public sealed class GeminiErrorTests
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
        (int Status, string Body, LlmErrorKind Kind, string? Code)[] cases =
        [
            (400, GeminiFixtures.Error(400, "INVALID_ARGUMENT", "* GenerateContentRequest.contents: contents is not specified"), LlmErrorKind.BadRequest, "INVALID_ARGUMENT"),
            (400, GeminiFixtures.Error(400, "INVALID_ARGUMENT", "The input token count (1412309) exceeds the maximum number of tokens allowed (1048576)."), LlmErrorKind.ContextLengthExceeded, "INVALID_ARGUMENT"),
            (400, GeminiFixtures.Error(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", GeminiFixtures.InvalidKeyDetails), LlmErrorKind.Authentication, "API_KEY_INVALID"),
            (400, GeminiFixtures.Error(400, "FAILED_PRECONDITION", "User location is not supported for the API use."), LlmErrorKind.PermissionDenied, "FAILED_PRECONDITION"),
            (401, GeminiFixtures.Error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential."), LlmErrorKind.Authentication, "UNAUTHENTICATED"),
            (403, GeminiFixtures.Error(403, "PERMISSION_DENIED", "You do not have permission to access the tuned model tunedModels/private-1."), LlmErrorKind.PermissionDenied, "PERMISSION_DENIED"),
            (404, GeminiFixtures.Error(404, "NOT_FOUND", "models/gemini-9 is not found for API version v1beta, or is not supported for generateContent."), LlmErrorKind.NotFound, "NOT_FOUND"),
            (429, GeminiFixtures.Error(429, "RESOURCE_EXHAUSTED", "You exceeded your current quota, please check your plan and billing details.", GeminiFixtures.QuotaDetails), LlmErrorKind.RateLimited, "RESOURCE_EXHAUSTED"),
            (500, GeminiFixtures.Error(500, "INTERNAL", "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting"), LlmErrorKind.ServerError, "INTERNAL"),
            (503, GeminiFixtures.Error(503, "UNAVAILABLE", "The model is overloaded. Please try again later."), LlmErrorKind.Overloaded, "UNAVAILABLE"),
            (504, GeminiFixtures.Error(504, "DEADLINE_EXCEEDED", "Deadline expired before operation could complete."), LlmErrorKind.Timeout, "DEADLINE_EXCEEDED"),
            (502, "<html><body>502 Bad Gateway</body></html>", LlmErrorKind.ServerError, null),
            (429, "[" + GeminiFixtures.Error(429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota).") + "]", LlmErrorKind.RateLimited, "RESOURCE_EXHAUSTED"),
        ];
        foreach (bool streaming in new[] { false, true })
        {
            foreach ((int status, string body, LlmErrorKind kind, string? code) in cases)
            {
                yield return new TestCaseData(status, body, kind, code, streaming).SetArgDisplayNames($"{status}", code ?? "-", kind.ToString(), streaming ? "stream" : "unary");
            }
        }
    }

    [TestCaseSource(nameof(HttpErrors))]
    public async Task Http_errors_are_classified_from_status_and_body(int status, string body, LlmErrorKind kind, string? code, bool streaming)
    {
        Expect(_handler, () => Json(body, (HttpStatusCode)status, ("x-goog-request-id", "goog-req-1")), Url(streaming));
        using GeminiChatClient client = CreateGemini(_handler, o => o.DeploymentName = "flash-eu");

        LlmProviderException ex = await CatchAsync(client, streaming);

        Assert.Multiple(() =>
        {
            Assert.That(ex.Kind, Is.EqualTo(kind));
            Assert.That(ex.StatusCode, Is.EqualTo((HttpStatusCode)status));
            Assert.That(ex.ProviderErrorCode, Is.EqualTo(code));
            Assert.That(ex.Provider, Is.EqualTo("gemini"));
            Assert.That(ex.Model, Is.EqualTo(Model));
            Assert.That(ex.Deployment, Is.EqualTo("flash-eu"));
            Assert.That(ex.ProviderRequestId, Is.EqualTo("goog-req-1"));
            Assert.That(ex.Message, Does.Contain($"HTTP {status}"));
            Assert.That(ex.ToString(), Does.Not.Contain(GeminiApiKey).And.Not.Contain(GeminiApiKey[..12]));
            Assert.That(ex.ToString(), Does.Not.Contain("Tell me a secret"), "no prompt text");
        });
    }

    [Test]
    public async Task RetryInfo_delay_becomes_RetryAfter_unless_a_header_says_otherwise([Values] bool streaming)
    {
        string body = GeminiFixtures.Error(429, "RESOURCE_EXHAUSTED", "You exceeded your current quota.", GeminiFixtures.QuotaDetails);
        Expect(_handler, () => Json(body, HttpStatusCode.TooManyRequests), Url(streaming));
        Expect(_handler, () => Json(body, HttpStatusCode.TooManyRequests, ("retry-after", "5")), Url(streaming));
        using GeminiChatClient client = CreateGemini(_handler);

        LlmProviderException fromBody = await CatchAsync(client, streaming);
        LlmProviderException fromHeader = await CatchAsync(client, streaming);

        Assert.That(fromBody.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(37)));
        Assert.That(fromBody.IsTransient, Is.True);
        Assert.That(fromHeader.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(5)));
    }

    [Test]
    public async Task Fractional_retry_delay_is_parsed()
    {
        Expect(_handler, () => Json(GeminiFixtures.Error(429, "RESOURCE_EXHAUSTED", "Quota exceeded.", """[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"1.500s"}]"""), HttpStatusCode.TooManyRequests), Url(false));
        using GeminiChatClient client = CreateGemini(_handler);

        LlmProviderException ex = await CatchAsync(client, streaming: false);

        Assert.That(ex.RetryAfter, Is.EqualTo(TimeSpan.FromMilliseconds(1500)));
    }

    [Test]
    public async Task Provider_message_is_kept_for_diagnosis_but_never_for_key_errors()
    {
        Expect(_handler, () => Json(GeminiFixtures.Error(404, "NOT_FOUND", "models/gemini-9 is not found for API version v1beta."), HttpStatusCode.NotFound), Url(false));
        Expect(_handler, () => Json(GeminiFixtures.Error(400, "INVALID_ARGUMENT", $"API key not valid: {GeminiApiKey}", GeminiFixtures.InvalidKeyDetails), HttpStatusCode.BadRequest), Url(false));
        Expect(_handler, () => Json(GeminiFixtures.Error(400, "INVALID_ARGUMENT", $"Header x-goog-api-key={GeminiApiKey} is malformed. {new string('x', 2000)}"), HttpStatusCode.BadRequest), Url(false));
        using GeminiChatClient client = CreateGemini(_handler);

        LlmProviderException notFound = await CatchAsync(client, streaming: false);
        LlmProviderException badKey = await CatchAsync(client, streaming: false);
        LlmProviderException echoed = await CatchAsync(client, streaming: false);

        Assert.Multiple(() =>
        {
            Assert.That(notFound.Message, Is.EqualTo("gemini returned HTTP 404 (NotFound) [NOT_FOUND]: models/gemini-9 is not found for API version v1beta."));
            Assert.That(badKey.Message, Is.EqualTo("gemini returned HTTP 400 (BadRequest) [API_KEY_INVALID]."));
            Assert.That(echoed.Message, Does.Contain("x-goog-api-key=***").And.Not.Contain(GeminiApiKey));
            Assert.That(echoed.Message, Has.Length.LessThan(700));
        });
    }

    [Test]
    public async Task Caller_cancellation_propagates_as_OperationCanceledException([Values] bool streaming)
    {
        Expect(_handler, () => Json(GeminiFixtures.TextReply), Url(streaming));
        using GeminiChatClient client = CreateGemini(_handler);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        Exception? caught = null;
        try
        {
            await GetAsync(client, streaming, [new ChatMessage(ChatRole.User, "Hi")], cancellationToken: cts.Token);
        }
        catch (Exception ex)
        {
            caught = ex;
        }

        Assert.That(caught, Is.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public void Key_with_header_breaking_characters_is_rejected_without_echoing_it()
    {
        var ex = Assert.Throws<ArgumentException>(() => new GeminiChatClient(new HttpClient(), new GeminiChatClientOptions { ApiKey = new ApiKeySecret("AIza\r\nInjected: 1") }));

        Assert.That(ex!.Message, Does.Not.Contain("Injected"));
    }

    [Test]
    public void Factory_serves_gemini_deployments_with_the_deployment_settings()
    {
        var services = new ServiceCollection();
        var clock = new FakeTimeProvider();
        services.AddSingleton<TimeProvider>(clock);
        using ServiceProvider provider = services.BuildServiceProvider();
        var factory = new GeminiProviderFactory();
        var deployment = new Deployment("flash", "gemini", "gemini-2.5-flash") { ApiKey = new ApiKeySecret(GeminiApiKey), Endpoint = new Uri("https://gemini-proxy.example/v1beta/") };

        using IChatClient client = factory.CreateClient(deployment, provider);

        Assert.Multiple(() =>
        {
            Assert.That(factory.ProviderNames, Is.EquivalentTo(new[] { "gemini" }));
            Assert.That(client, Is.InstanceOf<GeminiChatClient>());
            Assert.That(client.GetService<ChatClientMetadata>()?.DefaultModelId, Is.EqualTo("gemini-2.5-flash"));
            Assert.That(client.GetService<ChatClientMetadata>()?.ProviderUri, Is.EqualTo(new Uri("https://gemini-proxy.example/v1beta/")));
            Assert.That(() => factory.CreateClient(new Deployment("x", "openai", "gpt-4o"), provider), Throws.ArgumentException);
        });
    }

    [Test]
    public void AddLlmRouting_registers_the_Gemini_factory()
    {
        var services = new ServiceCollection();
        services.AddLlmRouting(o => o.Deployments["flash"] = new DeploymentOptions { Provider = "gemini", Model = "gemini-2.5-flash", ApiKey = GeminiApiKey });
        using ServiceProvider provider = services.BuildServiceProvider();

        Assert.That(provider.GetServices<IChatProviderFactory>().OfType<GeminiProviderFactory>(), Has.Exactly(1).Items);
        Assert.That(provider.GetRequiredService<ProviderRegistry>().GetClient(provider.GetRequiredService<ProviderRegistry>().Deployments.Single()), Is.InstanceOf<GeminiChatClient>());
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
