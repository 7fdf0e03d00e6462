using System.Net;
using System.Text.Json.Nodes;
using static LlmRouting.Tests.Providers.Conformance.ConformanceHttp;
using static LlmRouting.Tests.Providers.Conformance.ConformanceInputs;

namespace LlmRouting.Tests.Providers.Conformance;

/// <summary>The conformance suite for <see cref="CohereChatClient"/> against the documented Chat API v2 shapes.</summary>
/// <remarks>
/// Usage is Cohere's billed units; the model's own token counts (which include Cohere's prompt template) are in the additional counts.
/// Cohere does not name the model in replies, so the model id is the one asked.
/// </remarks>
[TestFixture]
public sealed class CohereConformanceTests : ProviderConformanceTests
{
    private const string Model = "command-a-03-2025";
    private const string Weather = """{"type":"function","function":{"name":"get_weather","description":"Gets the current weather for a city.","parameters":{"type":"object","properties":{"city":{"type":"string","description":"City name"},"unit":{"type":"string","enum":["celsius","fahrenheit"]}},"required":["city"]}}}""";
    private const string Question = """{"role":"user","content":"What's the weather in Paris and Tokyo?"}""";

    protected override string ProviderName => "cohere";

    protected override string ApiKey => "co-conformance-9e8d7c6b5a4f3e2d1c0b";

    protected override string RequestIdHeader => "x-debug-trace-id";

    protected override IChatClient CreateClient(HttpClient httpClient) =>
        new CohereChatClient(httpClient, new CohereChatClientOptions { ApiKey = new ApiKeySecret(ApiKey), DefaultModelId = Model });

    protected override string RequestUri(bool streaming) => "https://api.cohere.com/v2/chat";

    protected override void AssertRequestHeaders(ObservedRequest request, bool streaming)
    {
        Assert.That(request.Headers["Authorization"], Is.EqualTo("Bearer " + ApiKey));
        Assert.That(request.Headers["Accept"], Is.EqualTo(streaming ? "text/event-stream" : "application/json"));
    }

