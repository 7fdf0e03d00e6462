using System.Text.Json;
using System.Text.Json.Nodes;
using LlmRouting.Tests.Providers.OpenAI;
using RichardSzalay.MockHttp;
using static LlmRouting.Tests.Providers.Cohere.CohereTestSupport;
using static LlmRouting.Tests.Providers.OpenAI.OpenAITestSupport;

namespace LlmRouting.Tests.Providers.Cohere;

public sealed class CohereRequestTests
{
    private const string WeatherTool = """{"type":"function","function":{"name":"get_weather","description":"Gets the current weather for a city.","parameters":{"type":"object","properties":{"location":{"type":"string"}},"required":["location"]}}}""";

    private static readonly AIFunctionDeclaration Weather = AIFunctionFactory.CreateDeclaration(
        "get_weather",
        "Gets the current weather for a city.",
        JsonDocument.Parse("""{"type":"object","properties":{"location":{"type":"string"}},"required":["location"]}""").RootElement);

    private static readonly AIFunctionDeclaration Time = AIFunctionFactory.CreateDeclaration(
        "get_time", "Gets the current time.", JsonDocument.Parse("""{"type":"object","properties":{}}""").RootElement);

    private MockHttpMessageHandler _handler = null!;

    [SetUp]
    public void SetUp()
    {
        _handler = new MockHttpMessageHandler();
        _handler.Fallback.Throw(new InvalidOperationException("Unexpected HTTP request."));
    }

    [TearDown]
    public void TearDown() => _handler.Dispose();

    [Test]
    public async Task Text_request_has_exact_body_url_and_headers([Values] bool streaming)
    {
        CapturedRequest request = ExpectReply(streaming);
        using CohereChatClient client = CreateCohere(_handler);

        await GetAsync(client, streaming, [new ChatMessage(ChatRole.User, "Hello")]);

        AssertJsonEqual(
            streaming
                ? """{"model":"command-a-03-2025","messages":[{"role":"user","content":"Hello"}],"stream":true}"""
                : """{"model":"command-a-03-2025","messages":[{"role":"user","content":"Hello"}]}""",
            request.Body);
        Assert.Multiple(() =>
        {
            Assert.That(request.Uri, Is.EqualTo(new Uri(CohereChatUrl)));
            Assert.That(request.Headers["Authorization"], Is.EqualTo("Bearer " + CohereApiKey));
            Assert.That(request.Headers["Accept"], Is.EqualTo(streaming ? "text/event-stream" : "application/json"));
            Assert.That(request.Headers["Content-Type"], Is.EqualTo("application/json"));
        });
    }

    [Test]
    public async Task Instructions_system_messages_and_history_keep_roles_and_order([Values] bool streaming)
    {
        CapturedRequest request = ExpectReply(streaming);
        using CohereChatClient client = CreateCohere(_handler);
        ChatMessage[] history =
        [
            new(ChatRole.System, "Answer in French."),
            new(ChatRole.User, "Hi, I'm Ada."),
            new(ChatRole.Assistant, "Bonjour Ada !"),
            new(ChatRole.User, "What is my name?"),
        ];

        await GetAsync(client, streaming, history, new ChatOptions { Instructions = "You are a concise assistant." });

        AssertJsonEqual(
            """
            [
              {"role":"system","content":"You are a concise assistant."},
              {"role":"system","content":"Answer in French."},
              {"role":"user","content":"Hi, I'm Ada."},
              {"role":"assistant","content":"Bonjour Ada !"},
              {"role":"user","content":"What is my name?"}
            ]
            """,
            JsonNode.Parse(request.Body)!["messages"]!.ToJsonString());
    }

    [Test]
    public async Task Images_by_url_and_inline_become_image_url_parts([Values] bool streaming)
    {
        CapturedRequest request = ExpectReply(streaming);
        using CohereChatClient client = CreateCohere(_handler);
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        var message = new ChatMessage(ChatRole.User,
        [
            new TextContent("Describe these images."),
            new UriContent(new Uri("https://cohere.com/favicon-32x32.png"), "image/png") { AdditionalProperties = new() { ["detail"] = "low" } },
            new DataContent(png, "image/png"),
        ]);

        await GetAsync(client, streaming, [message], new ChatOptions { ModelId = "command-a-vision-07-2025" });

        AssertJsonEqual(
            """
            [{"role":"user","content":[
              {"type":"text","text":"Describe these images."},
              {"type":"image_url","image_url":{"url":"https://cohere.com/favicon-32x32.png","detail":"low"}},
              {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}}
            ]}]
            """,
            JsonNode.Parse(request.Body)!["messages"]!.ToJsonString());
    }

