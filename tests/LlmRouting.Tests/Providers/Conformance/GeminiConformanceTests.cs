using System.Net;
using System.Text.Json.Nodes;
using static LlmRouting.Tests.Providers.Conformance.ConformanceHttp;
using static LlmRouting.Tests.Providers.Conformance.ConformanceInputs;

namespace LlmRouting.Tests.Providers.Conformance;

/// <summary>The conformance suite for <see cref="GeminiChatClient"/> against the documented generateContent / streamGenerateContent shapes.</summary>
/// <remarks>
/// The model is <c>gemini-2.5-flash</c> (reasoning effort becomes a <c>thinkingBudget</c>). Streamed requests carry the same body as unary ones;
/// the endpoint differs. Streams are <c>data:</c> events without a terminator; the last carries <c>finishReason</c> and the final usage.
/// </remarks>
[TestFixture]
public sealed class GeminiConformanceTests : ProviderConformanceTests
{
    private const string Model = "gemini-2.5-flash";
    private const string Weather = """{"name":"get_weather","description":"Gets the current weather for a city.","parameters":{"type":"OBJECT","properties":{"city":{"type":"STRING","description":"City name"},"unit":{"type":"STRING","enum":["celsius","fahrenheit"]}},"required":["city"]}}""";
    private const string Question = """{"role":"user","parts":[{"text":"What's the weather in Paris and Tokyo?"}]}""";

    protected override string ProviderName => "gemini";

    protected override string ApiKey => "AIzaSyConformance-4b3a29180f7e6d5c";

    protected override string RequestIdHeader => "x-goog-request-id";

    protected override IChatClient CreateClient(HttpClient httpClient) =>
        new GeminiChatClient(httpClient, new GeminiChatClientOptions { ApiKey = new ApiKeySecret(ApiKey), DefaultModelId = Model });

    protected override string RequestUri(bool streaming) =>
        $"https://generativelanguage.googleapis.com/v1beta/models/{Model}:" + (streaming ? "streamGenerateContent?alt=sse" : "generateContent");

    protected override void AssertRequestHeaders(ObservedRequest request, bool streaming)
    {
        Assert.That(request.Headers["x-goog-api-key"], Is.EqualTo(ApiKey));
        Assert.That(request.Headers["Accept"], Is.EqualTo(streaming ? "text/event-stream" : "application/json"));
        Assert.That(request.Headers.ContainsKey("Authorization"), Is.False);
        Assert.That(request.Uri!.Query, Does.Not.Contain("key="), "the key travels in a header, not in the URL");
    }

    /// <summary>Gemini's streamed request has the same body; only the method in the URL changes.</summary>
    protected override string ToStreamingBody(string body) => body;

