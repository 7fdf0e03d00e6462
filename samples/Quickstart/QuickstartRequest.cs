using System.Text.Json;
using Microsoft.Extensions.AI;

/// <summary>One request of the quickstart's mixed batch.</summary>
internal sealed record QuickstartRequest(string Label, IList<ChatMessage> Messages, ChatOptions? Options = null, bool Stream = false)
{
    public bool StartOutage { get; init; }

    public bool EndOutage { get; init; }

    private static ChatMessage User(string text) => new(ChatRole.User, text);

    public static IEnumerable<QuickstartRequest> Batch()
    {
        yield return new("Short question", [User("What is the capital of Australia?")]);
        yield return new("Short question (stream)", [User("Give me three synonyms for 'fast'.")], Stream: true);
        yield return new("Translate", [User("Translate into French: 'The meeting is moved to Thursday at 10am.'")]);
        yield return new("Code task", [new ChatMessage(ChatRole.System, "You are a senior C# reviewer."), User("Write a thread-safe LRU cache in C# with O(1) get and put, and explain the locking strategy.")]);
        yield return new("Reasoning task", [User("A bat and a ball cost $1.10 in total. The bat costs $1.00 more than the ball. How much does the ball cost? Reason step by step.")],
            new ChatOptions { Reasoning = new ReasoningOptions { Effort = ReasoningEffort.Medium } });
        yield return new("JSON schema", [User("Extract the city and date from: 'See you in Lisbon on 12 March.'")],
            new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(JsonDocument.Parse("""{"type":"object","properties":{"city":{"type":"string"},"date":{"type":"string"}},"required":["city","date"]}""").RootElement, "event") });
        yield return new("Tool call", [User("What's the weather in Oslo right now?")],
            new ChatOptions { Tools = [AIFunctionFactory.CreateDeclaration("get_weather", "Current weather for a city", JsonDocument.Parse("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""").RootElement)] });
        yield return new("Image question", [new ChatMessage(ChatRole.User, [new TextContent("What does this chart show?"), new UriContent("https://example.invalid/q3-revenue.png", "image/png")])]);
        yield return new("PII: e-mail + card", [User("Please refund order 1182 to my card 4111 1111 1111 1111 and confirm to maria.lopez@example.com.")], Stream: true);
        yield return new("Pinned premium model", [User("Review this contract clause for liability risks: 'The supplier's total liability shall not exceed fees paid in the prior month.'")],
            new ChatOptions { ModelId = "claude-sonnet" });
        yield return new("Long document", [User("Summarise the following report.\n" + string.Concat(Enumerable.Repeat("Revenue grew in every region while costs stayed flat. ", 12_000)))]);
        for (int i = 1; i <= 5; i++)
        {
            yield return new($"Burst {i} (outage)", [User($"Status check #{i}: is the order pipeline healthy?")], Stream: i % 2 == 0) { StartOutage = i == 1 };
        }

        yield return new("After recovery", [User("Thanks! Anything else I should know?")]) { EndOutage = true };
    }
}
