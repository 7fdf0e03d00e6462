using System.Net;
using System.Text.Json.Nodes;
using static LlmRouting.Tests.Providers.Conformance.ConformanceHttp;
using static LlmRouting.Tests.Providers.Conformance.ConformanceInputs;

namespace LlmRouting.Tests.Providers.Conformance;

/// <summary>The conformance suite for <see cref="OpenAIChatCompletionsClient"/> against OpenAI's documented Chat Completions shapes.</summary>
[TestFixture]
public sealed class OpenAIConformanceTests : ProviderConformanceTests
{
    private const string Model = "gpt-4o-mini";
    private const string ReplyModel = "gpt-4o-mini-2024-07-18";
    private const string Weather = """{"type":"function","function":{"name":"get_weather","description":"Gets the current weather for a city.","parameters":{"type":"object","properties":{"city":{"type":"string","description":"City name"},"unit":{"type":"string","enum":["celsius","fahrenheit"]}},"required":["city"]}}}""";
    private const string Question = """{"role":"user","content":"What's the weather in Paris and Tokyo?"}""";

    protected override string ProviderName => "openai";

    protected override string ApiKey => "sk-proj-conformance-9d8c7b6a5f4e3d2c1b0a";

    protected override string RequestIdHeader => "x-request-id";

    protected override IChatClient CreateClient(HttpClient httpClient) =>
        new OpenAIChatCompletionsClient(httpClient, new OpenAIChatCompletionsClientOptions { ApiKey = new ApiKeySecret(ApiKey), DefaultModelId = Model });

    protected override string RequestUri(bool streaming) => "https://api.openai.com/v1/chat/completions";

    protected override void AssertRequestHeaders(ObservedRequest request, bool streaming)
    {
        Assert.That(request.Headers["Authorization"], Is.EqualTo("Bearer " + ApiKey));
        Assert.That(request.Headers["Accept"], Is.EqualTo(streaming ? "text/event-stream" : "application/json"));
    }

    protected override string ToStreamingBody(string body)
    {
        JsonObject o = JsonNode.Parse(body)!.AsObject();
        o["stream"] = true;
        o["stream_options"] = new JsonObject { ["include_usage"] = true };
        return o.ToJsonString();
    }

