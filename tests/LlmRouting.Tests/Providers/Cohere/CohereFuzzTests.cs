using LlmRouting.Tests.Providers.Fuzz;
using static LlmRouting.Tests.Providers.Cohere.CohereTestSupport;

namespace LlmRouting.Tests.Providers.Cohere;

/// <summary>Cohere's reply and stream parsers under truncation, corruption, huge lines and slow trickle.</summary>
public sealed class CohereFuzzTests : AdapterFuzzTests
{
    protected override IReadOnlyList<Fixture> Fixtures { get; } =
    [
        new(CohereFixtures.TextReply, CohereEvents(CohereFixtures.TextEvents), "LLMs are large language models trained on text."),
        new(CohereFixtures.ToolCallsReply, CohereEvents(CohereFixtures.ToolCallEvents), "I will search for the weather in Madrid and Brasilia."),
        new(CohereFixtures.ThinkingReply, CohereEvents(CohereFixtures.ThinkingEvents), "17 × 23 = 391."),
    ];

    protected override IChatClient Create(HttpMessageHandler handler) =>
        new CohereChatClient(new HttpClient(handler), new CohereChatClientOptions { ApiKey = new ApiKeySecret(CohereApiKey), DefaultModelId = Model });
}
