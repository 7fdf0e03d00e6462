using LlmRouting.Testing;
using Microsoft.Extensions.AI;

/// <summary>The simulated fleet: real catalog models, canned answers, simulated latency.</summary>
internal static class QuickstartSimulation
{
    /// <summary>Deployment name → catalog model used for its prices, limits and capabilities.</summary>
    public static readonly (string Name, string CatalogModel)[] Deployments =
    [
        ("llama-8b", "groq/llama-3.1-8b-instant"),
        ("gemini-flash-lite", "gemini/gemini-2.5-flash-lite"),
        ("deepseek-chat", "deepseek/deepseek-chat"),
        ("claude-haiku", "anthropic/claude-haiku-4-5"),
        ("gpt-4o", "openai/gpt-4o"),
        ("claude-sonnet", "anthropic/claude-sonnet-4-5"),
    ];

    public static void Configure(SimulatedProviderFactory factory)
    {
        factory.ConfigureDefaults(o =>
        {
            o.ReplyFunction = Answer;
            o.StreamChunkCount = 12;
            o.TimeToFirstToken = TimeSpan.FromMilliseconds(25);
            o.ChunkDelay = TimeSpan.FromMilliseconds(1);
            o.CachedInputFraction = 0.0;
        });

        // Faster, smaller models answer sooner.
        factory.Configure("llama-8b", o => o.TimeToFirstToken = TimeSpan.FromMilliseconds(15));
        factory.Configure("gemini-flash-lite", o => o.TimeToFirstToken = TimeSpan.FromMilliseconds(20));
        factory.Configure("claude-sonnet", o => o.TimeToFirstToken = TimeSpan.FromMilliseconds(60));
        factory.Configure("gpt-4o", o => o.TimeToFirstToken = TimeSpan.FromMilliseconds(45));
    }

    private static string Answer(IReadOnlyList<ChatMessage> messages, ChatOptions? options)
    {
        string prompt = messages.LastOrDefault(m => m.Role == ChatRole.User)?.Text ?? string.Empty;
        if (options?.ResponseFormat is ChatResponseFormatJson)
        {
            return """{"city":"Lisbon","date":"12 March"}""";
        }

        if (prompt.Contains("LRU", StringComparison.Ordinal))
        {
            return "Use a Dictionary<TKey, LinkedListNode<Entry>> plus a LinkedList<Entry> guarded by one lock: get moves the node to the front, put inserts at the front and evicts the tail when full. Both are O(1); a single lock keeps the two structures consistent, and a ReaderWriterLockSlim buys little because get also mutates the order.";
        }

        if (prompt.Contains("bat", StringComparison.Ordinal))
        {
            return "Let the ball cost x. The bat costs x + 1.00, so 2x + 1.00 = 1.10 and x = 0.05. The ball costs $0.05.";
        }

        if (prompt.StartsWith("Summarise", StringComparison.Ordinal))
        {
            return "Revenue grew across all regions with flat costs, so margins widened everywhere.";
        }

        return prompt.Length < 80
            ? "Here is a short, direct answer to your question."
            : "Here is a considered answer that addresses each point of your request in turn, with the caveats that matter.";
    }
}