    protected override ExpectedRequest Expected(RequestSituation situation) => situation switch
    {
        RequestSituation.PlainText => Body(User("Hello")),
        RequestSituation.InstructionsSystemAndHistory => With(
            Body(User("Hi, I'm Ada."), """{"role":"model","parts":[{"text":"Bonjour Ada !"}]}""", User("What is my name?")),
            $$$"""{"systemInstruction":{"parts":[{"text":"{{{Instructions}}}"},{"text":"Answer in French."}]}}"""),
        RequestSituation.ImageByUrl => Body("""{"role":"user","parts":[{"text":"Describe this image."},{"fileData":{"mimeType":"image/jpeg","fileUri":"https://example.com/cat.jpg"}}]}"""),
        RequestSituation.ImageInline => Body("{\"role\":\"user\",\"parts\":[{\"text\":\"Describe this image.\"},{\"inlineData\":{\"mimeType\":\"image/png\",\"data\":\"" + PngBase64 + "\"}}]}"),
        RequestSituation.PdfDocument => Body("{\"role\":\"user\",\"parts\":[{\"inlineData\":{\"mimeType\":\"application/pdf\",\"data\":\"" + PdfBase64 + "\"}},{\"text\":\"Summarise the report.\"}]}"),

        // Gemini understands video natively: the clip is sent, not rejected.
        RequestSituation.UnsupportedContent => Body("""{"role":"user","parts":[{"text":"What happens in this clip?"},{"inlineData":{"mimeType":"video/mp4","data":"AAAAGA=="}}]}"""),
        RequestSituation.ToolsAuto => With(Body(Question), "{\"tools\":[{\"functionDeclarations\":[" + Weather + "]}],\"toolConfig\":{\"functionCallingConfig\":{\"mode\":\"AUTO\"}}}"),
        RequestSituation.ToolsRequireAny => With(Body(Question), "{\"tools\":[{\"functionDeclarations\":[" + Weather + "]}],\"toolConfig\":{\"functionCallingConfig\":{\"mode\":\"ANY\"}}}"),
        RequestSituation.ToolsRequireSpecific => With(Body(Question), "{\"tools\":[{\"functionDeclarations\":[" + Weather + "]}],\"toolConfig\":{\"functionCallingConfig\":{\"mode\":\"ANY\",\"allowedFunctionNames\":[\"get_weather\"]}}}"),
        RequestSituation.ToolsNone => With(Body(Question), "{\"tools\":[{\"functionDeclarations\":[" + Weather + "]}],\"toolConfig\":{\"functionCallingConfig\":{\"mode\":\"NONE\"}}}"),
        RequestSituation.ParallelToolCallsOff => ExpectedRequest.Rejected<NotSupportedException>("AllowMultipleToolCalls"),

        // The ids came from another provider: they are sent as the calls' ids; every function response carries the real function name.
        RequestSituation.ToolResultTurn => With(
            Body(
                Question,
                """{"role":"model","parts":[{"text":"I'll check both cities."},{"functionCall":{"id":"call_paris01","name":"get_weather","args":{"city":"Paris"}}},{"functionCall":{"id":"call_tokyo02","name":"get_weather","args":{"city":"Tokyo","unit":"celsius"}}}]}""",
                """{"role":"user","parts":[{"functionResponse":{"id":"call_paris01","name":"get_weather","response":{"output":"18°C, cloudy"}}},{"functionResponse":{"id":"call_tokyo02","name":"get_weather","response":{"temp":24,"sky":"clear"}}}]}"""),
            "{\"tools\":[{\"functionDeclarations\":[" + Weather + "]}]}"),
        RequestSituation.ReasoningInHistory => Body(
            User("What is 17 * 23?"),
            new JsonObject
            {
                ["role"] = "model",
                ["parts"] = new JsonArray(
                    new JsonObject { ["text"] = ReasoningText, ["thought"] = true, ["thoughtSignature"] = ReasoningSignature },
                    new JsonObject { ["text"] = "391" }),
            }.ToJsonString(),
            User("And 17 * 24?")),
        RequestSituation.ResponseFormatText => Body(User("Say hello.")),
        RequestSituation.ResponseFormatJson => With(Body(User("Extract the person: Ada Lovelace, born 1815.")), """{"generationConfig":{"responseMimeType":"application/json"}}"""),

        // additionalProperties:false is implied by Gemini's schemas; the schema description comes from the format.
        RequestSituation.ResponseFormatJsonSchema => With(
            Body(User("Extract the person: Ada Lovelace, born 1815.")),
            """{"generationConfig":{"responseMimeType":"application/json","responseSchema":{"type":"OBJECT","description":"A person.","properties":{"name":{"type":"STRING"},"born":{"type":"INTEGER"}},"required":["name","born"]}}}"""),
        RequestSituation.SamplingOptions => With(Body(User("Hello")), """{"generationConfig":{"temperature":0.5,"topP":0.9,"maxOutputTokens":300}}"""),
        RequestSituation.SingleStopSequence => With(Body(User("Count to ten.")), """{"generationConfig":{"stopSequences":["END"]}}"""),
        RequestSituation.TopK => With(Body(User("Hello")), """{"generationConfig":{"topK":40}}"""),
        RequestSituation.SeedAndPenalties => With(Body(User("Hello")), """{"generationConfig":{"seed":42,"presencePenalty":0.25,"frequencyPenalty":0.5}}"""),
        RequestSituation.ReasoningEffort => With(Body(User("What is 17 * 23?")), """{"generationConfig":{"maxOutputTokens":20000,"thinkingConfig":{"thinkingBudget":24576}}}"""),
        RequestSituation.Unicode => Body(User(UnicodeText)),
        RequestSituation.EmptyUserText => ExpectedRequest.Rejected<ArgumentException>("non-empty content"),
        RequestSituation.LongSystemPrompt => With(Body(User("Hello")), $$$"""{"systemInstruction":{"parts":[{"text":"{{{LongSystemPrompt}}}"}]}}"""),
        _ => throw new ArgumentOutOfRangeException(nameof(situation), situation, null),
    };