    protected override ExpectedRequest Expected(RequestSituation situation) => situation switch
    {
        RequestSituation.PlainText => Body(User("Hello")),
        RequestSituation.InstructionsSystemAndHistory => Body(
            $$"""{"role":"system","content":"{{Instructions}}"}""",
            """{"role":"system","content":"Answer in French."}""",
            User("Hi, I'm Ada."),
            """{"role":"assistant","content":"Bonjour Ada !"}""",
            User("What is my name?")),
        RequestSituation.ImageByUrl => Body("""{"role":"user","content":[{"type":"text","text":"Describe this image."},{"type":"image_url","image_url":{"url":"https://example.com/cat.jpg"}}]}"""),
        RequestSituation.ImageInline => Body($$$"""{"role":"user","content":[{"type":"text","text":"Describe this image."},{"type":"image_url","image_url":{"url":"data:image/png;base64,{{{PngBase64}}}"}}]}"""),
        RequestSituation.PdfDocument => Body($$$"""{"role":"user","content":[{"type":"file","file":{"filename":"report.pdf","file_data":"data:application/pdf;base64,{{{PdfBase64}}}"}},{"type":"text","text":"Summarise the report."}]}"""),
        RequestSituation.UnsupportedContent => ExpectedRequest.Rejected<NotSupportedException>("video/mp4"),
        RequestSituation.ToolsAuto => WithFields(Body(Question), $$"""{"tools":[{{Weather}}],"tool_choice":"auto"}"""),
        RequestSituation.ToolsRequireAny => WithFields(Body(Question), $$"""{"tools":[{{Weather}}],"tool_choice":"required"}"""),
        RequestSituation.ToolsRequireSpecific => WithFields(Body(Question), "{\"tools\":[" + Weather + "],\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}}"),
        RequestSituation.ToolsNone => WithFields(Body(Question), $$"""{"tools":[{{Weather}}],"tool_choice":"none"}"""),
        RequestSituation.ParallelToolCallsOff => WithFields(Body(Question), $$"""{"tools":[{{Weather}}],"parallel_tool_calls":false}"""),
        RequestSituation.ToolResultTurn => WithFields(
            Body(
                Question,
                """{"role":"assistant","content":"I'll check both cities.","tool_calls":[{"id":"call_paris01","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}},{"id":"call_tokyo02","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Tokyo\",\"unit\":\"celsius\"}"}}]}""",
                """{"role":"tool","tool_call_id":"call_paris01","content":"18°C, cloudy"}""",
                """{"role":"tool","tool_call_id":"call_tokyo02","content":"{\"temp\":24,\"sky\":\"clear\"}"}"""),
            $$"""{"tools":[{{Weather}}]}"""),

        // Chat Completions does not accept reasoning back: the reasoning block is left out, the answer is kept.
        RequestSituation.ReasoningInHistory => Body(User("What is 17 * 23?"), """{"role":"assistant","content":"391"}""", User("And 17 * 24?")),
        RequestSituation.ResponseFormatText => Body(User("Say hello.")),
        RequestSituation.ResponseFormatJson => WithFields(Body(User("Extract the person: Ada Lovelace, born 1815.")), """{"response_format":{"type":"json_object"}}"""),
        RequestSituation.ResponseFormatJsonSchema => WithFields(
            Body(User("Extract the person: Ada Lovelace, born 1815.")),
            "{\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"person\",\"description\":\"A person.\",\"schema\":" + PersonSchema.GetRawText() + "}}}"),
        RequestSituation.SamplingOptions => WithFields(Body(User("Hello")), """{"temperature":0.5,"top_p":0.9,"max_completion_tokens":300}"""),
        RequestSituation.SingleStopSequence => WithFields(Body(User("Count to ten.")), """{"stop":["END"]}"""),
        RequestSituation.TopK => ExpectedRequest.Rejected<NotSupportedException>("TopK"),
        RequestSituation.SeedAndPenalties => WithFields(Body(User("Hello")), """{"seed":42,"frequency_penalty":0.5,"presence_penalty":0.25}"""),
        RequestSituation.ReasoningEffort => WithFields(Body(User("What is 17 * 23?")), """{"reasoning_effort":"high","max_completion_tokens":20000}"""),
        RequestSituation.Unicode => Body(User(UnicodeText)),
        RequestSituation.EmptyUserText => Body(User(string.Empty)),
        RequestSituation.LongSystemPrompt => Body($$"""{"role":"system","content":"{{LongSystemPrompt}}"}""", User("Hello")),
        _ => throw new ArgumentOutOfRangeException(nameof(situation), situation, null),
    };

    protected override HttpResponseMessage Reply(ReplySituation reply, bool streaming) => reply switch
    {
        ReplySituation.Text => TextReply("chatcmpl-Conf0001Text", ReplyModel, AnswerText, streaming, TextUsage),
        ReplySituation.ParallelToolCalls => streaming ? Sse(DataEvents(ToolCallChunks, "[DONE]")) : Json(ToolCallCompletion),
        ReplySituation.JsonAnswer => TextReply("chatcmpl-Conf0003Json", ReplyModel, JsonAnswer, streaming, JsonUsage),
        ReplySituation.Unicode => TextReply("chatcmpl-Conf0004Unicode", ReplyModel, UnicodeText, streaming, UnicodeUsage),
        ReplySituation.Empty => TextReply("chatcmpl-Conf0005Empty", ReplyModel, string.Empty, streaming, EmptyUsage),
        ReplySituation.WithoutUsage => TextReply("chatcmpl-Conf0006NoUsage", ReplyModel, AnswerText, streaming, usage: null),
        ReplySituation.CachedUsage => TextReply("chatcmpl-Conf0007Cached", ReplyModel, AnswerText, streaming, CachedUsage),
        ReplySituation.Reasoning => TextReply("chatcmpl-Conf0008Reasoning", "o4-mini-2025-04-16", "391", streaming, ReasoningUsage),
        _ => throw new ArgumentOutOfRangeException(nameof(reply), reply, null),
    };

