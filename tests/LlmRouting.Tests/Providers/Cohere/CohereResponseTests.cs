using System.Net;
using System.Net.Http.Headers;
using LlmRouting.Tests.Providers.OpenAI;
using RichardSzalay.MockHttp;
using static LlmRouting.Tests.Providers.Cohere.CohereTestSupport;
using static LlmRouting.Tests.Providers.OpenAI.OpenAITestSupport;

namespace LlmRouting.Tests.Providers.Cohere;

public sealed class CohereResponseTests
{
    private static readonly (string, string)[] Headers =
    [
        ("x-debug-trace-id", "b0aae57a1bc79ddfcba999e6897f9d06"),
        ("x-trial-endpoint-call-limit", "20"),
        ("x-trial-endpoint-call-remaining", "19"),
    ];

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
    public async Task Text_reply_has_text_id_model_billed_usage_and_reply_properties([Values] bool streaming)
    {
        ExpectFixture(streaming, CohereFixtures.TextReply, CohereFixtures.TextEvents);
        using CohereChatClient client = CreateCohere(_handler);

        ChatResponse response = await GetAsync(client, streaming, [new ChatMessage(ChatRole.User, "What is an LLM?")]);

        AdditionalPropertiesDictionary properties = response.Messages[0].AdditionalProperties!;
        var limits = (RateLimitInfo)properties[LlmResponsePropertyKeys.RateLimits]!;
        Assert.Multiple(() =>
        {
            Assert.That(response.Text, Is.EqualTo("LLMs are large language models trained on text."));
            Assert.That(response.ResponseId, Is.EqualTo("c14c80c3-18eb-4519-9460-6c92edd8cfb4"));
            Assert.That(response.ModelId, Is.EqualTo(Model), "Cohere does not name the model: the one asked");
            Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.Stop));
            Assert.That(response.Usage?.InputTokenCount, Is.EqualTo(5), "billed input, not the 71 tokens the model saw");
            Assert.That(response.Usage?.OutputTokenCount, Is.EqualTo(9));
            Assert.That(response.Usage?.TotalTokenCount, Is.EqualTo(14));
            Assert.That(response.Usage?.AdditionalCounts?[CohereChatClient.ModelInputTokensKey], Is.EqualTo(71));
            Assert.That(response.Usage?.AdditionalCounts?[CohereChatClient.ModelOutputTokensKey], Is.EqualTo(9));
            Assert.That(properties[LlmResponsePropertyKeys.ProviderRequestId], Is.EqualTo("b0aae57a1bc79ddfcba999e6897f9d06"));
            Assert.That(limits.LimitRequests, Is.EqualTo(20));
            Assert.That(limits.RemainingRequests, Is.EqualTo(19));
        });
    }

    [Test]
    public async Task Billed_usage_prices_the_call_not_the_template_tokens()
    {
        ExpectFixture(false, CohereFixtures.ToolCallsReply, CohereFixtures.ToolCallEvents);
        using CohereChatClient client = CreateCohere(_handler);
        var pricing = new ModelPricing { InputPerToken = 2.5e-6m, OutputPerToken = 1e-5m };

        ChatResponse response = await client.GetResponseAsync("Weather?");

        Assert.That(pricing.CalculateCost(response.Usage), Is.EqualTo((37 * 2.5e-6m) + (28 * 1e-5m)));
    }

    [Test]
    public async Task Tool_calls_keep_ids_and_tool_plan_and_finish_with_ToolCalls([Values] bool streaming)
    {
        ExpectFixture(streaming, CohereFixtures.ToolCallsReply, CohereFixtures.ToolCallEvents);
        using CohereChatClient client = CreateCohere(_handler);

        ChatResponse response = await GetAsync(client, streaming, [new ChatMessage(ChatRole.User, "What's the weather in Madrid and Brasilia?")]);

        FunctionCallContent[] calls = [.. response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>()];
        Assert.Multiple(() =>
        {
            Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.ToolCalls));
            Assert.That(response.Text, Is.EqualTo("I will search for the weather in Madrid and Brasilia."), "the tool plan is the text beside the calls");
            Assert.That(calls.Select(c => c.CallId), Is.EqualTo(new[] { "get_weather_p1t92w7gfgq7", "get_weather_ay6nmvjgp9vn" }));
            Assert.That(calls.Select(c => c.Name), Is.All.EqualTo("get_weather"));
            Assert.That(calls.Select(c => c.Arguments!["location"]!.ToString()), Is.EqualTo(new[] { "Madrid", "Brasilia" }));
            Assert.That(calls.Select(c => c.Exception), Is.All.Null);
        });
    }

    [Test]
    public async Task Parallel_tool_calls_stream_as_separate_complete_calls()
    {
        ExpectFixture(true, CohereFixtures.ToolCallsReply, CohereFixtures.ToolCallEvents);
        using CohereChatClient client = CreateCohere(_handler);

        var updatesWithCalls = new List<FunctionCallContent[]>();
        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync("Weather?"))
        {
            FunctionCallContent[] calls = [.. update.Contents.OfType<FunctionCallContent>()];
            if (calls.Length > 0)
            {
                updatesWithCalls.Add(calls);
            }
        }

        Assert.That(updatesWithCalls, Has.Count.EqualTo(2), "one update per call, as each call ends");
        Assert.That(updatesWithCalls.Select(u => u.Single().CallId), Is.EqualTo(new[] { "get_weather_p1t92w7gfgq7", "get_weather_ay6nmvjgp9vn" }));
        Assert.That(updatesWithCalls.Select(u => u.Single().Arguments!["location"]!.ToString()), Is.EqualTo(new[] { "Madrid", "Brasilia" }));
    }

    [Test]
    public async Task Thinking_becomes_reasoning_with_cached_tokens([Values] bool streaming)
    {
        ExpectFixture(streaming, CohereFixtures.ThinkingReply, CohereFixtures.ThinkingEvents);
        using CohereChatClient client = CreateCohere(_handler);

        ChatResponse response = await GetAsync(client, streaming, [new ChatMessage(ChatRole.User, "17 * 23?")]);

        IList<AIContent> contents = response.Messages[0].Contents;
        Assert.Multiple(() =>
        {
            Assert.That(contents, Has.Count.EqualTo(2));
            Assert.That(((TextReasoningContent)contents[0]).Text, Is.EqualTo("17 times 23: 17 times 20 is 340, plus 51 is 391."));
            Assert.That(response.Text, Is.EqualTo("17 × 23 = 391."));
            Assert.That(response.Usage?.CachedInputTokenCount, Is.EqualTo(448));
        });
    }

    [Test]
    public async Task Reasoning_output_none_omits_the_thinking([Values] bool streaming)
    {
        ExpectFixture(streaming, CohereFixtures.ThinkingReply, CohereFixtures.ThinkingEvents);
        using CohereChatClient client = CreateCohere(_handler);

        ChatResponse response = await GetAsync(client, streaming, [new ChatMessage(ChatRole.User, "17 * 23?")],
            new ChatOptions { Reasoning = new ReasoningOptions { Output = ReasoningOutput.None } });

        Assert.That(response.Messages[0].Contents.OfType<TextReasoningContent>(), Is.Empty);
        Assert.That(response.Text, Is.EqualTo("17 × 23 = 391."));
    }

    [TestCase("COMPLETE", "stop")]
    [TestCase("STOP_SEQUENCE", "stop")]
    [TestCase("MAX_TOKENS", "length")]
    [TestCase("TOOL_CALL", "tool_calls")]
    public async Task Finish_reasons_are_mapped(string wire, string expected)
    {
        foreach (bool streaming in new[] { false, true })
        {
            string reply = $$$"""{"id":"f1","finish_reason":"{{{wire}}}","message":{"role":"assistant","content":[{"type":"text","text":"ok"}]}}""";
            string[] events =
            [
                """{"id":"f1","type":"message-start","delta":{"message":{"role":"assistant"}}}""",
                """{"type":"content-delta","index":0,"delta":{"message":{"content":{"text":"ok"}}}}""",
                $$$"""{"type":"message-end","delta":{"finish_reason":"{{{wire}}}"}}""",
            ];
            ExpectFixture(streaming, reply, events);
            using CohereChatClient client = CreateCohere(_handler);

            ChatResponse response = await GetAsync(client, streaming, [new ChatMessage(ChatRole.User, "Hi")]);

            Assert.That(response.FinishReason?.Value, Is.EqualTo(expected));
            Assert.That(response.Usage, Is.Null, "no usage was sent");
        }
    }

    [TestCase("ERROR", LlmErrorKind.ServerError)]
    [TestCase("TIMEOUT", LlmErrorKind.Timeout)]
    public async Task Failed_generations_are_typed_errors_not_answers(string wire, LlmErrorKind kind)
    {
        foreach (bool streaming in new[] { false, true })
        {
            string reply = $$$"""{"id":"e1","finish_reason":"{{{wire}}}","message":{"role":"assistant","content":[{"type":"text","text":"Partial"}]}}""";
            string[] events =
            [
                """{"id":"e1","type":"message-start","delta":{"message":{"role":"assistant"}}}""",
                """{"type":"content-delta","index":0,"delta":{"message":{"content":{"text":"Partial"}}}}""",
                $$$"""{"type":"message-end","delta":{"finish_reason":"{{{wire}}}"}}""",
            ];
            ExpectFixture(streaming, reply, events);
            using CohereChatClient client = CreateCohere(_handler);

            var ex = await Assert.ThrowsAsync<LlmProviderException>(() => GetAsync(client, streaming, [new ChatMessage(ChatRole.User, "Hi")]));

            Assert.That(ex!.Kind, Is.EqualTo(kind));
            Assert.That(ex.ProviderErrorCode, Is.EqualTo(wire));
        }
    }

    [Test]
    public async Task Error_in_message_end_is_typed_after_the_partial_output()
    {
        string[] events =
        [
            CohereFixtures.TextEvents[0], CohereFixtures.TextEvents[1], CohereFixtures.TextEvents[2],
            """{"type":"message-end","delta":{"error":"internal server error, this has been reported to our developers"}}""",
        ];
        Expect(_handler, () => Sse(CohereEvents(events)), CohereChatUrl);
        using CohereChatClient client = CreateCohere(_handler);
        var text = new List<string>();

        var ex = await Assert.ThrowsAsync<LlmProviderException>(async () =>
        {
            await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync("Hi"))
            {
                text.Add(update.Text);
            }
        });

        Assert.That(ex!.Kind, Is.EqualTo(LlmErrorKind.ServerError));
        Assert.That(ex.Message, Does.Contain("internal server error"));
        Assert.That(string.Concat(text), Is.EqualTo("LLMs are"));
    }

    [Test]
    public async Task Stream_without_message_end_is_interrupted_not_successful()
    {
        Expect(_handler, () => Sse(CohereEvents(CohereFixtures.TextEvents[..4])), CohereChatUrl);
        using CohereChatClient client = CreateCohere(_handler);

        var ex = await Assert.ThrowsAsync<LlmProviderException>(() => GetAsync(client, streaming: true, [new ChatMessage(ChatRole.User, "Hi")]));

        Assert.That(ex!.Kind, Is.EqualTo(LlmErrorKind.StreamInterrupted));
        Assert.That(ex.Message, Does.Contain("without message-end"));
    }

    [Test]
    public async Task Stream_cut_by_the_network_mid_answer_is_interrupted()
    {
        var body = new GatedStream();
        _handler.Expect(HttpMethod.Post, CohereChatUrl).Respond(_ =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(body) };
            response.Content.Headers.ContentType = new MediaTypeHeaderValue("text/event-stream");
            return response;
        });
        using CohereChatClient client = CreateCohere(_handler);
        var received = new List<string>();

        body.Write(CohereEvents(CohereFixtures.TextEvents[..3]));
        var ex = await Assert.ThrowsAsync<LlmProviderException>(async () =>
        {
            await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync("Hi"))
            {
                received.Add(update.Text);
                body.Fail(new IOException("connection reset by peer"));
            }
        });

        Assert.That(ex!.Kind, Is.EqualTo(LlmErrorKind.StreamInterrupted));
        Assert.That(received, Is.EqualTo(new[] { "LLMs are" }));
    }

    [Test]
    public async Task Done_terminator_after_message_end_is_accepted()
    {
        Expect(_handler, () => Sse(CohereEvents(CohereFixtures.TextEvents, done: true)), CohereChatUrl);
        using CohereChatClient client = CreateCohere(_handler);

        ChatResponse response = await GetAsync(client, streaming: true, [new ChatMessage(ChatRole.User, "Hi")]);

        Assert.That(response.Text, Is.EqualTo("LLMs are large language models trained on text."));
    }

    [Test]
    public async Task Garbage_is_InvalidResponse([Values] bool streaming)
    {
        Expect(_handler, () => streaming ? Sse("event: message-start\ndata: {\"id\":\"x\",\"type\":\"message-start\",\u0001\n\n") : Json("<html>502</html>"), CohereChatUrl);
        using CohereChatClient client = CreateCohere(_handler);

        var ex = await Assert.ThrowsAsync<LlmProviderException>(() => GetAsync(client, streaming, [new ChatMessage(ChatRole.User, "Hi")]));

        Assert.That(ex!.Kind, Is.EqualTo(LlmErrorKind.InvalidResponse));
    }

    [TestCase(nameof(CohereFixtures.TextReply))]
    [TestCase(nameof(CohereFixtures.ToolCallsReply))]
    [TestCase(nameof(CohereFixtures.ThinkingReply))]
    [TestCase(nameof(CohereFixtures.MaxTokensReply))]
    public async Task Streamed_ToChatResponse_equals_non_streamed_result(string fixture)
    {
        (string reply, string[] events) = fixture switch
        {
            nameof(CohereFixtures.TextReply) => (CohereFixtures.TextReply, CohereFixtures.TextEvents),
            nameof(CohereFixtures.ToolCallsReply) => (CohereFixtures.ToolCallsReply, CohereFixtures.ToolCallEvents),
            nameof(CohereFixtures.ThinkingReply) => (CohereFixtures.ThinkingReply, CohereFixtures.ThinkingEvents),
            _ => (CohereFixtures.MaxTokensReply, CohereFixtures.MaxTokensEvents),
        };
        ExpectFixture(false, reply, events);
        ExpectFixture(true, reply, events);
        using CohereChatClient client = CreateCohere(_handler);

        ChatResponse direct = await GetAsync(client, streaming: false, [new ChatMessage(ChatRole.User, "Hi")]);
        ChatResponse streamed = await GetAsync(client, streaming: true, [new ChatMessage(ChatRole.User, "Hi")]);

        Assert.That(ResponseDescription.Of(streamed), Is.EqualTo(ResponseDescription.Of(direct)));
    }

    private void ExpectFixture(bool streaming, string reply, string[] events) =>
        Expect(_handler, () => streaming ? Sse(CohereEvents(events), Headers) : Json(reply, HttpStatusCode.OK, Headers), CohereChatUrl);
}
