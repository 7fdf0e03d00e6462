using System.Net;
using System.Text.Json.Nodes;
using static LlmRouting.Tests.Providers.Conformance.ConformanceHttp;
using static LlmRouting.Tests.Providers.Conformance.ConformanceInputs;

namespace LlmRouting.Tests.Providers.Conformance;

/// <summary>The conformance suite for <see cref="AnthropicChatClient"/> against the Messages API's documented shapes.</summary>
/// <remarks>
/// The client is built without <see cref="AnthropicChatClientOptions.DefaultMaxOutputTokens"/>, so every body's <c>max_tokens</c> of 64,000 is
/// the catalog's maximum output for <c>claude-sonnet-4-5-20250929</c>: the documented default when the caller gives none.
/// </remarks>
[TestFixture]
public sealed class AnthropicConformanceTests : ProviderConformanceTests
{
    private const string Model = "claude-sonnet-4-5-20250929";
    private const string Weather = """{"name":"get_weather","description":"Gets the current weather for a city.","input_schema":{"type":"object","properties":{"city":{"type":"string","description":"City name"},"unit":{"type":"string","enum":["celsius","fahrenheit"]}},"required":["city"]}}""";
    private const string Question = """{"role":"user","content":"What's the weather in Paris and Tokyo?"}""";

    protected override string ProviderName => "anthropic";

    protected override string ApiKey => "sk-ant-api03-conformance-7f6e5d4c3b2a1908";

    protected override string RequestIdHeader => "request-id";

    protected override IChatClient CreateClient(HttpClient httpClient) =>
        new AnthropicChatClient(httpClient, new AnthropicChatClientOptions { ApiKey = new ApiKeySecret(ApiKey), DefaultModelId = Model });

    protected override string RequestUri(bool streaming) => "https://api.anthropic.com/v1/messages";

    protected override void AssertRequestHeaders(ObservedRequest request, bool streaming)
    {
        Assert.That(request.Headers["x-api-key"], Is.EqualTo(ApiKey));
        Assert.That(request.Headers["anthropic-version"], Is.EqualTo("2023-06-01"));
        Assert.That(request.Headers["Accept"], Is.EqualTo(streaming ? "text/event-stream" : "application/json"));
        Assert.That(request.Headers.ContainsKey("Authorization"), Is.False);
    }

