using System.Text.Json.Nodes;
using LlmRouting.Tests.Providers.Anthropic;
using LlmRouting.Tests.Providers.Conformance;
using Microsoft.Extensions.DependencyInjection;
using RichardSzalay.MockHttp;
using static LlmRouting.Tests.Providers.Conformance.ConformanceHttp;

namespace LlmRouting.Tests.Providers;

/// <summary>
/// Mistakes other gateways are documented to make with OpenAI and Anthropic, each shown not to happen here,
/// for streaming and non-streaming calls.
/// </summary>
public sealed class ProviderMistakesTests
{
    private const string OpenAIUrl = "https://api.openai.com/v1/chat/completions";
    private const string AnthropicUrl = "https://api.anthropic.com/v1/messages";
    private const string OpenAIText = """{"id":"chatcmpl-1","object":"chat.completion","created":1741569952,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}]}""";
    private const string OpenAITextEvents = "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1741569952,\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"ok\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n";

    private MockHttpMessageHandler _handler = null!;

    public enum Adapter
    {
        OpenAI,
        Anthropic,
    }

    [SetUp]
    public void SetUp()
    {
        _handler = new MockHttpMessageHandler();
        _handler.Fallback.Throw(new InvalidOperationException("Unexpected HTTP request."));
    }

    [TearDown]
    public void TearDown() => _handler.Dispose();

    [Test]
    public async Task Anthropic_requests_always_carry_max_tokens([Values] bool streaming)
    {
        ObservedRequest known = ExpectAnthropicText(streaming);
        ObservedRequest unknown = ExpectAnthropicText(streaming);
        using var client = new AnthropicChatClient(_handler.ToHttpClient(), new AnthropicChatClientOptions { DefaultModelId = "claude-sonnet-4-5" });

        await GetAsync(client, streaming, [new ChatMessage(ChatRole.User, "Hi")]);
        await GetAsync(client, streaming, [new ChatMessage(ChatRole.User, "Hi")], new ChatOptions { ModelId = "claude-unreleased-9" });

        Assert.That(JsonNode.Parse(known.Body)!["max_tokens"]!.GetValue<int>(), Is.EqualTo(64000), "the catalog's max output for the model");
        Assert.That(JsonNode.Parse(unknown.Body)!["max_tokens"]!.GetValue<int>(), Is.EqualTo(4096), "the documented fallback for models the catalog does not know");
    }

    [Test]
    public async Task A_single_stop_string_is_sent_as_an_array([Values] Adapter adapter, [Values] bool streaming)
    {
        ObservedRequest request = ExpectText(adapter, streaming);
        using IChatClient client = Create(adapter);

        await GetAsync(client, streaming, [new ChatMessage(ChatRole.User, "Count.")], new ChatOptions { StopSequences = ["END"] });

        string field = adapter == Adapter.OpenAI ? "stop" : "stop_sequences";
        AssertJsonEqual("""["END"]""", JsonNode.Parse(request.Body)![field]!.ToJsonString());
    }

    [Test]
    public async Task Anthropic_json_schema_is_emulated_and_checked_never_silently_dropped([Values] bool streaming)
    {
        ObservedRequest request = Expect(_handler, AnthropicUrl, () => JsonToolReply(streaming, """{"name":"Ada Lovelace","born":1815}"""));
        Expect(_handler, AnthropicUrl, () => JsonToolReply(streaming, """{"name":"Ada Lovelace"}"""));
        using IChatClient client = Create(Adapter.Anthropic);
        var options = new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(ConformanceInputs.PersonSchema, "person") };

        ChatResponse valid = await GetAsync(client, streaming, [new ChatMessage(ChatRole.User, "Extract.")], options);
        LlmProviderException? invalid = null;
        try
        {
            await GetAsync(client, streaming, [new ChatMessage(ChatRole.User, "Extract.")], options);
        }
        catch (LlmProviderException ex)
        {
            invalid = ex;
        }

