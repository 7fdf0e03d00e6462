using System.Text;
using System.Text.Json;

namespace LlmRouting.Tests.Providers.Conformance;

/// <summary>What the application sends: one M.E.AI call per situation (see <see cref="ConformanceInputs.For"/>).</summary>
public enum RequestSituation
{
    /// <summary>One user text message, no options.</summary>
    PlainText,

    /// <summary><see cref="ChatOptions.Instructions"/>, a system message and a multi-turn user/assistant history.</summary>
    InstructionsSystemAndHistory,

    /// <summary>Text plus an image by URL (<see cref="UriContent"/>).</summary>
    ImageByUrl,

    /// <summary>Text plus an inline image (<see cref="DataContent"/>, base64).</summary>
    ImageInline,

    /// <summary>An inline PDF document plus text.</summary>
    PdfDocument,

    /// <summary>A content kind no adapter supports (video): must be rejected, never dropped.</summary>
    UnsupportedContent,

    /// <summary>One function tool, <see cref="ChatToolMode.Auto"/>.</summary>
    ToolsAuto,

    /// <summary>One function tool, <see cref="ChatToolMode.RequireAny"/>.</summary>
    ToolsRequireAny,

    /// <summary>One function tool, <see cref="ChatToolMode.RequireSpecific"/>.</summary>
    ToolsRequireSpecific,

    /// <summary>One function tool, <see cref="ChatToolMode.None"/>.</summary>
    ToolsNone,

    /// <summary>Tools with <see cref="ChatOptions.AllowMultipleToolCalls"/> = false (parallel tool calls off).</summary>
    ParallelToolCallsOff,

    /// <summary>History with assistant text beside two parallel tool calls and both tool results (ids kept).</summary>
    ToolResultTurn,

    /// <summary>History with an assistant reasoning block (with provider signature in ProtectedData) before its answer.</summary>
    ReasoningInHistory,

    /// <summary><see cref="ChatResponseFormat.Text"/>.</summary>
    ResponseFormatText,

    /// <summary><see cref="ChatResponseFormat.Json"/> without a schema.</summary>
    ResponseFormatJson,

    /// <summary><see cref="ChatResponseFormat.ForJsonSchema(JsonElement, string?, string?)"/>.</summary>
    ResponseFormatJsonSchema,

    /// <summary>Temperature, top-p and max output tokens.</summary>
    SamplingOptions,

    /// <summary>A single stop sequence (must still be sent as an array where the API takes one).</summary>
    SingleStopSequence,

    /// <summary>Top-k sampling.</summary>
    TopK,

    /// <summary>Seed, frequency and presence penalties.</summary>
    SeedAndPenalties,

    /// <summary>Reasoning effort (high) with an output budget.</summary>
    ReasoningEffort,

    /// <summary>Non-ASCII text: accents, CJK, Arabic, emoji with modifier, quotes, backslash, newline.</summary>
    Unicode,

    /// <summary>A user message whose text is empty.</summary>
    EmptyUserText,

    /// <summary>A 32,768-character system prompt.</summary>
    LongSystemPrompt,
}

/// <summary>What the provider answers: canonical content every adapter's fixtures encode in its own wire format.</summary>
public enum ReplySituation
{
    /// <summary><see cref="ConformanceInputs.AnswerText"/>, finish reason stop, with usage.</summary>
    Text,

    /// <summary><see cref="ConformanceInputs.ToolPreamble"/> beside two parallel <c>get_weather</c> calls (Paris, Tokyo), finish reason tool calls.</summary>
    ParallelToolCalls,

    /// <summary>The JSON answer <see cref="ConformanceInputs.JsonAnswer"/> to a JSON-schema request.</summary>
    JsonAnswer,

    /// <summary><see cref="ConformanceInputs.UnicodeText"/> echoed back.</summary>
    Unicode,

    /// <summary>A reply with no content at all (e.g. the model stopped at once).</summary>
    Empty,

    /// <summary>A text reply whose provider sent no usage: usage must be absent, not zero.</summary>
    WithoutUsage,

    /// <summary>A text reply with prompt-cache reads (and writes, where the provider reports them) in its usage.</summary>
    CachedUsage,

    /// <summary>A reasoning model's reply to <see cref="RequestSituation.ReasoningEffort"/>.</summary>
    Reasoning,
}

/// <summary>What the adapter must send for a <see cref="RequestSituation"/>: an exact JSON body, or a clear rejection before any request.</summary>
public sealed record ExpectedRequest
{
    private ExpectedRequest(string? body, Type? rejection, string? messageFragment)
    {
        Body = body;
        Rejection = rejection;
        MessageFragment = messageFragment;
    }

    /// <summary>Gets the exact non-streaming JSON body, or <see langword="null"/> when the call must be rejected.</summary>
    public string? Body { get; }

    /// <summary>Gets the exception type of a rejection.</summary>
    public Type? Rejection { get; }

