using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using LlmRouting.Tests.Providers.Conformance;
using Microsoft.Extensions.Time.Testing;
using RichardSzalay.MockHttp;
using static LlmRouting.Tests.Providers.Anthropic.AnthropicTestSupport;
using static LlmRouting.Tests.Providers.Conformance.ConformanceHttp;

namespace LlmRouting.Tests.Providers.Anthropic;

public sealed class AnthropicResponseTests
{
    private MockHttpMessageHandler _handler = null!;

    [SetUp]
    public void SetUp() => _handler = Handler();

    [TearDown]
    public void TearDown() => _handler.Dispose();

    [Test]
    public async Task Redacted_thinking_comes_back_marked_with_its_data([Values] bool streaming)
    {
        const string Data = "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP";
        string message = $$$"""
            {"id":"msg_01Redacted","type":"message","role":"assistant","model":"{{{Model}}}","stop_reason":"end_turn","stop_sequence":null,
             "content":[{"type":"redacted_thinking","data":"{{{Data}}}"},{"type":"text","text":"Done."}],"usage":{"input_tokens":40,"output_tokens":90}}
            """;
        string events = NamedEvents(
        [
            Start("msg_01Redacted", """{"input_tokens":40,"output_tokens":1}"""),
            ("content_block_start", $$$"""{"type":"content_block_start","index":0,"content_block":{"type":"redacted_thinking","data":"{{{Data}}}"}}"""),
            ("content_block_stop", """{"type":"content_block_stop","index":0}"""),
            ("content_block_start", """{"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}"""),
            ("content_block_delta", """{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Done."}}"""),
            ("content_block_stop", """{"type":"content_block_stop","index":1}"""),
            ("message_delta", """{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":90}}"""),
            ("message_stop", """{"type":"message_stop"}"""),
        ]);
        Expect(_handler, MessagesUrl, () => streaming ? Sse(events) : Json(message));
        using AnthropicChatClient client = CreateClient(_handler);

        ChatResponse response = await GetAsync(client, streaming, [new ChatMessage(ChatRole.User, "Hi")]);

        TextReasoningContent reasoning = response.Messages.SelectMany(m => m.Contents).OfType<TextReasoningContent>().Single();
        Assert.Multiple(() =>
        {
            Assert.That(reasoning.Text, Is.Empty);
            Assert.That(reasoning.ProtectedData, Is.EqualTo(Data));
            Assert.That(reasoning.AdditionalProperties?[AnthropicChatClient.RedactedThinkingPropertyName], Is.EqualTo(true));
            Assert.That(response.Text, Is.EqualTo("Done."));
        });
    }

    [Test]
    public async Task Json_answer_that_does_not_match_the_schema_is_InvalidResponse_not_passed_on([Values] bool streaming)
    {
        ExpectJsonTool(streaming, """{"name":"Ada Lovelace","born":"1815"}""", "tool_use");
        using AnthropicChatClient client = CreateClient(_handler);

        LlmProviderException ex = await CatchAsync<LlmProviderException>(() => GetAsync(client, streaming, [new ChatMessage(ChatRole.User, "Extract.")], PersonFormat()));

        Assert.That(ex.Kind, Is.EqualTo(LlmErrorKind.InvalidResponse));
        Assert.That(ex.Message, Does.Contain("$.born: expected integer, got string"));
        Assert.That(ex.Message, Does.Not.Contain("Ada"), "the answer's values are not copied into the message");
    }

