using System.Text.Json;
using RichardSzalay.MockHttp;
using static LlmRouting.Tests.Providers.OpenAI.OpenAITestSupport;

namespace LlmRouting.Tests.Providers.OpenAI;

public sealed class OpenAIResponseTests
{
    private static readonly DateTimeOffset TextCreated = DateTimeOffset.FromUnixTimeSeconds(1741569952);

    private MockHttpMessageHandler _handler = null!;

    [SetUp]
    public void SetUp()
    {
        _handler = new MockHttpMessageHandler();
        _handler.Fallback.Throw(new InvalidOperationException("Unexpected HTTP request."));
    }

    [TearDown]
    public void TearDown() => _handler.Dispose();

    [TestCase(false)]
    [TestCase(true)]
    public async Task Text_response_is_translated(bool streaming)
    {
        Expect(_handler, () => streaming ? Sse(Events(OpenAIFixtures.TextChunks)) : Json(OpenAIFixtures.TextCompletion));
        using OpenAIChatCompletionsClient client = CreateClient(_handler);

        ChatResponse response = await GetAsync(client, streaming, [new ChatMessage(ChatRole.User, "Hello")]);

        Assert.Multiple(() =>
        {
            Assert.That(response.Text, Is.EqualTo("Hello! How can I assist you today?"));
            Assert.That(response.Messages, Has.Count.EqualTo(1));
            Assert.That(response.Messages[0].Role, Is.EqualTo(ChatRole.Assistant));
            Assert.That(response.Messages[0].MessageId, Is.EqualTo("chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT"));
            Assert.That(response.ResponseId, Is.EqualTo("chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT"));
            Assert.That(response.ModelId, Is.EqualTo("gpt-4o-mini-2024-07-18"));
            Assert.That(response.CreatedAt, Is.EqualTo(TextCreated));
            Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.Stop));
            Assert.That(response.Usage?.InputTokenCount, Is.EqualTo(19));
            Assert.That(response.Usage?.OutputTokenCount, Is.EqualTo(10));
            Assert.That(response.Usage?.TotalTokenCount, Is.EqualTo(29));
            Assert.That(response.Usage?.CachedInputTokenCount, Is.Zero);
            Assert.That(response.Usage?.ReasoningTokenCount, Is.Zero);
        });
    }

    [Test]
    public async Task Streaming_updates_carry_ids_and_text_deltas_and_usage()
    {
        Expect(_handler, () => Sse(Events(OpenAIFixtures.TextChunks)));
        using OpenAIChatCompletionsClient client = CreateClient(_handler);

        var updates = new List<ChatResponseUpdate>();
        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync("Hello"))
        {
            updates.Add(update);
        }

        Assert.That(updates.Select(u => u.Text), Is.EqualTo(new[] { "Hello!", " How can I", " assist you today?", string.Empty, string.Empty }));
        Assert.Multiple(() =>
        {
            Assert.That(updates, Has.All.Matches<ChatResponseUpdate>(u =>
                u!.ResponseId == "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT"
                && u.MessageId == "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT"
                && u.ModelId == "gpt-4o-mini-2024-07-18"
                && u.CreatedAt == TextCreated
                && u.Role == ChatRole.Assistant));
            Assert.That(updates[3].FinishReason, Is.EqualTo(ChatFinishReason.Stop));
            Assert.That(updates[4].Contents.OfType<UsageContent>().Single().Details.InputTokenCount, Is.EqualTo(19));
        });
    }

    [Test]
    public async Task Streaming_yields_text_as_chunks_arrive()
    {
        var body = new GatedStream();
        _handler.Expect(HttpMethod.Post, ChatUrl).Respond(_ =>
        {
            var response = new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = new StreamContent(body) };
            response.Content.Headers.ContentType = new("text/event-stream");
            return response;
        });
        using OpenAIChatCompletionsClient client = CreateClient(_handler);

        await using IAsyncEnumerator<ChatResponseUpdate> updates = client.GetStreamingResponseAsync("Hello").GetAsyncEnumerator();
        body.Write(Events(OpenAIFixtures.TextChunks[..2], done: false));
        Assert.That(await updates.MoveNextAsync(), Is.True);
        Assert.That(updates.Current.Text, Is.EqualTo("Hello!"));

        // The rest has not been sent yet: the first update came from the first chunks alone.
        body.Write(Events(OpenAIFixtures.TextChunks[2..]));
        body.End();
        var rest = new List<ChatResponseUpdate>();
        while (await updates.MoveNextAsync())
        {
            rest.Add(updates.Current);
        }

        Assert.That(string.Concat(rest.Select(u => u.Text)), Is.EqualTo(" How can I assist you today?"));
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task Parallel_tool_calls_stay_separate_with_text_beside_them(bool streaming)
    {
        Expect(_handler, () => streaming ? Sse(Events(OpenAIFixtures.ParallelToolCallChunks)) : Json(OpenAIFixtures.ParallelToolCallsCompletion));
        using OpenAIChatCompletionsClient client = CreateClient(_handler);

        ChatResponse response = await GetAsync(client, streaming, [new ChatMessage(ChatRole.User, "Weather in Paris and Tokyo?")]);

        FunctionCallContent[] calls = [.. response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>()];
        Assert.Multiple(() =>
        {
            Assert.That(response.Text, Is.EqualTo("Let me check both cities."));
            Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.ToolCalls));
            Assert.That(calls, Has.Length.EqualTo(2));
            Assert.That(calls.Select(c => c.CallId), Is.EqualTo(new[] { "call_paris01", "call_tokyo02" }));
            Assert.That(calls.Select(c => c.Name), Is.All.EqualTo("get_weather"));
            Assert.That(calls.Select(c => c.Exception), Is.All.Null);
            Assert.That(((JsonElement)calls[0].Arguments!["city"]!).GetString(), Is.EqualTo("Paris"));
            Assert.That(((JsonElement)calls[1].Arguments!["city"]!).GetString(), Is.EqualTo("Tokyo"));
            Assert.That(((JsonElement)calls[1].Arguments!["unit"]!).GetString(), Is.EqualTo("celsius"));
            Assert.That(response.Usage?.CachedInputTokenCount, Is.EqualTo(64));
        });
    }

    [Test]
    public async Task Streamed_tool_calls_arrive_complete_on_the_finish_update()
    {
        Expect(_handler, () => Sse(Events(OpenAIFixtures.ParallelToolCallChunks)));
        using OpenAIChatCompletionsClient client = CreateClient(_handler);

        var updates = new List<ChatResponseUpdate>();
        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync("Weather?"))
        {
            updates.Add(update);
        }

        ChatResponseUpdate[] withCalls = [.. updates.Where(u => u.Contents.OfType<FunctionCallContent>().Any())];
        Assert.That(withCalls, Has.Length.EqualTo(1));
        Assert.That(withCalls[0].FinishReason, Is.EqualTo(ChatFinishReason.ToolCalls));
        Assert.That(withCalls[0].Contents.OfType<FunctionCallContent>().Count(), Is.EqualTo(2));
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task Usage_with_cached_and_reasoning_tokens(bool streaming)
    {
        Expect(_handler, () => streaming ? Sse(Events(OpenAIFixtures.ReasoningChunks)) : Json(OpenAIFixtures.ReasoningCompletion));
        using OpenAIChatCompletionsClient client = CreateClient(_handler);

        ChatResponse response = await GetAsync(client, streaming, [new ChatMessage(ChatRole.User, "Answer?")]);

        Assert.Multiple(() =>
        {
            Assert.That(response.Usage?.InputTokenCount, Is.EqualTo(2048), "input includes cached reads");
            Assert.That(response.Usage?.CachedInputTokenCount, Is.EqualTo(1920));
            Assert.That(response.Usage?.OutputTokenCount, Is.EqualTo(900), "output includes reasoning");
            Assert.That(response.Usage?.ReasoningTokenCount, Is.EqualTo(832));
            Assert.That(response.Usage?.TotalTokenCount, Is.EqualTo(2948));
        });
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task Refusal_is_kept_as_error_content(bool streaming)
    {
        Expect(_handler, () => streaming ? Sse(Events(OpenAIFixtures.RefusalChunks)) : Json(OpenAIFixtures.RefusalCompletion));
        using OpenAIChatCompletionsClient client = CreateClient(_handler);

        ChatResponse response = await GetAsync(client, streaming, [new ChatMessage(ChatRole.User, "Something disallowed")]);

        ErrorContent refusal = response.Messages.SelectMany(m => m.Contents).OfType<ErrorContent>().Single();
        Assert.Multiple(() =>
        {
            Assert.That(refusal.ErrorCode, Is.EqualTo("refusal"));
            Assert.That(refusal.Message, Is.EqualTo("I'm sorry, I can't help with that request."));
            Assert.That(response.Text, Is.Empty);
        });
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task Reasoning_content_of_compatible_servers_becomes_reasoning_content(bool streaming)
    {
        Expect(_handler, () => streaming ? Sse(Events(OpenAIFixtures.ReasoningContentChunks)) : Json(OpenAIFixtures.ReasoningContentCompletion));
        using OpenAIChatCompletionsClient client = CreateClient(_handler);

        ChatResponse response = await GetAsync(client, streaming, [new ChatMessage(ChatRole.User, "9.11 or 9.8?")]);

        Assert.Multiple(() =>
        {
            Assert.That(response.Text, Is.EqualTo("9.8 is larger."));
            Assert.That(response.Messages.Single().Contents.OfType<TextReasoningContent>().Single().Text, Is.EqualTo("9.11 < 9.8 because 0.11 < 0.8."));
            Assert.That(response.Usage?.ReasoningTokenCount, Is.EqualTo(28));
            Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.Stop));
        });
    }

    [TestCase("length", "length")]
    [TestCase("content_filter", "content_filter")]
    [TestCase("function_call", "tool_calls")]
    [TestCase("something_new", "something_new")]
    public async Task Finish_reasons_map(string wire, string expected)
    {
        Expect(_handler, () => Json(OpenAIFixtures.TextCompletion.Replace("\"finish_reason\": \"stop\"", $"\"finish_reason\": \"{wire}\"", StringComparison.Ordinal)));
        using OpenAIChatCompletionsClient client = CreateClient(_handler);

        ChatResponse response = await client.GetResponseAsync("Hi");

        Assert.That(response.FinishReason?.Value, Is.EqualTo(expected));
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task Rate_limits_and_request_id_of_successful_replies_are_exposed(bool streaming)
    {
        (string, string)[] headers =
        [
            ("x-request-id", "req_abc123"),
            ("x-ratelimit-limit-requests", "5000"),
            ("x-ratelimit-limit-tokens", "160000"),
            ("x-ratelimit-remaining-requests", "4999"),
            ("x-ratelimit-remaining-tokens", "159976"),
            ("x-ratelimit-reset-requests", "12ms"),
            ("x-ratelimit-reset-tokens", "6m0s"),
        ];
        Expect(_handler, () => streaming ? Sse(Events(OpenAIFixtures.TextChunks), headers) : Json(OpenAIFixtures.TextCompletion, System.Net.HttpStatusCode.OK, headers));
        using OpenAIChatCompletionsClient client = CreateClient(_handler);

        ChatResponse response = await GetAsync(client, streaming, [new ChatMessage(ChatRole.User, "Hi")]);

        AdditionalPropertiesDictionary properties = response.Messages.Single().AdditionalProperties!;
        var limits = (RateLimitInfo)properties[LlmResponsePropertyKeys.RateLimits]!;
        Assert.Multiple(() =>
        {
            Assert.That(properties[LlmResponsePropertyKeys.ProviderRequestId], Is.EqualTo("req_abc123"));
            if (!streaming)
            {
                Assert.That(response.AdditionalProperties?[LlmResponsePropertyKeys.RateLimits], Is.SameAs(limits));
            }

            Assert.That(limits.LimitRequests, Is.EqualTo(5000));
            Assert.That(limits.LimitTokens, Is.EqualTo(160000));
            Assert.That(limits.RemainingRequests, Is.EqualTo(4999));
            Assert.That(limits.RemainingTokens, Is.EqualTo(159976));
            Assert.That(limits.ResetRequests, Is.EqualTo(TimeSpan.FromMilliseconds(12)));
            Assert.That(limits.ResetTokens, Is.EqualTo(TimeSpan.FromMinutes(6)));
        });
    }

    [TestCase(nameof(OpenAIFixtures.TextCompletion))]
    [TestCase(nameof(OpenAIFixtures.ParallelToolCallsCompletion))]
    [TestCase(nameof(OpenAIFixtures.ReasoningCompletion))]
    [TestCase(nameof(OpenAIFixtures.RefusalCompletion))]
    [TestCase(nameof(OpenAIFixtures.ReasoningContentCompletion))]
    public async Task Streamed_ToChatResponse_equals_non_streamed_result(string fixture)
    {
        (string completion, string[] chunks) = fixture switch
        {
            nameof(OpenAIFixtures.TextCompletion) => (OpenAIFixtures.TextCompletion, OpenAIFixtures.TextChunks),
            nameof(OpenAIFixtures.ParallelToolCallsCompletion) => (OpenAIFixtures.ParallelToolCallsCompletion, OpenAIFixtures.ParallelToolCallChunks),
            nameof(OpenAIFixtures.ReasoningCompletion) => (OpenAIFixtures.ReasoningCompletion, OpenAIFixtures.ReasoningChunks),
            nameof(OpenAIFixtures.ReasoningContentCompletion) => (OpenAIFixtures.ReasoningContentCompletion, OpenAIFixtures.ReasoningContentChunks),
            _ => (OpenAIFixtures.RefusalCompletion, OpenAIFixtures.RefusalChunks),
        };
        (string, string)[] headers = [("x-request-id", "req_1"), ("x-ratelimit-remaining-requests", "99")];
        Expect(_handler, () => Json(completion, System.Net.HttpStatusCode.OK, headers));
        Expect(_handler, () => Sse(Events(chunks), headers));
        using OpenAIChatCompletionsClient client = CreateClient(_handler);

        ChatResponse direct = await GetAsync(client, streaming: false, [new ChatMessage(ChatRole.User, "Hi")]);
        ChatResponse streamed = await GetAsync(client, streaming: true, [new ChatMessage(ChatRole.User, "Hi")]);

        Assert.That(Describe(streamed), Is.EqualTo(Describe(direct)));
    }

    [Test]
    public async Task Json_reply_to_a_stream_request_is_still_translated()
    {
        Expect(_handler, () => Json(OpenAIFixtures.TextCompletion));
        using OpenAIChatCompletionsClient client = CreateClient(_handler);

        ChatResponse response = await GetAsync(client, streaming: true, [new ChatMessage(ChatRole.User, "Hi")]);

        Assert.That(response.Text, Is.EqualTo("Hello! How can I assist you today?"));
        Assert.That(response.Usage?.TotalTokenCount, Is.EqualTo(29));
    }

    [Test]
    public async Task Stream_that_ends_after_finish_reason_without_done_is_complete()
    {
        Expect(_handler, () => Sse(Events(OpenAIFixtures.TextChunks[..5], done: false)));
        using OpenAIChatCompletionsClient client = CreateClient(_handler);

        ChatResponse response = await GetAsync(client, streaming: true, [new ChatMessage(ChatRole.User, "Hi")]);

        Assert.That(response.Text, Is.EqualTo("Hello! How can I assist you today?"));
        Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.Stop));
    }

    [Test]
    public void Metadata_reports_provider_endpoint_and_default_model()
    {
        using OpenAIChatCompletionsClient client = CreateClient(_handler, o => o.ProviderName = "groq");

        ChatClientMetadata? metadata = client.GetService<ChatClientMetadata>();

        Assert.Multiple(() =>
        {
            Assert.That(metadata?.ProviderName, Is.EqualTo("groq"));
            Assert.That(metadata?.ProviderUri, Is.EqualTo(new Uri("https://api.openai.com/v1/")));
            Assert.That(metadata?.DefaultModelId, Is.EqualTo("gpt-4o-mini"));
            Assert.That(client.GetService<OpenAIChatCompletionsClient>(), Is.SameAs(client));
            Assert.That(client.GetService(typeof(ChatClientMetadata), "key"), Is.Null);
        });
    }

    /// <summary>
    /// A canonical text of everything a caller can observe in a response, except <see cref="ChatResponse.AdditionalProperties"/>:
    /// M.E.AI's <c>ToChatResponse()</c> moves update properties to the message, where both paths put them.
    /// </summary>
    private static string Describe(ChatResponse response)
    {
        var lines = new List<string>
        {
            $"id={response.ResponseId} model={response.ModelId} created={response.CreatedAt:O} finish={response.FinishReason}",
            $"usage in={response.Usage?.InputTokenCount} out={response.Usage?.OutputTokenCount} total={response.Usage?.TotalTokenCount} cached={response.Usage?.CachedInputTokenCount} reasoning={response.Usage?.ReasoningTokenCount}",
        };
        foreach (ChatMessage message in response.Messages)
        {
            lines.Add($"message role={message.Role} id={message.MessageId} created={message.CreatedAt:O}");
            foreach (KeyValuePair<string, object?> kv in message.AdditionalProperties ?? [])
            {
                lines.Add(kv.Value is RateLimitInfo r ? $"  prop {kv.Key}=remaining:{r.RemainingRequests}" : $"  prop {kv.Key}={kv.Value}");
            }

            foreach (AIContent content in message.Contents)
            {
                lines.Add(content switch
                {
                    TextContent t => $"  text {t.Text}",
                    TextReasoningContent r => $"  reasoning {r.Text}",
                    FunctionCallContent f => $"  call {f.CallId} {f.Name} {string.Join(",", f.Arguments!.Select(a => $"{a.Key}:{a.Value}"))}",
                    ErrorContent e => $"  error {e.ErrorCode} {e.Message}",
                    _ => $"  {content.GetType().Name}",
                });
            }
        }

        return string.Join("\n", lines);
    }
}