    protected override HttpResponseMessage Reply(ReplySituation reply, bool streaming) => reply switch
    {
        ReplySituation.Text => Response("resp-conf-0001-text", [Text(AnswerText)], Usage(8, 7), streaming),
        ReplySituation.ParallelToolCalls => Response(
            "resp-conf-0002-tools",
            [Text(ToolPreamble), Call("get_weather", """{"city":"Paris"}"""), Call("get_weather", """{"city":"Tokyo"}""")],
            Usage(96, 24),
            streaming),
        ReplySituation.JsonAnswer => Response("resp-conf-0003-json", [Text("""{"name": "Ada Lovelace", "born": 1815}""")], Usage(31, 12), streaming),
        ReplySituation.Unicode => Response("resp-conf-0004-unicode", [Text(UnicodeText)], Usage(25, 22), streaming),
        ReplySituation.Empty => Response("resp-conf-0005-empty", [], Usage(9, 0), streaming),
        ReplySituation.WithoutUsage => Response("resp-conf-0006-nousage", [Text(AnswerText)], null, streaming),
        ReplySituation.CachedUsage => Response("resp-conf-0007-cached", [Text(AnswerText)], Usage(2048, 7, cached: 1920), streaming),
        ReplySituation.Reasoning => Response(
            "resp-conf-0008-thinking",
            [Thought(ReasoningText), new JsonObject { ["text"] = "391", ["thoughtSignature"] = ReasoningSignature }],
            Usage(12, 3, thoughts: 310),
            streaming),
        _ => throw new ArgumentOutOfRangeException(nameof(reply), reply, null),
    };

    protected override ExpectedReply Facts(ReplySituation reply) => reply switch
    {
        ReplySituation.Text => new() { ResponseId = "resp-conf-0001-text", ModelId = Model, Usage = Expected(8, 7) },
        ReplySituation.ParallelToolCalls => new()
        {
            ResponseId = "resp-conf-0002-tools", ModelId = Model, Usage = Expected(96, 24),
            CallIds = ["gemini_call_0_resp-conf-0002-tools", "gemini_call_1_resp-conf-0002-tools"],
        },
        ReplySituation.JsonAnswer => new() { ResponseId = "resp-conf-0003-json", ModelId = Model, Usage = Expected(31, 12) },
        ReplySituation.Unicode => new() { ResponseId = "resp-conf-0004-unicode", ModelId = Model, Usage = Expected(25, 22) },
        ReplySituation.Empty => new() { ResponseId = "resp-conf-0005-empty", ModelId = Model, Usage = new UsageDetails { InputTokenCount = 9, TotalTokenCount = 9 } },
        ReplySituation.WithoutUsage => new() { ResponseId = "resp-conf-0006-nousage", ModelId = Model, Usage = null },
        ReplySituation.CachedUsage => new()
        {
            ResponseId = "resp-conf-0007-cached", ModelId = Model,
            Usage = new UsageDetails { InputTokenCount = 2048, OutputTokenCount = 7, TotalTokenCount = 2055, CachedInputTokenCount = 1920 },
        },
        ReplySituation.Reasoning => new()
        {
            ResponseId = "resp-conf-0008-thinking", ModelId = Model,
            Usage = new UsageDetails { InputTokenCount = 12, OutputTokenCount = 313, TotalTokenCount = 325, ReasoningTokenCount = 310 },
            ReasoningText = ReasoningText, ReasoningProtectedData = ReasoningSignature,
        },
        _ => throw new ArgumentOutOfRangeException(nameof(reply), reply, null),
    };

