using System.Collections.Concurrent;
using LlmRouting.Testing;
using Microsoft.Extensions.Time.Testing;
using static LlmRouting.Tests.Testing.SimulatedTestHelpers;

namespace LlmRouting.Tests.Testing;

public class SimulatedChatClientRecordingTests
{
    [Test]
    public async Task Every_call_is_recorded_with_its_messages_options_mode_fault_and_time([Values] bool streaming)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 5, 6, 7, 8, 9, TimeSpan.Zero));
        using var client = new SimulatedChatClient(new SimulatedProviderOptions { TimeProvider = time });
        var options = new ChatOptions { ModelId = "m", Temperature = 0.25f };

        await GetAsync(client, streaming, "first", options);
        time.Advance(TimeSpan.FromSeconds(3));
        client.InjectFaults(SimulatedFaultKind.Overloaded);
        Assert.That(async () => await GetAsync(client, streaming, "second"), Throws.InstanceOf<LlmProviderException>());

        IReadOnlyList<SimulatedCall> calls = client.Calls;
        Assert.That(calls, Has.Count.EqualTo(2));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(client.CallCount, Is.EqualTo(2));
            Assert.That(calls[0].Sequence, Is.EqualTo(1));
            Assert.That(calls[1].Sequence, Is.EqualTo(2));
            Assert.That(calls[0].Messages.Single().Text, Is.EqualTo("first"));
            Assert.That(calls[0].Options!.Temperature, Is.EqualTo(0.25f));
            Assert.That(calls[0].Options, Is.Not.SameAs(options));
            Assert.That(calls[0].IsStreaming, Is.EqualTo(streaming));
            Assert.That(calls[0].Fault, Is.EqualTo(SimulatedFaultKind.None));
            Assert.That(calls[0].Timestamp, Is.EqualTo(new DateTimeOffset(2026, 5, 6, 7, 8, 9, TimeSpan.Zero)));
            Assert.That(calls[1].Options, Is.Null);
            Assert.That(calls[1].Fault, Is.EqualTo(SimulatedFaultKind.Overloaded));
            Assert.That(calls[1].Timestamp, Is.EqualTo(new DateTimeOffset(2026, 5, 6, 7, 8, 12, TimeSpan.Zero)));
            Assert.That(client.LastCall, Is.SameAs(calls[1]));
        }
    }

    [Test]
    public async Task Recorded_messages_are_a_snapshot_of_what_was_sent([Values] bool streaming)
    {
        using var client = new SimulatedChatClient();
        var message = new ChatMessage(ChatRole.User, "original");
        List<ChatMessage> messages = [message];
        var options = new ChatOptions { MaxOutputTokens = 100 };

        await GetAsync(client, streaming, messages, options);
        messages.Add(new ChatMessage(ChatRole.User, "added later"));
        message.Contents.Add(new TextContent(" and more"));
        message.Role = ChatRole.System;
        options.MaxOutputTokens = 1;

        SimulatedCall call = client.LastCall!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(call.Messages, Has.Count.EqualTo(1));
            Assert.That(call.Messages[0].Text, Is.EqualTo("original"));
            Assert.That(call.Messages[0].Role, Is.EqualTo(ChatRole.User));
            Assert.That(call.Options!.MaxOutputTokens, Is.EqualTo(100));
        }
    }

    [Test]
    public async Task Prompt_text_lets_tests_assert_that_data_never_reached_the_provider([Values] bool streaming)
    {
        using var client = new SimulatedChatClient();
        List<ChatMessage> messages =
        [
            new(ChatRole.System, "Be helpful."),
            new(ChatRole.User, "My card is [CARD_1]."),
            new(ChatRole.Assistant, [new FunctionCallContent("c", "lookup", new Dictionary<string, object?> { ["id"] = "[EMAIL_1]" })]),
            new(ChatRole.Tool, [new FunctionResultContent("c", "found [PHONE_1]")]),
        ];

        await GetAsync(client, streaming, messages);

        string prompt = client.LastCall!.PromptText;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(prompt, Is.EqualTo("Be helpful.\nMy card is [CARD_1].\nlookup id=[EMAIL_1]\nfound [PHONE_1]"));
            Assert.That(client.Calls.Select(c => c.PromptText), Has.None.Contains("4111 1111 1111 1111"));
        }
    }

    [Test]
    public async Task Calls_can_be_cleared_and_recording_turned_off([Values] bool streaming)
    {
        using var client = new SimulatedChatClient();
        await GetAsync(client, streaming, "q");
        client.ClearCalls();

        Assert.That(client.Calls, Is.Empty);
        Assert.That(client.LastCall, Is.Null);

        client.Options.RecordCalls = false;
        await GetAsync(client, streaming, "q");

        Assert.That(client.Calls, Is.Empty);
        Assert.That(client.CallCount, Is.EqualTo(2));
    }

    [Test]
    public async Task A_stream_is_received_when_its_enumeration_starts()
    {
        using var client = new SimulatedChatClient();

        IAsyncEnumerable<ChatResponseUpdate> stream = client.GetStreamingResponseAsync(Prompt("q"));
        Assert.That(client.CallCount, Is.Zero);
        await using IAsyncEnumerator<ChatResponseUpdate> enumerator = stream.GetAsyncEnumerator();
        await enumerator.MoveNextAsync();

        Assert.That(client.CallCount, Is.EqualTo(1));
        Assert.That(client.LastCall!.IsStreaming, Is.True);
    }

    [Test]
    public async Task Concurrent_calls_are_counted_recorded_and_scripted_exactly_once([Values] bool streaming)
    {
        const int Calls = 1000;
        const int Replies = 400;
        using var client = new SimulatedChatClient(new SimulatedProviderOptions { Seed = 1, ReplyFunction = (_, _) => "fallback" });
        client.EnqueueReplies(Enumerable.Range(0, Replies).Select(i => "scripted " + i).ToArray());
        client.InjectFaults(SimulatedFaultKind.ServerError, 100);

        var texts = new ConcurrentBag<string>();
        var failures = new ConcurrentBag<LlmProviderException>();
        await Parallel.ForEachAsync(Enumerable.Range(0, Calls), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            try
            {
                texts.Add((await GetAsync(client, streaming, "prompt " + i, cancellationToken: ct)).Text);
            }
            catch (LlmProviderException ex)
            {
                failures.Add(ex);
            }
        });

        IReadOnlyList<SimulatedCall> calls = client.Calls;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(client.CallCount, Is.EqualTo(Calls));
            Assert.That(calls.Select(c => c.Sequence), Is.EqualTo(Enumerable.Range(1, Calls).Select(i => (long)i)));
            Assert.That(calls.Select(c => c.Messages[0].Text).Distinct().Count(), Is.EqualTo(Calls));
            Assert.That(failures, Has.Count.EqualTo(100));
            Assert.That(calls.Take(100).Select(c => c.Fault), Is.All.EqualTo(SimulatedFaultKind.ServerError));
            Assert.That(texts.Where(t => t.StartsWith("scripted", StringComparison.Ordinal)).Distinct().Count(), Is.EqualTo(Replies));
            Assert.That(texts.Count(t => t == "fallback"), Is.EqualTo(Calls - 100 - Replies));
            Assert.That(client.PendingReplies, Is.Zero);
            Assert.That(client.PendingFaults, Is.Zero);
        }
    }

    [Test]
    public async Task Concurrent_calls_with_seeded_random_faults_draw_the_same_multiset_of_faults()
    {
        static async Task<Dictionary<SimulatedFaultKind, int>> RunAsync()
        {
            using var client = new SimulatedChatClient(new SimulatedProviderOptions { Seed = 99 });
            client.Options.FaultRates[SimulatedFaultKind.RateLimited] = 0.3;
            client.Options.FaultRates[SimulatedFaultKind.Overloaded] = 0.2;
            await Parallel.ForEachAsync(Enumerable.Range(0, 500), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (_, ct) =>
            {
                try
                {
                    await client.GetResponseAsync(Prompt("q"), cancellationToken: ct);
                }
                catch (LlmProviderException)
                {
                }
            });

            return client.Calls.GroupBy(c => c.Fault).ToDictionary(g => g.Key, g => g.Count());
        }

        Dictionary<SimulatedFaultKind, int> first = await RunAsync();
        Dictionary<SimulatedFaultKind, int> second = await RunAsync();

        Assert.That(first, Is.EquivalentTo(second));
    }
}
