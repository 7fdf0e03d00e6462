using LlmRouting.Tests.Providers.Fuzz;
using static LlmRouting.Tests.Providers.Gemini.GeminiTestSupport;

namespace LlmRouting.Tests.Providers.Gemini;

/// <summary>Gemini's reply and stream parsers under truncation, corruption, huge lines and slow trickle.</summary>
public sealed class GeminiFuzzTests : AdapterFuzzTests
{
    protected override IReadOnlyList<Fixture> Fixtures { get; } =
    [
        new(GeminiFixtures.TextReply, GeminiEvents(GeminiFixtures.TextChunks), "Hello! How can I help you today?"),
        new(GeminiFixtures.ToolCallsReply, GeminiEvents(GeminiFixtures.ToolCallsChunks), "I'll check the weather in both cities."),
        new(GeminiFixtures.ThinkingReply, GeminiEvents(GeminiFixtures.ThinkingChunks), "2 + 2 = 4."),
    ];

    protected override IChatClient Create(HttpMessageHandler handler) =>
        new GeminiChatClient(new HttpClient(handler), new GeminiChatClientOptions { ApiKey = new ApiKeySecret(GeminiApiKey), DefaultModelId = Model });
}