    [TestCase("auto", null)]
    [TestCase("none", "NONE")]
    [TestCase("required", "REQUIRED")]
    public async Task Tools_and_tool_choice(string mode, string? toolChoice)
    {
        CapturedRequest request = ExpectReply(streaming: false);
        using CohereChatClient client = CreateCohere(_handler);
        var options = new ChatOptions
        {
            Tools = [Weather],
            ToolMode = mode switch { "auto" => ChatToolMode.Auto, "none" => ChatToolMode.None, _ => ChatToolMode.RequireAny },
        };

        await client.GetResponseAsync("Weather in Madrid?", options);

        JsonNode body = JsonNode.Parse(request.Body)!;
        AssertJsonEqual("[" + WeatherTool + "]", body["tools"]!.ToJsonString());
        Assert.That(body["tool_choice"]?.GetValue<string>(), Is.EqualTo(toolChoice));
    }

    [Test]
    public async Task Required_specific_function_offers_only_that_tool_and_requires_a_call([Values] bool streaming)
    {
        CapturedRequest request = ExpectReply(streaming);
        using CohereChatClient client = CreateCohere(_handler);

        await GetAsync(client, streaming, [new ChatMessage(ChatRole.User, "Weather in Madrid?")],
            new ChatOptions { Tools = [Time, Weather], ToolMode = ChatToolMode.RequireSpecific("get_weather"), AdditionalProperties = new() { [CohereChatClient.StrictJsonSchemaKey] = true } });

        JsonNode body = JsonNode.Parse(request.Body)!;
        AssertJsonEqual("[" + WeatherTool + "]", body["tools"]!.ToJsonString());
        Assert.That(body["tool_choice"]!.GetValue<string>(), Is.EqualTo("REQUIRED"));
        Assert.That(body["strict_tools"]!.GetValue<bool>(), Is.True);
    }

    [Test]
    public async Task Tool_call_history_keeps_ids_tool_plan_and_results_in_order([Values] bool streaming)
    {
        CapturedRequest request = ExpectReply(streaming);
        using CohereChatClient client = CreateCohere(_handler);
        ChatMessage[] history =
        [
            new(ChatRole.User, "What's the weather in Madrid and Brasilia?"),
            new(ChatRole.Assistant,
            [
                new TextContent("I will search for the weather in Madrid and Brasilia."),
                new FunctionCallContent("get_weather_p1t92w7gfgq7", "get_weather", new Dictionary<string, object?> { ["location"] = "Madrid" }),
                new FunctionCallContent("get_weather_ay6nmvjgp9vn", "get_weather", new Dictionary<string, object?> { ["location"] = "Brasília" }),
            ]),
            new(ChatRole.Tool,
            [
                new FunctionResultContent("get_weather_p1t92w7gfgq7", JsonDocument.Parse("""{"temperature":{"madrid":"24°C"}}""").RootElement),
                new FunctionResultContent("get_weather_ay6nmvjgp9vn", "28°C"),
            ]),
            new(ChatRole.Tool, [new FunctionResultContent("call_x", result: null) { Exception = new TimeoutException("weather service timed out") }]),
        ];

        await GetAsync(client, streaming, history, new ChatOptions { Tools = [Weather] });

        AssertJsonEqual(
            """
            [
              {"role":"user","content":"What's the weather in Madrid and Brasilia?"},
              {"role":"assistant","tool_plan":"I will search for the weather in Madrid and Brasilia.","tool_calls":[
                {"id":"get_weather_p1t92w7gfgq7","type":"function","function":{"name":"get_weather","arguments":"{\"location\":\"Madrid\"}"}},
                {"id":"get_weather_ay6nmvjgp9vn","type":"function","function":{"name":"get_weather","arguments":"{\"location\":\"Brasília\"}"}}
              ]},
              {"role":"tool","tool_call_id":"get_weather_p1t92w7gfgq7","content":"{\"temperature\":{\"madrid\":\"24°C\"}}"},
              {"role":"tool","tool_call_id":"get_weather_ay6nmvjgp9vn","content":"28°C"},
              {"role":"tool","tool_call_id":"call_x","content":"{\"error\":\"weather service timed out\"}"}
            ]
            """,
            JsonNode.Parse(request.Body)!["messages"]!.ToJsonString());
    }

