using System.Globalization;
using System.Net;
using LlmRouting.Tests.Providers.Conformance;
using LlmRouting.Tests.Providers.OpenAI;
using Microsoft.Extensions.Time.Testing;
using RichardSzalay.MockHttp;
using static LlmRouting.Tests.Providers.Anthropic.AnthropicTestSupport;
using static LlmRouting.Tests.Providers.Conformance.ConformanceHttp;

namespace LlmRouting.Tests.Providers.Anthropic;

public sealed class AnthropicErrorTests
{
    private MockHttpMessageHandler _handler = null!;

    [SetUp]
    public void SetUp() => _handler = Handler();

    [TearDown]
    public void TearDown() => _handler.Dispose();

    [TestCase(402, "billing_error", "Your organization has an outstanding balance.", LlmErrorKind.QuotaExceeded)]
    [TestCase(413, "request_too_large", "Request exceeds the maximum allowed number of bytes.", LlmErrorKind.BadRequest)]
    [TestCase(400, "invalid_request_error", "input length and `max_tokens` exceed context limit: 197000 + 21333 > 200000, decrease input length or `max_tokens` and try again", LlmErrorKind.ContextLengthExceeded)]
    [TestCase(400, "invalid_request_error", "You have reached your specified API usage limits. You will regain access on 2026-04-01 at 00:00 UTC.", LlmErrorKind.QuotaExceeded)]
    [TestCase(500, "api_error", "Internal server error", LlmErrorKind.ServerError)]
    [TestCase(503, "some_future_error", "Service unavailable", LlmErrorKind.Overloaded)]
    public async Task Error_types_and_documented_messages_are_classified(int status, string type, string message, LlmErrorKind kind)
    {
        Expect(_handler, MessagesUrl, () => Error((HttpStatusCode)status, type, message));
        using AnthropicChatClient client = CreateClient(_handler, o => o.DeploymentName = "claude-main");

        LlmProviderException ex = await CatchAsync<LlmProviderException>(() => client.GetResponseAsync("Hi"));

        Assert.Multiple(() =>
        {
            Assert.That(ex.Kind, Is.EqualTo(kind));
            Assert.That(ex.ProviderErrorCode, Is.EqualTo(type));
            Assert.That(ex.Deployment, Is.EqualTo("claude-main"));
            Assert.That(ex.Model, Is.EqualTo(Model));
            Assert.That(ex.ProviderRequestId, Is.EqualTo("req_body_01"), "the body's request_id when the header is missing");
        });
    }

    [Test]
    public async Task Rate_limited_reply_carries_retry_after_and_anthropic_rate_limits([Values] bool streaming)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-03-03T10:00:00Z", CultureInfo.InvariantCulture));
        Expect(_handler, MessagesUrl, () => Error(
            HttpStatusCode.TooManyRequests,
            "rate_limit_error",
            "This request would exceed your organization's rate limit of 80,000 input tokens per minute.",
            ("request-id", "req_011CRate"),
            ("retry-after", "12"),
            ("anthropic-ratelimit-requests-limit", "50"),
            ("anthropic-ratelimit-requests-remaining", "49"),
            ("anthropic-ratelimit-requests-reset", "2026-03-03T10:00:01Z"),
            ("anthropic-ratelimit-input-tokens-limit", "80000"),
            ("anthropic-ratelimit-input-tokens-remaining", "0"),
            ("anthropic-ratelimit-input-tokens-reset", "2026-03-03T10:00:12Z")));
        using AnthropicChatClient client = CreateClient(_handler, o => o.TimeProvider = clock);

        LlmProviderException ex = await CatchAsync<LlmProviderException>(() => GetAsync(client, streaming, [new ChatMessage(ChatRole.User, "Hi")]));

