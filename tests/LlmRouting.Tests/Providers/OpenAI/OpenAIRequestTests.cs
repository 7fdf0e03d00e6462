using System.Text.Json;
using System.Text.Json.Nodes;
using RichardSzalay.MockHttp;
using static LlmRouting.Tests.Providers.OpenAI.OpenAITestSupport;

namespace LlmRouting.Tests.Providers.OpenAI;

public sealed class OpenAIRequestTests
{
    private static readonly AIFunctionDeclaration WeatherTool = AIFunctionFactory.CreateDeclaration(
        "get_weather",
        "Gets the current weather for a city.",
        JsonDocument.Parse("""
            {"type":"object","properties":{"city":{"type":"string","description":"City name"},"unit":{"type":"string","enum":["celsius","fahrenheit"]}},"required":["city"],"additionalProperties":false}
            """).RootElement);

    private MockHttpMessageHandler _handler = null!;

    [SetUp]
    public void SetUp()
    {
        _handler = new MockHttpMessageHandler();
        _handler.Fallback.Throw(new InvalidOperationException("Unexpected HTTP request."));
    }

    [TearDown]
    public void TearDown() => _handler.Dispose();

    [TestCase(false)]
    [TestCase(true)]
    public async Task Text_request_has_exact_body_and_headers(bool streaming)
    {
        CapturedRequest request = Expect(_handler, () => streaming ? Sse(Events(OpenAIFixtures.TextChunks)) : Json(OpenAIFixtures.TextCompletion));
        using OpenAIChatCompletionsClient client = CreateClient(_handler);

        await GetAsync(client, streaming, [new ChatMessage(ChatRole.User, "Hello")]);

        string expected = streaming
            ? """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello"}],"stream":true,"stream_options":{"include_usage":true}}"""
            : """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello"}]}""";
        AssertJsonEqual(expected, request.Body);
        Assert.Multiple(() =>
        {
            Assert.That(request.Uri, Is.EqualTo(new Uri(ChatUrl)));
            Assert.That(request.Headers["Authorization"], Is.EqualTo("Bearer " + ApiKey));
            Assert.That(request.Headers["Content-Type"], Is.EqualTo("application/json"));
            Assert.That(request.Headers["Accept"], Is.EqualTo(streaming ? "text/event-stream" : "application/json"));
            Assert.That(request.Headers.ContainsKey("api-key"), Is.False);
        });
        _handler.VerifyNoOutstandingExpectation();
    }

    [Test]
    public async Task Api_key_header_style_and_extra_headers_are_sent()
    {
        CapturedRequest request = Expect(_handler, () => Json(OpenAIFixtures.TextCompletion), "https://myres.openai.azure.com/openai/v1/chat/completions");
        using OpenAIChatCompletionsClient client = CreateClient(_handler, o =>
        {
            o.Endpoint = new Uri("https://myres.openai.azure.com/openai/v1");
            o.AuthenticationStyle = OpenAIAuthenticationStyle.ApiKeyHeader;
            o.Headers["OpenAI-Project"] = "proj_123";
        });

        await client.GetResponseAsync("Hi");

        Assert.Multiple(() =>
        {
            Assert.That(request.Headers["api-key"], Is.EqualTo(ApiKey));
            Assert.That(request.Headers.ContainsKey("Authorization"), Is.False);
            Assert.That(request.Headers["OpenAI-Project"], Is.EqualTo("proj_123"));
        });
    }