    protected override ExpectedRequest Expected(RequestSituation situation) => situation switch
    {
        RequestSituation.PlainText => Body(User("Hello")),
        RequestSituation.InstructionsSystemAndHistory => With(
            Body(User("Hi, I'm Ada."), """{"role":"assistant","content":"Bonjour Ada !"}""", User("What is my name?")),
            $$"""{"system":[{"type":"text","text":"{{Instructions}}"},{"type":"text","text":"Answer in French."}]}"""),
        RequestSituation.ImageByUrl => Body("""{"role":"user","content":[{"type":"text","text":"Describe this image."},{"type":"image","source":{"type":"url","url":"https://example.com/cat.jpg"}}]}"""),
        RequestSituation.ImageInline => Body("{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Describe this image.\"},{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/png\",\"data\":\"" + PngBase64 + "\"}}]}"),
        RequestSituation.PdfDocument => Body("{\"role\":\"user\",\"content\":[{\"type\":\"document\",\"source\":{\"type\":\"base64\",\"media_type\":\"application/pdf\",\"data\":\"" + PdfBase64 + "\"},\"title\":\"report.pdf\"},{\"type\":\"text\",\"text\":\"Summarise the report.\"}]}"),
        RequestSituation.UnsupportedContent => ExpectedRequest.Rejected<NotSupportedException>("video/mp4"),
        RequestSituation.ToolsAuto => With(Body(Question), "{\"tools\":[" + Weather + "],\"tool_choice\":{\"type\":\"auto\"}}"),
        RequestSituation.ToolsRequireAny => With(Body(Question), "{\"tools\":[" + Weather + "],\"tool_choice\":{\"type\":\"any\"}}"),
        RequestSituation.ToolsRequireSpecific => With(Body(Question), "{\"tools\":[" + Weather + "],\"tool_choice\":{\"type\":\"tool\",\"name\":\"get_weather\"}}"),
        RequestSituation.ToolsNone => With(Body(Question), "{\"tools\":[" + Weather + "],\"tool_choice\":{\"type\":\"none\"}}"),
        RequestSituation.ParallelToolCallsOff => With(Body(Question), "{\"tools\":[" + Weather + "],\"tool_choice\":{\"type\":\"auto\",\"disable_parallel_tool_use\":true}}"),
        RequestSituation.ToolResultTurn => With(
            Body(
                Question,
                """{"role":"assistant","content":[{"type":"text","text":"I'll check both cities."},{"type":"tool_use","id":"call_paris01","name":"get_weather","input":{"city":"Paris"}},{"type":"tool_use","id":"call_tokyo02","name":"get_weather","input":{"city":"Tokyo","unit":"celsius"}}]}""",
                """{"role":"user","content":[{"type":"tool_result","tool_use_id":"call_paris01","content":"18°C, cloudy"},{"type":"tool_result","tool_use_id":"call_tokyo02","content":"{\"temp\":24,\"sky\":\"clear\"}"}]}"""),
            $$"""{"tools":[{{Weather}}]}"""),
        RequestSituation.ReasoningInHistory => Body(
            User("What is 17 * 23?"),
            new JsonObject
            {
                ["role"] = "assistant",
                ["content"] = new JsonArray(
                    new JsonObject { ["type"] = "thinking", ["thinking"] = ReasoningText, ["signature"] = ReasoningSignature },
                    new JsonObject { ["type"] = "text", ["text"] = "391" }),
            }.ToJsonString(),
            User("And 17 * 24?")),
        RequestSituation.ResponseFormatText => Body(User("Say hello.")),

        // No native response format: a forced json_response tool whose input_schema is the requested schema.
        RequestSituation.ResponseFormatJson => With(
            Body(User("Extract the person: Ada Lovelace, born 1815.")),
            """{"tools":[{"name":"json_response","description":"Give the answer as JSON through this tool.","input_schema":{"type":"object"}}],"tool_choice":{"type":"tool","name":"json_response"}}"""),
        RequestSituation.ResponseFormatJsonSchema => With(
            Body(User("Extract the person: Ada Lovelace, born 1815.")),
            "{\"tools\":[{\"name\":\"json_response\",\"description\":\"Give the answer ('person') as JSON through this tool. A person.\",\"input_schema\":" + PersonSchema.GetRawText() + "}],\"tool_choice\":{\"type\":\"tool\",\"name\":\"json_response\"}}"),
        RequestSituation.SamplingOptions => With(Body(User("Hello")), """{"max_tokens":300,"temperature":0.5,"top_p":0.9}"""),
        RequestSituation.SingleStopSequence => With(Body(User("Count to ten.")), """{"stop_sequences":["END"]}"""),
        RequestSituation.TopK => With(Body(User("Hello")), """{"top_k":40}"""),
        RequestSituation.SeedAndPenalties => ExpectedRequest.Rejected<NotSupportedException>("Seed"),
        RequestSituation.ReasoningEffort => With(Body(User("What is 17 * 23?")), """{"max_tokens":20000,"thinking":{"type":"enabled","budget_tokens":16384}}"""),
        RequestSituation.Unicode => Body(User(UnicodeText)),
        RequestSituation.EmptyUserText => ExpectedRequest.Rejected<ArgumentException>("non-empty content"),
        RequestSituation.LongSystemPrompt => With(Body(User("Hello")), $$"""{"system":"{{LongSystemPrompt}}"}"""),
        _ => throw new ArgumentOutOfRangeException(nameof(situation), situation, null),
    };