        Assert.Multiple(() =>
        {
            Assert.That(ex.Kind, Is.EqualTo(LlmErrorKind.RateLimited));
            Assert.That(ex.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(12)));
            Assert.That(ex.ProviderRequestId, Is.EqualTo("req_011CRate"), "the header wins over the body");
            Assert.That(ex.RateLimits?.LimitRequests, Is.EqualTo(50));
            Assert.That(ex.RateLimits?.RemainingRequests, Is.EqualTo(49));
            Assert.That(ex.RateLimits?.LimitTokens, Is.EqualTo(80000), "input-token limits when no combined token limit is sent");
            Assert.That(ex.RateLimits?.RemainingTokens, Is.Zero);
            Assert.That(ex.RateLimits?.ResetTokens, Is.EqualTo(TimeSpan.FromSeconds(12)));
            Assert.That(ex.Message, Does.Contain("80,000 input tokens per minute"), "the provider's message is kept for diagnosis");
        });
    }

    [Test]
    public async Task Authentication_messages_are_not_copied_and_echoed_keys_are_redacted()
    {
        Expect(_handler, MessagesUrl, () => Error(HttpStatusCode.Unauthorized, "authentication_error", $"invalid x-api-key {ApiKey}"));
        Expect(_handler, MessagesUrl, () => Error(HttpStatusCode.BadRequest, "invalid_request_error", $"header value {ApiKey} contains a space"));
        using AnthropicChatClient client = CreateClient(_handler);

        LlmProviderException auth = await CatchAsync<LlmProviderException>(() => client.GetResponseAsync("Hi"));
        LlmProviderException bad = await CatchAsync<LlmProviderException>(() => client.GetResponseAsync("Hi"));

        Assert.Multiple(() =>
        {
            Assert.That(auth.Message, Is.EqualTo("anthropic returned HTTP 401 (Unauthorized) [authentication_error]."));
            Assert.That(bad.Message, Does.Contain("header value *** contains a space"));
            Assert.That(auth.ToString() + bad.ToString(), Does.Not.Contain(ApiKey).And.Not.Contain(ApiKey[..12]));
        });
    }

    [Test]
    public async Task Non_json_error_bodies_are_classified_by_status()
    {
        Expect(_handler, MessagesUrl, () => new HttpResponseMessage(HttpStatusCode.BadGateway) { Content = new StringContent("<html><body>502 Bad Gateway</body></html>") });
        using AnthropicChatClient client = CreateClient(_handler);

        LlmProviderException ex = await CatchAsync<LlmProviderException>(() => client.GetResponseAsync("Hi"));

        Assert.That(ex.Kind, Is.EqualTo(LlmErrorKind.ServerError));
        Assert.That(ex.Message, Does.Contain("not a JSON error"));
    }

    [TestCase("rate_limit_error", LlmErrorKind.RateLimited)]
    [TestCase("api_error", LlmErrorKind.ServerError)]
    [TestCase("overloaded_error", LlmErrorKind.Overloaded)]
    [TestCase("something_new", LlmErrorKind.ServerError)]
    public async Task Error_events_in_a_200_stream_are_classified(string type, LlmErrorKind kind)
    {
        Expect(_handler, MessagesUrl, () => Sse(
            NamedEvents([Start("msg_01E"), ("error", $$$"""{"type":"error","error":{"type":"{{{type}}}","message":"Stream failed"}}""")]),
            ("request-id", "req_011CStream")));
        using AnthropicChatClient client = CreateClient(_handler);

        LlmProviderException ex = await CatchAsync<LlmProviderException>(() => GetAsync(client, streaming: true, [new ChatMessage(ChatRole.User, "Hi")]));

        Assert.Multiple(() =>
        {
            Assert.That(ex.Kind, Is.EqualTo(kind));
            Assert.That(ex.StatusCode, Is.Null);
            Assert.That(ex.ProviderRequestId, Is.EqualTo("req_011CStream"));
            Assert.That(ex.Message, Does.Contain("error event in the stream"));
        });
    }

    [Test]
    public async Task Connection_broken_mid_stream_is_StreamInterrupted_after_the_partial_text()
    {
        var body = new GatedStream();
        _handler.Expect(HttpMethod.Post, MessagesUrl).Respond(_ =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(body) };
            response.Content.Headers.ContentType = new("text/event-stream");
            return response;
        });
        using AnthropicChatClient client = CreateClient(_handler);
        string events = TextEvents("Partial answer");
        body.Write(events[..events.IndexOf("event: content_block_stop", StringComparison.Ordinal)]);

        var received = new List<string>();
        Task consume = Task.Run(async () =>
        {
            await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync("Hi"))
            {
                received.Add(update.Text);
                body.Fail(new IOException("The response ended prematurely."));
            }
        });
        LlmProviderException ex = await CatchAsync<LlmProviderException>(() => consume);

        Assert.That(received, Is.EqualTo(new[] { "Partial answer" }));
        Assert.That(ex.Kind, Is.EqualTo(LlmErrorKind.StreamInterrupted));
        Assert.That(ex.InnerException, Is.TypeOf<IOException>());
    }

    [Test]
    public async Task Caller_cancellation_mid_stream_propagates_unwrapped()
    {
        var body = new GatedStream();
        _handler.Expect(HttpMethod.Post, MessagesUrl).Respond(_ =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(body) };
            response.Content.Headers.ContentType = new("text/event-stream");
            return response;
        });
        using AnthropicChatClient client = CreateClient(_handler);
        using var cts = new CancellationTokenSource();
        string events = TextEvents("Partial answer");
        body.Write(events[..events.IndexOf("event: content_block_stop", StringComparison.Ordinal)]);

        OperationCanceledException ex = await CatchAsync<OperationCanceledException>(async () =>
        {
            await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync("Hi", cancellationToken: cts.Token))
            {
                await cts.CancelAsync();
            }
        });

        Assert.That(ex, Is.Not.InstanceOf<LlmRoutingException>());
    }
}