    protected override HttpResponseMessage? HttpError(LlmErrorKind kind) => kind switch
    {
        LlmErrorKind.BadRequest => Error(400, "INVALID_ARGUMENT", "Invalid JSON payload received. Unknown name \"temprature\" at 'generation_config': Cannot find field."),
        LlmErrorKind.Authentication => Error(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.",
            """[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID","domain":"googleapis.com","metadata":{"service":"generativelanguage.googleapis.com"}}]"""),
        LlmErrorKind.PermissionDenied => Error(403, "PERMISSION_DENIED", "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API."),
        LlmErrorKind.NotFound => Error(404, "NOT_FOUND", "models/gemini-9-flash is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods."),
        LlmErrorKind.ContextLengthExceeded => Error(400, "INVALID_ARGUMENT", "The input token count (1412309) exceeds the maximum number of tokens allowed (1048576)."),

        // A blocked prompt arrives in a 200 reply (promptFeedback), see ErrorInSuccessfulReply; there is no HTTP error for it.
        LlmErrorKind.ContentFiltered => null,

        // Quota exhaustion is reported as RESOURCE_EXHAUSTED, the same status as a rate limit, and classified as RateLimited.
        LlmErrorKind.QuotaExceeded => null,
        LlmErrorKind.RateLimited => Error(429, "RESOURCE_EXHAUSTED", "You exceeded your current quota, please check your plan and billing details.",
            """[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"31s"}]"""),
        LlmErrorKind.ServerError => Error(500, "INTERNAL", "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting"),
        LlmErrorKind.Overloaded => Error(503, "UNAVAILABLE", "The model is overloaded. Please try again later."),
        LlmErrorKind.Timeout => Error(504, "DEADLINE_EXCEEDED", "Deadline expired before operation could complete."),
        _ => null,
    };

    protected override (HttpResponseMessage Reply, LlmErrorKind Kind) StreamErrorEvent() =>
        (Sse(DataEvents(
        [
            Chunk("resp-conf-0009-err", [Text("Paris is")], finish: false, null),
            """{"error":{"code":503,"message":"The model is overloaded. Please try again later.","status":"UNAVAILABLE"}}""",
        ])), LlmErrorKind.Overloaded);

    /// <summary>A prompt blocked by Gemini's safety system is reported in an HTTP 200 reply.</summary>
    protected override (HttpResponseMessage Reply, LlmErrorKind Kind)? ErrorInSuccessfulReply() =>
        (Json("""{"promptFeedback":{"blockReason":"SAFETY","safetyRatings":[{"category":"HARM_CATEGORY_DANGEROUS_CONTENT","probability":"HIGH"}]},"usageMetadata":{"promptTokenCount":9,"totalTokenCount":9},"modelVersion":"gemini-2.5-flash","responseId":"resp-conf-blocked"}"""),
            LlmErrorKind.ContentFiltered);

    protected override HttpResponseMessage TruncatedStream() =>
        Sse(DataEvents(
        [
            Chunk("resp-conf-0010-cut", [Text("Paris is")], finish: false, null),
            Chunk("resp-conf-0010-cut", [Text(" the capital")], finish: false, null),
        ]));

    // ───────────────────────────── fixtures (GenerateContentResponse as documented) ─────────────────────────────

    private static UsageDetails Expected(long input, long output) => new()
    {
        InputTokenCount = input, OutputTokenCount = output, TotalTokenCount = input + output,
    };

    private static JsonObject Usage(long prompt, long candidates, long cached = 0, long thoughts = 0)
    {
        var usage = new JsonObject { ["promptTokenCount"] = prompt };
        if (candidates > 0)
        {
            usage["candidatesTokenCount"] = candidates;
        }

        usage["totalTokenCount"] = prompt + candidates + thoughts;
        if (cached > 0)
        {
            usage["cachedContentTokenCount"] = cached;
            usage["cacheTokensDetails"] = new JsonArray(new JsonObject { ["modality"] = "TEXT", ["tokenCount"] = cached });
        }

        if (thoughts > 0)
        {
            usage["thoughtsTokenCount"] = thoughts;
        }

        usage["promptTokensDetails"] = new JsonArray(new JsonObject { ["modality"] = "TEXT", ["tokenCount"] = prompt });
        return usage;
    }