    protected override ExpectedRequest Expected(RequestSituation situation) => situation switch
    {
        RequestSituation.PlainText => Body(User("Hello")),
        RequestSituation.InstructionsSystemAndHistory => Body(
            System(Instructions), System("Answer in French."), User("Hi, I'm Ada."), """{"role":"assistant","content":"Bonjour Ada !"}""", User("What is my name?")),
        RequestSituation.ImageByUrl => Body("""{"role":"user","content":[{"type":"text","text":"Describe this image."},{"type":"image_url","image_url":{"url":"https://example.com/cat.jpg"}}]}"""),
        RequestSituation.ImageInline => Body("{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Describe this image.\"},{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64," + PngBase64 + "\"}}]}"),

        // Cohere's chat takes images only; documents go through its own "documents" field, which has no M.E.AI counterpart.
        RequestSituation.PdfDocument => ExpectedRequest.Rejected<NotSupportedException>("application/pdf"),
        RequestSituation.UnsupportedContent => ExpectedRequest.Rejected<NotSupportedException>("video/mp4"),
        RequestSituation.ToolsAuto => With(Body(Question), "{\"tools\":[" + Weather + "]}"),
        RequestSituation.ToolsRequireAny => With(Body(Question), "{\"tools\":[" + Weather + "],\"tool_choice\":\"REQUIRED\"}"),

        // Cohere cannot name the tool to call: only the required one is offered, and a call is required.
        RequestSituation.ToolsRequireSpecific => With(Body(Question), "{\"tools\":[" + Weather + "],\"tool_choice\":\"REQUIRED\"}"),
        RequestSituation.ToolsNone => With(Body(Question), "{\"tools\":[" + Weather + "],\"tool_choice\":\"NONE\"}"),
        RequestSituation.ParallelToolCallsOff => ExpectedRequest.Rejected<NotSupportedException>("AllowMultipleToolCalls"),
        RequestSituation.ToolResultTurn => With(
            Body(
                Question,
                """{"role":"assistant","tool_plan":"I'll check both cities.","tool_calls":[{"id":"call_paris01","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}},{"id":"call_tokyo02","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Tokyo\",\"unit\":\"celsius\"}"}}]}""",
                """{"role":"tool","tool_call_id":"call_paris01","content":"18°C, cloudy"}""",
                """{"role":"tool","tool_call_id":"call_tokyo02","content":"{\"temp\":24,\"sky\":\"clear\"}"}"""),
            "{\"tools\":[" + Weather + "]}"),
        RequestSituation.ReasoningInHistory => Body(
            User("What is 17 * 23?"),
            new JsonObject
            {
                ["role"] = "assistant",
                ["content"] = new JsonArray(
                    new JsonObject { ["type"] = "thinking", ["thinking"] = ReasoningText },
                    new JsonObject { ["type"] = "text", ["text"] = "391" }),
            }.ToJsonString(),
            User("And 17 * 24?")),
        RequestSituation.ResponseFormatText => Body(User("Say hello.")),
        RequestSituation.ResponseFormatJson => With(Body(User("Extract the person: Ada Lovelace, born 1815.")), """{"response_format":{"type":"json_object"}}"""),
        RequestSituation.ResponseFormatJsonSchema => With(
            Body(User("Extract the person: Ada Lovelace, born 1815.")),
            """{"response_format":{"type":"json_object","json_schema":{"description":"A person.","type":"object","properties":{"name":{"type":"string"},"born":{"type":"integer"}},"required":["name","born"],"additionalProperties":false}}}"""),
        RequestSituation.SamplingOptions => With(Body(User("Hello")), """{"temperature":0.5,"p":0.9,"max_tokens":300}"""),
        RequestSituation.SingleStopSequence => With(Body(User("Count to ten.")), """{"stop_sequences":["END"]}"""),
        RequestSituation.TopK => With(Body(User("Hello")), """{"k":40}"""),
        RequestSituation.SeedAndPenalties => With(Body(User("Hello")), """{"seed":42,"frequency_penalty":0.5,"presence_penalty":0.25}"""),
        RequestSituation.ReasoningEffort => With(Body(User("What is 17 * 23?")), """{"max_tokens":20000,"thinking":{"type":"enabled","token_budget":24576}}"""),
        RequestSituation.Unicode => Body(User(UnicodeText)),
        RequestSituation.EmptyUserText => ExpectedRequest.Rejected<ArgumentException>("non-empty content"),
        RequestSituation.LongSystemPrompt => Body(System(LongSystemPrompt), User("Hello")),
        _ => throw new ArgumentOutOfRangeException(nameof(situation), situation, null),
    };

    protected override HttpResponseMessage Reply(ReplySituation reply, bool streaming) => reply switch
    {
        ReplySituation.Text => Response("0f3c2d1e-aaaa-4bbb-8ccc-000000000001", null, [Text(AnswerText)], [], "COMPLETE", Usage(7, 8, 71, 8), streaming),
        ReplySituation.ParallelToolCalls => Response(
            "0f3c2d1e-aaaa-4bbb-8ccc-000000000002",
            ToolPreamble,
            [],
            [("get_weather_p1t92w7gfgq7", "get_weather", "{\n    \"city\": \"Paris\"\n}"), ("get_weather_ay6nmvjgp9vn", "get_weather", "{\n    \"city\": \"Tokyo\"\n}")],
            "TOOL_CALL",
            Usage(37, 28, 913, 83),
            streaming),
        ReplySituation.JsonAnswer => Response("0f3c2d1e-aaaa-4bbb-8ccc-000000000003", null, [Text("""{"name": "Ada Lovelace", "born": 1815}""")], [], "COMPLETE", Usage(14, 12, 120, 12), streaming),
        ReplySituation.Unicode => Response("0f3c2d1e-aaaa-4bbb-8ccc-000000000004", null, [Text(UnicodeText)], [], "COMPLETE", Usage(20, 22, 86, 22), streaming),
        ReplySituation.Empty => Response("0f3c2d1e-aaaa-4bbb-8ccc-000000000005", null, [], [], "COMPLETE", Usage(3, 0, 69, 0), streaming),
        ReplySituation.WithoutUsage => Response("0f3c2d1e-aaaa-4bbb-8ccc-000000000006", null, [Text(AnswerText)], [], "COMPLETE", null, streaming),
        ReplySituation.CachedUsage => Response("0f3c2d1e-aaaa-4bbb-8ccc-000000000007", null, [Text(AnswerText)], [], "COMPLETE", Usage(2040, 8, 2104, 8, cached: 1920), streaming),
        ReplySituation.Reasoning => Response("0f3c2d1e-aaaa-4bbb-8ccc-000000000008", null, [Thinking(ReasoningText), Text("391")], [], "COMPLETE", Usage(12, 40, 530, 40), streaming),
        _ => throw new ArgumentOutOfRangeException(nameof(reply), reply, null),
    };