        JsonNode body = JsonNode.Parse(request.Body)!;
        Assert.Multiple(() =>
        {
            Assert.That(JsonNode.DeepEquals(body["tools"]![0]!["input_schema"], JsonNode.Parse(ConformanceInputs.PersonSchema.GetRawText())), Is.True, "the schema is sent");
            AssertJsonEqual("""{"type":"tool","name":"json_response"}""", body["tool_choice"]!.ToJsonString());
            Assert.That(valid.Text, Is.EqualTo("""{"name":"Ada Lovelace","born":1815}"""));
            Assert.That(invalid?.Kind, Is.EqualTo(LlmErrorKind.InvalidResponse), "an answer that misses a required property is not passed on");
            Assert.That(invalid?.Message, Does.Contain("missing required property 'born'"));
        });
    }

    [Test]
    public async Task Parallel_tool_calls_off_is_mapped([Values] Adapter adapter, [Values("unset", "auto", "required")] string mode, [Values] bool streaming)
    {
        ObservedRequest request = ExpectText(adapter, streaming);
        using IChatClient client = Create(adapter);
        var options = new ChatOptions
        {
            Tools = [ConformanceInputs.WeatherTool],
            AllowMultipleToolCalls = false,
            ToolMode = mode switch { "auto" => ChatToolMode.Auto, "required" => ChatToolMode.RequireAny, _ => null },
        };

        await GetAsync(client, streaming, [new ChatMessage(ChatRole.User, "Weather?")], options);

        JsonNode body = JsonNode.Parse(request.Body)!;
        if (adapter == Adapter.OpenAI)
        {
            Assert.That(body["parallel_tool_calls"]?.GetValue<bool>(), Is.False);
        }
        else
        {
            Assert.That(body["tool_choice"]?["disable_parallel_tool_use"]?.GetValue<bool>(), Is.True);
            Assert.That(body["tool_choice"]!["type"]!.GetValue<string>(), Is.EqualTo(mode == "required" ? "any" : "auto"));
        }
    }

    [Test]
    public async Task Temperature_is_never_clamped([Values] bool streaming)
    {
        ObservedRequest openAI = ExpectText(Adapter.OpenAI, streaming);
        using IChatClient openAIClient = Create(Adapter.OpenAI);
        using IChatClient anthropicClient = Create(Adapter.Anthropic);

        await GetAsync(openAIClient, streaming, [new ChatMessage(ChatRole.User, "Hi")], new ChatOptions { Temperature = 1.5f });
        ArgumentOutOfRangeException? rejected = null;
        try
        {
            await GetAsync(anthropicClient, streaming, [new ChatMessage(ChatRole.User, "Hi")], new ChatOptions { Temperature = 1.5f });
        }
        catch (ArgumentOutOfRangeException ex)
        {
            rejected = ex;
        }

        Assert.That(JsonNode.Parse(openAI.Body)!["temperature"]!.GetValue<double>(), Is.EqualTo(1.5), "OpenAI's range is 0-2: sent as given");
        Assert.That(rejected?.Message, Does.Contain("outside Anthropic's range 0 to 1"), "Anthropic's range is 0-1: rejected, not clamped to 1");
        _handler.VerifyNoOutstandingExpectation();
    }

    [Test]
    public async Task Assistant_text_beside_tool_calls_is_kept_both_ways([Values] Adapter adapter, [Values] bool streaming)
    {
        ObservedRequest request = Expect(_handler, adapter == Adapter.OpenAI ? OpenAIUrl : AnthropicUrl, () => ToolCallReply(adapter, streaming));
        using IChatClient client = Create(adapter);
        ChatMessage[] history =
        [
            new(ChatRole.User, "Weather in Paris?"),
            new(ChatRole.Assistant, [new TextContent("Let me look that up."), new FunctionCallContent("call_1", "get_weather", new Dictionary<string, object?> { ["city"] = "Paris" })]),
            new(ChatRole.Tool, [new FunctionResultContent("call_1", "18°C")]),
            new(ChatRole.User, "And Tokyo?"),
        ];

        ChatResponse response = await GetAsync(client, streaming, history, new ChatOptions { Tools = [ConformanceInputs.WeatherTool] });

        JsonNode sent = JsonNode.Parse(request.Body)!["messages"]![1]!;
        string sentText = adapter == Adapter.OpenAI ? sent["content"]!.GetValue<string>() : sent["content"]![0]!["text"]!.GetValue<string>();
        Assert.Multiple(() =>
        {
            Assert.That(sentText, Is.EqualTo("Let me look that up."));
            Assert.That(response.Text, Is.EqualTo("Checking Tokyo."));
            Assert.That(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Single().Arguments?["city"]?.ToString(), Is.EqualTo("Tokyo"));
            Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.ToolCalls));
        });
    }

    [Test]
    public async Task A_stream_cut_mid_answer_reaches_the_caller_as_a_typed_error([Values] Adapter adapter)
    {
        var services = new ServiceCollection();
        services.AddHttpClient(OpenAIProviderFactory.HttpClientName(adapter == Adapter.OpenAI ? "openai" : "anthropic")).ConfigurePrimaryHttpMessageHandler(() => _handler);
        services.AddLlmRouting(o => o.Deployments["only"] = adapter == Adapter.OpenAI
            ? new DeploymentOptions { Provider = "openai", Model = "gpt-4o-mini", ApiKey = "sk-test" }
            : new DeploymentOptions { Provider = "anthropic", Model = "claude-sonnet-4-5", ApiKey = "sk-ant-test" });
        string cut = adapter == Adapter.OpenAI
            ? "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1741569952,\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"The answer is\"},\"finish_reason\":null}]}\n\n"
            : AnthropicTestSupport.TextEvents("The answer is")[..AnthropicTestSupport.TextEvents("The answer is").IndexOf("event: content_block_stop", StringComparison.Ordinal)];
        Expect(_handler, adapter == Adapter.OpenAI ? OpenAIUrl : AnthropicUrl, () => Sse(cut));
        using ServiceProvider sp = services.BuildServiceProvider();

        var received = new List<string>();
        StreamInterruptedException? ex = null;
        try
        {
            await foreach (ChatResponseUpdate update in sp.GetRequiredService<IChatClient>().GetStreamingResponseAsync("Question?"))
            {
                received.Add(update.Text);
            }
        }
        catch (StreamInterruptedException caught)
        {
            ex = caught;
        }

        Assert.That(ex, Is.Not.Null, "the stream must not end as if it succeeded");
        Assert.Multiple(() =>
        {
            Assert.That(ex!.Kind, Is.EqualTo(LlmErrorKind.StreamInterrupted));
            Assert.That(ex.PartialText, Is.EqualTo("The answer is"));
            Assert.That(string.Concat(received), Is.EqualTo("The answer is"));
        });
    }

    private static HttpResponseMessage JsonToolReply(bool streaming, string input)
    {
        string events = NamedEvents(
        [
            AnthropicTestSupport.Start("msg_01J"),
            ("content_block_start", """{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_01J","name":"json_response","input":{}}}"""),
            ("content_block_delta", new JsonObject { ["type"] = "content_block_delta", ["index"] = 0, ["delta"] = new JsonObject { ["type"] = "input_json_delta", ["partial_json"] = input } }.ToJsonString()),
            ("content_block_stop", """{"type":"content_block_stop","index":0}"""),
            ("message_delta", """{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":20}}"""),
            ("message_stop", """{"type":"message_stop"}"""),
        ]);
        string message = "{\"id\":\"msg_01J\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\",\"content\":[{\"type\":\"tool_use\",\"id\":\"toolu_01J\",\"name\":\"json_response\",\"input\":" + input + "}],\"stop_reason\":\"tool_use\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":50,\"output_tokens\":20}}";
        return streaming ? Sse(events) : Json(message);
    }

    private static HttpResponseMessage ToolCallReply(Adapter adapter, bool streaming)
    {
        if (adapter == Adapter.OpenAI)
        {
            return streaming
                ? Sse(DataEvents(
                    [
                        """{"id":"chatcmpl-T","object":"chat.completion.chunk","created":1741569952,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"role":"assistant","content":"Checking Tokyo."},"finish_reason":null}]}""",
                        """{"id":"chatcmpl-T","object":"chat.completion.chunk","created":1741569952,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_2","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Tokyo\"}"}}]},"finish_reason":null}]}""",
                        """{"id":"chatcmpl-T","object":"chat.completion.chunk","created":1741569952,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}""",
                    ],
                    "[DONE]"))
                : Json("""{"id":"chatcmpl-T","object":"chat.completion","created":1741569952,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"Checking Tokyo.","tool_calls":[{"id":"call_2","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Tokyo\"}"}}]},"finish_reason":"tool_calls"}]}""");
        }

        string events = NamedEvents(
        [
            AnthropicTestSupport.Start("msg_01T"),
            ("content_block_start", """{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"""),
            ("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Checking Tokyo."}}"""),
            ("content_block_stop", """{"type":"content_block_stop","index":0}"""),
            ("content_block_start", """{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_2","name":"get_weather","input":{}}}"""),
            ("content_block_delta", """{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"city\": \"Tokyo\"}"}}"""),
            ("content_block_stop", """{"type":"content_block_stop","index":1}"""),
            ("message_delta", """{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":40}}"""),
            ("message_stop", """{"type":"message_stop"}"""),
        ]);
        return streaming
            ? Sse(events)
            : Json("""{"id":"msg_01T","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"Checking Tokyo."},{"type":"tool_use","id":"toolu_2","name":"get_weather","input":{"city":"Tokyo"}}],"stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":80,"output_tokens":40}}""");
    }

    private ObservedRequest ExpectText(Adapter adapter, bool streaming) => adapter == Adapter.OpenAI
        ? Expect(_handler, OpenAIUrl, () => streaming ? Sse(OpenAITextEvents) : Json(OpenAIText))
        : ExpectAnthropicText(streaming);

    private ObservedRequest ExpectAnthropicText(bool streaming) =>
        Expect(_handler, AnthropicUrl, () => streaming ? Sse(AnthropicTestSupport.TextEvents("ok")) : Json(AnthropicTestSupport.TextMessage("ok")));

    private IChatClient Create(Adapter adapter) => adapter == Adapter.OpenAI
        ? new OpenAIChatCompletionsClient(_handler.ToHttpClient(), new OpenAIChatCompletionsClientOptions { ApiKey = new ApiKeySecret("sk-test"), DefaultModelId = "gpt-4o-mini" })
        : new AnthropicChatClient(_handler.ToHttpClient(), new AnthropicChatClientOptions { ApiKey = new ApiKeySecret("sk-ant-test"), DefaultModelId = "claude-sonnet-4-5" });
}
