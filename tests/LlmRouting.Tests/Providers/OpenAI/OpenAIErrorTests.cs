using System.Globalization;
using System.Net;
using Microsoft.Extensions.Time.Testing;
using RichardSzalay.MockHttp;
using static LlmRouting.Tests.Providers.OpenAI.OpenAITestSupport;

namespace LlmRouting.Tests.Providers.OpenAI;

public sealed class OpenAIErrorTests
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
            (400, OpenAIFixtures.Error("Invalid value for 'temperature': must be between 0 and 2.", "invalid_request_error", "invalid_value", "temperature"), LlmErrorKind.BadRequest, "invalid_value"),
            (400, OpenAIFixtures.Error("This model's maximum context length is 128000 tokens. However, your messages resulted in 130512 tokens. Please reduce the length of the messages.", "invalid_request_error", "context_length_exceeded", "messages"), LlmErrorKind.ContextLengthExceeded, "context_length_exceeded"),
            (400, OpenAIFixtures.Error("The response was filtered due to the prompt triggering Azure OpenAI's content management policy.", null, "content_filter", "prompt"), LlmErrorKind.ContentFiltered, "content_filter"),
            (400, OpenAIFixtures.Error("Your request was rejected as a result of our safety system.", "invalid_request_error", "content_policy_violation"), LlmErrorKind.ContentFiltered, "content_policy_violation"),
            (401, OpenAIFixtures.Error($"Incorrect API key provided: {ApiKey}. You can find your API key at https://platform.openai.com/account/api-keys.", "invalid_request_error", "invalid_api_key"), LlmErrorKind.Authentication, "invalid_api_key"),
            (402, OpenAIFixtures.Error("Insufficient credits.", null, null), LlmErrorKind.QuotaExceeded, null),
            (403, OpenAIFixtures.Error("Project does not have access to model gpt-4o-mini.", "invalid_request_error", "model_not_found"), LlmErrorKind.PermissionDenied, "model_not_found"),
            (404, OpenAIFixtures.Error("The model `gpt-9` does not exist or you do not have access to it.", "invalid_request_error", "model_not_found", "model"), LlmErrorKind.NotFound, "model_not_found"),
            (408, string.Empty, LlmErrorKind.Timeout, null),
            (409, OpenAIFixtures.Error("Conflict.", "invalid_request_error", null), LlmErrorKind.ServerError, "invalid_request_error"),
            (422, """{"detail":"Unprocessable request"}""", LlmErrorKind.BadRequest, null),
            (429, OpenAIFixtures.Error("Rate limit reached for gpt-4o-mini in organization org-abc on tokens per min (TPM): Limit 200000, Used 199500, Requested 1200.", "tokens", "rate_limit_exceeded"), LlmErrorKind.RateLimited, "rate_limit_exceeded"),
            (429, OpenAIFixtures.Error("You exceeded your current quota, please check your plan and billing details.", "insufficient_quota", "insufficient_quota"), LlmErrorKind.QuotaExceeded, "insufficient_quota"),
            (500, OpenAIFixtures.Error("The server had an error while processing your request. Sorry about that!", "server_error", null), LlmErrorKind.ServerError, "server_error"),
            (502, "<html><body><h1>502 Bad Gateway</h1></body></html>", LlmErrorKind.ServerError, null),
            (503, OpenAIFixtures.Error("The engine is currently overloaded, please try again later.", "server_error", null), LlmErrorKind.Overloaded, "server_error"),
            (504, string.Empty, LlmErrorKind.ServerError, null),
            (529, """{"error":{"message":"Overloaded","type":"overloaded_error"}}""", LlmErrorKind.Overloaded, "overloaded_error"),
        ];
        foreach (bool streaming in new[] { false, true })
        {
            foreach ((int status, string body, LlmErrorKind kind, string? code) in cases)
            {
                yield return new TestCaseData(status, body, kind, code, streaming).SetArgDisplayNames($"{status}", code ?? "-", streaming ? "stream" : "unary");
            }
        }
    }

    [TestCaseSource(nameof(HttpErrors))]
    public async Task Http_errors_are_classified(int status, string body, LlmErrorKind kind, string? code, bool streaming)
    {
        Expect(_handler, () => Json(body, (HttpStatusCode)status, ("x-request-id", "req_err_1"), ("x-ratelimit-remaining-tokens", "0")));
        using OpenAIChatCompletionsClient client = CreateClient(_handler, o => o.DeploymentName = "primary");

        LlmProviderException ex = await CatchAsync(client, streaming);

        Assert.Multiple(() =>
        {
            Assert.That(ex.Kind, Is.EqualTo(kind));
            Assert.That(ex.StatusCode, Is.EqualTo((HttpStatusCode)status));
            Assert.That(ex.ProviderErrorCode, Is.EqualTo(code));
            Assert.That(ex.Provider, Is.EqualTo("openai"));
            Assert.That(ex.Model, Is.EqualTo("gpt-4o-mini"));
            Assert.That(ex.Deployment, Is.EqualTo("primary"));
            Assert.That(ex.ProviderRequestId, Is.EqualTo("req_err_1"));
            Assert.That(ex.RateLimits?.RemainingTokens, Is.Zero);
            Assert.That(ex.Message, Does.Contain($"HTTP {status}"));
            Assert.That(ex.ToString(), Does.Not.Contain(ApiKey));
            Assert.That(ex.ToString(), Does.Not.Contain(ApiKey[..12]), "not even a prefix of the key");
            Assert.That(ex.ToString(), Does.Not.Contain("Tell me a secret"), "no prompt text");
        });
    }

    [Test]
    public async Task Provider_message_is_kept_for_diagnosis_except_for_authentication()
    {
        Expect(_handler, () => Json(OpenAIFixtures.Error("This model's maximum context length is 128000 tokens.", "invalid_request_error", "context_length_exceeded"), HttpStatusCode.BadRequest));
        Expect(_handler, () => Json(OpenAIFixtures.Error($"Incorrect API key provided: sk-proj-****{ApiKey[^4..]}.", "invalid_request_error", "invalid_api_key"), HttpStatusCode.Unauthorized));
        using OpenAIChatCompletionsClient client = CreateClient(_handler);

        LlmProviderException context = await CatchAsync(client, streaming: false);
        LlmProviderException auth = await CatchAsync(client, streaming: false);

        Assert.That(context.Message, Is.EqualTo("openai returned HTTP 400 (BadRequest) [context_length_exceeded]: This model's maximum context length is 128000 tokens."));
        Assert.That(auth.Message, Does.Not.Contain("Incorrect API key"));
        Assert.That(auth.Message, Does.Contain("invalid_api_key"));
    }

    [Test]
    public async Task Key_echoed_in_a_provider_message_is_redacted_and_long_messages_are_truncated()
    {
        string longTail = new('x', 2000);
        Expect(_handler, () => Json(OpenAIFixtures.Error($"Header value {ApiKey} is malformed. {longTail}", "invalid_request_error", null), HttpStatusCode.BadRequest));
        using OpenAIChatCompletionsClient client = CreateClient(_handler);

        LlmProviderException ex = await CatchAsync(client, streaming: false);

        Assert.That(ex.Message, Does.Contain("Header value *** is malformed."));
        Assert.That(ex.Message, Has.Length.LessThan(700));
        Assert.That(ex.ToString(), Does.Not.Contain(ApiKey));
    }

    private static IEnumerable<TestCaseData> RetryAfterCases()
    {
        yield return new TestCaseData(new[] { ("retry-after", "20") }, TimeSpan.FromSeconds(20)).SetArgDisplayNames("seconds");
        yield return new TestCaseData(new[] { ("retry-after", "0.5") }, TimeSpan.FromMilliseconds(500)).SetArgDisplayNames("fractional seconds");
        yield return new TestCaseData(new[] { ("retry-after", "Tue, 03 Mar 2026 10:00:30 GMT") }, TimeSpan.FromSeconds(30)).SetArgDisplayNames("http date");
        yield return new TestCaseData(new[] { ("retry-after", "Tue, 03 Mar 2026 09:59:00 GMT") }, TimeSpan.Zero).SetArgDisplayNames("date in the past");
        yield return new TestCaseData(new[] { ("retry-after-ms", "1500"), ("retry-after", "2") }, TimeSpan.FromMilliseconds(1500)).SetArgDisplayNames("retry-after-ms wins");
        yield return new TestCaseData(new[] { ("x-ms-retry-after-ms", "250") }, TimeSpan.FromMilliseconds(250)).SetArgDisplayNames("x-ms-retry-after-ms");
        yield return new TestCaseData(new[] { ("retry-after", "soon") }, null).SetArgDisplayNames("unparsable");
    }

    [TestCaseSource(nameof(RetryAfterCases))]
    public async Task Retry_after_variants(ValueTuple<string, string>[] headers, TimeSpan? expected)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-03-03T10:00:00Z", CultureInfo.InvariantCulture));
        Expect(_handler, () => Json(OpenAIFixtures.Error("Rate limit reached.", "requests", "rate_limit_exceeded"), HttpStatusCode.TooManyRequests, headers));
        using OpenAIChatCompletionsClient client = CreateClient(_handler, o => o.TimeProvider = clock);

        LlmProviderException ex = await CatchAsync(client, streaming: false);

        Assert.That(ex.Kind, Is.EqualTo(LlmErrorKind.RateLimited));
        Assert.That(ex.RetryAfter, Is.EqualTo(expected));
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task Error_inside_a_200_body_is_classified(bool streaming)
    {
        Expect(_handler, () => Json(OpenAIFixtures.Error("The server had an error while processing your request.", "server_error", null)));
        Expect(_handler, () => Json(OpenAIFixtures.Error("You exceeded your current quota.", "insufficient_quota", "insufficient_quota")));
        Expect(_handler, () => Json("""{"object":"error","message":"This model's maximum context length is 4096 tokens.","type":"BadRequestError","param":null,"code":400}"""));
        using OpenAIChatCompletionsClient client = CreateClient(_handler);

        LlmProviderException server = await CatchAsync(client, streaming);
        LlmProviderException quota = await CatchAsync(client, streaming);
        LlmProviderException context = await CatchAsync(client, streaming);

        Assert.Multiple(() =>
        {
            Assert.That(server.Kind, Is.EqualTo(LlmErrorKind.ServerError));
            Assert.That(server.StatusCode, Is.Null);
            Assert.That(server.Message, Does.Contain("HTTP 200"));
            Assert.That(quota.Kind, Is.EqualTo(LlmErrorKind.QuotaExceeded));
            Assert.That(context.Kind, Is.EqualTo(LlmErrorKind.ContextLengthExceeded));
        });
    }

    [Test]
    public async Task Error_event_inside_a_stream_is_classified_after_partial_output()
    {
        string body = Events(
        [
            OpenAIFixtures.TextChunks[0],
            OpenAIFixtures.TextChunks[1],
            OpenAIFixtures.Error("Rate limit reached for requests.", "requests", "rate_limit_exceeded"),
        ],
        done: false);
        Expect(_handler, () => Sse(body, ("x-request-id", "req_stream_1")));
        using OpenAIChatCompletionsClient client = CreateClient(_handler);

        var received = new List<ChatResponseUpdate>();
        LlmProviderException? ex = await CatchAsync<LlmProviderException>(async () =>
        {
            await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync("Tell me a secret"))
            {
                received.Add(update);
            }
        });

        Assert.Multiple(() =>
        {
            Assert.That(received.Select(u => u.Text), Is.EqualTo(new[] { "Hello!" }));
            Assert.That(ex.Kind, Is.EqualTo(LlmErrorKind.RateLimited));
            Assert.That(ex.ProviderErrorCode, Is.EqualTo("rate_limit_exceeded"));
            Assert.That(ex.ProviderRequestId, Is.EqualTo("req_stream_1"));
            Assert.That(ex.StatusCode, Is.Null);
            Assert.That(ex.Message, Does.Contain("stream"));
        });
    }

    [Test]
    public async Task Error_event_with_event_type_and_numeric_code_is_classified()
    {
        string body = "event: error\ndata: {\"error\":{\"code\":502,\"message\":\"Upstream provider returned an error\"}}\n\n";
        Expect(_handler, () => Sse(body));
        using OpenAIChatCompletionsClient client = CreateClient(_handler);

        LlmProviderException ex = await CatchAsync(client, streaming: true);

        Assert.That(ex.Kind, Is.EqualTo(LlmErrorKind.ServerError));
        Assert.That(ex.ProviderErrorCode, Is.EqualTo("502"));
    }

    [Test]
    public async Task Stream_cut_without_done_or_finish_reason_is_StreamInterrupted()
    {
        Expect(_handler, () => Sse(Events(OpenAIFixtures.TextChunks[..3], done: false)));
        using OpenAIChatCompletionsClient client = CreateClient(_handler);

        var received = new List<ChatResponseUpdate>();
        LlmProviderException? ex = await CatchAsync<LlmProviderException>(async () =>
        {
            await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync("Tell me a secret"))
            {
                received.Add(update);
            }
        });

        Assert.Multiple(() =>
        {
            Assert.That(ex.Kind, Is.EqualTo(LlmErrorKind.StreamInterrupted));
            Assert.That(ex.IsTransient, Is.True);
            Assert.That(string.Concat(received.Select(u => u.Text)), Is.EqualTo("Hello! How can I"));
            Assert.That(ex.ToString(), Does.Not.Contain(ApiKey));
        });
    }

    [Test]
    public async Task Connection_broken_mid_stream_is_StreamInterrupted()
    {
        var body = new GatedStream();
        _handler.Expect(HttpMethod.Post, ChatUrl).Respond(_ =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(body) };
            response.Content.Headers.ContentType = new("text/event-stream");
            return response;
        });
        using OpenAIChatCompletionsClient client = CreateClient(_handler);
        body.Write(Events(OpenAIFixtures.TextChunks[..2], done: false));
        body.Fail(new IOException("The response ended prematurely."));

        LlmProviderException ex = await CatchAsync(client, streaming: true);

        Assert.That(ex.Kind, Is.EqualTo(LlmErrorKind.StreamInterrupted));
        Assert.That(ex.InnerException, Is.TypeOf<IOException>());
    }

    [TestCase(false, "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hi\"")]
    [TestCase(false, "<html><body>Service temporarily unavailable</body></html>")]
    [TestCase(false, """{"id":"chatcmpl-1","object":"chat.completion","choices":[]}""")]
    [TestCase(true, "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"\n\ndata: [DONE]\n\n")]
    public async Task Malformed_replies_are_InvalidResponse(bool streaming, string body)
    {
        Expect(_handler, () => streaming ? Sse(body) : Json(body));
        using OpenAIChatCompletionsClient client = CreateClient(_handler);

        LlmProviderException ex = await CatchAsync(client, streaming);

        Assert.That(ex.Kind, Is.EqualTo(LlmErrorKind.InvalidResponse));
        Assert.That(ex.ToString(), Does.Not.Contain(ApiKey));
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task Caller_cancellation_before_sending_propagates_unwrapped(bool streaming)
    {
        Expect(_handler, () => Json(OpenAIFixtures.TextCompletion));
        using OpenAIChatCompletionsClient client = CreateClient(_handler);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        OperationCanceledException? ex = await CatchAsync<OperationCanceledException>(() => GetAsync(client, streaming, [new ChatMessage(ChatRole.User, "Hi")], cancellationToken: cts.Token));

        Assert.That(ex, Is.Not.InstanceOf<LlmRoutingException>());
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task Caller_cancellation_while_reading_the_body_propagates_unwrapped(bool streaming)
    {
        var body = new GatedStream();
        _handler.Expect(HttpMethod.Post, ChatUrl).Respond(_ =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(body) };
            response.Content.Headers.ContentType = new(streaming ? "text/event-stream" : "application/json");
            return response;
        });
        using OpenAIChatCompletionsClient client = CreateClient(_handler);
        using var cts = new CancellationTokenSource();
        body.Write(streaming ? Events(OpenAIFixtures.TextChunks[..2], done: false) : "{\"id\":");

        Task<ChatResponse> pending = GetAsync(client, streaming, [new ChatMessage(ChatRole.User, "Hi")], cancellationToken: cts.Token);
        await Task.Delay(50);
        Assert.That(pending.IsCompleted, Is.False, "the client waits for the rest of the body");
        await cts.CancelAsync();

        OperationCanceledException? ex = await CatchAsync<OperationCanceledException>(() => pending);
        Assert.That(ex, Is.Not.InstanceOf<LlmRoutingException>());
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task Timeout_not_caused_by_the_caller_is_Timeout(bool streaming)
    {
        _handler.Expect(HttpMethod.Post, ChatUrl).Throw(new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout of 100 seconds elapsing.", new TimeoutException()));
        using OpenAIChatCompletionsClient client = CreateClient(_handler);

        LlmProviderException ex = await CatchAsync(client, streaming);

        Assert.That(ex.Kind, Is.EqualTo(LlmErrorKind.Timeout));
        Assert.That(ex.StatusCode, Is.Null);
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task Transport_failure_without_status_is_Network(bool streaming)
    {
        _handler.Expect(HttpMethod.Post, ChatUrl).Throw(new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused (api.openai.com:443)"));
        using OpenAIChatCompletionsClient client = CreateClient(_handler);

        LlmProviderException ex = await CatchAsync(client, streaming);

        Assert.That(ex.Kind, Is.EqualTo(LlmErrorKind.Network));
        Assert.That(ex.IsTransient, Is.True);
        Assert.That(ex.ToString(), Does.Not.Contain(ApiKey));
    }

    private static Task<LlmProviderException> CatchAsync(IChatClient client, bool streaming) =>
        CatchAsync<LlmProviderException>(() => GetAsync(client, streaming, [new ChatMessage(ChatRole.User, "Tell me a secret")]));

    private static async Task<T> CatchAsync<T>(Func<Task> action)
        where T : Exception
    {
        try
        {
            await action();
        }
        catch (T ex)
        {
            return ex;
        }

        Assert.Fail($"Expected {typeof(T).Name}.");
        throw new InvalidOperationException("unreachable");
    }
}