    protected override ExpectedReply Facts(ReplySituation reply) => reply switch
    {
        ReplySituation.Text => new() { ResponseId = "0f3c2d1e-aaaa-4bbb-8ccc-000000000001", ModelId = Model, Usage = Expected(7, 8, 71, 8) },
        ReplySituation.ParallelToolCalls => new()
        {
            ResponseId = "0f3c2d1e-aaaa-4bbb-8ccc-000000000002", ModelId = Model, Usage = Expected(37, 28, 913, 83),
            CallIds = ["get_weather_p1t92w7gfgq7", "get_weather_ay6nmvjgp9vn"],
        },
        ReplySituation.JsonAnswer => new() { ResponseId = "0f3c2d1e-aaaa-4bbb-8ccc-000000000003", ModelId = Model, Usage = Expected(14, 12, 120, 12) },
        ReplySituation.Unicode => new() { ResponseId = "0f3c2d1e-aaaa-4bbb-8ccc-000000000004", ModelId = Model, Usage = Expected(20, 22, 86, 22) },
        ReplySituation.Empty => new() { ResponseId = "0f3c2d1e-aaaa-4bbb-8ccc-000000000005", ModelId = Model, Usage = Expected(3, 0, 69, 0) },
        ReplySituation.WithoutUsage => new() { ResponseId = "0f3c2d1e-aaaa-4bbb-8ccc-000000000006", ModelId = Model, Usage = null },
        ReplySituation.CachedUsage => new() { ResponseId = "0f3c2d1e-aaaa-4bbb-8ccc-000000000007", ModelId = Model, Usage = Expected(2040, 8, 2104, 8, cached: 1920) },
        ReplySituation.Reasoning => new()
        {
            ResponseId = "0f3c2d1e-aaaa-4bbb-8ccc-000000000008", ModelId = Model, Usage = Expected(12, 40, 530, 40), ReasoningText = ReasoningText, ReasoningProtectedData = null,
        },
        _ => throw new ArgumentOutOfRangeException(nameof(reply), reply, null),
    };

    protected override HttpResponseMessage? HttpError(LlmErrorKind kind) => kind switch
    {
        LlmErrorKind.BadRequest => Error(400, "invalid request: message must be at least 1 token long or tool results must be specified."),
        LlmErrorKind.Authentication => Error(401, "invalid api token"),
        LlmErrorKind.PermissionDenied => Error(403, "Forbidden: this model is not available for your organization."),
        LlmErrorKind.NotFound => Error(404, "model 'command-z' not found, make sure the correct model ID was used and that you have access to the model."),
        LlmErrorKind.ContextLengthExceeded => Error(400, "too many tokens: total number of tokens in the prompt cannot exceed 256000 - received 291337. Try using a shorter prompt"),
        LlmErrorKind.ContentFiltered => Error(498, "blocked output: the response contains a deny-listed token"),
        LlmErrorKind.QuotaExceeded => Error(429, "You are using a Trial key, which is limited to 1000 API calls / month. You can continue to use the Trial key for free or upgrade to a Production key with higher rate limits."),
        LlmErrorKind.RateLimited => Error(429, "You are using a Trial key, which is limited to 20 API calls / minute. You can continue to use the Trial key for free or upgrade to a Production key with higher rate limits."),
        LlmErrorKind.ServerError => Error(500, "internal server error, this has been reported to our developers"),
        LlmErrorKind.Overloaded => Error(503, "service unavailable"),
        LlmErrorKind.Timeout => Error(504, "gateway timeout"),
        _ => null,
    };

