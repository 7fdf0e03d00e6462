using LlmRouting.Testing;
using Microsoft.Extensions.Time.Testing;
using static LlmRouting.Tests.Testing.SimulatedTestHelpers;

namespace LlmRouting.Tests.Testing;

public class SimulatedChatClientReplyTests
{
    [Test]
    public async Task Default_reply_names_the_model_and_quotes_the_start_of_the_last_user_message([Values] bool streaming)
    {
        using var client = new SimulatedChatClient(new SimulatedProviderOptions { ModelId = "sim-small" });
        List<ChatMessage> messages =
        [
            new(ChatRole.System, "You are terse."),
            new(ChatRole.User, "first question"),
            new(ChatRole.Assistant, "first answer"),
            new(ChatRole.User, "What is the capital of France, and why is it Paris of all places?"),
        ];

        ChatResponse response = await GetAsync(client, streaming, messages);

        Assert.That(response.Text, Is.EqualTo("Simulated answer from sim-small to: What is the capital of France, and why i"));
    }

    [Test]
    public async Task Default_reply_uses_the_requested_model_id([Values] bool streaming)
    {
        using var client = new SimulatedChatClient();

        ChatResponse response = await GetAsync(client, streaming, "hi", new ChatOptions { ModelId = "gpt-sim" });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.Text, Is.EqualTo("Simulated answer from gpt-sim to: hi"));
            Assert.That(response.ModelId, Is.EqualTo("gpt-sim"));
        }
    }

    [Test]
    public async Task Default_reply_is_deterministic([Values] bool streaming)
    {
        var time = new FakeTimeProvider();
        using var a = new SimulatedChatClient(new SimulatedProviderOptions { TimeProvider = time });
        using var b = new SimulatedChatClient(new SimulatedProviderOptions { TimeProvider = time });

        ChatResponse first = await GetAsync(a, streaming, "same prompt");
        ChatResponse second = await GetAsync(b, streaming, "same prompt");

        AssertSameResponse(first, second);
    }

    [Test]
    public async Task Reply_function_gets_the_messages_and_options([Values] bool streaming)
    {
        IReadOnlyList<ChatMessage>? seenMessages = null;
        ChatOptions? seenOptions = null;
        using var client = new SimulatedChatClient(new SimulatedProviderOptions
        {
            ReplyFunction = (messages, options) =>
            {
                seenMessages = messages;
                seenOptions = options;
                return "echo: " + messages[^1].Text.ToUpperInvariant();
            },
        });
        var chatOptions = new ChatOptions { Temperature = 0.5f };

        ChatResponse response = await GetAsync(client, streaming, "hello world", chatOptions);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.Text, Is.EqualTo("echo: HELLO WORLD"));
            Assert.That(seenMessages, Has.Count.EqualTo(1));
            Assert.That(seenOptions, Is.SameAs(chatOptions));
        }
    }

    [Test]
    public async Task Scripted_replies_come_in_order_then_the_reply_function_takes_over([Values] bool streaming)
    {
        var options = new SimulatedProviderOptions { ReplyFunction = (_, _) => "from function" };
        options.ScriptedReplies.Add(new SimulatedReply("one"));
        using var client = new SimulatedChatClient(options);
        client.EnqueueReplies("two", "three");

        var texts = new List<string>();
        for (int i = 0; i < 4; i++)
        {
            texts.Add((await GetAsync(client, streaming, "q")).Text);
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(texts, Is.EqualTo(new[] { "one", "two", "three", "from function" }));
            Assert.That(client.PendingReplies, Is.Zero);
        }
    }

    [Test]
    public async Task Reply_factory_takes_precedence_over_reply_function([Values] bool streaming)
    {
        using var client = new SimulatedChatClient(new SimulatedProviderOptions
        {
            ReplyFunction = (_, _) => "function",
            ReplyFactory = (_, _) => new SimulatedReply("factory") { FinishReason = ChatFinishReason.ContentFilter },
        });

        ChatResponse response = await GetAsync(client, streaming, "q");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.Text, Is.EqualTo("factory"));
            Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.ContentFilter));
        }
    }

    [Test]
    public async Task Tool_calls_are_returned_after_the_text_with_finish_reason_tool_calls([Values] bool streaming)
    {
        using var client = new SimulatedChatClient();
        client.EnqueueReplies(SimulatedReply.WithToolCall("get_weather", new Dictionary<string, object?> { ["city"] = "Paris" }, "call_1", "Let me check."));

        ChatResponse response = await GetAsync(client, streaming, "weather?");

        FunctionCallContent call = response.Messages.Single().Contents.OfType<FunctionCallContent>().Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.Text, Is.EqualTo("Let me check."));
            Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.ToolCalls));
            Assert.That(call.CallId, Is.EqualTo("call_1"));
            Assert.That(call.Name, Is.EqualTo("get_weather"));
            Assert.That(call.Arguments!["city"], Is.EqualTo("Paris"));
            Assert.That(response.Messages.Single().Contents[0], Is.TypeOf<TextContent>());
        }
    }

    [Test]
    public async Task A_reply_with_only_tool_calls_has_no_text([Values] bool streaming)
    {
        using var client = new SimulatedChatClient();
        client.EnqueueReplies(SimulatedReply.WithToolCall("lookup"));

        ChatResponse response = await GetAsync(client, streaming, "q");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.Text, Is.Empty);
            Assert.That(response.Messages.Single().Contents.OfType<TextContent>(), Is.Empty);
            Assert.That(response.Messages.Single().Contents.OfType<FunctionCallContent>().Single().CallId, Is.EqualTo("call_lookup"));
            Assert.That(response.Usage!.OutputTokenCount, Is.GreaterThanOrEqualTo(1));
        }
    }

    [Test]
    public async Task Scripted_tool_calls_are_copied_per_response([Values] bool streaming)
    {
        using var client = new SimulatedChatClient();
        SimulatedReply reply = SimulatedReply.WithToolCall("f", new Dictionary<string, object?> { ["a"] = 1 });
        client.EnqueueReplies(reply, reply);

        ChatResponse first = await GetAsync(client, streaming, "q");
        ChatResponse second = await GetAsync(client, streaming, "q");

        FunctionCallContent a = first.Messages[0].Contents.OfType<FunctionCallContent>().Single();
        FunctionCallContent b = second.Messages[0].Contents.OfType<FunctionCallContent>().Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(a, Is.Not.SameAs(b));
            Assert.That(a, Is.Not.SameAs(reply.ToolCalls[0]));
            Assert.That(a.Arguments, Is.Not.SameAs(reply.ToolCalls[0].Arguments));
        }
    }

    [Test]
    public async Task Explicit_finish_reason_is_reported([Values] bool streaming)
    {
        using var client = new SimulatedChatClient();
        client.EnqueueReplies(new SimulatedReply("cut") { FinishReason = ChatFinishReason.Length });

        ChatResponse response = await GetAsync(client, streaming, "q");

        Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.Length));
    }

    [Test]
    public async Task Reply_longer_than_max_output_tokens_is_cut_with_finish_reason_length([Values] bool streaming)
    {
        using var client = new SimulatedChatClient();
        client.EnqueueReplies(new string('x', 100));

        ChatResponse response = await GetAsync(client, streaming, "q", new ChatOptions { MaxOutputTokens = 5 });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.Text, Is.EqualTo(new string('x', 20)));
            Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.Length));
            Assert.That(response.Usage!.OutputTokenCount, Is.EqualTo(5));
        }
    }

    [Test]
    public async Task Response_carries_ids_model_and_creation_time([Values] bool streaming)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
        using var client = new SimulatedChatClient(new SimulatedProviderOptions { TimeProvider = time, DeploymentName = "dep-a", ModelId = "m1" });

        ChatResponse first = await GetAsync(client, streaming, "q");
        ChatResponse second = await GetAsync(client, streaming, "q");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first.ResponseId, Is.EqualTo("simresp-dep-a-1"));
            Assert.That(second.ResponseId, Is.EqualTo("simresp-dep-a-2"));
            Assert.That(first.Messages[0].MessageId, Is.EqualTo("simmsg-dep-a-1"));
            Assert.That(first.Messages[0].Role, Is.EqualTo(ChatRole.Assistant));
            Assert.That(first.ModelId, Is.EqualTo("m1"));
            Assert.That(first.CreatedAt, Is.EqualTo(time.GetUtcNow()));
            Assert.That(first.FinishReason, Is.EqualTo(ChatFinishReason.Stop));
        }
    }

    [Test]
    public async Task Every_update_carries_ids_model_and_time_and_only_the_last_has_finish_reason_and_usage()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
        using var client = new SimulatedChatClient(new SimulatedProviderOptions { TimeProvider = time, ModelId = "m1" });
        client.EnqueueReplies("one two three four");

        List<ChatResponseUpdate> updates = await StreamAsync(client, Prompt("q"));

        Assert.That(updates, Has.Count.EqualTo(4));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(updates.Select(u => u.Text), Is.EqualTo(new[] { "one ", "two ", "three ", "four" }));
            Assert.That(updates.Select(u => u.ResponseId).Distinct().Single(), Is.EqualTo("simresp-m1-1"));
            Assert.That(updates.Select(u => u.MessageId).Distinct().Single(), Is.EqualTo("simmsg-m1-1"));
            Assert.That(updates.Select(u => u.ModelId).Distinct().Single(), Is.EqualTo("m1"));
            Assert.That(updates.Select(u => u.CreatedAt).Distinct().Single(), Is.EqualTo(time.GetUtcNow()));
            Assert.That(updates.Select(u => u.Role).Distinct().Single(), Is.EqualTo(ChatRole.Assistant));
            Assert.That(updates.Take(3).Select(u => u.FinishReason), Is.All.Null);
            Assert.That(updates[^1].FinishReason, Is.EqualTo(ChatFinishReason.Stop));
            Assert.That(updates.Take(3).SelectMany(u => u.Contents).OfType<UsageContent>(), Is.Empty);
            Assert.That(updates[^1].Contents.OfType<UsageContent>().Single().Details.OutputTokenCount, Is.EqualTo(4));
        }
    }

    [TestCase(null, new[] { "The ", "quick ", "brown ", "fox." })]
    [TestCase(2, new[] { "The quick ", "brown fox." })]
    [TestCase(1, new[] { "The quick brown fox." })]
    [TestCase(3, new[] { "The qu", "ick bro", "wn fox." })]
    public async Task Stream_is_split_by_words_or_into_the_configured_number_of_chunks(int? chunkCount, string[] expected)
    {
        using var client = new SimulatedChatClient(new SimulatedProviderOptions { StreamChunkCount = chunkCount });
        client.EnqueueReplies("The quick brown fox.");

        List<ChatResponseUpdate> updates = await StreamAsync(client, Prompt("q"));

        Assert.That(updates.Select(u => u.Text), Is.EqualTo(expected));
    }

    [Test]
    public async Task Chunking_never_splits_a_surrogate_pair()
    {
        using var client = new SimulatedChatClient(new SimulatedProviderOptions { StreamChunkCount = 3 });
        client.EnqueueReplies("a😀b😀c");

        List<ChatResponseUpdate> updates = await StreamAsync(client, Prompt("q"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(string.Concat(updates.Select(u => u.Text)), Is.EqualTo("a😀b😀c"));
            Assert.That(updates.Select(u => u.Text), Has.None.Matches<string?>(t => t is { Length: > 0 } && (char.IsLowSurrogate(t[0]) || char.IsHighSurrogate(t[^1]))));
        }
    }

    [Test]
    public async Task Empty_reply_streams_a_single_update_with_finish_reason_and_usage()
    {
        using var client = new SimulatedChatClient();
        client.EnqueueReplies(string.Empty);

        List<ChatResponseUpdate> updates = await StreamAsync(client, Prompt("q"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(updates, Has.Count.EqualTo(1));
            Assert.That(updates[0].FinishReason, Is.EqualTo(ChatFinishReason.Stop));
            Assert.That(updates[0].Contents.Single(), Is.TypeOf<UsageContent>());
        }
    }

    [TestCase("plain words in a sentence", null)]
    [TestCase("chunked into pieces", 4)]
    [TestCase("", null)]
    public async Task Combined_stream_equals_the_non_streaming_response(string text, int? chunkCount)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero));
        (SimulatedChatClient streamed, SimulatedChatClient plain) = Twins(o =>
        {
            o.TimeProvider = time;
            o.DeploymentName = "d";
            o.StreamChunkCount = chunkCount;
            o.CachedInputFraction = 0.5;
            o.CacheWriteInputFraction = 0.25;
            o.ReasoningTokenRatio = 2;
            o.ScriptedReplies.Add(SimulatedReply.WithToolCall("tool", new Dictionary<string, object?> { ["x"] = "y" }, text: text));
        });
        using (streamed)
        using (plain)
        {
            List<ChatMessage> prompt = Prompt("a prompt long enough to have several tokens");

            ChatResponse fromStream = (await StreamAsync(streamed, prompt)).ToChatResponse();
            ChatResponse response = await plain.GetResponseAsync(prompt);

            AssertSameResponse(fromStream, response);
        }
    }

    [Test]
    public async Task Combined_stream_equals_the_non_streaming_response_for_default_replies()
    {
        var time = new FakeTimeProvider();
        (SimulatedChatClient streamed, SimulatedChatClient plain) = Twins(o => o.TimeProvider = time);
        using (streamed)
        using (plain)
        {
            List<ChatMessage> prompt = Prompt("Tell me about simulated providers please");

            AssertSameResponse((await StreamAsync(streamed, prompt)).ToChatResponse(), await plain.GetResponseAsync(prompt));
        }
    }

    [Test]
    public void Reply_function_exceptions_propagate([Values] bool streaming)
    {
        using var client = new SimulatedChatClient(new SimulatedProviderOptions { ReplyFunction = (_, _) => throw new InvalidOperationException("boom") });

        Assert.That(async () => await GetAsync(client, streaming, "q"), Throws.InvalidOperationException.With.Message.EqualTo("boom"));
    }

    [Test]
    public async Task Metadata_and_services_describe_the_simulated_provider()
    {
        using var client = new SimulatedChatClient(new SimulatedProviderOptions { ModelId = "m" });

        ChatClientMetadata? metadata = client.GetService<ChatClientMetadata>();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(metadata!.ProviderName, Is.EqualTo("simulated"));
            Assert.That(metadata.DefaultModelId, Is.EqualTo("m"));
            Assert.That(client.GetService<SimulatedChatClient>(), Is.SameAs(client));
            Assert.That(client.GetService(typeof(SimulatedChatClient), "key"), Is.Null);
            Assert.That(client.GetService<string>(), Is.Null);
        }

        await Task.CompletedTask;
    }

    [Test]
    public void Calls_after_dispose_throw([Values] bool streaming)
    {
        var client = new SimulatedChatClient();
        client.Dispose();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(client.IsDisposed, Is.True);
            Assert.That(async () => await GetAsync(client, streaming, "q"), Throws.TypeOf<ObjectDisposedException>());
        }
    }

    [Test]
    public void Null_messages_are_rejected_eagerly()
    {
        using var client = new SimulatedChatClient();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => client.GetStreamingResponseAsync(null!), Throws.ArgumentNullException);
            Assert.That(async () => await client.GetResponseAsync((IEnumerable<ChatMessage>)null!), Throws.ArgumentNullException);
        }
    }
}