    /// <summary>Gets a fragment the rejection message must contain (it names the offending option or content).</summary>
    public string? MessageFragment { get; }

    public static ExpectedRequest Json(string body) => new(body, null, null);

    public static ExpectedRequest Rejected<TException>(string messageFragment)
        where TException : Exception => new(null, typeof(TException), messageFragment);

    public override string ToString() => Body is not null ? "body" : $"rejected with {Rejection!.Name}";
}

/// <summary>The provider-specific facts of a parsed reply: ids, model, usage and (where the provider returns it) reasoning text.</summary>
public sealed record ExpectedReply
{
    public string? ResponseId { get; init; }

    public string? ModelId { get; init; }

    /// <summary>Gets the exact usage; <see langword="null"/> means the response must have no usage.</summary>
    public UsageDetails? Usage { get; init; }

    /// <summary>Gets the call ids of <see cref="ReplySituation.ParallelToolCalls"/> (the provider's ids, kept as sent).</summary>
    public IReadOnlyList<string>? CallIds { get; init; }

    /// <summary>Gets the reasoning text the reply carries, or <see langword="null"/> when the provider returns none.</summary>
    public string? ReasoningText { get; init; }

    /// <summary>Gets the protected data (signature) of the reasoning, when the provider sends one.</summary>
    public string? ReasoningProtectedData { get; init; }
}

/// <summary>The M.E.AI inputs of every situation, identical for all adapters.</summary>
public static class ConformanceInputs
{
    public const string AnswerText = "Paris is the capital of France.";

    public const string ToolPreamble = "I'll check both cities.";

    public const string JsonAnswer = """{"name":"Ada Lovelace","born":1815}""";

    public const string UnicodeText = "Grüße aus 東京 👋🏽 — مرحبا \"quoted\" \\ back\nslash";

    public const string Instructions = "You are a concise assistant.";

    public const string ReasoningText = "17 × 23 = 17 × 20 + 17 × 3 = 340 + 51 = 391.";

    public const string ReasoningSignature = "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds";

    /// <summary>The 1x1 PNG sent as an inline image.</summary>
    public static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");

    /// <summary>A tiny PDF sent as a document.</summary>
    public static readonly byte[] Pdf = Encoding.ASCII.GetBytes("%PDF-1.4\n%EOF\n");

    public static readonly string PngBase64 = Convert.ToBase64String(Png);

    public static readonly string PdfBase64 = Convert.ToBase64String(Pdf);

    /// <summary>A 32,768-character system prompt (plain ASCII, so it needs no JSON escaping in expected bodies).</summary>
    public static readonly string LongSystemPrompt = BuildLongPrompt(32_768);

    public static readonly JsonElement WeatherSchema = JsonDocument.Parse("""
        {"type":"object","properties":{"city":{"type":"string","description":"City name"},"unit":{"type":"string","enum":["celsius","fahrenheit"]}},"required":["city"]}
        """).RootElement;

    /// <summary>The schema of <see cref="RequestSituation.ResponseFormatJsonSchema"/>.</summary>
    public static readonly JsonElement PersonSchema = JsonDocument.Parse("""
        {"type":"object","properties":{"name":{"type":"string"},"born":{"type":"integer"}},"required":["name","born"],"additionalProperties":false}
        """).RootElement;

    public static readonly AIFunctionDeclaration WeatherTool =
        AIFunctionFactory.CreateDeclaration("get_weather", "Gets the current weather for a city.", WeatherSchema);

