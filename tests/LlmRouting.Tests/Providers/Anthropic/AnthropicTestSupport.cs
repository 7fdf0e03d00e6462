using System.Net;
using System.Text.Json.Nodes;
using LlmRouting.Tests.Providers.Conformance;
using RichardSzalay.MockHttp;

namespace LlmRouting.Tests.Providers.Anthropic;

/// <summary>Builds Anthropic clients over MockHttp and canned Messages API replies.</summary>
internal static class AnthropicTestSupport
{
    public const string ApiKey = "sk-ant-api03-TEST-1a2b3c4d5e6f7a8b9c0d";
    public const string MessagesUrl = "https://api.anthropic.com/v1/messages";
    public const string Model = "claude-sonnet-4-5-20250929";

    public static AnthropicChatClient CreateClient(MockHttpMessageHandler handler, Action<AnthropicChatClientOptions>? configure = null)
    {
        var options = new AnthropicChatClientOptions { ApiKey = new ApiKeySecret(ApiKey), DefaultModelId = Model, DefaultMaxOutputTokens = 1024 };
        configure?.Invoke(options);
        return new AnthropicChatClient(handler.ToHttpClient(), options);
    }

    public static MockHttpMessageHandler Handler()
    {
        var handler = new MockHttpMessageHandler();
        handler.Fallback.Throw(new InvalidOperationException("Unexpected HTTP request."));
        return handler;
    }

    /// <summary>Expects one call answered with a text reply, whole or streamed.</summary>
    public static ObservedRequest ExpectText(MockHttpMessageHandler handler, bool streaming, string text = "Hello!") =>
        ConformanceHttp.Expect(handler, MessagesUrl, () => streaming ? ConformanceHttp.Sse(TextEvents(text)) : ConformanceHttp.Json(TextMessage(text)));

    public static string TextMessage(string text, string stopReason = "end_turn") => new JsonObject
    {
        ["id"] = "msg_01TestText",
        ["type"] = "message",
        ["role"] = "assistant",
        ["model"] = Model,
        ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = text }),
        ["stop_reason"] = stopReason,
        ["stop_sequence"] = null,
        ["usage"] = new JsonObject { ["input_tokens"] = 10, ["output_tokens"] = 3 },
    }.ToJsonString();

    public static string TextEvents(string text) => ConformanceHttp.NamedEvents(
    [
        Start("msg_01TestText"),
        ("content_block_start", """{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"""),
        ("content_block_delta", new JsonObject { ["type"] = "content_block_delta", ["index"] = 0, ["delta"] = new JsonObject { ["type"] = "text_delta", ["text"] = text } }.ToJsonString()),
        ("content_block_stop", """{"type":"content_block_stop","index":0}"""),
        ("message_delta", """{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":3}}"""),
        ("message_stop", """{"type":"message_stop"}"""),
    ]);

    public static (string, string) Start(string id, string usage = """{"input_tokens":10,"output_tokens":1}""") =>
        ("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"" + id + "\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"" + Model + "\",\"stop_reason\":null,\"stop_sequence\":null,\"usage\":" + usage + "}}");

    public static HttpResponseMessage Error(HttpStatusCode status, string type, string message, params (string Name, string Value)[] headers) =>
        ConformanceHttp.Json(
            new JsonObject { ["type"] = "error", ["error"] = new JsonObject { ["type"] = type, ["message"] = message }, ["request_id"] = "req_body_01" }.ToJsonString(),
            status,
            headers);

    public static JsonNode Body(ObservedRequest request) => JsonNode.Parse(request.Body)!;

    public static async Task<T> CatchAsync<T>(Func<Task> action)
        where T : Exception
    {
        try
        {
            await action();
        }
        catch (T ex)
        {
            return ex;
        }

        Assert.Fail($"Expected {typeof(T).Name}.");
        throw new InvalidOperationException("unreachable");
    }
}
