using System.Text;
using System.Text.Json.Nodes;
using RichardSzalay.MockHttp;

namespace LlmRouting.Tests.Providers.Cohere;

/// <summary>Builds Cohere clients over MockHttp and formats Cohere event streams.</summary>
internal static class CohereTestSupport
{
    public const string CohereApiKey = "co-test-3b8f1c9d2e7a4f60b5c1d8e9f0a2b3c4d5e6f7a8";
    public const string Model = "command-a-03-2025";
    public const string CohereChatUrl = "https://api.cohere.com/v2/chat";

    public static CohereChatClient CreateCohere(MockHttpMessageHandler handler, Action<CohereChatClientOptions>? configure = null)
    {
        var options = new CohereChatClientOptions
        {
            ApiKey = new ApiKeySecret(CohereApiKey),
            DefaultModelId = Model,
        };
        configure?.Invoke(options);
        return new CohereChatClient(handler.ToHttpClient(), options);
    }

    /// <summary>Formats events as Cohere sends them: <c>event: {type}</c>, <c>data: {json}</c>, a blank line; <c>[DONE]</c> at the end when asked.</summary>
    public static string CohereEvents(IEnumerable<string> events, bool done = false)
    {
        var sb = new StringBuilder();
        foreach (string data in events)
        {
            string type = JsonNode.Parse(data)!["type"]!.GetValue<string>();
            sb.Append("event: ").Append(type).Append('\n').Append("data: ").Append(data).Append("\n\n");
        }

        if (done)
        {
            sb.Append("data: [DONE]\n\n");
        }

        return sb.ToString();
    }
}
