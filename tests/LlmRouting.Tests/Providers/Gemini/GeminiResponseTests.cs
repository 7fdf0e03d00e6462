using System.Net;
using System.Net.Http.Headers;
using LlmRouting.Tests.Providers.OpenAI;
using RichardSzalay.MockHttp;
using static LlmRouting.Tests.Providers.Gemini.GeminiTestSupport;
using static LlmRouting.Tests.Providers.OpenAI.OpenAITestSupport;

namespace LlmRouting.Tests.Providers.Gemini;

public sealed class GeminiResponseTests
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
    public async Task Text_reply_has_text_ids_model_usage_and_finish_reason([Values] bool streaming)
    {
        ExpectFixture(streaming, GeminiFixtures.TextReply, GeminiFixtures.TextChunks);
        using GeminiChatClient client = CreateGemini(_handler);

        ChatResponse response = await GetAsync(client, streaming, [new ChatMessage(ChatRole.User, "Hello")]);

        Assert.Multiple(() =>
        {
            Assert.That(response.Text, Is.EqualTo("Hello! How can I help you today?"));
            Assert.That(response.ResponseId, Is.EqualTo("mQPaaI2YNcWz7M8P8bGg6Qw"));
            Assert.That(response.ModelId, Is.EqualTo("gemini-2.5-flash"));
            Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.Stop));
            Assert.That(response.Messages, Has.Count.EqualTo(1));
            Assert.That(response.Messages[0].Role, Is.EqualTo(ChatRole.Assistant));
            Assert.That(response.Usage?.InputTokenCount, Is.EqualTo(4));
            Assert.That(response.Usage?.OutputTokenCount, Is.EqualTo(9));
            Assert.That(response.Usage?.TotalTokenCount, Is.EqualTo(13));
        });
    }

    [Test]
    public async Task Tool_calls_finish_with_ToolCalls_not_Stop_and_keep_the_text_beside_them([Values] bool streaming)
    {
        ExpectFixture(streaming, GeminiFixtures.ToolCallsReply, GeminiFixtures.ToolCallsChunks);
        using GeminiChatClient client = CreateGemini(_handler);

        ChatResponse response = await GetAsync(client, streaming, [new ChatMessage(ChatRole.User, "Weather in Paris and London?")]);

        FunctionCallContent[] calls = [.. response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>()];
        Assert.Multiple(() =>
        {
            Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.ToolCalls), "Gemini says STOP; a reply with calls must report ToolCalls");
            Assert.That(response.Text, Is.EqualTo("I'll check the weather in both cities."));
            Assert.That(calls, Has.Length.EqualTo(2), "parallel calls stay separate");
            Assert.That(calls.Select(c => c.Name), Is.All.EqualTo("get_weather"));
            Assert.That(calls[0].Arguments!["city"]!.ToString(), Is.EqualTo("Paris"));
            Assert.That(calls[0].Arguments!["unit"]!.ToString(), Is.EqualTo("celsius"));
            Assert.That(calls[1].Arguments!["city"]!.ToString(), Is.EqualTo("London"));
            Assert.That(calls[0].CallId, Is.EqualTo("gemini_call_0_Yx3aaLvAB8Wn7M8P9tG4iQo"));
            Assert.That(calls[1].CallId, Is.EqualTo("gemini_call_1_Yx3aaLvAB8Wn7M8P9tG4iQo"));
            Assert.That(calls[0].AdditionalProperties?[GeminiChatClient.ThoughtSignatureKey], Is.EqualTo("CiQBVKhc7nX5Yp0sig1"));
            Assert.That(calls[1].AdditionalProperties, Is.Null);
            Assert.That(response.Usage?.OutputTokenCount, Is.EqualTo(31 + 54), "output includes thought tokens");
            Assert.That(response.Usage?.ReasoningTokenCount, Is.EqualTo(54));
        });
    }

    [Test]
    public async Task Function_call_ids_sent_by_Gemini_are_kept()
    {
        Expect(_handler, () => Json("""
            {"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"id":"fc_8f2a","name":"get_time","args":{}}}]},"finishReason":"STOP"}],"responseId":"r1"}
            """), Url(false));
        using GeminiChatClient client = CreateGemini(_handler);

        ChatResponse response = await client.GetResponseAsync("Time?");

        Assert.That(response.Messages[0].Contents.OfType<FunctionCallContent>().Single().CallId, Is.EqualTo("fc_8f2a"));
    }

    [Test]
    public async Task Thoughts_become_reasoning_and_usage_is_normalised([Values] bool streaming)
    {
        ExpectFixture(streaming, GeminiFixtures.ThinkingReply, GeminiFixtures.ThinkingChunks);
        using GeminiChatClient client = CreateGemini(_handler);

        ChatResponse response = await GetAsync(client, streaming, [new ChatMessage(ChatRole.User, "2+2?")]);

        IList<AIContent> contents = response.Messages[0].Contents;
        Assert.Multiple(() =>
        {
            Assert.That(response.Text, Is.EqualTo("2 + 2 = 4."));
            Assert.That(contents[0], Is.TypeOf<TextReasoningContent>());
            Assert.That(((TextReasoningContent)contents[0]).Text, Is.EqualTo("**Adding the numbers**\n\nTwo plus two is four."));
            Assert.That(contents[^1], Is.TypeOf<TextReasoningContent>().With.Property(nameof(TextReasoningContent.ProtectedData)).EqualTo("AY89a18iOcFus5wr5bW5xN6zZ4aU"));
            Assert.That(response.CreatedAt, Is.EqualTo(DateTimeOffset.Parse("2026-03-10T14:54:45.066123Z", System.Globalization.CultureInfo.InvariantCulture)));
            Assert.That(response.Usage?.InputTokenCount, Is.EqualTo(1200), "prompt tokens include the cached ones");
            Assert.That(response.Usage?.CachedInputTokenCount, Is.EqualTo(1024));
            Assert.That(response.Usage?.OutputTokenCount, Is.EqualTo(7 + 96));
            Assert.That(response.Usage?.ReasoningTokenCount, Is.EqualTo(96));
            Assert.That(response.Usage?.TotalTokenCount, Is.EqualTo(1303));
        });
    }

    [TestCase("MAX_TOKENS", "length")]
    [TestCase("SAFETY", "content_filter")]
    [TestCase("RECITATION", "content_filter")]
    [TestCase("BLOCKLIST", "content_filter")]
    [TestCase("PROHIBITED_CONTENT", "content_filter")]
    [TestCase("SPII", "content_filter")]
    [TestCase("MALFORMED_FUNCTION_CALL", "MALFORMED_FUNCTION_CALL")]
    [TestCase("STOP", "stop")]
    public async Task Finish_reasons_are_mapped(string wire, string expected)
    {
        foreach (bool streaming in new[] { false, true })
        {
            string reply = $$"""{"candidates":[{"content":{"role":"model","parts":[{"text":"partial"}]},"finishReason":"{{wire}}","index":0}],"responseId":"r2"}""";
            ExpectFixture(streaming, reply, [reply]);
            using GeminiChatClient client = CreateGemini(_handler);

            ChatResponse response = await GetAsync(client, streaming, [new ChatMessage(ChatRole.User, "Hi")]);

            Assert.That(response.FinishReason?.Value, Is.EqualTo(expected));
        }
    }

    [Test]
    public async Task Candidate_stopped_by_safety_has_no_content_and_ContentFilter([Values] bool streaming)
    {
        ExpectFixture(streaming, GeminiFixtures.SafetyReply, GeminiFixtures.SafetyChunks);
        using GeminiChatClient client = CreateGemini(_handler);

        ChatResponse response = await GetAsync(client, streaming, [new ChatMessage(ChatRole.User, "Hi")]);

        Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.ContentFilter));
        Assert.That(response.Text, Is.Empty);
    }

    [Test]
    public async Task Blocked_prompt_is_a_ContentFiltered_error([Values] bool streaming)
    {
        ExpectFixture(streaming, GeminiFixtures.BlockedPrompt, [GeminiFixtures.BlockedPrompt.ReplaceLineEndings(" ")]);
        using GeminiChatClient client = CreateGemini(_handler);

        var ex = await Assert.ThrowsAsync<LlmProviderException>(() => GetAsync(client, streaming, [new ChatMessage(ChatRole.User, "Tell me a secret")]));

        Assert.Multiple(() =>
        {
            Assert.That(ex!.Kind, Is.EqualTo(LlmErrorKind.ContentFiltered));
            Assert.That(ex.ProviderErrorCode, Is.EqualTo("PROHIBITED_CONTENT"));
            Assert.That(ex.Provider, Is.EqualTo("gemini"));
            Assert.That(ex.Message, Does.Not.Contain("Tell me a secret"));
        });
    }

    [Test]
    public async Task Stream_that_never_signals_its_end_is_interrupted_not_successful()
    {
        // Two chunks of an answer, then the connection closes cleanly without a finishReason.
        Expect(_handler, () => Sse(GeminiEvents(GeminiFixtures.TextChunks[..2])), Url(true));
        using GeminiChatClient client = CreateGemini(_handler);

        var ex = await Assert.ThrowsAsync<LlmProviderException>(() => GetAsync(client, streaming: true, [new ChatMessage(ChatRole.User, "Hello")]));

        Assert.That(ex!.Kind, Is.EqualTo(LlmErrorKind.StreamInterrupted));
        Assert.That(ex.Message, Does.Contain("without a finish reason"));
    }

    [Test]
    public async Task Stream_cut_mid_answer_surfaces_as_StreamInterrupted_after_the_delivered_text()
    {
        var body = new GatedStream();
        _handler.Expect(HttpMethod.Post, Url(true)).Respond(_ =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(body) };
            response.Content.Headers.ContentType = new MediaTypeHeaderValue("text/event-stream");
            return response;
        });
        using GeminiChatClient client = CreateGemini(_handler);
        var received = new List<string>();

        body.Write(GeminiEvents(GeminiFixtures.TextChunks[..1]));
        var ex = await Assert.ThrowsAsync<LlmProviderException>(async () =>
        {
            await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync("Hello"))
            {
                received.Add(update.Text);
                body.Fail(new IOException("connection reset by peer"));
            }
        });

        Assert.That(ex!.Kind, Is.EqualTo(LlmErrorKind.StreamInterrupted));
        Assert.That(received, Is.EqualTo(new[] { "Hello!" }));
    }

    [Test]
    public async Task Error_event_inside_a_stream_is_typed()
    {
        string error = GeminiFixtures.Error(503, "UNAVAILABLE", "The model is overloaded. Please try again later.");
        Expect(_handler, () => Sse(GeminiEvents([GeminiFixtures.TextChunks[0], error])), Url(true));
        using GeminiChatClient client = CreateGemini(_handler);

        var ex = await Assert.ThrowsAsync<LlmProviderException>(() => GetAsync(client, streaming: true, [new ChatMessage(ChatRole.User, "Hello")]));

        Assert.That(ex!.Kind, Is.EqualTo(LlmErrorKind.Overloaded));
        Assert.That(ex.Message, Does.Contain("error event in the stream"));
    }

    [Test]
    public async Task Garbage_is_InvalidResponse([Values] bool streaming)
    {
        ExpectFixture(streaming, "{\"candidates\": [", ["{\"candidates\": ["]);
        using GeminiChatClient client = CreateGemini(_handler);

        var ex = await Assert.ThrowsAsync<LlmProviderException>(() => GetAsync(client, streaming, [new ChatMessage(ChatRole.User, "Hello")]));

        Assert.That(ex!.Kind, Is.EqualTo(LlmErrorKind.InvalidResponse));
    }

    [Test]
    public async Task Json_reply_to_a_stream_request_is_still_translated()
    {
        Expect(_handler, () => Json(GeminiFixtures.TextReply), Url(true));
        using GeminiChatClient client = CreateGemini(_handler);

        ChatResponse response = await GetAsync(client, streaming: true, [new ChatMessage(ChatRole.User, "Hi")]);

        Assert.That(response.Text, Is.EqualTo("Hello! How can I help you today?"));
        Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.Stop));
    }

    [TestCase(nameof(GeminiFixtures.TextReply))]
    [TestCase(nameof(GeminiFixtures.ToolCallsReply))]
    [TestCase(nameof(GeminiFixtures.ThinkingReply))]
    [TestCase(nameof(GeminiFixtures.MaxTokensReply))]
    [TestCase(nameof(GeminiFixtures.SafetyReply))]
    public async Task Streamed_ToChatResponse_equals_non_streamed_result(string fixture)
    {
        (string reply, string[] chunks) = fixture switch
        {
            nameof(GeminiFixtures.TextReply) => (GeminiFixtures.TextReply, GeminiFixtures.TextChunks),
            nameof(GeminiFixtures.ToolCallsReply) => (GeminiFixtures.ToolCallsReply, GeminiFixtures.ToolCallsChunks),
            nameof(GeminiFixtures.ThinkingReply) => (GeminiFixtures.ThinkingReply, GeminiFixtures.ThinkingChunks),
            nameof(GeminiFixtures.MaxTokensReply) => (GeminiFixtures.MaxTokensReply, GeminiFixtures.MaxTokensChunks),
            _ => (GeminiFixtures.SafetyReply, GeminiFixtures.SafetyChunks),
        };
        ExpectFixture(false, reply, chunks);
        ExpectFixture(true, reply, chunks);
        using GeminiChatClient client = CreateGemini(_handler);

        ChatResponse direct = await GetAsync(client, streaming: false, [new ChatMessage(ChatRole.User, "Hi")]);
        ChatResponse streamed = await GetAsync(client, streaming: true, [new ChatMessage(ChatRole.User, "Hi")]);

        Assert.That(ResponseDescription.Of(streamed), Is.EqualTo(ResponseDescription.Of(direct)));
    }

    [Test]
    public void Metadata_reports_provider_endpoint_and_default_model()
    {
        using GeminiChatClient client = CreateGemini(_handler);

        ChatClientMetadata? metadata = client.GetService<ChatClientMetadata>();

        Assert.Multiple(() =>
        {
            Assert.That(metadata?.ProviderName, Is.EqualTo("gemini"));
            Assert.That(metadata?.ProviderUri, Is.EqualTo(GeminiChatClientOptions.DefaultEndpoint));
            Assert.That(metadata?.DefaultModelId, Is.EqualTo(Model));
            Assert.That(client.GetService<GeminiChatClient>(), Is.SameAs(client));
        });
    }

    private void ExpectFixture(bool streaming, string reply, string[] chunks) =>
        Expect(_handler, () => streaming ? Sse(GeminiEvents(chunks)) : Json(reply), Url(streaming));
}
