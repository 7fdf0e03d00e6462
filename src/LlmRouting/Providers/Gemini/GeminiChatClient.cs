using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>
/// An <see cref="IChatClient"/> for Google's Gemini API (<c>models/{model}:generateContent</c> and <c>:streamGenerateContent?alt=sse</c>),
/// written directly over <see cref="HttpClient"/> without a provider SDK.
/// </summary>
/// <remarks>
/// <para><b>Request.</b> <see cref="ChatOptions.Instructions"/> and system messages (in order, wherever they are in the history) become
/// <c>systemInstruction</c>; assistant messages become <c>model</c> turns; consecutive messages of one role are merged into one turn.
/// <see cref="DataContent"/> becomes <c>inlineData</c> and <see cref="UriContent"/> <c>fileData</c> (any media type Gemini accepts).
/// <see cref="FunctionResultContent"/> becomes a <c>functionResponse</c> carrying the real function name, found from the
/// <see cref="FunctionCallContent"/> with the same call id earlier in the history (a result without one is rejected); its <c>response</c> is the
/// result itself when it is a JSON object, <c>{"output": result}</c> otherwise, <c>{"error": message}</c> for a failed call.
/// Tools become <c>functionDeclarations</c>; <see cref="ChatToolMode"/> maps to <c>toolConfig.functionCallingConfig.mode</c> <c>AUTO</c>, <c>NONE</c>,
/// <c>ANY</c>, and <c>ANY</c> with <c>allowedFunctionNames</c> for a required function.
/// <see cref="ChatResponseFormat.Json"/> sets <c>responseMimeType</c> <c>application/json</c>; a schema is converted to Gemini's schema subset
/// (<c>responseSchema</c>) — see <see cref="GeminiSchemaConverter"/> for what converts, what is dropped and what is rejected; tool parameter
/// schemas are converted the same way. Temperature, top-p, top-k, max output tokens, stop sequences, seed (32-bit) and penalties go to
/// <c>generationConfig</c>. <see cref="ChatOptions.Reasoning"/> becomes <c>thinkingConfig</c>: Gemini 3 and later models get a
/// <c>thinkingLevel</c> (<see cref="ReasoningEffort.None"/> → <c>minimal</c>, the lowest level, since their thinking cannot be turned off;
/// <c>low</c>, <c>medium</c>, <c>high</c>); Gemini 2.x models get a <c>thinkingBudget</c> (0, <see cref="LowThinkingBudget"/>,
/// <see cref="MediumThinkingBudget"/>, <see cref="HighThinkingBudget"/> tokens: the mapping of Google's OpenAI-compatible endpoint);
/// <see cref="ReasoningOutput.Summary"/> sets <c>includeThoughts</c>.</para>
/// <para><b>Rejected</b> with <see cref="NotSupportedException"/> rather than dropped: <see cref="ChatOptions.AllowMultipleToolCalls"/> <see langword="false"/>
/// (Gemini cannot limit a reply to one call), <see cref="ReasoningEffort.ExtraHigh"/>, <see cref="ReasoningOutput.Full"/> (Gemini returns summaries only),
/// non-function tools, conversation ids and background responses, and schema constructs Gemini cannot express.</para>
/// <para><b>Extra fields.</b> <see cref="ChatOptions.AdditionalProperties"/> entries are sent as <c>generationConfig</c> fields (e.g. <c>responseModalities</c>,
/// <c>mediaResolution</c>), except <see cref="SafetySettingsKey"/> and <see cref="CachedContentKey"/>, which are top-level request fields,
/// keys starting with <c>LlmRouting.</c>, and <see cref="StrictJsonSchemaKey"/> (ignored: Gemini schemas are always enforced). A key that collides
/// with a field the adapter sets from <see cref="ChatOptions"/> is rejected with <see cref="ArgumentException"/>.</para>
/// <para><b>Reply.</b> Text parts become <see cref="TextContent"/>, thought parts <see cref="TextReasoningContent"/>, function calls
/// <see cref="FunctionCallContent"/>. Gemini does not always give function calls ids: the adapter then makes up stable ids
/// (<c>gemini_call_{n}_{responseId}</c>, the same for a streamed and a non-streamed reply) and never sends them back. Thought signatures are kept
/// so that they can be returned with the history as Gemini requires: on a function call in its <see cref="AIContent.AdditionalProperties"/> under
/// <see cref="ThoughtSignatureKey"/>, on a thought in <see cref="TextReasoningContent.ProtectedData"/>, on other parts as an empty
/// <see cref="TextReasoningContent"/> following them. Finish reasons: <c>STOP</c> → <see cref="ChatFinishReason.Stop"/>, or
/// <see cref="ChatFinishReason.ToolCalls"/> when the reply has function calls; <c>MAX_TOKENS</c> → <see cref="ChatFinishReason.Length"/>;
/// <c>SAFETY</c>, <c>RECITATION</c>, <c>BLOCKLIST</c>, <c>PROHIBITED_CONTENT</c>, <c>SPII</c> and image equivalents → <see cref="ChatFinishReason.ContentFilter"/>;
/// others are passed through as they are. Usage follows M.E.AI's convention: input = <c>promptTokenCount</c> (which includes
/// <c>cachedContentTokenCount</c>) + <c>toolUsePromptTokenCount</c>; output = <c>candidatesTokenCount</c> + <c>thoughtsTokenCount</c>; cached input and
/// reasoning are reported separately.</para>
/// <para><b>Errors.</b> Failures surface as <see cref="LlmProviderException"/> classified from <c>error.status</c> (<c>RESOURCE_EXHAUSTED</c> → rate limited,
/// <c>UNAVAILABLE</c> → overloaded, <c>INVALID_ARGUMENT</c> → bad request, or context length exceeded for token-limit messages, or authentication for
/// an invalid key, <c>PERMISSION_DENIED</c> and <c>FAILED_PRECONDITION</c> → permission denied, <c>UNAUTHENTICATED</c>, <c>NOT_FOUND</c>,
/// <c>INTERNAL</c> → server error, <c>DEADLINE_EXCEEDED</c> → timeout), with <c>RetryInfo.retryDelay</c> as <see cref="LlmProviderException.RetryAfter"/>.
/// A blocked prompt (<c>promptFeedback.blockReason</c>) is <see cref="LlmErrorKind.ContentFiltered"/>. A stream that ends without a finish reason is
/// <see cref="LlmErrorKind.StreamInterrupted"/>. Messages never contain the API key or prompt text; caller cancellation propagates as
/// <see cref="OperationCanceledException"/>.</para>
/// <para>Thread-safe. The client does not own the <see cref="HttpClient"/> and does not dispose it.</para>
/// </remarks>
public sealed class GeminiChatClient : IChatClient
{
    /// <summary>
    /// The <see cref="ChatOptions.AdditionalProperties"/> key of Gemini safety settings, sent as the request's <c>safetySettings</c>: a JSON array of
    /// <c>{"category": "HARM_CATEGORY_…", "threshold": "BLOCK_…"}</c> objects (as <see cref="System.Text.Json.JsonElement"/>,
    /// <see cref="System.Text.Json.Nodes.JsonNode"/> or JSON text), or a dictionary of category to threshold.
    /// </summary>
    public const string SafetySettingsKey = "safetySettings";