    [Test]
    public async Task Json_answer_cut_by_max_tokens_keeps_its_partial_text_with_finish_reason_length([Values] bool streaming)
    {
        // Streamed: the input JSON stops mid-string. Whole: the input parsed so far lacks the required 'born'.
        string input = streaming ? """{"name":"Ada Lov""" : """{"name":"Ada Lov"}""";
        ExpectJsonTool(streaming, input, "max_tokens");
        using AnthropicChatClient client = CreateClient(_handler);

        ChatResponse response = await GetAsync(client, streaming, [new ChatMessage(ChatRole.User, "Extract.")], PersonFormat());

        Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.Length));
        Assert.That(response.Text, Is.EqualTo(input));
    }

    [Test]
    public async Task Json_answer_of_a_wrapped_schema_is_unwrapped([Values] bool streaming)
    {
        ExpectJsonTool(streaming, """{"value":["red","green","blue"]}""", "tool_use");
        using AnthropicChatClient client = CreateClient(_handler);
        var format = ChatResponseFormat.ForJsonSchema(System.Text.Json.JsonDocument.Parse("""{"type":"array","items":{"type":"string"}}""").RootElement, "colours");

        ChatResponse response = await GetAsync(client, streaming, [new ChatMessage(ChatRole.User, "Colours?")], new ChatOptions { ResponseFormat = format });

        Assert.That(response.Text, Is.EqualTo("""["red","green","blue"]"""));
        Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.Stop));
    }

    [TestCase("refusal", "content_filter")]
    [TestCase("max_tokens", "length")]
    [TestCase("model_context_window_exceeded", "length")]
    [TestCase("stop_sequence", "stop")]
    [TestCase("pause_turn", "pause_turn")]
    public async Task Stop_reasons_map_to_finish_reasons(string stopReason, string expected)
    {
        Expect(_handler, MessagesUrl, () => Json(TextMessage("Partial", stopReason)));
        Expect(_handler, MessagesUrl, () => Sse(TextEvents("Partial").Replace("\"end_turn\"", $"\"{stopReason}\"", StringComparison.Ordinal)));
        using AnthropicChatClient client = CreateClient(_handler);

        ChatResponse unary = await client.GetResponseAsync("Hi");
        ChatResponse streamed = await GetAsync(client, streaming: true, [new ChatMessage(ChatRole.User, "Hi")]);

        Assert.That(unary.FinishReason?.Value, Is.EqualTo(expected));
        Assert.That(streamed.FinishReason, Is.EqualTo(unary.FinishReason));
    }

    [Test]
    public async Task Rate_limit_headers_and_request_id_are_on_the_reply([Values] bool streaming)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-03-03T10:00:00Z", CultureInfo.InvariantCulture));
        (string, string)[] headers =
        [
            ("request-id", "req_011CRateLimits"),
            ("anthropic-ratelimit-requests-limit", "4000"),
            ("anthropic-ratelimit-requests-remaining", "3999"),
            ("anthropic-ratelimit-requests-reset", "2026-03-03T10:00:01Z"),
            ("anthropic-ratelimit-input-tokens-limit", "400000"),
            ("anthropic-ratelimit-input-tokens-remaining", "399000"),
            ("anthropic-ratelimit-input-tokens-reset", "2026-03-03T10:00:02Z"),
            ("anthropic-ratelimit-tokens-limit", "480000"),
            ("anthropic-ratelimit-tokens-remaining", "478000"),
            ("anthropic-ratelimit-tokens-reset", "2026-03-03T10:00:30Z"),
        ];
        Expect(_handler, MessagesUrl, () => streaming ? Sse(TextEvents("Hi"), headers) : Json(TextMessage("Hi"), HttpStatusCode.OK, headers));
        using AnthropicChatClient client = CreateClient(_handler, o => o.TimeProvider = clock);

        ChatResponse response = await GetAsync(client, streaming, [new ChatMessage(ChatRole.User, "Hi")]);

        AdditionalPropertiesDictionary props = response.Messages[0].AdditionalProperties!;
        var limits = (RateLimitInfo)props[LlmResponsePropertyKeys.RateLimits]!;
        Assert.Multiple(() =>
        {
            Assert.That(props[LlmResponsePropertyKeys.ProviderRequestId], Is.EqualTo("req_011CRateLimits"));
            Assert.That(limits.LimitRequests, Is.EqualTo(4000));
            Assert.That(limits.RemainingRequests, Is.EqualTo(3999));
            Assert.That(limits.ResetRequests, Is.EqualTo(TimeSpan.FromSeconds(1)));
            Assert.That(limits.LimitTokens, Is.EqualTo(480000), "the combined token limit wins over the input-token limit");
            Assert.That(limits.RemainingTokens, Is.EqualTo(478000));
            Assert.That(limits.ResetTokens, Is.EqualTo(TimeSpan.FromSeconds(30)));
        });
    }

    [Test]
    public async Task Cumulative_usage_of_message_delta_wins_over_message_start()
    {
        string events = NamedEvents(
        [
            Start("msg_01Usage", """{"input_tokens":5,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}"""),
            ("content_block_start", """{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"""),
            ("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}"""),
            ("content_block_stop", """{"type":"content_block_stop","index":0}"""),
            ("message_delta", """{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"input_tokens":6,"cache_creation_input_tokens":0,"cache_read_input_tokens":41203,"output_tokens":21}}"""),
            ("message_stop", """{"type":"message_stop"}"""),
        ]);
        Expect(_handler, MessagesUrl, () => Sse(events));
        using AnthropicChatClient client = CreateClient(_handler);

        var updates = new List<ChatResponseUpdate>();
        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync("Hi"))
        {
            updates.Add(update);
        }

        UsageContent usage = updates.SelectMany(u => u.Contents).OfType<UsageContent>().Single();
        Assert.Multiple(() =>
        {
            Assert.That(usage.Details.InputTokenCount, Is.EqualTo(41209));
            Assert.That(usage.Details.CachedInputTokenCount, Is.EqualTo(41203));
            Assert.That(usage.Details.OutputTokenCount, Is.EqualTo(21));
            Assert.That(usage.Details.AdditionalCounts, Is.Null, "no cache writes");
            Assert.That(updates[^1].FinishReason, Is.EqualTo(ChatFinishReason.Stop));
            Assert.That(updates.Select(u => u.Text), Is.EqualTo(new[] { "Hi", string.Empty }));
        });
    }

    [Test]
    public async Task Thinking_streams_as_reasoning_deltas_and_the_signature_arrives_when_the_block_ends()
    {
        string events = NamedEvents(
        [
            Start("msg_01Think"),
            ("content_block_start", """{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}"""),
            ("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Let me "}}"""),
            ("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"add."}}"""),
            ("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQBCgIYAhIM"}}"""),
            ("content_block_stop", """{"type":"content_block_stop","index":0}"""),
            ("content_block_start", """{"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}"""),
            ("content_block_delta", """{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"4"}}"""),
            ("content_block_stop", """{"type":"content_block_stop","index":1}"""),
            ("message_delta", """{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":30}}"""),
            ("message_stop", """{"type":"message_stop"}"""),
        ]);
        Expect(_handler, MessagesUrl, () => Sse(events));
        using AnthropicChatClient client = CreateClient(_handler);

        var updates = new List<ChatResponseUpdate>();
        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync("2+2?"))
        {
            updates.Add(update);
        }

        List<TextReasoningContent> reasoning = updates.SelectMany(u => u.Contents).OfType<TextReasoningContent>().ToList();
        Assert.That(reasoning.Select(r => r.Text), Is.EqualTo(new[] { "Let me ", "add.", string.Empty }));
        Assert.That(reasoning[^1].ProtectedData, Is.EqualTo("EqQBCgIYAhIM"));
        TextReasoningContent merged = updates.ToChatResponse().Messages[0].Contents.OfType<TextReasoningContent>().Single();
        Assert.That((merged.Text, merged.ProtectedData), Is.EqualTo(("Let me add.", "EqQBCgIYAhIM")));
    }

    [Test]
    public async Task Stream_events_out_of_order_are_InvalidResponse()
    {
        Expect(_handler, MessagesUrl, () => Sse(NamedEvents([("content_block_start", """{"type":"content_block_start","index":0,"content_block":{"type":"text","text":"x"}}""")])));
        Expect(_handler, MessagesUrl, () => Sse(NamedEvents([Start("m"), ("content_block_delta", """{"type":"content_block_delta","index":3,"delta":{"type":"text_delta","text":"x"}}""")])));
        Expect(_handler, MessagesUrl, () => Sse(NamedEvents([Start("m"), ("content_block_start", """{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"""), ("message_stop", """{"type":"message_stop"}""")])));
        using AnthropicChatClient client = CreateClient(_handler);

        foreach (string what in new[] { "before message_start", "never started", "still open" })
        {
            LlmProviderException ex = await CatchAsync<LlmProviderException>(() => GetAsync(client, streaming: true, [new ChatMessage(ChatRole.User, "Hi")]));
            Assert.That(ex.Kind, Is.EqualTo(LlmErrorKind.InvalidResponse));
            Assert.That(ex.Message, Does.Contain(what));
        }
    }

    [Test]
    public async Task Whole_json_reply_to_a_streaming_request_is_read_as_a_message()
    {
        Expect(_handler, MessagesUrl, () => Json(TextMessage("Not streamed")));
        using AnthropicChatClient client = CreateClient(_handler);

        ChatResponse response = await GetAsync(client, streaming: true, [new ChatMessage(ChatRole.User, "Hi")]);

        Assert.That(response.Text, Is.EqualTo("Not streamed"));
        Assert.That(response.Usage?.InputTokenCount, Is.EqualTo(10));
    }

    [Test]
    public async Task Stream_cut_after_message_delta_but_before_message_stop_is_still_interrupted()
    {
        string events = TextEvents("Complete-looking answer.");
        Expect(_handler, MessagesUrl, () => Sse(events[..events.IndexOf("event: message_stop", StringComparison.Ordinal)]));
        using AnthropicChatClient client = CreateClient(_handler);

        LlmProviderException ex = await CatchAsync<LlmProviderException>(() => GetAsync(client, streaming: true, [new ChatMessage(ChatRole.User, "Hi")]));

        Assert.That(ex.Kind, Is.EqualTo(LlmErrorKind.StreamInterrupted));
        Assert.That(ex.Message, Does.Contain("message_stop"));
    }

    private static ChatOptions PersonFormat() => new() { ResponseFormat = ChatResponseFormat.ForJsonSchema(ConformanceInputs.PersonSchema, "person") };

    private void ExpectJsonTool(bool streaming, string input, string stopReason)
    {
        string message = new JsonObject
        {
            ["id"] = "msg_01Json",
            ["type"] = "message",
            ["role"] = "assistant",
            ["model"] = Model,
            ["content"] = new JsonArray(new JsonObject
            {
                ["type"] = "tool_use", ["id"] = "toolu_01J", ["name"] = "json_response",
                ["input"] = streaming ? new JsonObject() : JsonNode.Parse(input),
            }),
            ["stop_reason"] = stopReason,
            ["stop_sequence"] = null,
            ["usage"] = new JsonObject { ["input_tokens"] = 50, ["output_tokens"] = 20 },
        }.ToJsonString();
        string events = NamedEvents(
        [
            Start("msg_01Json"),
            ("content_block_start", """{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_01J","name":"json_response","input":{}}}"""),
            ("content_block_delta", new JsonObject { ["type"] = "content_block_delta", ["index"] = 0, ["delta"] = new JsonObject { ["type"] = "input_json_delta", ["partial_json"] = input } }.ToJsonString()),
            ("content_block_stop", """{"type":"content_block_stop","index":0}"""),
            ("message_delta", $$$"""{"type":"message_delta","delta":{"stop_reason":"{{{stopReason}}}","stop_sequence":null},"usage":{"output_tokens":20}}"""),
            ("message_stop", """{"type":"message_stop"}"""),
        ]);
        Expect(_handler, MessagesUrl, () => streaming ? Sse(events) : Json(message));
    }
}
