using System.Text.Json;
using System.Text.Json.Nodes;
using LlmRouting.Tests.Providers.OpenAI;
using RichardSzalay.MockHttp;
using static LlmRouting.Tests.Providers.Gemini.GeminiTestSupport;
using static LlmRouting.Tests.Providers.OpenAI.OpenAITestSupport;

namespace LlmRouting.Tests.Providers.Gemini;

public sealed class GeminiRequestTests
{
    private static readonly AIFunctionDeclaration WeatherTool = AIFunctionFactory.CreateDeclaration(
        "get_weather",
        "Gets the current weather for a city.",
        JsonDocument.Parse("""
            {"type":"object","properties":{"city":{"type":"string","description":"City name"},"unit":{"type":["string","null"],"enum":["celsius","fahrenheit",null]}},"required":["city"],"additionalProperties":false}
            """).RootElement);

    private static readonly AIFunctionDeclaration TimeTool = AIFunctionFactory.CreateDeclaration(
        "get_time",
        "Gets the current time.",
        JsonDocument.Parse("""{"type":"object","properties":{}}""").RootElement);

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
        using GeminiChatClient client = CreateGemini(_handler);

        await GetAsync(client, streaming, [new ChatMessage(ChatRole.User, "Hello")]);

        AssertJsonEqual("""{"contents":[{"role":"user","parts":[{"text":"Hello"}]}]}""", request.Body);
        Assert.Multiple(() =>
        {
            Assert.That(request.Uri, Is.EqualTo(new Uri(Url(streaming))));
            Assert.That(request.Headers["x-goog-api-key"], Is.EqualTo(GeminiApiKey));
            Assert.That(request.Headers.ContainsKey("Authorization"), Is.False);
            Assert.That(request.Headers["Content-Type"], Is.EqualTo("application/json"));
            Assert.That(request.Headers["Accept"], Is.EqualTo(streaming ? "text/event-stream" : "application/json"));
        });
        _handler.VerifyNoOutstandingExpectation();
    }

    [Test]
    public async Task Model_id_with_resource_prefix_and_custom_endpoint_are_used_as_given()
    {
        CapturedRequest request = Expect(_handler, () => Json(GeminiFixtures.TextReply), "https://proxy.example/gemini/v1beta/tunedModels/my-model-42:generateContent");
        using GeminiChatClient client = CreateGemini(_handler, o => o.Endpoint = new Uri("https://proxy.example/gemini/v1beta"));

        await client.GetResponseAsync("Hi", new ChatOptions { ModelId = "tunedModels/my-model-42" });

        Assert.That(request.Uri, Is.EqualTo(new Uri("https://proxy.example/gemini/v1beta/tunedModels/my-model-42:generateContent")));
    }

    [Test]
    public async Task Instructions_and_system_messages_become_systemInstruction_and_assistant_turns_are_model([Values] bool streaming)
    {
        CapturedRequest request = ExpectReply(streaming);
        using GeminiChatClient client = CreateGemini(_handler);
        ChatMessage[] history =
        [
            new(ChatRole.System, "Answer in French."),
            new(ChatRole.User, "Hi, I'm Ada."),
            new(ChatRole.User, "I like maths."),
            new(ChatRole.Assistant, "Bonjour Ada !"),
            new(ChatRole.User, "What is my name?"),
        ];

        await GetAsync(client, streaming, history, new ChatOptions { Instructions = "You are a concise assistant." });

        AssertJsonEqual(
            """
            {
              "contents":[
                {"role":"user","parts":[{"text":"Hi, I'm Ada."},{"text":"I like maths."}]},
                {"role":"model","parts":[{"text":"Bonjour Ada !"}]},
                {"role":"user","parts":[{"text":"What is my name?"}]}
              ],
              "systemInstruction":{"parts":[{"text":"You are a concise assistant."},{"text":"Answer in French."}]}
            }
            """,
            request.Body);
    }

    [Test]
    public async Task Images_audio_and_documents_become_inlineData_and_fileData([Values] bool streaming)
    {
        CapturedRequest request = ExpectReply(streaming);
        using GeminiChatClient client = CreateGemini(_handler);
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        var message = new ChatMessage(ChatRole.User,
        [
            new TextContent("What is in these?"),
            new DataContent(png, "image/png"),
            new UriContent(new Uri("https://generativelanguage.googleapis.com/v1beta/files/abc-123"), "application/pdf"),
            new DataContent(new byte[] { 1, 2, 3 }, "audio/wav"),
            new UriContent(new Uri("https://example.com/cat.jpg"), "image/jpeg"),
        ]);

        await GetAsync(client, streaming, [message]);

        AssertJsonEqual(
            """
            {"contents":[{"role":"user","parts":[
              {"text":"What is in these?"},
              {"inlineData":{"mimeType":"image/png","data":"iVBORw0KGgo="}},
              {"fileData":{"mimeType":"application/pdf","fileUri":"https://generativelanguage.googleapis.com/v1beta/files/abc-123"}},
              {"inlineData":{"mimeType":"audio/wav","data":"AQID"}},
              {"fileData":{"mimeType":"image/jpeg","fileUri":"https://example.com/cat.jpg"}}
            ]}]}
            """,
            request.Body);
    }

    [TestCase("auto", """{"functionCallingConfig":{"mode":"AUTO"}}""")]
    [TestCase("none", """{"functionCallingConfig":{"mode":"NONE"}}""")]
    [TestCase("required", """{"functionCallingConfig":{"mode":"ANY"}}""")]
    [TestCase("specific", """{"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["get_weather"]}}""")]
    [TestCase("unset", null)]
    public async Task Tools_become_functionDeclarations_with_converted_schemas_and_toolConfig_modes(string mode, string? expectedToolConfig)
    {
        CapturedRequest request = Expect(_handler, () => Json(GeminiFixtures.TextReply), Url(false));
        using GeminiChatClient client = CreateGemini(_handler);
        var options = new ChatOptions
        {
            Tools = [WeatherTool, TimeTool],
            ToolMode = mode switch
            {
                "auto" => ChatToolMode.Auto,
                "none" => ChatToolMode.None,
                "required" => ChatToolMode.RequireAny,
                "specific" => ChatToolMode.RequireSpecific("get_weather"),
                _ => null,
            },
        };

        await client.GetResponseAsync("Weather in Paris?", options);

        JsonNode body = JsonNode.Parse(request.Body)!;
        AssertJsonEqual(
            """
            [{"functionDeclarations":[
              {"name":"get_weather","description":"Gets the current weather for a city.",
               "parameters":{"type":"OBJECT","properties":{
                 "city":{"type":"STRING","description":"City name"},
                 "unit":{"type":"STRING","nullable":true,"enum":["celsius","fahrenheit"]}},
               "required":["city"]}},
              {"name":"get_time","description":"Gets the current time."}
            ]}]
            """,
            body["tools"]!.ToJsonString());
        Assert.That(body["toolConfig"]?.ToJsonString(), Is.EqualTo(expectedToolConfig is null ? null : JsonNode.Parse(expectedToolConfig)!.ToJsonString()));
    }

    [Test]
    public async Task Tool_results_carry_the_real_function_name_and_parallel_calls_keep_text_and_signatures([Values] bool streaming)
    {
        // The conversation a FunctionInvokingChatClient builds from GeminiFixtures.ToolCallsReply.
        CapturedRequest request = ExpectReply(streaming);
        using GeminiChatClient client = CreateGemini(_handler);
        var paris = new FunctionCallContent("gemini_call_0_Yx3aaLvAB8Wn7M8P9tG4iQo", "get_weather", new Dictionary<string, object?> { ["city"] = "Paris", ["unit"] = "celsius" })
        {
            AdditionalProperties = new() { [GeminiChatClient.ThoughtSignatureKey] = "CiQBVKhc7nX5Yp0sig1" },
        };
        var london = new FunctionCallContent("gemini_call_1_Yx3aaLvAB8Wn7M8P9tG4iQo", "get_weather", new Dictionary<string, object?> { ["city"] = "London" });
        var clock = new FunctionCallContent("call_from_gemini_7", "get_time", new Dictionary<string, object?>());
        ChatMessage[] history =
        [
            new(ChatRole.User, "Weather in Paris and London, and the time?"),
            new(ChatRole.Assistant, [new TextContent("I'll check the weather in both cities."), paris, london, clock]),
            new(ChatRole.Tool,
            [
                new FunctionResultContent(london.CallId, JsonDocument.Parse("""{"temperature":14,"sky":"rain"}""").RootElement),
                new FunctionResultContent(paris.CallId, "21 °C and sunny"),
            ]),
            new(ChatRole.Tool, [new FunctionResultContent(clock.CallId, result: null) { Exception = new InvalidOperationException("clock offline") }]),
        ];

        await GetAsync(client, streaming, history, new ChatOptions { Tools = [WeatherTool, TimeTool] });

        JsonNode body = JsonNode.Parse(request.Body)!;
        AssertJsonEqual(
            """
            [
              {"role":"user","parts":[{"text":"Weather in Paris and London, and the time?"}]},
              {"role":"model","parts":[
                {"text":"I'll check the weather in both cities."},
                {"functionCall":{"name":"get_weather","args":{"city":"Paris","unit":"celsius"}},"thoughtSignature":"CiQBVKhc7nX5Yp0sig1"},
                {"functionCall":{"name":"get_weather","args":{"city":"London"}}},
                {"functionCall":{"id":"call_from_gemini_7","name":"get_time","args":{}}}
              ]},
              {"role":"user","parts":[
                {"functionResponse":{"name":"get_weather","response":{"temperature":14,"sky":"rain"}}},
                {"functionResponse":{"name":"get_weather","response":{"output":"21 °C and sunny"}}},
                {"functionResponse":{"id":"call_from_gemini_7","name":"get_time","response":{"error":"clock offline"}}}
              ]}
            ]
            """,
            body["contents"]!.ToJsonString());
    }

    [Test]
    public void Tool_result_without_a_matching_call_is_rejected_before_sending([Values] bool streaming)
    {
        using GeminiChatClient client = CreateGemini(_handler);
        ChatMessage[] history =
        [
            new(ChatRole.User, "Weather?"),
            new(ChatRole.Tool, [new FunctionResultContent("call_unknown", "sunny")]),
        ];

        var ex = Assert.Throws<ArgumentException>(() => Start(client, streaming, history, null));

        Assert.That(ex!.Message, Does.Contain("call_unknown").And.Contain("function's name"));
    }

    [Test]
    public async Task Thought_signatures_of_a_reply_go_back_with_the_history([Values] bool streaming)
    {
        Expect(_handler, () => streaming ? Sse(GeminiEvents(GeminiFixtures.ThinkingChunks)) : Json(GeminiFixtures.ThinkingReply), Url(streaming));
        CapturedRequest second = ExpectReply(streaming);
        using GeminiChatClient client = CreateGemini(_handler);
        var history = new List<ChatMessage> { new(ChatRole.User, "2+2?") };

        ChatResponse first = await GetAsync(client, streaming, history);
        history.AddRange(first.Messages);
        history.Add(new ChatMessage(ChatRole.User, "And 3+3?"));
        await GetAsync(client, streaming, history);

        AssertJsonEqual(
            """
            {"role":"model","parts":[
              {"text":"**Adding the numbers**\n\nTwo plus two is four.","thought":true},
              {"text":"2 + 2 = 4.","thoughtSignature":"AY89a18iOcFus5wr5bW5xN6zZ4aU"}
            ]}
            """,
            JsonNode.Parse(second.Body)!["contents"]![1]!.ToJsonString());
    }

    [Test]
    public async Task Json_schema_response_format_is_converted_to_responseSchema([Values] bool streaming)
    {
        CapturedRequest request = ExpectReply(streaming);
        using GeminiChatClient client = CreateGemini(_handler);
        JsonElement schema = JsonDocument.Parse("""
            {
              "$schema": "https://json-schema.org/draft/2020-12/schema",
              "type": "object",
              "properties": {
                "name": { "type": "string", "minLength": 1 },
                "born": { "type": ["string", "null"], "format": "date" },
                "tags": { "type": "array", "items": { "type": "string" }, "maxItems": 5 },
                "address": { "$ref": "#/$defs/address" },
                "kind": { "const": "person" },
                "score": { "anyOf": [ { "type": "number", "minimum": 0 }, { "type": "null" } ], "description": "0 to 1" }
              },
              "required": ["name", "tags"],
              "additionalProperties": false,
              "$defs": { "address": { "type": "object", "properties": { "city": { "type": "string" } }, "required": ["city"] } }
            }
            """).RootElement;

        await GetAsync(client, streaming, [new ChatMessage(ChatRole.User, "Describe Ada Lovelace.")],
            new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(schema, "person", "A person.") });

        AssertJsonEqual(
            """
            {
              "responseMimeType": "application/json",
              "responseSchema": {
                "type": "OBJECT",
                "description": "A person.",
                "properties": {
                  "name": { "type": "STRING", "minLength": 1 },
                  "born": { "type": "STRING", "nullable": true, "format": "date" },
                  "tags": { "type": "ARRAY", "maxItems": 5, "items": { "type": "STRING" } },
                  "address": { "type": "OBJECT", "properties": { "city": { "type": "STRING" } }, "required": ["city"] },
                  "kind": { "type": "STRING", "enum": ["person"] },
                  "score": { "type": "NUMBER", "minimum": 0, "description": "0 to 1", "nullable": true }
                },
                "required": ["name", "tags"]
              }
            }
            """,
            JsonNode.Parse(request.Body)!["generationConfig"]!.ToJsonString());
    }

    [Test]
    public async Task Json_without_schema_sets_only_the_mime_type()
    {
        CapturedRequest request = ExpectReply(streaming: false);
        using GeminiChatClient client = CreateGemini(_handler);

        await client.GetResponseAsync("List three colours as JSON.", new ChatOptions { ResponseFormat = ChatResponseFormat.Json });

        AssertJsonEqual("""{"responseMimeType":"application/json"}""", JsonNode.Parse(request.Body)!["generationConfig"]!.ToJsonString());
    }

    [TestCase("""{"type":"object","properties":{"a":{"oneOf":[{"type":"string"},{"type":"integer"}]}}}""", "'oneOf'", "#/properties/a")]
    [TestCase("""{"type":"object","properties":{"tags":{"type":"object","additionalProperties":{"type":"string"}}}}""", "additionalProperties", "#/properties/tags")]
    [TestCase("""{"type":"object","properties":{"child":{"$ref":"#"}}}""", "recursive reference", "#/properties/child")]
    [TestCase("""{"type":"object","properties":{"level":{"type":"integer","enum":[1,2,3]}}}""", "non-string value", "#/properties/level")]
    [TestCase("""{"type":"object","properties":{"n":{"type":"number","exclusiveMinimum":0}}}""", "'exclusiveMinimum'", "#/properties/n")]
    [TestCase("""{"type":"object","properties":{"v":{"type":["string","integer"]}}}""", "union of several types", "#/properties/v")]
    [TestCase("""{"type":"object","properties":{"any":{}}}""", "without a type", "#/properties/any")]
    [TestCase("""{"type":"array","prefixItems":[{"type":"string"}]}""", "'prefixItems'", "#")]
    public void Schema_constructs_Gemini_cannot_express_are_rejected_not_dropped(string schema, string what, string where)
    {
        using GeminiChatClient client = CreateGemini(_handler);
        var options = new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(JsonDocument.Parse(schema).RootElement) };

        foreach (bool streaming in new[] { false, true })
        {
            var ex = Assert.Throws<NotSupportedException>(() => Start(client, streaming, [new ChatMessage(ChatRole.User, "Hi")], options));
            Assert.That(ex!.Message, Does.Contain(what).And.Contain(where).And.Contain("ChatOptions.ResponseFormat"));
        }
    }

    [Test]
    public async Task Tool_schema_Gemini_cannot_express_is_rejected_naming_the_tool()
    {
        using GeminiChatClient client = CreateGemini(_handler);
        AIFunctionDeclaration tool = AIFunctionFactory.CreateDeclaration("tag", null, JsonDocument.Parse(
            """{"type":"object","properties":{"labels":{"type":"object","additionalProperties":{"type":"string"}}}}""").RootElement);

        var ex = await Assert.ThrowsAsync<NotSupportedException>(() => client.GetResponseAsync("Hi", new ChatOptions { Tools = [tool] }));

        Assert.That(ex!.Message, Does.Contain("tool 'tag'"));
    }

    [Test]
    public async Task Sampling_options_go_to_generationConfig([Values] bool streaming)
    {
        CapturedRequest request = ExpectReply(streaming);
        using GeminiChatClient client = CreateGemini(_handler);
        var options = new ChatOptions
        {
            Temperature = 1.7f,
            TopP = 0.9f,
            TopK = 40,
            MaxOutputTokens = 512,
            StopSequences = ["END", "\n\n"],
            Seed = 42,
            PresencePenalty = 0.5f,
            FrequencyPenalty = -0.25f,
        };

        await GetAsync(client, streaming, [new ChatMessage(ChatRole.User, "Hi")], options);

        AssertJsonEqual(
            """{"temperature":1.7,"topP":0.9,"topK":40,"maxOutputTokens":512,"stopSequences":["END","\n\n"],"seed":42,"presencePenalty":0.5,"frequencyPenalty":-0.25}""",
            JsonNode.Parse(request.Body)!["generationConfig"]!.ToJsonString());
    }

    [TestCase("gemini-2.5-flash", ReasoningEffort.None, null, """{"thinkingBudget":0}""")]
    [TestCase("gemini-2.5-flash", ReasoningEffort.Low, null, """{"thinkingBudget":1024}""")]
    [TestCase("gemini-2.5-pro", ReasoningEffort.Medium, ReasoningOutput.Summary, """{"thinkingBudget":8192,"includeThoughts":true}""")]
    [TestCase("models/gemini-2.5-pro", ReasoningEffort.High, ReasoningOutput.None, """{"thinkingBudget":24576}""")]
    [TestCase("gemini-3-pro-preview", ReasoningEffort.Low, null, """{"thinkingLevel":"low"}""")]
    [TestCase("gemini-3-flash-preview", ReasoningEffort.None, ReasoningOutput.Summary, """{"thinkingLevel":"minimal","includeThoughts":true}""")]
    [TestCase("gemini-3-pro-preview", ReasoningEffort.High, null, """{"thinkingLevel":"high"}""")]
    public async Task Reasoning_becomes_thinkingConfig(string model, ReasoningEffort effort, ReasoningOutput? output, string expected)
    {
        string resource = model.StartsWith("models/", StringComparison.Ordinal) ? model["models/".Length..] : model;
        CapturedRequest request = Expect(_handler, () => Json(GeminiFixtures.TextReply), Url(false, resource));
        using GeminiChatClient client = CreateGemini(_handler);

        await client.GetResponseAsync("Hi", new ChatOptions { ModelId = model, Reasoning = new ReasoningOptions { Effort = effort, Output = output } });

        AssertJsonEqual($$"""{"thinkingConfig":{{expected}}}""", JsonNode.Parse(request.Body)!["generationConfig"]!.ToJsonString());
    }

    private static IEnumerable<TestCaseData> Unsupported()
    {
        yield return new TestCaseData(new ChatOptions { Tools = [WeatherTool], AllowMultipleToolCalls = false }, "AllowMultipleToolCalls").SetArgDisplayNames("parallel tool calls off");
        yield return new TestCaseData(new ChatOptions { Reasoning = new ReasoningOptions { Effort = ReasoningEffort.ExtraHigh } }, "ExtraHigh").SetArgDisplayNames("extra high effort");
        yield return new TestCaseData(new ChatOptions { Reasoning = new ReasoningOptions { Output = ReasoningOutput.Full } }, "summaries only").SetArgDisplayNames("full reasoning output");
        yield return new TestCaseData(new ChatOptions { Seed = 1L << 40 }, "32-bit").SetArgDisplayNames("64-bit seed");
        yield return new TestCaseData(new ChatOptions { ConversationId = "conv_1" }, "ConversationId").SetArgDisplayNames("conversation id");
        yield return new TestCaseData(new ChatOptions { Tools = [new HostedWebSearchTool()] }, "HostedWebSearchTool").SetArgDisplayNames("hosted tool");
    }

    [TestCaseSource(nameof(Unsupported))]
    public void Options_Gemini_cannot_honour_are_rejected_not_dropped(ChatOptions options, string mentioned)
    {
        using GeminiChatClient client = CreateGemini(_handler);

        foreach (bool streaming in new[] { false, true })
        {
            var ex = Assert.Throws<NotSupportedException>(() => Start(client, streaming, [new ChatMessage(ChatRole.User, "Hi")], options));
            Assert.That(ex!.Message, Does.Contain(mentioned));
        }
    }

    [Test]
    public async Task Safety_settings_cached_content_and_extra_generation_fields_are_passed_through([Values] bool streaming)
    {
        CapturedRequest request = ExpectReply(streaming);
        using GeminiChatClient client = CreateGemini(_handler);
        var options = new ChatOptions
        {
            Temperature = 0.2f,
            AdditionalProperties = new()
            {
                [GeminiChatClient.SafetySettingsKey] = new Dictionary<string, string>
                {
                    ["HARM_CATEGORY_HARASSMENT"] = "BLOCK_ONLY_HIGH",
                    ["HARM_CATEGORY_DANGEROUS_CONTENT"] = "BLOCK_NONE",
                },
                [GeminiChatClient.CachedContentKey] = "cachedContents/abc123",
                ["mediaResolution"] = "MEDIA_RESOLUTION_LOW",
                ["LlmRouting.Attempt"] = "internal state, never sent",
                [GeminiChatClient.StrictJsonSchemaKey] = true,
            },
        };

        await GetAsync(client, streaming, [new ChatMessage(ChatRole.User, "Hi")], options);

        AssertJsonEqual(
            """
            {
              "contents":[{"role":"user","parts":[{"text":"Hi"}]}],
              "safetySettings":[{"category":"HARM_CATEGORY_HARASSMENT","threshold":"BLOCK_ONLY_HIGH"},{"category":"HARM_CATEGORY_DANGEROUS_CONTENT","threshold":"BLOCK_NONE"}],
              "cachedContent":"cachedContents/abc123",
              "generationConfig":{"temperature":0.2,"mediaResolution":"MEDIA_RESOLUTION_LOW"}
            }
            """,
            request.Body);
    }

    [Test]
    public async Task Safety_settings_as_json_are_sent_as_given()
    {
        CapturedRequest request = ExpectReply(streaming: false);
        using GeminiChatClient client = CreateGemini(_handler);
        const string Settings = """[{"category":"HARM_CATEGORY_HATE_SPEECH","threshold":"BLOCK_LOW_AND_ABOVE"}]""";

        await client.GetResponseAsync("Hi", new ChatOptions { AdditionalProperties = new() { [GeminiChatClient.SafetySettingsKey] = JsonDocument.Parse(Settings).RootElement } });

        AssertJsonEqual(Settings, JsonNode.Parse(request.Body)!["safetySettings"]!.ToJsonString());
    }

    [TestCase("""{"category":"HARM_CATEGORY_HATE_SPEECH"}""")]
    [TestCase("""[{"category":"HARM_CATEGORY_HATE_SPEECH"}]""")]
    [TestCase("not json")]
    public async Task Malformed_safety_settings_are_rejected(string value)
    {
        using GeminiChatClient client = CreateGemini(_handler);

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => client.GetResponseAsync("Hi", new ChatOptions { AdditionalProperties = new() { [GeminiChatClient.SafetySettingsKey] = value } }));

        Assert.That(ex!.Message, Does.Contain("safetySettings"));
    }

    [Test]
    public async Task Extra_field_colliding_with_an_option_is_rejected()
    {
        using GeminiChatClient client = CreateGemini(_handler);

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => client.GetResponseAsync("Hi", new ChatOptions { Temperature = 0.5f, AdditionalProperties = new() { ["temperature"] = 1.0 } }));

        Assert.That(ex!.Message, Does.Contain("'temperature'"));
    }

    [Test]
    public async Task Caller_options_are_not_mutated()
    {
        Expect(_handler, () => Json(GeminiFixtures.TextReply), Url(false));
        using GeminiChatClient client = CreateGemini(_handler);
        var options = new ChatOptions
        {
            Temperature = 0.3f,
            Tools = [WeatherTool],
            ToolMode = ChatToolMode.RequireSpecific("get_weather"),
            AdditionalProperties = new() { ["candidateCount"] = 1 },
        };

        await client.GetResponseAsync("Hi", options);

        Assert.Multiple(() =>
        {
            Assert.That(options.Temperature, Is.EqualTo(0.3f));
            Assert.That(options.Tools, Has.Count.EqualTo(1));
            Assert.That(options.ModelId, Is.Null);
            Assert.That(options.AdditionalProperties, Has.Count.EqualTo(1));
        });
    }

    private CapturedRequest ExpectReply(bool streaming) =>
        Expect(_handler, () => streaming ? Sse(GeminiEvents(GeminiFixtures.TextChunks)) : Json(GeminiFixtures.TextReply), Url(streaming));

    /// <summary>Starts a call without awaiting the reply: argument errors surface synchronously for both paths.</summary>
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