    protected override HttpResponseMessage Reply(ReplySituation reply, bool streaming) => reply switch
    {
        ReplySituation.Text => Message("msg_01Conf0001Text", [Text(AnswerText)], "end_turn", Usage(21, 8), streaming),
        ReplySituation.ParallelToolCalls => Message(
            "msg_01Conf0002Tools",
            [
                Text(ToolPreamble),
                ToolUse("toolu_01A09q90qw90lq917835lq9", "get_weather", """{"city":"Paris"}"""),
                ToolUse("toolu_01B7kYyBqMmdsJ3YBJjMx8s2", "get_weather", """{"city":"Tokyo"}"""),
            ],
            "tool_use",
            Usage(395, 112),
            streaming),
        ReplySituation.JsonAnswer => Message("msg_01Conf0003Json", [ToolUse("toolu_01Json5Ada1815xyz", "json_response", """{"name": "Ada Lovelace", "born": 1815}""")], "tool_use", Usage(612, 58), streaming),
        ReplySituation.Unicode => Message("msg_01Conf0004Unicode", [Text(UnicodeText)], "end_turn", Usage(30, 28), streaming),
        ReplySituation.Empty => Message("msg_01Conf0005Empty", [], "end_turn", Usage(9, 1), streaming),
        ReplySituation.WithoutUsage => Message("msg_01Conf0006NoUsage", [Text(AnswerText)], "end_turn", null, streaming),
        ReplySituation.CachedUsage => Message("msg_01Conf0007Cached", [Text(AnswerText)], "end_turn", Usage(100, 8, cacheRead: 1920, cacheWrite: 28), streaming),
        ReplySituation.Reasoning => Message("msg_01Conf0008Thinking", [Thinking(ReasoningText, ReasoningSignature), Text("391")], "end_turn", Usage(45, 320), streaming),
        _ => throw new ArgumentOutOfRangeException(nameof(reply), reply, null),
    };

    protected override ExpectedReply Facts(ReplySituation reply) => reply switch
    {
        ReplySituation.Text => new() { ResponseId = "msg_01Conf0001Text", ModelId = Model, Usage = Expected(21, 8) },
        ReplySituation.ParallelToolCalls => new()
        {
            ResponseId = "msg_01Conf0002Tools", ModelId = Model, Usage = Expected(395, 112), CallIds = ["toolu_01A09q90qw90lq917835lq9", "toolu_01B7kYyBqMmdsJ3YBJjMx8s2"],
        },
        ReplySituation.JsonAnswer => new() { ResponseId = "msg_01Conf0003Json", ModelId = Model, Usage = Expected(612, 58) },
        ReplySituation.Unicode => new() { ResponseId = "msg_01Conf0004Unicode", ModelId = Model, Usage = Expected(30, 28) },
        ReplySituation.Empty => new() { ResponseId = "msg_01Conf0005Empty", ModelId = Model, Usage = Expected(9, 1) },
        ReplySituation.WithoutUsage => new() { ResponseId = "msg_01Conf0006NoUsage", ModelId = Model, Usage = null },
        ReplySituation.CachedUsage => new()
        {
            ResponseId = "msg_01Conf0007Cached",
            ModelId = Model,
            Usage = new UsageDetails
            {
                InputTokenCount = 2048, OutputTokenCount = 8, TotalTokenCount = 2056, CachedInputTokenCount = 1920,
                AdditionalCounts = new() { [LlmUsageKeys.CacheWriteInputTokens] = 28 },
            },
        },
        ReplySituation.Reasoning => new()
        {
            ResponseId = "msg_01Conf0008Thinking", ModelId = Model, Usage = Expected(45, 320), ReasoningText = ReasoningText, ReasoningProtectedData = ReasoningSignature,
        },
        _ => throw new ArgumentOutOfRangeException(nameof(reply), reply, null),
    };

    protected override HttpResponseMessage? HttpError(LlmErrorKind kind) => kind switch
    {
        LlmErrorKind.BadRequest => Error(400, "invalid_request_error", "messages: text content blocks must be non-empty"),
        LlmErrorKind.Authentication => Error(401, "authentication_error", "invalid x-api-key"),
        LlmErrorKind.PermissionDenied => Error(403, "permission_error", "Your API key does not have permission to use the specified resource."),
        LlmErrorKind.NotFound => Error(404, "not_found_error", "model: claude-sonnet-9"),
        LlmErrorKind.ContextLengthExceeded => Error(400, "invalid_request_error", "prompt is too long: 215304 tokens > 200000 maximum"),
        LlmErrorKind.ContentFiltered => Error(400, "invalid_request_error", "Output blocked by content filtering policy"),
        LlmErrorKind.QuotaExceeded => Error(400, "invalid_request_error", "Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits."),
        LlmErrorKind.RateLimited => Error(429, "rate_limit_error", "This request would exceed the rate limit for your organization of 50 requests per minute."),
        LlmErrorKind.ServerError => Error(500, "api_error", "Internal server error"),
        LlmErrorKind.Overloaded => Error(529, "overloaded_error", "Overloaded"),
        LlmErrorKind.Timeout => Error(504, "timeout_error", "Request timed out"),
        _ => null,
    };

