using System.Text.Json;
using System.Text.Json.Nodes;
using LlmRouting.Tests.Providers.Conformance;
using RichardSzalay.MockHttp;
using static LlmRouting.Tests.Providers.Anthropic.AnthropicTestSupport;
using static LlmRouting.Tests.Providers.Conformance.ConformanceHttp;

namespace LlmRouting.Tests.Providers.Anthropic;

public sealed class AnthropicRequestTests
{
    private MockHttpMessageHandler _handler = null!;

    [SetUp]
    public void SetUp() => _handler = Handler();

    [TearDown]
    public void TearDown() => _handler.Dispose();

    [Test]
    public async Task Max_tokens_comes_from_the_call_then_the_default_then_the_catalog_then_the_fallback([Values] bool streaming)
    {
        ObservedRequest fromCall = ExpectText(_handler, streaming);
        ObservedRequest fromDefault = ExpectText(_handler, streaming);
        ObservedRequest fromCatalog = ExpectText(_handler, streaming);
        ObservedRequest fromFallback = ExpectText(_handler, streaming);
        using AnthropicChatClient client = CreateClient(_handler, o => o.DefaultMaxOutputTokens = 2048);

        await GetAsync(client, streaming, [new ChatMessage(ChatRole.User, "Hi")], new ChatOptions { MaxOutputTokens = 77 });
        await GetAsync(client, streaming, [new ChatMessage(ChatRole.User, "Hi")]);
        await GetAsync(client, streaming, [new ChatMessage(ChatRole.User, "Hi")], new ChatOptions { ModelId = "claude-opus-4-1-20250805" });
        await GetAsync(client, streaming, [new ChatMessage(ChatRole.User, "Hi")], new ChatOptions { ModelId = "claude-not-in-the-catalog" });

        Assert.Multiple(() =>
        {
            Assert.That(Body(fromCall)["max_tokens"]!.GetValue<int>(), Is.EqualTo(77));
            Assert.That(Body(fromDefault)["max_tokens"]!.GetValue<int>(), Is.EqualTo(2048));
            Assert.That(Body(fromCatalog)["max_tokens"]!.GetValue<int>(), Is.EqualTo(32000), "the catalog's max output for claude-opus-4-1");
            Assert.That(Body(fromFallback)["max_tokens"]!.GetValue<int>(), Is.EqualTo(AnthropicChatClientOptions.FallbackMaxOutputTokens));
        });
    }

    [Test]
    public async Task Cache_control_markers_pass_through_on_content_system_tools_and_results([Values] bool streaming)
    {
        ObservedRequest request = ExpectText(_handler, streaming);
        using AnthropicChatClient client = CreateClient(_handler);
        var oneHour = new Dictionary<string, object?> { ["type"] = "ephemeral", ["ttl"] = "1h" };
        AIFunctionDeclaration tool = AIFunctionFactory.CreateDeclaration("lookup", "Looks up a fact.", JsonDocument.Parse("""{"type":"object","properties":{}}""").RootElement)
            .WithCacheControl("ephemeral");
        ChatMessage[] history =
        [
            new(ChatRole.System, [new TextContent("Long handbook …") { AdditionalProperties = new() { ["cache_control"] = oneHour } }]),
            new(ChatRole.User, [new TextContent("Question one") { AdditionalProperties = new() { ["cache_control"] = "ephemeral" } }]),
            new(ChatRole.Assistant, [new FunctionCallContent("toolu_1", "lookup", new Dictionary<string, object?>())]),
            new(ChatRole.Tool, [new FunctionResultContent("toolu_1", "fact") { AdditionalProperties = new() { ["cache_control"] = JsonDocument.Parse("""{"type":"ephemeral"}""").RootElement } }]),
        ];

        await GetAsync(client, streaming, history, new ChatOptions { Tools = [tool] });

        JsonNode body = Body(request);
        AssertJsonEqual("""[{"type":"text","text":"Long handbook …","cache_control":{"type":"ephemeral","ttl":"1h"}}]""", body["system"]!.ToJsonString());
        AssertJsonEqual(
            """
            [
              {"role":"user","content":[{"type":"text","text":"Question one","cache_control":{"type":"ephemeral"}}]},
              {"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"lookup","input":{}}]},
              {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"fact","cache_control":{"type":"ephemeral"}}]}
            ]
            """,
            body["messages"]!.ToJsonString());
        AssertJsonEqual("""{"type":"ephemeral"}""", body["tools"]![0]!["cache_control"]!.ToJsonString());
    }