    /// <summary>Gets the messages and options of a situation. A new instance on each call, so adapters cannot leak state between tests.</summary>
    public static (List<ChatMessage> Messages, ChatOptions? Options) For(RequestSituation situation)
    {
        ChatMessage Ask(string text) => new(ChatRole.User, text);
        ChatOptions Tools(ChatToolMode? mode) => new() { Tools = [WeatherTool], ToolMode = mode };
        const string WeatherQuestion = "What's the weather in Paris and Tokyo?";
        const string Extract = "Extract the person: Ada Lovelace, born 1815.";

        return situation switch
        {
            RequestSituation.PlainText => ([Ask("Hello")], null),
            RequestSituation.InstructionsSystemAndHistory => (
                [
                    new(ChatRole.System, "Answer in French."),
                    Ask("Hi, I'm Ada."),
                    new(ChatRole.Assistant, "Bonjour Ada !"),
                    Ask("What is my name?"),
                ],
                new ChatOptions { Instructions = Instructions }),
            RequestSituation.ImageByUrl => (
                [new(ChatRole.User, [new TextContent("Describe this image."), new UriContent(new Uri("https://example.com/cat.jpg"), "image/jpeg")])], null),
            RequestSituation.ImageInline => (
                [new(ChatRole.User, [new TextContent("Describe this image."), new DataContent(Png, "image/png")])], null),
            RequestSituation.PdfDocument => (
                [new(ChatRole.User, [new DataContent(Pdf, "application/pdf") { Name = "report.pdf" }, new TextContent("Summarise the report.")])], null),
            RequestSituation.UnsupportedContent => (
                [new(ChatRole.User, [new TextContent("What happens in this clip?"), new DataContent(new byte[] { 0, 0, 0, 0x18 }, "video/mp4")])], null),
            RequestSituation.ToolsAuto => ([Ask(WeatherQuestion)], Tools(ChatToolMode.Auto)),
            RequestSituation.ToolsRequireAny => ([Ask(WeatherQuestion)], Tools(ChatToolMode.RequireAny)),
            RequestSituation.ToolsRequireSpecific => ([Ask(WeatherQuestion)], Tools(ChatToolMode.RequireSpecific("get_weather"))),
            RequestSituation.ToolsNone => ([Ask(WeatherQuestion)], Tools(ChatToolMode.None)),
            RequestSituation.ParallelToolCallsOff => ([Ask(WeatherQuestion)], new ChatOptions { Tools = [WeatherTool], AllowMultipleToolCalls = false }),
            RequestSituation.ToolResultTurn => (
                [
                    Ask(WeatherQuestion),
                    new(ChatRole.Assistant,
                    [
                        new TextContent(ToolPreamble),
                        new FunctionCallContent("call_paris01", "get_weather", new Dictionary<string, object?> { ["city"] = "Paris" }),
                        new FunctionCallContent("call_tokyo02", "get_weather", new Dictionary<string, object?> { ["city"] = "Tokyo", ["unit"] = "celsius" }),
                    ]),
                    new(ChatRole.Tool,
                    [
                        new FunctionResultContent("call_paris01", "18°C, cloudy"),
                        new FunctionResultContent("call_tokyo02", JsonDocument.Parse("""{"temp":24,"sky":"clear"}""").RootElement),
                    ]),
                ],
                new ChatOptions { Tools = [WeatherTool] }),
            RequestSituation.ReasoningInHistory => (
                [
                    Ask("What is 17 * 23?"),
                    new(ChatRole.Assistant, [new TextReasoningContent(ReasoningText) { ProtectedData = ReasoningSignature }, new TextContent("391")]),
                    Ask("And 17 * 24?"),
                ],
                null),
            RequestSituation.ResponseFormatText => ([Ask("Say hello.")], new ChatOptions { ResponseFormat = ChatResponseFormat.Text }),
            RequestSituation.ResponseFormatJson => ([Ask(Extract)], new ChatOptions { ResponseFormat = ChatResponseFormat.Json }),
            RequestSituation.ResponseFormatJsonSchema => (
                [Ask(Extract)], new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(PersonSchema, "person", "A person.") }),
            RequestSituation.SamplingOptions => ([Ask("Hello")], new ChatOptions { Temperature = 0.5f, TopP = 0.9f, MaxOutputTokens = 300 }),
            RequestSituation.SingleStopSequence => ([Ask("Count to ten.")], new ChatOptions { StopSequences = ["END"] }),
            RequestSituation.TopK => ([Ask("Hello")], new ChatOptions { TopK = 40 }),
            RequestSituation.SeedAndPenalties => ([Ask("Hello")], new ChatOptions { Seed = 42, FrequencyPenalty = 0.5f, PresencePenalty = 0.25f }),
            RequestSituation.ReasoningEffort => (
                [Ask("What is 17 * 23?")], new ChatOptions { Reasoning = new ReasoningOptions { Effort = ReasoningEffort.High }, MaxOutputTokens = 20_000 }),
            RequestSituation.Unicode => ([Ask(UnicodeText)], null),
            RequestSituation.EmptyUserText => ([Ask(string.Empty)], null),
            RequestSituation.LongSystemPrompt => ([Ask("Hello")], new ChatOptions { Instructions = LongSystemPrompt }),
            _ => throw new ArgumentOutOfRangeException(nameof(situation), situation, null),
        };
    }

    /// <summary>Gets the request whose reply a <see cref="ReplySituation"/> answers.</summary>
    public static RequestSituation RequestFor(ReplySituation reply) => reply switch
    {
        ReplySituation.ParallelToolCalls => RequestSituation.ToolsAuto,
        ReplySituation.JsonAnswer => RequestSituation.ResponseFormatJsonSchema,
        ReplySituation.Unicode => RequestSituation.Unicode,
        ReplySituation.Reasoning => RequestSituation.ReasoningEffort,
        _ => RequestSituation.PlainText,
    };

    private static string BuildLongPrompt(int length)
    {
        var sb = new StringBuilder(length + 64);
        for (int i = 1; sb.Length < length; i++)
        {
            sb.Append("Policy clause ").Append(i).Append(": answer politely and cite the handbook section. ");
        }

        return sb.ToString(0, length);
    }
}