    /// <summary>The <see cref="ChatOptions.AdditionalProperties"/> key of a cached content name (<c>cachedContents/…</c>), sent as the request's <c>cachedContent</c>.</summary>
    public const string CachedContentKey = "cachedContent";

    /// <summary>The <see cref="AIContent.AdditionalProperties"/> key under which a function call's thought signature (a <see cref="string"/>) is kept and sent back.</summary>
    public const string ThoughtSignatureKey = "gemini.thoughtSignature";

    /// <summary>The <see cref="ChatOptions.AdditionalProperties"/> flag of M.E.AI's OpenAI conventions that asks for strict schemas; ignored (Gemini always enforces them).</summary>
    public const string StrictJsonSchemaKey = "strictJsonSchema";

    /// <summary>The thinking budget, in tokens, sent to Gemini 2.x models for <see cref="ReasoningEffort.Low"/>.</summary>
    public const int LowThinkingBudget = 1024;

    /// <summary>The thinking budget, in tokens, sent to Gemini 2.x models for <see cref="ReasoningEffort.Medium"/>.</summary>
    public const int MediumThinkingBudget = 8192;

    /// <summary>The thinking budget, in tokens, sent to Gemini 2.x models for <see cref="ReasoningEffort.High"/>.</summary>
    public const int HighThinkingBudget = 24576;

    private static readonly string[] RequestIdHeaders = ["x-goog-request-id", "x-request-id"];

    private readonly ProviderClientCore _core;
    private readonly Uri _endpoint;

    /// <summary>Initializes a new instance of the <see cref="GeminiChatClient"/> class.</summary>
    /// <param name="httpClient">The HTTP client; not disposed by this client.</param>
    /// <param name="options">The options; the Gemini Developer API's defaults when <see langword="null"/>. They are copied.</param>
    /// <exception cref="ArgumentException">The endpoint is not an absolute URL, the provider name is empty, or the API key contains characters an HTTP header cannot carry.</exception>
    public GeminiChatClient(HttpClient httpClient, GeminiChatClientOptions? options = null)
    {
        options ??= new GeminiChatClientOptions();
        _core = new ProviderClientCore(
            httpClient, nameof(GeminiChatClientOptions), options.Endpoint, options.ProviderName, options.ApiKey, options.DefaultModelId,
            options.DeploymentName, options.Headers, options.TimeProvider, RequestIdHeaders, static (_, _) => null);
        _endpoint = options.Endpoint.AbsoluteUri.EndsWith('/') ? options.Endpoint : new Uri(options.Endpoint.AbsoluteUri + "/");
    }