    protected override (HttpResponseMessage Reply, LlmErrorKind Kind) StreamErrorEvent() =>
        (Sse(Events(
        [
            MessageStart("0f3c2d1e-aaaa-4bbb-8ccc-000000000009"),
            """{"type":"content-start","index":0,"delta":{"message":{"content":{"type":"text","text":""}}}}""",
            """{"type":"content-delta","index":0,"delta":{"message":{"content":{"text":"Paris is"}}}}""",
            """{"type":"message-end","delta":{"error":"internal server error, this has been reported to our developers"}}""",
        ])), LlmErrorKind.ServerError);

    /// <summary>A generation that failed is reported in an HTTP 200 reply with finish reason ERROR.</summary>
    protected override (HttpResponseMessage Reply, LlmErrorKind Kind)? ErrorInSuccessfulReply() =>
        (Json("""{"id":"0f3c2d1e-aaaa-4bbb-8ccc-000000000011","finish_reason":"ERROR","message":{"role":"assistant","content":[{"type":"text","text":"Paris"}]}}"""),
            LlmErrorKind.ServerError);

    protected override HttpResponseMessage TruncatedStream() =>
        Sse(Events(
        [
            MessageStart("0f3c2d1e-aaaa-4bbb-8ccc-000000000010"),
            """{"type":"content-start","index":0,"delta":{"message":{"content":{"type":"text","text":""}}}}""",
            """{"type":"content-delta","index":0,"delta":{"message":{"content":{"text":"Paris is"}}}}""",
        ]));

    // ───────────────────────────── fixtures (Chat v2 reply and stream events as documented) ─────────────────────────────

    private static UsageDetails Expected(long billedIn, long billedOut, long tokensIn, long tokensOut, long? cached = null) => new()
    {
        InputTokenCount = billedIn,
        OutputTokenCount = billedOut,
        TotalTokenCount = billedIn + billedOut,
        CachedInputTokenCount = cached,
        AdditionalCounts = new() { [CohereChatClient.ModelInputTokensKey] = tokensIn, [CohereChatClient.ModelOutputTokensKey] = tokensOut },
    };

    private static JsonObject Usage(long billedIn, long billedOut, long tokensIn, long tokensOut, long? cached = null)
    {
        var usage = new JsonObject
        {
            ["billed_units"] = new JsonObject { ["input_tokens"] = billedIn, ["output_tokens"] = billedOut },
            ["tokens"] = new JsonObject { ["input_tokens"] = tokensIn, ["output_tokens"] = tokensOut },
        };
        if (cached is not null)
        {
            usage["cached_tokens"] = cached;
        }

        return usage;
    }

    private static JsonObject Text(string text) => new() { ["type"] = "text", ["text"] = text };

    private static JsonObject Thinking(string thinking) => new() { ["type"] = "thinking", ["thinking"] = thinking };

    private static string MessageStart(string id) =>
        new JsonObject
        {
            ["id"] = id,
            ["type"] = "message-start",
            ["delta"] = new JsonObject
            {
                ["message"] = new JsonObject
                {
                    ["role"] = "assistant", ["content"] = new JsonArray(), ["tool_plan"] = string.Empty, ["tool_calls"] = new JsonArray(), ["citations"] = new JsonArray(),
                },
            },
        }.ToJsonString();

    private static string Events(IEnumerable<string> events)
    {
        var sb = new System.Text.StringBuilder();
        foreach (string data in events)
        {
            sb.Append("event: ").Append(JsonNode.Parse(data)!["type"]!.GetValue<string>()).Append('\n').Append("data: ").Append(data).Append("\n\n");
        }

        return sb.ToString();
    }