    protected override ExpectedReply Facts(ReplySituation reply) => reply switch
    {
        ReplySituation.Text => new() { ResponseId = "chatcmpl-Conf0001Text", ModelId = ReplyModel, Usage = Usage(21, 8, 0, 0) },
        ReplySituation.ParallelToolCalls => new()
        {
            ResponseId = "chatcmpl-Conf0002Tools", ModelId = "gpt-4o-2024-08-06", Usage = Usage(95, 60, 0, 0), CallIds = ["call_paris01", "call_tokyo02"],
        },
        ReplySituation.JsonAnswer => new() { ResponseId = "chatcmpl-Conf0003Json", ModelId = ReplyModel, Usage = Usage(70, 12, 0, 0) },
        ReplySituation.Unicode => new() { ResponseId = "chatcmpl-Conf0004Unicode", ModelId = ReplyModel, Usage = Usage(30, 28, 0, 0) },
        ReplySituation.Empty => new() { ResponseId = "chatcmpl-Conf0005Empty", ModelId = ReplyModel, Usage = Usage(9, 0, 0, 0) },
        ReplySituation.WithoutUsage => new() { ResponseId = "chatcmpl-Conf0006NoUsage", ModelId = ReplyModel, Usage = null },
        ReplySituation.CachedUsage => new() { ResponseId = "chatcmpl-Conf0007Cached", ModelId = ReplyModel, Usage = Usage(2048, 8, 1920, 0) },
        ReplySituation.Reasoning => new() { ResponseId = "chatcmpl-Conf0008Reasoning", ModelId = "o4-mini-2025-04-16", Usage = Usage(14, 210, 0, 192) },
        _ => throw new ArgumentOutOfRangeException(nameof(reply), reply, null),
    };

    protected override HttpResponseMessage? HttpError(LlmErrorKind kind) => kind switch
    {
        LlmErrorKind.BadRequest => Error(400, "Invalid value for 'temperature': must be between 0 and 2.", "invalid_request_error", "invalid_value", "temperature"),
        LlmErrorKind.Authentication => Error(401, $"Incorrect API key provided: {ApiKey}. You can find your API key at https://platform.openai.com/account/api-keys.", "invalid_request_error", "invalid_api_key"),
        LlmErrorKind.PermissionDenied => Error(403, "Country, region, or territory not supported", "request_forbidden", "unsupported_country_region_territory"),
        LlmErrorKind.NotFound => Error(404, "The model `gpt-9` does not exist or you do not have access to it.", "invalid_request_error", "model_not_found", "model"),
        LlmErrorKind.ContextLengthExceeded => Error(400, "This model's maximum context length is 128000 tokens. However, your messages resulted in 130512 tokens. Please reduce the length of the messages.", "invalid_request_error", "context_length_exceeded", "messages"),
        LlmErrorKind.ContentFiltered => Error(400, "Your request was rejected as a result of our safety system.", "invalid_request_error", "content_policy_violation"),
        LlmErrorKind.QuotaExceeded => Error(429, "You exceeded your current quota, please check your plan and billing details.", "insufficient_quota", "insufficient_quota"),
        LlmErrorKind.RateLimited => Error(429, "Rate limit reached for gpt-4o-mini in organization org-abc on requests per min (RPM): Limit 500, Used 500, Requested 1.", "requests", "rate_limit_exceeded"),
        LlmErrorKind.ServerError => Error(500, "The server had an error while processing your request. Sorry about that!", "server_error", null),
        LlmErrorKind.Overloaded => Error(503, "The engine is currently overloaded, please try again later.", "server_error", null),
        LlmErrorKind.Timeout => Json(string.Empty, HttpStatusCode.RequestTimeout),
        _ => null,
    };

    protected override (HttpResponseMessage Reply, LlmErrorKind Kind) StreamErrorEvent() =>
        (Sse(DataEvents([Chunk("chatcmpl-Conf0009", ReplyModel, """{"role":"assistant","content":""}""", null), Chunk("chatcmpl-Conf0009", ReplyModel, """{"content":"Paris is"}""", null), ErrorBody("The server had an error while processing your request. Sorry about that!", "server_error", null)])), LlmErrorKind.ServerError);