    [Test]
    public async Task No_api_key_sends_no_authentication_header()
    {
        CapturedRequest request = Expect(_handler, () => Json(OpenAIFixtures.TextCompletion), "http://localhost:11434/v1/chat/completions");
        using OpenAIChatCompletionsClient client = CreateClient(_handler, o =>
        {
            o.ApiKey = null;
            o.Endpoint = new Uri("http://localhost:11434/v1/");
        });

        await client.GetResponseAsync("Hi");

        Assert.That(request.Headers.Keys, Has.None.EqualTo("Authorization").And.None.EqualTo("api-key"));
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task Instructions_lead_and_multi_turn_history_keeps_roles_and_order(bool streaming)
    {
        CapturedRequest request = Expect(_handler, () => streaming ? Sse(Events(OpenAIFixtures.TextChunks)) : Json(OpenAIFixtures.TextCompletion));
        using OpenAIChatCompletionsClient client = CreateClient(_handler);
        ChatMessage[] history =
        [
            new(ChatRole.System, "Answer in French."),
            new(ChatRole.User, "Hi, I'm Ada.") { AuthorName = "ada" },
            new(ChatRole.Assistant, "Bonjour Ada !"),
            new(ChatRole.User, "What is my name?"),
        ];

        await GetAsync(client, streaming, history, new ChatOptions { Instructions = "You are a concise assistant.", ModelId = "gpt-4.1" });

        JsonNode body = JsonNode.Parse(request.Body)!;
        Assert.That(body["model"]!.GetValue<string>(), Is.EqualTo("gpt-4.1"));
        AssertJsonEqual(
            """
            [
              {"role":"system","content":"You are a concise assistant."},
              {"role":"system","content":"Answer in French."},
              {"role":"user","name":"ada","content":"Hi, I'm Ada."},
              {"role":"assistant","content":"Bonjour Ada !"},
              {"role":"user","content":"What is my name?"}
            ]
            """,
            body["messages"]!.ToJsonString());
    }

    [Test]
    public async Task Images_by_url_and_inline_base64_become_content_parts()
    {
        CapturedRequest request = Expect(_handler, () => Json(OpenAIFixtures.TextCompletion));
        using OpenAIChatCompletionsClient client = CreateClient(_handler);
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        var message = new ChatMessage(ChatRole.User,
        [
            new TextContent("What is in these images?"),
            new UriContent(new Uri("https://example.com/cat.jpg"), "image/jpeg") { AdditionalProperties = new() { ["detail"] = "low" } },
            new DataContent(png, "image/png"),
        ]);

        await client.GetResponseAsync([message]);

        AssertJsonEqual(
            """
            {"model":"gpt-4o-mini","messages":[{"role":"user","content":[
              {"type":"text","text":"What is in these images?"},
              {"type":"image_url","image_url":{"url":"https://example.com/cat.jpg","detail":"low"}},
              {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}}
            ]}]}
            """,
            request.Body);
    }

    [Test]
    public async Task Pdf_and_wav_audio_become_file_and_input_audio_parts()
    {
        CapturedRequest request = Expect(_handler, () => Json(OpenAIFixtures.TextCompletion));
        using OpenAIChatCompletionsClient client = CreateClient(_handler);
        var message = new ChatMessage(ChatRole.User,
        [
            new DataContent(new byte[] { 1, 2, 3 }, "application/pdf") { Name = "report.pdf" },
            new DataContent(new byte[] { 4, 5, 6 }, "audio/wav"),
        ]);

        await client.GetResponseAsync([message]);

        AssertJsonEqual(
            """
            {"model":"gpt-4o-mini","messages":[{"role":"user","content":[
              {"type":"file","file":{"filename":"report.pdf","file_data":"data:application/pdf;base64,AQID"}},
              {"type":"input_audio","input_audio":{"data":"BAUG","format":"wav"}}
            ]}]}
            """,
            request.Body);
    }

    [TestCase("auto", """ "auto" """)]
    [TestCase("none", """ "none" """)]
    [TestCase("required", """ "required" """)]
    [TestCase("specific", """ {"type":"function","function":{"name":"get_weather"}} """)]
    public async Task Tools_with_tool_choice_variants_and_parallel_tool_calls_false(string mode, string expectedToolChoice)
    {
        CapturedRequest request = Expect(_handler, () => Json(OpenAIFixtures.TextCompletion));
        using OpenAIChatCompletionsClient client = CreateClient(_handler);
        var options = new ChatOptions
        {
            Tools = [WeatherTool],
            ToolMode = mode switch
            {
                "auto" => ChatToolMode.Auto,
                "none" => ChatToolMode.None,
                "required" => ChatToolMode.RequireAny,
                _ => ChatToolMode.RequireSpecific("get_weather"),
            },
            AllowMultipleToolCalls = false,
        };

        await client.GetResponseAsync("Weather in Paris?", options);

        AssertJsonEqual(
            $$$"""
            {
              "model":"gpt-4o-mini",
              "messages":[{"role":"user","content":"Weather in Paris?"}],
              "tools":[{"type":"function","function":{
                "name":"get_weather",
                "description":"Gets the current weather for a city.",
                "parameters":{"type":"object","properties":{"city":{"type":"string","description":"City name"},"unit":{"type":"string","enum":["celsius","fahrenheit"]}},"required":["city"],"additionalProperties":false}
              }}],
              "tool_choice":{{{expectedToolChoice}}},
              "parallel_tool_calls":false
            }
            """,
            request.Body);
    }

    [Test]
    public async Task Tool_from_AIFunctionFactory_uses_its_generated_schema_and_strict_flag()
    {
        CapturedRequest request = Expect(_handler, () => Json(OpenAIFixtures.TextCompletion));
        using OpenAIChatCompletionsClient client = CreateClient(_handler);
        AIFunction add = AIFunctionFactory.Create(
            ([System.ComponentModel.Description("First")] int a, [System.ComponentModel.Description("Second")] int b) => a + b,
            new AIFunctionFactoryOptions { Name = "add", Description = "Adds two numbers.", SerializerOptions = AIJsonUtilities.DefaultOptions });

        await client.GetResponseAsync("1+2?", new ChatOptions { Tools = [add], AdditionalProperties = new() { ["strictJsonSchema"] = true } });

        JsonNode function = JsonNode.Parse(request.Body)!["tools"]![0]!["function"]!;
        Assert.Multiple(() =>
        {
            Assert.That(function["name"]!.GetValue<string>(), Is.EqualTo("add"));
            Assert.That(function["strict"]!.GetValue<bool>(), Is.True);
            Assert.That(JsonNode.DeepEquals(function["parameters"], JsonNode.Parse(add.JsonSchema.GetRawText())), Is.True);
            Assert.That(JsonNode.Parse(request.Body)!.AsObject().ContainsKey("strictJsonSchema"), Is.False);
        });
    }

    [Test]
    public async Task Assistant_text_beside_tool_calls_and_one_tool_message_per_result()
    {
        CapturedRequest request = Expect(_handler, () => Json(OpenAIFixtures.TextCompletion));
        using OpenAIChatCompletionsClient client = CreateClient(_handler);
        ChatMessage[] history =
        [
            new(ChatRole.User, "Weather in Paris and Tokyo?"),
            new(ChatRole.Assistant,
            [
                new TextContent("Let me check both cities."),
                new FunctionCallContent("call_paris01", "get_weather", new Dictionary<string, object?> { ["city"] = "Paris", ["unit"] = "celsius" }),
                new FunctionCallContent("call_tokyo02", "get_weather", new Dictionary<string, object?> { ["city"] = "Tokyo", ["days"] = 2, ["raw"] = JsonDocument.Parse("""{"x":[1,true,null]}""").RootElement }),
            ]),
            new(ChatRole.Tool,
            [
                new FunctionResultContent("call_paris01", "18°C, cloudy"),
                new FunctionResultContent("call_tokyo02", JsonDocument.Parse("""{"temp":24,"sky":"clear"}""").RootElement),
            ]),
        ];

        await client.GetResponseAsync(history, new ChatOptions { Tools = [WeatherTool] });

        JsonNode messages = JsonNode.Parse(request.Body)!["messages"]!;
        AssertJsonEqual(
            """
            [
              {"role":"user","content":"Weather in Paris and Tokyo?"},
              {"role":"assistant","content":"Let me check both cities.","tool_calls":[
                {"id":"call_paris01","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\",\"unit\":\"celsius\"}"}},
                {"id":"call_tokyo02","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Tokyo\",\"days\":2,\"raw\":{\"x\":[1,true,null]}}"}}
              ]},
              {"role":"tool","tool_call_id":"call_paris01","content":"18°C, cloudy"},
              {"role":"tool","tool_call_id":"call_tokyo02","content":"{\"temp\":24,\"sky\":\"clear\"}"}
            ]
            """,
            messages.ToJsonString());
    }

    [Test]
    public async Task Assistant_with_only_tool_calls_omits_content_and_reasoning_is_not_sent_back()
    {
        CapturedRequest request = Expect(_handler, () => Json(OpenAIFixtures.TextCompletion));
        using OpenAIChatCompletionsClient client = CreateClient(_handler);
        ChatMessage[] history =
        [
            new(ChatRole.User, "Weather?"),
            new(ChatRole.Assistant, [new TextReasoningContent("thinking..."), new FunctionCallContent("c1", "get_weather", new Dictionary<string, object?> { ["city"] = "Oslo" })]),
            new(ChatRole.Tool, [new FunctionResultContent("c1", "-3°C")]),
        ];

        await client.GetResponseAsync(history, new ChatOptions { Tools = [WeatherTool] });

        AssertJsonEqual(
            """
            [
              {"role":"user","content":"Weather?"},
              {"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Oslo\"}"}}]},
              {"role":"tool","tool_call_id":"c1","content":"-3°C"}
            ]
            """,
            JsonNode.Parse(request.Body)!["messages"]!.ToJsonString());
    }

    [Test]
    public async Task Json_schema_response_format()
    {
        CapturedRequest request = Expect(_handler, () => Json(OpenAIFixtures.TextCompletion));
        using OpenAIChatCompletionsClient client = CreateClient(_handler);
        JsonElement schema = JsonDocument.Parse("""{"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"}},"required":["name","age"],"additionalProperties":false}""").RootElement;
        var options = new ChatOptions
        {
            ResponseFormat = ChatResponseFormat.ForJsonSchema(schema, "person", "A person."),
            AdditionalProperties = new() { ["strictJsonSchema"] = true },
        };

        await client.GetResponseAsync("Extract: Ada, 36", options);

        AssertJsonEqual(
            """
            {"type":"json_schema","json_schema":{"name":"person","description":"A person.","strict":true,
              "schema":{"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"}},"required":["name","age"],"additionalProperties":false}}}
            """,
            JsonNode.Parse(request.Body)!["response_format"]!.ToJsonString());
    }

    [Test]
    public async Task Json_object_response_format_and_text_format_is_omitted()
    {
        CapturedRequest json = Expect(_handler, () => Json(OpenAIFixtures.TextCompletion));
        CapturedRequest text = Expect(_handler, () => Json(OpenAIFixtures.TextCompletion));
        using OpenAIChatCompletionsClient client = CreateClient(_handler);

        await client.GetResponseAsync("JSON please", new ChatOptions { ResponseFormat = ChatResponseFormat.Json });
        await client.GetResponseAsync("Text please", new ChatOptions { ResponseFormat = ChatResponseFormat.Text });

        AssertJsonEqual("""{"type":"json_object"}""", JsonNode.Parse(json.Body)!["response_format"]!.ToJsonString());
        Assert.That(JsonNode.Parse(text.Body)!.AsObject().ContainsKey("response_format"), Is.False);
    }

    [Test]
    public async Task Sampling_options_map_exactly_and_stop_is_always_an_array()
    {
        CapturedRequest request = Expect(_handler, () => Json(OpenAIFixtures.TextCompletion));
        using OpenAIChatCompletionsClient client = CreateClient(_handler);
        var options = new ChatOptions
        {
            Temperature = 0.7f,
            TopP = 0.9f,
            MaxOutputTokens = 256,
            StopSequences = ["END"],
            Seed = 42,
            FrequencyPenalty = 0.5f,
            PresencePenalty = -0.25f,
            Reasoning = new ReasoningOptions { Effort = ReasoningEffort.ExtraHigh },
            AdditionalProperties = new()
            {
                ["user"] = "user-1234",
                ["LlmRouting.Attempt"] = "never sent",
            },
        };

        await client.GetResponseAsync("Hi", options);

        AssertJsonEqual(
            """
            {"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"}],
             "temperature":0.7,"top_p":0.9,"max_completion_tokens":256,"stop":["END"],"seed":42,
             "frequency_penalty":0.5,"presence_penalty":-0.25,"reasoning_effort":"xhigh","user":"user-1234"}
            """,
            request.Body);
    }

    [TestCase(ReasoningEffort.None, "none")]
    [TestCase(ReasoningEffort.Low, "low")]
    [TestCase(ReasoningEffort.Medium, "medium")]
    [TestCase(ReasoningEffort.High, "high")]
    public async Task Reasoning_effort_values(ReasoningEffort effort, string expected)
    {
        CapturedRequest request = Expect(_handler, () => Json(OpenAIFixtures.TextCompletion));
        using OpenAIChatCompletionsClient client = CreateClient(_handler);

        await client.GetResponseAsync("Hi", new ChatOptions { Reasoning = new ReasoningOptions { Effort = effort } });

        Assert.That(JsonNode.Parse(request.Body)!["reasoning_effort"]!.GetValue<string>(), Is.EqualTo(expected));
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task TopK_is_rejected_before_any_request(bool streaming)
    {
        using OpenAIChatCompletionsClient client = CreateClient(_handler);

        NotSupportedException? ex = await Assert.ThrowsAsync<NotSupportedException>(() => GetAsync(client, streaming, [new ChatMessage(ChatRole.User, "Hi")], new ChatOptions { TopK = 40 }));

        Assert.That(ex!.Message, Does.Contain("TopK"));
    }

    [Test]
    public async Task Options_the_api_cannot_express_are_rejected()
    {
        using OpenAIChatCompletionsClient client = CreateClient(_handler);
        await Assert.ThrowsAsync<NotSupportedException>(() => client.GetResponseAsync("Hi", new ChatOptions { ConversationId = "conv_1" }));
        await Assert.ThrowsAsync<NotSupportedException>(() => client.GetResponseAsync("Hi", new ChatOptions { Reasoning = new ReasoningOptions { Output = ReasoningOutput.Full } }));
        await Assert.ThrowsAsync<NotSupportedException>(() => client.GetResponseAsync("Hi", new ChatOptions { Tools = [new HostedWebSearchTool()] }));
        await Assert.ThrowsAsync<ArgumentException>(() => client.GetResponseAsync("Hi", new ChatOptions { ToolMode = ChatToolMode.RequireAny }));
        await Assert.ThrowsAsync<ArgumentException>(() => client.GetResponseAsync("Hi", new ChatOptions { Temperature = 1, AdditionalProperties = new() { ["temperature"] = 0.2 } }));
        await Assert.ThrowsAsync<NotSupportedException>(() => client.GetResponseAsync([new ChatMessage(ChatRole.User, [new DataContent(new byte[] { 1 }, "video/mp4")])]));
        await Assert.ThrowsAsync<NotSupportedException>(() => client.GetResponseAsync([new ChatMessage(ChatRole.Assistant, [new DataContent(new byte[] { 1 }, "image/png")])]));
    }

    [Test]
    public void Streaming_validates_when_called_not_when_enumerated()
    {
        using OpenAIChatCompletionsClient client = CreateClient(_handler);
        Assert.Throws<NotSupportedException>(() => client.GetStreamingResponseAsync("Hi", new ChatOptions { TopK = 5 }));
    }

    [Test]
    public async Task Tool_options_without_tools_are_omitted()
    {
        CapturedRequest request = Expect(_handler, () => Json(OpenAIFixtures.TextCompletion));
        using OpenAIChatCompletionsClient client = CreateClient(_handler);

        await client.GetResponseAsync("Hi", new ChatOptions { ToolMode = ChatToolMode.Auto, AllowMultipleToolCalls = true });

        AssertJsonEqual("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"}]}""", request.Body);
    }

    [Test]
    public async Task Model_is_required()
    {
        using OpenAIChatCompletionsClient client = CreateClient(_handler, o => o.DefaultModelId = null);
        await Assert.ThrowsAsync<InvalidOperationException>(() => client.GetResponseAsync("Hi"));
    }

    [Test]
    public void Api_key_with_header_breaking_characters_is_rejected_without_echoing_it()
    {
        const string BadKey = "sk-abc\r\nX-Injected: 1";
        ArgumentException? ex = Assert.Throws<ArgumentException>(() =>
            _ = new OpenAIChatCompletionsClient(new HttpClient(_handler), new OpenAIChatCompletionsClientOptions { ApiKey = new ApiKeySecret(BadKey) }));
        Assert.That(ex!.ToString(), Does.Not.Contain("sk-abc"));
    }
}