    protected override (HttpResponseMessage Reply, LlmErrorKind Kind) StreamErrorEvent() =>
        (Sse(NamedEvents(
        [
            MessageStart("msg_01Conf0009Err", Usage(21, 1)),
            ("content_block_start", """{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"""),
            ("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Paris is"}}"""),
            ("error", """{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"""),
        ])), LlmErrorKind.Overloaded);

    /// <summary>Anthropic documents errors after HTTP 200 only inside streams.</summary>
    protected override (HttpResponseMessage Reply, LlmErrorKind Kind)? ErrorInSuccessfulReply() => null;

    protected override HttpResponseMessage TruncatedStream() =>
        Sse(NamedEvents(
        [
            MessageStart("msg_01Conf0010Cut", Usage(21, 1)),
            ("content_block_start", """{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"""),
            ("ping", """{"type": "ping"}"""),
            ("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Paris is"}}"""),
        ]));

    // ───────────────────────────── fixtures (shapes from the Messages API reference and its streaming guide) ─────────────────────────────

    private static UsageDetails Expected(long input, long output) => new()
    {
        InputTokenCount = input, OutputTokenCount = output, TotalTokenCount = input + output, CachedInputTokenCount = 0,
    };

    private static JsonObject Usage(long input, long output, long cacheRead = 0, long cacheWrite = 0) => new()
    {
        ["input_tokens"] = input,
        ["cache_creation_input_tokens"] = cacheWrite,
        ["cache_read_input_tokens"] = cacheRead,
        ["cache_creation"] = new JsonObject { ["ephemeral_5m_input_tokens"] = cacheWrite, ["ephemeral_1h_input_tokens"] = 0 },
        ["output_tokens"] = output,
        ["service_tier"] = "standard",
    };

    private static JsonObject Text(string text) => new() { ["type"] = "text", ["text"] = text };

    private static JsonObject ToolUse(string id, string name, string input) =>
        new() { ["type"] = "tool_use", ["id"] = id, ["name"] = name, ["input"] = JsonNode.Parse(input) };

    private static JsonObject Thinking(string thinking, string signature) =>
        new() { ["type"] = "thinking", ["thinking"] = thinking, ["signature"] = signature };

    private static (string, string) MessageStart(string id, JsonObject? usage)
    {
        var message = new JsonObject
        {
            ["id"] = id, ["type"] = "message", ["role"] = "assistant", ["content"] = new JsonArray(), ["model"] = Model,
            ["stop_reason"] = null, ["stop_sequence"] = null,
        };
        if (usage is not null)
        {
            message["usage"] = usage;
        }

        return ("message_start", new JsonObject { ["type"] = "message_start", ["message"] = message }.ToJsonString());
    }

    /// <summary>A whole message, or the same message as the documented event sequence: text and thinking split in two deltas, tool input in three JSON fragments.</summary>
    private static HttpResponseMessage Message(string id, JsonObject[] blocks, string stopReason, JsonObject? usage, bool streaming)
    {
        if (!streaming)
        {
            var message = new JsonObject
            {
                ["id"] = id, ["type"] = "message", ["role"] = "assistant", ["model"] = Model,
                ["content"] = new JsonArray(blocks.Select(b => (JsonNode)b.DeepClone()).ToArray()),
                ["stop_reason"] = stopReason, ["stop_sequence"] = null,
            };
            if (usage is not null)
            {
                message["usage"] = usage;
            }

            return Json(message.ToJsonString(), HttpStatusCode.OK, ("request-id", "req_011CSHoEeqs5C35K2UUqR7Fy"));
        }

        JsonObject? startUsage = usage?.DeepClone().AsObject();
        if (startUsage is not null)
        {
            startUsage["output_tokens"] = 1;
        }

        var events = new List<(string, string)> { MessageStart(id, startUsage) };
        for (int index = 0; index < blocks.Length; index++)
        {
            JsonObject block = blocks[index];
            string type = block["type"]!.GetValue<string>();
            JsonObject start = type switch
            {
                "text" => new JsonObject { ["type"] = "text", ["text"] = string.Empty },
                "thinking" => new JsonObject { ["type"] = "thinking", ["thinking"] = string.Empty },
                _ => new JsonObject { ["type"] = "tool_use", ["id"] = block["id"]!.DeepClone(), ["name"] = block["name"]!.DeepClone(), ["input"] = new JsonObject() },
            };
            events.Add(("content_block_start", new JsonObject { ["type"] = "content_block_start", ["index"] = index, ["content_block"] = start }.ToJsonString()));
            if (index == 0)
            {
                events.Add(("ping", """{"type": "ping"}"""));
            }

            IEnumerable<JsonObject> deltas = type switch
            {
                "text" => Split(block["text"]!.GetValue<string>(), 2).Select(t => new JsonObject { ["type"] = "text_delta", ["text"] = t }),
                "thinking" => Split(block["thinking"]!.GetValue<string>(), 2).Select(t => new JsonObject { ["type"] = "thinking_delta", ["thinking"] = t })
                    .Append(new JsonObject { ["type"] = "signature_delta", ["signature"] = block["signature"]!.DeepClone() }),
                _ => new[] { string.Empty }.Concat(Split(block["input"]!.ToJsonString(), 3)).Select(j => new JsonObject { ["type"] = "input_json_delta", ["partial_json"] = j }),
            };
            foreach (JsonObject delta in deltas)
            {
                events.Add(("content_block_delta", new JsonObject { ["type"] = "content_block_delta", ["index"] = index, ["delta"] = delta }.ToJsonString()));
            }

            events.Add(("content_block_stop", $$"""{"type":"content_block_stop","index":{{index}}}"""));
        }

        var messageDelta = new JsonObject
        {
            ["type"] = "message_delta",
            ["delta"] = new JsonObject { ["stop_reason"] = stopReason, ["stop_sequence"] = null },
        };
        if (usage is not null)
        {
            messageDelta["usage"] = new JsonObject { ["output_tokens"] = usage["output_tokens"]!.DeepClone() };
        }

        events.Add(("message_delta", messageDelta.ToJsonString()));
        events.Add(("message_stop", """{"type":"message_stop"}"""));
        return Sse(NamedEvents(events), ("request-id", "req_011CSHoEeqs5C35K2UUqR7Fy"));
    }

    private static IEnumerable<string> Split(string text, int parts)
    {
        int size = Math.Max(1, (text.Length + parts - 1) / parts);
        for (int i = 0; i < text.Length;)
        {
            int n = Math.Min(size, text.Length - i);
            if (i + n < text.Length && char.IsHighSurrogate(text[i + n - 1]))
            {
                n++;
            }

            yield return text.Substring(i, n);
            i += n;
        }
    }

    private static string User(string text) => new JsonObject { ["role"] = "user", ["content"] = text }.ToJsonString();

    private static ExpectedRequest Body(params string[] messages) =>
        ExpectedRequest.Json($$"""{"model":"{{Model}}","max_tokens":64000,"messages":[{{string.Join(",", messages)}}]}""");

    private static ExpectedRequest With(ExpectedRequest request, string fields)
    {
        JsonObject body = JsonNode.Parse(request.Body!)!.AsObject();
        foreach ((string key, JsonNode? value) in JsonNode.Parse(fields)!.AsObject())
        {
            body[key] = value?.DeepClone();
        }

        return ExpectedRequest.Json(body.ToJsonString());
    }

    private static HttpResponseMessage Error(int status, string type, string message) =>
        Json(
            new JsonObject
            {
                ["type"] = "error",
                ["error"] = new JsonObject { ["type"] = type, ["message"] = message },
                ["request_id"] = "req_011CSHoEeqs5C35K2UUqR7Fy",
            }.ToJsonString(),
            (HttpStatusCode)status);
}