    [Test]
    public async Task Reasoning_of_an_earlier_answer_is_sent_back_as_thinking([Values] bool streaming)
    {
        CapturedRequest request = ExpectReply(streaming);
        using CohereChatClient client = CreateCohere(_handler);
        ChatMessage[] history =
        [
            new(ChatRole.User, "17 * 23?"),
            new(ChatRole.Assistant, [new TextReasoningContent("17 × 20 + 17 × 3."), new TextContent("391")]),
            new(ChatRole.User, "And 17 * 24?"),
        ];

        await GetAsync(client, streaming, history);

        AssertJsonEqual(
            """{"role":"assistant","content":[{"type":"thinking","thinking":"17 × 20 + 17 × 3."},{"type":"text","text":"391"}]}""",
            JsonNode.Parse(request.Body)!["messages"]![1]!.ToJsonString());
    }

    [Test]
    public async Task Json_schema_is_sent_in_Coheres_own_shape_never_dropped([Values] bool streaming)
    {
        CapturedRequest request = ExpectReply(streaming);
        using CohereChatClient client = CreateCohere(_handler);
        JsonElement schema = JsonDocument.Parse("""{"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"}},"required":["name","age"]}""").RootElement;

        await GetAsync(client, streaming, [new ChatMessage(ChatRole.User, "Generate a JSON person.")],
            new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(schema, "person", "A person.") });

