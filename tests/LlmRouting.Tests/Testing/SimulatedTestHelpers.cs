using LlmRouting.Testing;

namespace LlmRouting.Tests.Testing;

/// <summary>Calls a simulated client either way and compares responses.</summary>
internal static class SimulatedTestHelpers
{
    public static List<ChatMessage> Prompt(string text) => [new ChatMessage(ChatRole.User, text)];

    /// <summary>Gets the response, streamed and combined when <paramref name="streaming"/>.</summary>
    public static async Task<ChatResponse> GetAsync(IChatClient client, bool streaming, IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        streaming
            ? await client.GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken)
            : await client.GetResponseAsync(messages, options, cancellationToken);

    public static Task<ChatResponse> GetAsync(IChatClient client, bool streaming, string prompt, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        GetAsync(client, streaming, Prompt(prompt), options, cancellationToken);

    public static async Task<List<ChatResponseUpdate>> StreamAsync(IChatClient client, IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync(messages, options, cancellationToken))
        {
            updates.Add(update);
        }

        return updates;
    }

    /// <summary>Asserts that two responses carry the same ids, text, tool calls, finish reason and usage.</summary>
    public static void AssertSameResponse(ChatResponse actual, ChatResponse expected)
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(actual.ResponseId, Is.EqualTo(expected.ResponseId), "ResponseId");
            Assert.That(actual.ModelId, Is.EqualTo(expected.ModelId), "ModelId");
            Assert.That(actual.CreatedAt, Is.EqualTo(expected.CreatedAt), "CreatedAt");
            Assert.That(actual.FinishReason, Is.EqualTo(expected.FinishReason), "FinishReason");
            Assert.That(actual.Text, Is.EqualTo(expected.Text), "Text");
            Assert.That(actual.Messages, Has.Count.EqualTo(expected.Messages.Count), "message count");
            AssertSameUsage(actual.Usage, expected.Usage);
        }

        for (int i = 0; i < expected.Messages.Count; i++)
        {
            ChatMessage a = actual.Messages[i];
            ChatMessage e = expected.Messages[i];
            using (Assert.EnterMultipleScope())
            {
                Assert.That(a.Role, Is.EqualTo(e.Role), "Role");
                Assert.That(a.MessageId, Is.EqualTo(e.MessageId), "MessageId");
                Assert.That(a.CreatedAt, Is.EqualTo(e.CreatedAt), "message CreatedAt");
                Assert.That(a.Contents.Select(c => c.GetType()), Is.EqualTo(e.Contents.Select(c => c.GetType())), "content types");
                Assert.That(Describe(a.Contents.OfType<FunctionCallContent>()), Is.EqualTo(Describe(e.Contents.OfType<FunctionCallContent>())), "tool calls");
            }
        }
    }

    public static void AssertSameUsage(UsageDetails? actual, UsageDetails? expected)
    {
        Assert.That(actual is null, Is.EqualTo(expected is null), "usage presence");
        if (actual is null || expected is null)
        {
            return;
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(actual.InputTokenCount, Is.EqualTo(expected.InputTokenCount), "InputTokenCount");
            Assert.That(actual.OutputTokenCount, Is.EqualTo(expected.OutputTokenCount), "OutputTokenCount");
            Assert.That(actual.TotalTokenCount, Is.EqualTo(expected.TotalTokenCount), "TotalTokenCount");
            Assert.That(actual.CachedInputTokenCount, Is.EqualTo(expected.CachedInputTokenCount), "CachedInputTokenCount");
            Assert.That(actual.ReasoningTokenCount, Is.EqualTo(expected.ReasoningTokenCount), "ReasoningTokenCount");
            Assert.That(
                actual.AdditionalCounts?.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList() ?? [],
                Is.EqualTo(expected.AdditionalCounts?.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList() ?? []),
                "AdditionalCounts");
        }
    }

    private static List<string> Describe(IEnumerable<FunctionCallContent> calls) =>
        calls.Select(c => c.CallId + ":" + c.Name + "(" + string.Join(",", (c.Arguments ?? new Dictionary<string, object?>()).Select(kv => kv.Key + "=" + kv.Value)) + ")").ToList();

    /// <summary>Two identically configured clients, so the same call can be made streamed and not.</summary>
    public static (SimulatedChatClient A, SimulatedChatClient B) Twins(Action<SimulatedProviderOptions> configure)
    {
        var a = new SimulatedProviderOptions();
        var b = new SimulatedProviderOptions();
        configure(a);
        configure(b);
        return (new SimulatedChatClient(a), new SimulatedChatClient(b));
    }
}