    private static JsonObject Text(string text) => new() { ["text"] = text };

    private static JsonObject Thought(string text) => new() { ["text"] = text, ["thought"] = true };

    private static JsonObject Call(string name, string args) => new() { ["functionCall"] = new JsonObject { ["name"] = name, ["args"] = JsonNode.Parse(args) } };

    private static string Chunk(string id, IEnumerable<JsonObject> parts, bool finish, JsonObject? usage)
    {
        var candidate = new JsonObject
        {
            ["content"] = new JsonObject { ["parts"] = new JsonArray(parts.Select(p => (JsonNode)p.DeepClone()).ToArray()), ["role"] = "model" },
            ["index"] = 0,
        };
        if (finish)
        {
            candidate["finishReason"] = "STOP";
        }

        var response = new JsonObject { ["candidates"] = new JsonArray(candidate) };
        if (usage is not null)
        {
            response["usageMetadata"] = usage.DeepClone();
        }

        response["modelVersion"] = Model;
        response["responseId"] = id;
        return response.ToJsonString();
    }

    /// <summary>A whole reply, or the same reply as a stream: text split in two chunks, each other part in its own chunk, finish reason and usage on the last.</summary>
    private static HttpResponseMessage Response(string id, JsonObject[] parts, JsonObject? usage, bool streaming)
    {
        if (!streaming)
        {
            return Json(Chunk(id, parts, finish: true, usage), HttpStatusCode.OK, ("x-goog-request-id", "goog-req-conformance"));
        }

        var pieces = new List<JsonObject>();
        foreach (JsonObject part in parts)
        {
            if (part["text"] is JsonValue text && part["thoughtSignature"] is null && text.GetValue<string>().Length > 1)
            {
                string s = text.GetValue<string>();
                int half = s.Length / 2;
                if (char.IsHighSurrogate(s[half - 1]))
                {
                    half++;
                }

                JsonObject first = part.DeepClone().AsObject();
                JsonObject second = part.DeepClone().AsObject();
                first["text"] = s[..half];
                second["text"] = s[half..];
                pieces.Add(first);
                pieces.Add(second);
            }
            else
            {
                pieces.Add(part);
            }
        }

        var chunks = new List<string>();
        for (int i = 0; i < pieces.Count; i++)
        {
            bool last = i == pieces.Count - 1;
            chunks.Add(Chunk(id, [pieces[i]], finish: last, last ? usage : null));
        }

        if (pieces.Count == 0)
        {
            chunks.Add(Chunk(id, [], finish: true, usage));
        }

        return Sse(DataEvents(chunks), ("x-goog-request-id", "goog-req-conformance"));
    }

    private static string User(string text) => new JsonObject { ["role"] = "user", ["parts"] = new JsonArray(new JsonObject { ["text"] = text }) }.ToJsonString();

    private static ExpectedRequest Body(params string[] contents) => ExpectedRequest.Json($$"""{"contents":[{{string.Join(",", contents)}}]}""");

    private static ExpectedRequest With(ExpectedRequest request, string fields)
    {
        JsonObject body = JsonNode.Parse(request.Body!)!.AsObject();
        foreach ((string key, JsonNode? value) in JsonNode.Parse(fields)!.AsObject())
        {
            body[key] = value?.DeepClone();
        }

        return ExpectedRequest.Json(body.ToJsonString());
    }

    private static HttpResponseMessage Error(int status, string googleStatus, string message, string? details = null)
    {
        var error = new JsonObject { ["code"] = status, ["message"] = message, ["status"] = googleStatus };
        if (details is not null)
        {
            error["details"] = JsonNode.Parse(details);
        }

        return Json(new JsonObject { ["error"] = error }.ToJsonString(), (HttpStatusCode)status);
    }
}