    protected override (HttpResponseMessage Reply, LlmErrorKind Kind)? ErrorInSuccessfulReply() =>
        (Json(ErrorBody("The server had an error while processing your request. Sorry about that!", "server_error", null)), LlmErrorKind.ServerError);

    protected override HttpResponseMessage TruncatedStream() =>
        Sse(DataEvents([Chunk("chatcmpl-Conf0010", ReplyModel, """{"role":"assistant","content":""}""", null), Chunk("chatcmpl-Conf0010", ReplyModel, """{"content":"Paris is"}""", null)]));

    // ───────────────────────────── fixtures (shapes from OpenAI's Chat Completions reference) ─────────────────────────────

    private const string TextUsage = """{"prompt_tokens":21,"completion_tokens":8,"total_tokens":29,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}""";
    private const string JsonUsage = """{"prompt_tokens":70,"completion_tokens":12,"total_tokens":82,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}""";
    private const string UnicodeUsage = """{"prompt_tokens":30,"completion_tokens":28,"total_tokens":58,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}""";
    private const string EmptyUsage = """{"prompt_tokens":9,"completion_tokens":0,"total_tokens":9,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}""";
    private const string CachedUsage = """{"prompt_tokens":2048,"completion_tokens":8,"total_tokens":2056,"prompt_tokens_details":{"cached_tokens":1920,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}""";
    private const string ReasoningUsage = """{"prompt_tokens":14,"completion_tokens":210,"total_tokens":224,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":192,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}""";

    private const string ToolCallCompletion = """
        {
          "id": "chatcmpl-Conf0002Tools",
          "object": "chat.completion",
          "created": 1741570000,
          "model": "gpt-4o-2024-08-06",
          "choices": [{
            "index": 0,
            "message": {
              "role": "assistant",
              "content": "I'll check both cities.",
              "refusal": null,
              "tool_calls": [
                { "id": "call_paris01", "type": "function", "function": { "name": "get_weather", "arguments": "{\"city\":\"Paris\"}" } },
                { "id": "call_tokyo02", "type": "function", "function": { "name": "get_weather", "arguments": "{\"city\":\"Tokyo\"}" } }
              ],
              "annotations": []
            },
            "logprobs": null,
            "finish_reason": "tool_calls"
          }],
          "usage": { "prompt_tokens": 95, "completion_tokens": 60, "total_tokens": 155, "prompt_tokens_details": { "cached_tokens": 0, "audio_tokens": 0 }, "completion_tokens_details": { "reasoning_tokens": 0, "audio_tokens": 0, "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0 } },
          "service_tier": "default",
          "system_fingerprint": "fp_a7d06e42a7"
        }
        """;

    private static readonly string[] ToolCallChunks =
    [
        Chunk("chatcmpl-Conf0002Tools", "gpt-4o-2024-08-06", """{"role":"assistant","content":"I'll check ","refusal":null}""", null),
        Chunk("chatcmpl-Conf0002Tools", "gpt-4o-2024-08-06", """{"content":"both cities."}""", null),
        Chunk("chatcmpl-Conf0002Tools", "gpt-4o-2024-08-06", """{"tool_calls":[{"index":0,"id":"call_paris01","type":"function","function":{"name":"get_weather","arguments":""}}]}""", null),
        Chunk("chatcmpl-Conf0002Tools", "gpt-4o-2024-08-06", """{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]}""", null),
        Chunk("chatcmpl-Conf0002Tools", "gpt-4o-2024-08-06", """{"tool_calls":[{"index":1,"id":"call_tokyo02","type":"function","function":{"name":"get_weather","arguments":""}}]}""", null),
        Chunk("chatcmpl-Conf0002Tools", "gpt-4o-2024-08-06", """{"tool_calls":[{"index":0,"function":{"arguments":"\"Paris\"}"}}]}""", null),
        Chunk("chatcmpl-Conf0002Tools", "gpt-4o-2024-08-06", """{"tool_calls":[{"index":1,"function":{"arguments":"{\"city\":\"Tokyo\"}"}}]}""", null),
        Chunk("chatcmpl-Conf0002Tools", "gpt-4o-2024-08-06", "{}", "tool_calls"),
        UsageChunk("chatcmpl-Conf0002Tools", "gpt-4o-2024-08-06", """{"prompt_tokens":95,"completion_tokens":60,"total_tokens":155,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}"""),
    ];