    /// <summary>A whole reply, or the same reply as Cohere's event stream: text and thinking in two deltas each, the tool plan in two deltas, each call's arguments in three.</summary>
    private static HttpResponseMessage Response(
        string id, string? toolPlan, JsonObject[] content, (string Id, string Name, string Arguments)[] calls, string finishReason, JsonObject? usage, bool streaming)
    {
        (string, string)[] headers = [("x-debug-trace-id", "d3b07384d113edec49eaa6238ad5ff00")];
        if (!streaming)
        {
            var message = new JsonObject { ["role"] = "assistant" };
            if (toolPlan is not null)
            {
                message["tool_plan"] = toolPlan;
            }

            if (calls.Length > 0)
            {
                message["tool_calls"] = new JsonArray(calls.Select(c => (JsonNode)new JsonObject
                {
                    ["id"] = c.Id, ["type"] = "function", ["function"] = new JsonObject { ["name"] = c.Name, ["arguments"] = c.Arguments },
                }).ToArray());
            }
            else
            {
                message["content"] = new JsonArray(content.Select(c => (JsonNode)c.DeepClone()).ToArray());
            }

            var reply = new JsonObject { ["id"] = id, ["finish_reason"] = finishReason, ["message"] = message };
            if (usage is not null)
            {
                reply["usage"] = usage.DeepClone();
            }

            return Json(reply.ToJsonString(), HttpStatusCode.OK, headers);
        }

        var events = new List<string> { MessageStart(id) };
        foreach (string piece in Split(toolPlan ?? string.Empty, 2))
        {
            events.Add(new JsonObject { ["type"] = "tool-plan-delta", ["delta"] = new JsonObject { ["message"] = new JsonObject { ["tool_plan"] = piece } } }.ToJsonString());
        }

        for (int index = 0; index < content.Length; index++)
        {
            string type = content[index]["type"]!.GetValue<string>();
            string value = content[index][type == "thinking" ? "thinking" : "text"]!.GetValue<string>();
            events.Add(Delta("content-start", index, new JsonObject { ["content"] = new JsonObject { ["type"] = type, [type == "thinking" ? "thinking" : "text"] = string.Empty } }));
            foreach (string piece in Split(value, 2))
            {
                events.Add(Delta("content-delta", index, new JsonObject { ["content"] = new JsonObject { [type == "thinking" ? "thinking" : "text"] = piece } }));
            }

            events.Add($$"""{"type":"content-end","index":{{index}}}""");
        }

        for (int index = 0; index < calls.Length; index++)
        {
            (string callId, string name, string arguments) = calls[index];
            events.Add(Delta("tool-call-start", index, new JsonObject
            {
                ["tool_calls"] = new JsonObject { ["id"] = callId, ["type"] = "function", ["function"] = new JsonObject { ["name"] = name, ["arguments"] = string.Empty } },
            }));
            foreach (string piece in Split(arguments, 3))
            {
                events.Add(Delta("tool-call-delta", index, new JsonObject { ["tool_calls"] = new JsonObject { ["function"] = new JsonObject { ["arguments"] = piece } } }));
            }

            events.Add($$"""{"type":"tool-call-end","index":{{index}}}""");
        }

        var end = new JsonObject { ["finish_reason"] = finishReason };
        if (usage is not null)
        {
            end["usage"] = usage.DeepClone();
        }

        events.Add(new JsonObject { ["type"] = "message-end", ["delta"] = end }.ToJsonString());
        return Sse(Events(events), headers);
    }

    private static string Delta(string type, int index, JsonObject message) =>
        new JsonObject { ["type"] = type, ["index"] = index, ["delta"] = new JsonObject { ["message"] = message } }.ToJsonString();

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

    private static string System(string text) => new JsonObject { ["role"] = "system", ["content"] = text }.ToJsonString();

    private static ExpectedRequest Body(params string[] messages) =>
        ExpectedRequest.Json($$"""{"model":"{{Model}}","messages":[{{string.Join(",", messages)}}]}""");

    private static ExpectedRequest With(ExpectedRequest request, string fields)
    {
        JsonObject body = JsonNode.Parse(request.Body!)!.AsObject();
        foreach ((string key, JsonNode? value) in JsonNode.Parse(fields)!.AsObject())
        {
            body[key] = value?.DeepClone();
        }

        return ExpectedRequest.Json(body.ToJsonString());
    }

    private static HttpResponseMessage Error(int status, string message) =>
        Json(new JsonObject { ["id"] = "7e0f6c1d-2b3a-4c5d-9e8f-0a1b2c3d4e5f", ["message"] = message }.ToJsonString(), (HttpStatusCode)status);
}