    [Test]
    public async Task Consecutive_tool_messages_become_one_user_turn_and_errors_and_media_results_are_kept()
    {
        ObservedRequest request = ExpectText(_handler, streaming: false);
        using AnthropicChatClient client = CreateClient(_handler);
        ChatMessage[] history =
        [
            new(ChatRole.User, "Show me both charts."),
            new(ChatRole.Assistant, [new FunctionCallContent("call 1/a", "chart", new Dictionary<string, object?> { ["n"] = 1 }), new FunctionCallContent("call_2", "chart", new Dictionary<string, object?> { ["n"] = 2 })]),
            new(ChatRole.Tool, [new FunctionResultContent("call 1/a", new AIContent[] { new TextContent("Chart 1"), new DataContent(ConformanceInputs.Png, "image/png") })]),
            new(ChatRole.Tool, [new FunctionResultContent("call_2", "Error: chart service unavailable") { Exception = new InvalidOperationException("unavailable") }]),
            new(ChatRole.User, "Thanks."),
        ];

        await client.GetResponseAsync(history);

        AssertJsonEqual(
            $$$"""
            [
              {"role":"user","content":"Show me both charts."},
              {"role":"assistant","content":[
                {"type":"tool_use","id":"call_1_a","name":"chart","input":{"n":1}},
                {"type":"tool_use","id":"call_2","name":"chart","input":{"n":2}}]},
              {"role":"user","content":[
                {"type":"tool_result","tool_use_id":"call_1_a","content":[{"type":"text","text":"Chart 1"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"{{{ConformanceInputs.PngBase64}}}"}}]},
                {"type":"tool_result","tool_use_id":"call_2","content":"Error: chart service unavailable","is_error":true}]},
              {"role":"user","content":"Thanks."}
            ]
            """,
            Body(request)["messages"]!.ToJsonString());
    }

    [Test]
    public async Task Redacted_thinking_goes_back_as_redacted_and_unsigned_reasoning_is_not_sent()
    {
        ObservedRequest request = ExpectText(_handler, streaming: false);
        using AnthropicChatClient client = CreateClient(_handler);
        var redacted = new TextReasoningContent(string.Empty) { ProtectedData = "EmwKAhgBEgy3va3pzix/LafPsn4", AdditionalProperties = new() { [AnthropicChatClient.RedactedThinkingPropertyName] = true } };
        ChatMessage[] history =
        [
            new(ChatRole.User, "Hi"),
            new(ChatRole.Assistant, [new TextContent("Hello."), redacted, new TextReasoningContent("from another provider, unsigned")]),
            new(ChatRole.User, "Again"),
        ];

        await client.GetResponseAsync(history);

        AssertJsonEqual(
            """{"role":"assistant","content":[{"type":"redacted_thinking","data":"EmwKAhgBEgy3va3pzix/LafPsn4"},{"type":"text","text":"Hello."}]}""",
            Body(request)["messages"]![1]!.ToJsonString());
    }