    private static UsageDetails Usage(long input, long output, long cached, long reasoning) => new()
    {
        InputTokenCount = input,
        OutputTokenCount = output,
        TotalTokenCount = input + output,
        CachedInputTokenCount = cached,
        ReasoningTokenCount = reasoning,
    };

    private static string User(string text) => new JsonObject { ["role"] = "user", ["content"] = text }.ToJsonString();

    private static ExpectedRequest Body(params string[] messages) =>
        ExpectedRequest.Json($$"""{"model":"{{Model}}","messages":[{{string.Join(",", messages)}}]}""");

    private static ExpectedRequest WithFields(ExpectedRequest request, string fields)
    {
        JsonObject body = JsonNode.Parse(request.Body!)!.AsObject();
        foreach ((string key, JsonNode? value) in JsonNode.Parse(fields)!.AsObject())
        {
            body[key] = value?.DeepClone();
        }

        return ExpectedRequest.Json(body.ToJsonString());
    }

    /// <summary>A whole completion, or the same answer as chunks split in two deltas, a finish chunk and (when there is usage) a usage chunk.</summary>
    private static HttpResponseMessage TextReply(string id, string model, string text, bool streaming, string? usage)
    {
        if (!streaming)
        {
            var completion = new JsonObject
            {
                ["id"] = id,
                ["object"] = "chat.completion",
                ["created"] = 1741569952,
                ["model"] = model,
                ["choices"] = new JsonArray(new JsonObject
                {
                    ["index"] = 0,
                    ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = text, ["refusal"] = null, ["annotations"] = new JsonArray() },
                    ["logprobs"] = null,
                    ["finish_reason"] = "stop",
                }),
                ["service_tier"] = "default",
                ["system_fingerprint"] = "fp_06737a9306",
            };
            if (usage is not null)
            {
                completion["usage"] = JsonNode.Parse(usage);
            }

            return Json(completion.ToJsonString());
        }

        int half = text.Length / 2;
        if (half > 0 && char.IsLowSurrogate(text[half]))
        {
            half++;
        }

        var chunks = new List<string> { Chunk(id, model, """{"role":"assistant","content":"","refusal":null}""", null) };
        foreach (string part in new[] { text[..half], text[half..] })
        {
            if (part.Length > 0)
            {
                chunks.Add(Chunk(id, model, new JsonObject { ["content"] = part }.ToJsonString(), null));
            }
        }

        chunks.Add(Chunk(id, model, "{}", "stop"));
        if (usage is not null)
        {
            chunks.Add(UsageChunk(id, model, usage));
        }

        return Sse(DataEvents(chunks, "[DONE]"));
    }

    private static string Chunk(string id, string model, string delta, string? finishReason) =>
        $$"""{"id":"{{id}}","object":"chat.completion.chunk","created":1741569952,"model":"{{model}}","service_tier":"default","system_fingerprint":"fp_06737a9306","choices":[{"index":0,"delta":{{delta}},"logprobs":null,"finish_reason":{{(finishReason is null ? "null" : "\"" + finishReason + "\"")}}}],"usage":null}""";

    private static string UsageChunk(string id, string model, string usage) =>
        $$"""{"id":"{{id}}","object":"chat.completion.chunk","created":1741569952,"model":"{{model}}","service_tier":"default","system_fingerprint":"fp_06737a9306","choices":[],"usage":{{usage}}}""";

    private static string ErrorBody(string message, string? type, string? code, string? param = null) =>
        new JsonObject { ["error"] = new JsonObject { ["message"] = message, ["type"] = type, ["param"] = param, ["code"] = code } }.ToJsonString();

    private static HttpResponseMessage Error(int status, string message, string? type, string? code, string? param = null) =>
        Json(ErrorBody(message, type, code, param), (HttpStatusCode)status);
}