    /// <inheritdoc/>
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        string model = ResolveModel(options);
        byte[] body = GeminiRequestWriter.Write(messages, options, model);
        ProviderHttpCall call = _core.CreateCall(model);

        using HttpRequestMessage request = CreateRequest(model, body, stream: false);
        using HttpResponseMessage response = await call.SendAsync(_core.HttpClient, request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        byte[] reply = await call.ReadBodyAsync(response, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw GeminiErrors.ForHttpError(call, response, reply);
        }

        return ReadReply(call, response, reply);
    }

    /// <inheritdoc/>
    /// <remarks>Messages and options are validated when this method is called, before the stream is enumerated.</remarks>
    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        string model = ResolveModel(options);
        byte[] body = GeminiRequestWriter.Write(messages, options, model);
        return StreamAsync(_core.CreateCall(model), model, body, cancellationToken);
    }

    /// <inheritdoc/>
    public object? GetService(Type serviceType, object? serviceKey = null) => _core.GetService(this, serviceType, serviceKey);

    /// <inheritdoc/>
    public void Dispose()
    {
        // The HttpClient is owned by the caller (or by IHttpClientFactory).
    }

    private static ChatResponse ReadReply(ProviderHttpCall call, HttpResponseMessage response, byte[] reply)
    {
        GeminiResponseDto dto = GeminiResponseReader.Parse(call, response, reply);
        GeminiResponseReader.ThrowIfFailed(call, response, dto, inStream: false);
        if (dto.Candidates is null || !dto.Candidates.Exists(c => c is not null))
        {
            throw call.CreateException(LlmErrorKind.InvalidResponse, $"{call.Provider} returned a reply without candidates.", response);
        }

        AdditionalPropertiesDictionary? properties = call.GetReplyProperties(response);
        var accumulator = new GeminiStreamAccumulator(call, response, properties);
        var updates = new List<ChatResponseUpdate>(2);
        if (accumulator.Add(dto) is { } content)
        {
            updates.Add(content);
        }

        updates.Add(accumulator.Complete());
        ChatResponse result = updates.ToChatResponse();
        result.AdditionalProperties = properties?.Clone();
        return result;
    }

    private async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(ProviderHttpCall call, string model, byte[] body, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using HttpRequestMessage request = CreateRequest(model, body, stream: true);
        using HttpResponseMessage response = await call.SendAsync(_core.HttpClient, request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            byte[] error = await call.ReadBodyAsync(response, cancellationToken);
            throw GeminiErrors.ForHttpError(call, response, error);
        }

        if (ProviderClientCore.IsJson(response))
        {
            // The server answered with a whole reply (or an error) instead of an event stream.
            byte[] reply = await call.ReadBodyAsync(response, cancellationToken);
            if (GeminiErrors.TryParse(reply) is { } bodyError)
            {
                throw GeminiErrors.ForBodyError(call, response, bodyError, inStream: false);
            }

            foreach (ChatResponseUpdate update in ReadReply(call, response, reply).ToChatResponseUpdates())
            {
                yield return update;
            }

            yield break;
        }

        var accumulator = new GeminiStreamAccumulator(call, response, call.GetReplyProperties(response));
        await foreach (SseItem<string> item in call.ReadEventsAsync(response, cancellationToken))
        {
            if (string.IsNullOrWhiteSpace(item.Data))
            {
                continue;
            }

            GeminiResponseDto chunk = GeminiResponseReader.Parse(call, response, Encoding.UTF8.GetBytes(item.Data));
            GeminiResponseReader.ThrowIfFailed(call, response, chunk, inStream: true);
            if (accumulator.Add(chunk) is { } update)
            {
                yield return update;
            }
        }

        if (!accumulator.Finished)
        {
            throw call.CreateException(
                LlmErrorKind.StreamInterrupted,
                $"{call.Provider} stream ended without a finish reason after {accumulator.UpdateCount} update(s); the answer is incomplete.",
                response);
        }

        yield return accumulator.Complete();
    }

    private string ResolveModel(ChatOptions? options)
    {
        string model = _core.ResolveModel(options);
        foreach (char c in model)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '/'))
            {
                throw new ArgumentException($"The model id '{model}' contains characters that cannot appear in a Gemini model name.", nameof(options));
            }
        }

        return model;
    }

    private HttpRequestMessage CreateRequest(string model, byte[] body, bool stream)
    {
        // "gemini-2.5-flash" → models/gemini-2.5-flash; "models/…" and "tunedModels/…" are used as they are.
        string resource = model.Contains('/', StringComparison.Ordinal) ? model : "models/" + model;
        var uri = new Uri(_endpoint, resource + (stream ? ":streamGenerateContent?alt=sse" : ":generateContent"));
        HttpRequestMessage request = _core.CreateJsonRequest(uri, body, stream);
        if (_core.RevealApiKey() is { } key)
        {
            request.Headers.TryAddWithoutValidation("x-goog-api-key", key);
        }

        return request;
    }
}