    [Test]
    public async Task Json_schema_with_caller_tools_forces_some_tool_and_tool_mode_none_offers_only_the_json_tool()
    {
        ObservedRequest withTools = ExpectText(_handler, streaming: false);
        ObservedRequest noneMode = ExpectText(_handler, streaming: false);
        using AnthropicChatClient client = CreateClient(_handler);
        ChatResponseFormatJson format = ChatResponseFormat.ForJsonSchema(ConformanceInputs.PersonSchema, "person");

        await client.GetResponseAsync("Who?", new ChatOptions { ResponseFormat = format, Tools = [ConformanceInputs.WeatherTool], AllowMultipleToolCalls = false });
        await client.GetResponseAsync("Who?", new ChatOptions { ResponseFormat = format, Tools = [ConformanceInputs.WeatherTool], ToolMode = ChatToolMode.None });

        Assert.Multiple(() =>
        {
            Assert.That(Body(withTools)["tools"]!.AsArray().Select(t => t!["name"]!.GetValue<string>()), Is.EqualTo(new[] { "get_weather", "json_response" }));
            AssertJsonEqual("""{"type":"any","disable_parallel_tool_use":true}""", Body(withTools)["tool_choice"]!.ToJsonString());
            Assert.That(Body(noneMode)["tools"]!.AsArray().Select(t => t!["name"]!.GetValue<string>()), Is.EqualTo(new[] { "json_response" }));
            AssertJsonEqual("""{"type":"tool","name":"json_response"}""", Body(noneMode)["tool_choice"]!.ToJsonString());
        });
    }

    [Test]
    public async Task A_non_object_schema_is_wrapped_in_a_value_property()
    {
        ObservedRequest request = ExpectText(_handler, streaming: false);
        using AnthropicChatClient client = CreateClient(_handler);
        JsonElement list = JsonDocument.Parse("""{"type":"array","items":{"type":"string"}}""").RootElement;

        await client.GetResponseAsync("List three colours.", new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(list, "colours") });