        AssertJsonEqual(
            """{"type":"json_object","json_schema":{"description":"A person.","type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"}},"required":["name","age"]}}""",
            JsonNode.Parse(request.Body)!["response_format"]!.ToJsonString());
    }

    [Test]
    public async Task Json_without_schema_is_json_object()
    {
        CapturedRequest request = ExpectReply(streaming: false);
        using CohereChatClient client = CreateCohere(_handler);

        await client.GetResponseAsync("Generate a JSON list of colours.", new ChatOptions { ResponseFormat = ChatResponseFormat.Json });

        AssertJsonEqual("""{"type":"json_object"}""", JsonNode.Parse(request.Body)!["response_format"]!.ToJsonString());
    }

    [Test]
    public async Task Sampling_options_use_Coheres_names_and_are_not_clamped([Values] bool streaming)
    {
        CapturedRequest request = ExpectReply(streaming);
        using CohereChatClient client = CreateCohere(_handler);
        var options = new ChatOptions
        {
            Temperature = 1.7f,
            TopP = 0.9f,
            TopK = 40,
            MaxOutputTokens = 300,
            StopSequences = ["END"],
            Seed = 42,
            FrequencyPenalty = 0.5f,
            PresencePenalty = 0.25f,
        };

        await GetAsync(client, streaming, [new ChatMessage(ChatRole.User, "Hello")], options);

        JsonObject body = JsonNode.Parse(request.Body)!.AsObject();
        body.Remove("messages");
        body.Remove("model");
        body.Remove("stream");
        AssertJsonEqual(
            """{"temperature":1.7,"p":0.9,"k":40,"max_tokens":300,"stop_sequences":["END"],"seed":42,"frequency_penalty":0.5,"presence_penalty":0.25}""",
            body.ToJsonString());
    }

    [TestCase(ReasoningEffort.None, """{"type":"disabled"}""")]
    [TestCase(ReasoningEffort.Low, """{"type":"enabled","token_budget":1024}""")]
    [TestCase(ReasoningEffort.Medium, """{"type":"enabled","token_budget":8192}""")]
    [TestCase(ReasoningEffort.High, """{"type":"enabled","token_budget":24576}""")]
    [TestCase(ReasoningEffort.ExtraHigh, """{"type":"enabled"}""")]
    public async Task Reasoning_effort_becomes_thinking(ReasoningEffort effort, string expected)
    {
        CapturedRequest request = ExpectReply(streaming: false);
        using CohereChatClient client = CreateCohere(_handler);

        await client.GetResponseAsync("Hi", new ChatOptions { ModelId = "command-a-reasoning-08-2025", Reasoning = new ReasoningOptions { Effort = effort } });

        AssertJsonEqual(expected, JsonNode.Parse(request.Body)!["thinking"]!.ToJsonString());
    }

    private static IEnumerable<TestCaseData> Unsupported()
    {
        yield return new TestCaseData(new ChatOptions { Tools = [Weather], AllowMultipleToolCalls = false }, typeof(NotSupportedException), "AllowMultipleToolCalls").SetArgDisplayNames("parallel tool calls off");
        yield return new TestCaseData(new ChatOptions { Tools = [Weather], ResponseFormat = ChatResponseFormat.Json }, typeof(NotSupportedException), "tools").SetArgDisplayNames("json with tools");
        yield return new TestCaseData(new ChatOptions { Seed = -1 }, typeof(NotSupportedException), "Seed").SetArgDisplayNames("negative seed");
        yield return new TestCaseData(new ChatOptions { ConversationId = "conv_1" }, typeof(NotSupportedException), "ConversationId").SetArgDisplayNames("conversation id");
        yield return new TestCaseData(new ChatOptions { Tools = [new HostedWebSearchTool()] }, typeof(NotSupportedException), "HostedWebSearchTool").SetArgDisplayNames("hosted tool");
        yield return new TestCaseData(new ChatOptions { ToolMode = ChatToolMode.RequireAny }, typeof(ArgumentException), "Tools is empty").SetArgDisplayNames("required without tools");
        yield return new TestCaseData(new ChatOptions { Temperature = 0.5f, AdditionalProperties = new() { ["temperature"] = 0.9 } }, typeof(ArgumentException), "'temperature'").SetArgDisplayNames("colliding extra field");
    }

    [TestCaseSource(nameof(Unsupported))]
    public void Options_Cohere_cannot_honour_are_rejected_not_dropped(ChatOptions options, Type exception, string mentioned)
    {
        using CohereChatClient client = CreateCohere(_handler);

        foreach (bool streaming in new[] { false, true })
        {
            Exception? ex = Catch(() => Start(client, streaming, [new ChatMessage(ChatRole.User, "Hi")], options));
            Assert.That(ex, Is.InstanceOf(exception));
            Assert.That(ex!.Message, Does.Contain(mentioned));
        }
    }

    [TestCase("application/pdf")]
    [TestCase("audio/wav")]
    [TestCase("video/mp4")]
    public void Media_other_than_images_is_rejected_naming_the_type(string mediaType)
    {
        using CohereChatClient client = CreateCohere(_handler);
        var message = new ChatMessage(ChatRole.User, [new TextContent("What is this?"), new DataContent(new byte[] { 1, 2, 3 }, mediaType)]);

        var ex = Assert.Throws<NotSupportedException>(() => Start(client, streaming: false, [message], null));

        Assert.That(ex!.Message, Does.Contain(mediaType));
    }

    [Test]
    public void Empty_user_text_is_rejected()
    {
        using CohereChatClient client = CreateCohere(_handler);

        var ex = Assert.Throws<ArgumentException>(() => Start(client, streaming: true, [new ChatMessage(ChatRole.User, string.Empty)], null));

        Assert.That(ex!.Message, Does.Contain("non-empty content"));
    }

    [Test]
    public async Task Extra_fields_are_passed_through_and_routing_state_is_not([Values] bool streaming)
    {
        CapturedRequest request = ExpectReply(streaming);
        using CohereChatClient client = CreateCohere(_handler);

        await GetAsync(client, streaming, [new ChatMessage(ChatRole.User, "Hi")], new ChatOptions
        {
            AdditionalProperties = new() { ["safety_mode"] = "STRICT", ["priority"] = 5, ["LlmRouting.Attempt"] = "internal" },
        });

        JsonNode body = JsonNode.Parse(request.Body)!;
        Assert.That(body["safety_mode"]!.GetValue<string>(), Is.EqualTo("STRICT"));
        Assert.That(body["priority"]!.GetValue<int>(), Is.EqualTo(5));
        Assert.That(body.AsObject().Any(p => p.Key.StartsWith("LlmRouting", StringComparison.Ordinal)), Is.False);
    }

    [Test]
    public async Task Endpoint_with_chat_path_is_used_as_is()
    {
        CapturedRequest request = Expect(_handler, () => Json(CohereFixtures.TextReply), "https://cohere-proxy.example/v2/chat");
        using CohereChatClient client = CreateCohere(_handler, o => o.Endpoint = new Uri("https://cohere-proxy.example/v2/chat"));

        await client.GetResponseAsync("Hi");

        Assert.That(request.Uri, Is.EqualTo(new Uri("https://cohere-proxy.example/v2/chat")));
    }

    private CapturedRequest ExpectReply(bool streaming) =>
        Expect(_handler, () => streaming ? Sse(CohereEvents(CohereFixtures.TextEvents)) : Json(CohereFixtures.TextReply), CohereChatUrl);

    private static Exception? Catch(Action action)
    {
        try
        {
            action();
            return null;
        }
        catch (Exception ex)
        {
            return ex;
        }
    }

    private static void Start(IChatClient client, bool streaming, IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        if (streaming)
        {
            _ = client.GetStreamingResponseAsync(messages, options);
        }
        else
        {
            Task<ChatResponse> task = client.GetResponseAsync(messages, options);
            if (task.IsFaulted)
            {
                task.GetAwaiter().GetResult();
            }
        }
    }
}