        AssertJsonEqual(
            """{"type":"object","properties":{"value":{"type":"array","items":{"type":"string"}}},"required":["value"]}""",
            Body(request)["tools"]![0]!["input_schema"]!.ToJsonString());
    }

    [TestCase(ReasoningEffort.Low, 1024)]
    [TestCase(ReasoningEffort.Medium, 4096)]
    [TestCase(ReasoningEffort.ExtraHigh, 32768)]
    public async Task Reasoning_effort_maps_to_a_thinking_budget(ReasoningEffort effort, int budget)
    {
        ObservedRequest request = ExpectText(_handler, streaming: false);
        using AnthropicChatClient client = CreateClient(_handler, o => o.DefaultMaxOutputTokens = 64000);

        await client.GetResponseAsync("Think.", new ChatOptions { Reasoning = new ReasoningOptions { Effort = effort } });

        AssertJsonEqual($$"""{"type":"enabled","budget_tokens":{{budget}}}""", Body(request)["thinking"]!.ToJsonString());
    }

    [Test]
    public async Task Thinking_budget_stays_below_max_tokens_and_effort_none_disables_thinking()
    {
        ObservedRequest capped = ExpectText(_handler, streaming: false);
        ObservedRequest disabled = ExpectText(_handler, streaming: false);
        using AnthropicChatClient client = CreateClient(_handler);

        await client.GetResponseAsync("Think.", new ChatOptions { Reasoning = new ReasoningOptions { Effort = ReasoningEffort.High }, MaxOutputTokens = 5000 });
        await client.GetResponseAsync("Quick.", new ChatOptions { Reasoning = new ReasoningOptions { Effort = ReasoningEffort.None } });

        AssertJsonEqual("""{"type":"enabled","budget_tokens":4999}""", Body(capped)["thinking"]!.ToJsonString());
        AssertJsonEqual("""{"type":"disabled"}""", Body(disabled)["thinking"]!.ToJsonString());
    }

    [Test]
    public async Task Options_the_api_cannot_express_are_rejected_before_any_request([Values] bool streaming)
    {
        using AnthropicChatClient client = CreateClient(_handler);
        ChatMessage[] hi = [new(ChatRole.User, "Hi")];

        async Task<Exception> Reject(ChatOptions options, IEnumerable<ChatMessage>? messages = null)
        {
            try
            {
                await GetAsync(client, streaming, messages ?? hi, options);
            }
            catch (Exception ex)
            {
                return ex;
            }

            Assert.Fail("Expected a rejection.");
            throw new InvalidOperationException("unreachable");
        }

        Assert.Multiple(async () =>
        {
            Assert.That(await Reject(new() { Temperature = 1.5f }), Is.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("0 to 1").And.Message.Contains("not clamp"));
            Assert.That(await Reject(new() { Temperature = -0.1f }), Is.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(await Reject(new() { TopP = 1.2f }), Is.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(await Reject(new() { TopK = 0 }), Is.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(await Reject(new() { Seed = 1 }), Is.InstanceOf<NotSupportedException>().With.Message.Contains("Seed"));
            Assert.That(await Reject(new() { PresencePenalty = 0.1f }), Is.InstanceOf<NotSupportedException>().With.Message.Contains("Penalty"));
            Assert.That(await Reject(new() { ConversationId = "conv_1" }), Is.InstanceOf<NotSupportedException>());
            Assert.That(await Reject(new() { Tools = [new HostedWebSearchTool()] }), Is.InstanceOf<NotSupportedException>());
            Assert.That(await Reject(new() { ToolMode = ChatToolMode.RequireAny }), Is.InstanceOf<ArgumentException>());
            Assert.That(await Reject(new() { Temperature = 1, AdditionalProperties = new() { ["temperature"] = 0.2 } }), Is.InstanceOf<ArgumentException>().With.Message.Contains("conflicts"));
            Assert.That(await Reject(new() { ResponseFormat = ChatResponseFormat.Json, Reasoning = new() { Effort = ReasoningEffort.Low }, MaxOutputTokens = 4000 }), Is.InstanceOf<NotSupportedException>().With.Message.Contains("thinking"));
            Assert.That(await Reject(new() { Tools = [ConformanceInputs.WeatherTool], ToolMode = ChatToolMode.RequireAny, Reasoning = new() { Effort = ReasoningEffort.Low }, MaxOutputTokens = 4000 }), Is.InstanceOf<NotSupportedException>());
            Assert.That(await Reject(new() { Reasoning = new() { Effort = ReasoningEffort.Low }, MaxOutputTokens = 1000 }), Is.InstanceOf<ArgumentException>().With.Message.Contains("max_tokens"));
            Assert.That(await Reject(new() { ResponseFormat = ChatResponseFormat.Json, Tools = [ConformanceInputs.WeatherTool], ToolMode = ChatToolMode.RequireSpecific("get_weather") }), Is.InstanceOf<NotSupportedException>());
            Assert.That(await Reject(new(), [new(ChatRole.User, [new DataContent(new byte[] { 1 }, "image/tiff")])]), Is.InstanceOf<NotSupportedException>().With.Message.Contains("image/tiff"));
            Assert.That(await Reject(new(), [new(ChatRole.Assistant, [new DataContent(ConformanceInputs.Png, "image/png")])]), Is.InstanceOf<NotSupportedException>());
            Assert.That(await Reject(new(), [new(ChatRole.System, [new DataContent(ConformanceInputs.Png, "image/png")]), new(ChatRole.User, "Hi")]), Is.InstanceOf<NotSupportedException>().With.Message.Contains("system"));
            Assert.That(await Reject(new(), [new(ChatRole.User, [new FunctionCallContent("", "f")])]), Is.InstanceOf<NotSupportedException>());
        });
    }

    [Test]
    public void Streaming_validates_when_called_not_when_enumerated()
    {
        using AnthropicChatClient client = CreateClient(_handler);
        Assert.Throws<ArgumentOutOfRangeException>(() => client.GetStreamingResponseAsync("Hi", new ChatOptions { Temperature = 2 }));
    }

    [Test]
    public async Task Extra_fields_headers_developer_role_and_text_documents_are_sent()
    {
        ObservedRequest request = ExpectText(_handler, streaming: false);
        using AnthropicChatClient client = CreateClient(_handler, o =>
        {
            o.Headers["anthropic-beta"] = "extended-cache-ttl-2025-04-11";
            o.ApiVersion = "2023-06-01";
        });
        ChatMessage[] messages =
        [
            new(new ChatRole("developer"), "Be brief."),
            new(ChatRole.User, [new DataContent("Clause 1: …"u8.ToArray(), "text/plain") { Name = "contract.txt" }, new TextContent("Summarise.")]),
        ];

        await client.GetResponseAsync(messages, new ChatOptions
        {
            AdditionalProperties = new() { ["metadata"] = new Dictionary<string, object?> { ["user_id"] = "u-42" }, ["LlmRouting.Internal"] = "never sent", ["strictJsonSchema"] = true },
        });

        AssertJsonEqual(
            """
            {"model":"claude-sonnet-4-5-20250929","max_tokens":1024,"system":"Be brief.",
             "messages":[{"role":"user","content":[{"type":"document","source":{"type":"text","media_type":"text/plain","data":"Clause 1: …"},"title":"contract.txt"},{"type":"text","text":"Summarise."}]}],
             "metadata":{"user_id":"u-42"}}
            """,
            request.Body);
        Assert.That(request.Headers["anthropic-beta"], Is.EqualTo("extended-cache-ttl-2025-04-11"));
    }

    [Test]
    public async Task Endpoint_with_or_without_messages_path_and_no_key_header_without_a_key()
    {
        ObservedRequest request = Expect(_handler, "http://127.0.0.1:8787/anthropic/v1/messages", () => Json(TextMessage("ok")));
        using AnthropicChatClient client = CreateClient(_handler, o =>
        {
            o.Endpoint = new Uri("http://127.0.0.1:8787/anthropic/v1/messages");
            o.ApiKey = null;
        });

        await client.GetResponseAsync("Hi");

        Assert.That(request.Headers.ContainsKey("x-api-key"), Is.False);
        Assert.That(request.Headers["anthropic-version"], Is.EqualTo("2023-06-01"));
    }

    [Test]
    public void Invalid_options_are_rejected_without_echoing_the_key()
    {
        using var http = new HttpClient();
        ArgumentException? key = Assert.Throws<ArgumentException>(() => _ = new AnthropicChatClient(http, new AnthropicChatClientOptions { ApiKey = new ApiKeySecret("sk-ant-bad\r\nX: 1") }));
        Assert.That(key!.ToString(), Does.Not.Contain("sk-ant-bad"));
        Assert.Throws<ArgumentException>(() => _ = new AnthropicChatClient(http, new AnthropicChatClientOptions { Endpoint = new Uri("/v1", UriKind.Relative) }));
        Assert.Throws<ArgumentException>(() => _ = new AnthropicChatClient(http, new AnthropicChatClientOptions { DefaultMaxOutputTokens = 0 }));
        Assert.Throws<ArgumentException>(() => _ = new AnthropicChatClient(http, new AnthropicChatClientOptions { ApiVersion = " " }));
    }

    [Test]
    public async Task Model_is_required()
    {
        using AnthropicChatClient client = CreateClient(_handler, o => o.DefaultModelId = null);
        await Assert.ThrowsAsync<InvalidOperationException>(() => client.GetResponseAsync("Hi"));
    }
}

/// <summary>Test helper: marks a declaration for prompt caching the way an application would.</summary>
internal static class CacheControlTestExtensions
{
    public static AIFunctionDeclaration WithCacheControl(this AIFunctionDeclaration declaration, object value) =>
        new MarkedDeclaration(declaration, value);

    private sealed class MarkedDeclaration(AIFunctionDeclaration inner, object value) : AIFunctionDeclaration
    {
        private readonly Dictionary<string, object?> _properties = new(inner.AdditionalProperties) { [AnthropicChatClient.CacheControlPropertyName] = value };

        public override string Name => inner.Name;

        public override string Description => inner.Description;

        public override JsonElement JsonSchema => inner.JsonSchema;

        public override IReadOnlyDictionary<string, object?> AdditionalProperties => _properties;
    }
}
