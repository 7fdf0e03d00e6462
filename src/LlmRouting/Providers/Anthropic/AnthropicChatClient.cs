using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>
/// An <see cref="IChatClient"/> for Anthropic's Messages API (<c>POST {endpoint}/messages</c>), written directly over <see cref="HttpClient"/>
/// without a provider SDK.
/// </summary>
/// <remarks>
/// <para><b>Requests.</b> <c>max_tokens</c> is always sent: <see cref="ChatOptions.MaxOutputTokens"/>, else
/// <see cref="AnthropicChatClientOptions.DefaultMaxOutputTokens"/> (the catalog's maximum output of the deployment's model), else the
/// catalog's maximum for the requested model, else <see cref="AnthropicChatClientOptions.FallbackMaxOutputTokens"/>.
/// <see cref="ChatOptions.Instructions"/> and every system (or <c>developer</c>) message, in order, form the top-level <c>system</c> field.
/// Tool-role messages become user turns of <c>tool_result</c> blocks (consecutive ones merged); call ids are kept (characters Anthropic
/// does not allow in ids are replaced by <c>_</c>, identically in calls and results). Images (JPEG, PNG, GIF, WebP) and PDFs are sent as
/// <c>base64</c> or <c>url</c> sources, plain-text <see cref="DataContent"/> as a text document. <see cref="ChatOptions.ToolMode"/> maps to
/// <c>tool_choice</c> auto / any / tool / none, and <see cref="ChatOptions.AllowMultipleToolCalls"/> = <see langword="false"/> to
/// <c>disable_parallel_tool_use</c>. Stop sequences are always sent as the <c>stop_sequences</c> array.</para>
/// <para><b>Rejected, never dropped or changed.</b> Temperature outside 0–1 (Anthropic's range; not clamped), top-p outside 0–1, top-k below 1,
/// seed, frequency and presence penalties, conversation ids and continuation tokens, non-function tools, unsupported media, an empty user message:
/// each throws <see cref="NotSupportedException"/> or <see cref="ArgumentException"/> before any request is sent.</para>
/// <para><b>Extended thinking.</b> <see cref="ReasoningOptions.Effort"/> maps to <c>thinking</c> with a budget of
/// <see cref="LowThinkingBudget"/>, <see cref="MediumThinkingBudget"/>, <see cref="HighThinkingBudget"/> or <see cref="ExtraHighThinkingBudget"/>
/// tokens (capped below <c>max_tokens</c>; <see cref="ReasoningEffort.None"/> sends <c>{"type":"disabled"}</c>). Thinking blocks come back as
/// <see cref="TextReasoningContent"/> with the block's signature in <see cref="TextReasoningContent.ProtectedData"/>; <c>redacted_thinking</c>
/// blocks as a <see cref="TextReasoningContent"/> with empty text, the encrypted data in <see cref="TextReasoningContent.ProtectedData"/> and
/// <see cref="RedactedThinkingPropertyName"/> = <see langword="true"/> in its <see cref="AIContent.AdditionalProperties"/>. Sent back in the
/// history they become <c>thinking</c> / <c>redacted_thinking</c> blocks again (required for tool use with thinking); reasoning without a
/// signature (e.g. from another provider) is not sent. Anthropic returns thinking whatever <see cref="ReasoningOptions.Output"/> asks.</para>
/// <para><b>JSON output (emulated).</b> Anthropic has no response-format field. <see cref="ChatResponseFormat.Json"/> and JSON-schema formats are
/// emulated with a tool named <c>json_response</c> whose <c>input_schema</c> is the caller's schema (a non-object schema is wrapped in
/// <c>{"value": …}</c>), forced with <c>tool_choice</c> (<c>any</c> when the caller's tools are offered too). The tool's input comes back as the
/// reply's text — compact JSON, checked against the schema (see <c>JsonSchemaValidator</c> for the keywords checked); a mismatch throws
/// <see cref="LlmProviderException"/> with <see cref="LlmErrorKind.InvalidResponse"/>, except when the answer was cut by <c>max_tokens</c>
/// (its partial text is returned with finish reason length). Streamed, the JSON text arrives in the final update. JSON formats cannot be
/// combined with extended thinking or <see cref="ChatToolMode.RequireSpecific"/> (both rejected).</para>
/// <para><b>Prompt caching.</b> Put <see cref="CacheControlPropertyName"/> (<c>cache_control</c>) in the <see cref="AIContent.AdditionalProperties"/>
/// of a content (text, image, document, tool call or tool result, including the text of a system message) or of an
/// <see cref="AIFunctionDeclaration"/>: a string value is sent as <c>{"type": value}</c> (e.g. <c>"ephemeral"</c>), any other value (a
/// dictionary, <c>JsonElement</c>, <c>JsonNode</c>) as it is (e.g. <c>{"type":"ephemeral","ttl":"1h"}</c>). For a cached system prompt, use a
/// system message instead of <see cref="ChatOptions.Instructions"/>.</para>
/// <para><b>Replies.</b> Usage follows M.E.AI's convention: input = <c>input_tokens</c> + <c>cache_read_input_tokens</c> +
/// <c>cache_creation_input_tokens</c>; <see cref="UsageDetails.CachedInputTokenCount"/> = cache reads; cache writes also in
/// <see cref="UsageDetails.AdditionalCounts"/>[<see cref="LlmUsageKeys.CacheWriteInputTokens"/>]. Stop reasons: <c>end_turn</c> and
/// <c>stop_sequence</c> → stop, <c>max_tokens</c> → length, <c>tool_use</c> → tool calls, <c>refusal</c> → content filter. Streams are parsed event by
/// event; an <c>error</c> event (e.g. <c>overloaded_error</c>) inside the HTTP 200 stream throws a classified <see cref="LlmProviderException"/>, and a
/// stream that ends without <c>message_stop</c> throws one with <see cref="LlmErrorKind.StreamInterrupted"/>. Rate limits
/// (<c>anthropic-ratelimit-*</c>) and the <c>request-id</c> of successful replies are in the reply's <c>AdditionalProperties</c> under
/// <see cref="LlmResponsePropertyKeys"/>.</para>
/// <para><see cref="ChatOptions.AdditionalProperties"/> entries are sent as extra top-level request fields (e.g. <c>metadata</c>, <c>service_tier</c>),
/// except keys starting with <c>LlmRouting.</c> and <c>strictJsonSchema</c>. <see cref="ChatOptions.RawRepresentationFactory"/> is ignored.
/// Failures surface as <see cref="LlmProviderException"/>; messages never contain the API key or prompt text. Caller cancellation propagates as
/// <see cref="OperationCanceledException"/>.</para>
/// <para>Thread-safe. The client does not own the <see cref="HttpClient"/> and does not dispose it.</para>
/// </remarks>
public sealed class AnthropicChatClient : IChatClient
{
    /// <summary>The <see cref="AIContent.AdditionalProperties"/> (or <see cref="AITool.AdditionalProperties"/>) key that marks a prompt-cache breakpoint.</summary>
    public const string CacheControlPropertyName = "cache_control";

    /// <summary>The <see cref="AIContent.AdditionalProperties"/> key (value <see langword="true"/>) that marks a <see cref="TextReasoningContent"/> as a <c>redacted_thinking</c> block.</summary>
    public const string RedactedThinkingPropertyName = "redacted_thinking";

    /// <summary>The thinking budget for <see cref="ReasoningEffort.Low"/>: 1,024 tokens, Anthropic's minimum.</summary>
    public const int LowThinkingBudget = 1024;

    /// <summary>The thinking budget for <see cref="ReasoningEffort.Medium"/>: 4,096 tokens.</summary>
    public const int MediumThinkingBudget = 4096;

    /// <summary>The thinking budget for <see cref="ReasoningEffort.High"/>: 16,384 tokens.</summary>
    public const int HighThinkingBudget = 16384;

    /// <summary>The thinking budget for <see cref="ReasoningEffort.ExtraHigh"/>: 32,768 tokens.</summary>
    public const int ExtraHighThinkingBudget = 32768;

    private static readonly string[] RequestIdHeaders = ["request-id"];

    private readonly ProviderClientCore _core;
    private readonly Uri _requestUri;
    private readonly string _apiVersion;
    private readonly int? _defaultMaxOutputTokens;

    /// <summary>Initializes a new instance of the <see cref="AnthropicChatClient"/> class.</summary>
    /// <param name="httpClient">The HTTP client; not disposed by this client.</param>
    /// <param name="options">The options; Anthropic's defaults when <see langword="null"/>. They are copied.</param>
    /// <exception cref="ArgumentException">The endpoint is not an absolute URL, the provider name or API version is empty, the default output budget is not positive, or the API key contains characters an HTTP header cannot carry.</exception>
    public AnthropicChatClient(HttpClient httpClient, AnthropicChatClientOptions? options = null)
    {
        options ??= new AnthropicChatClientOptions();
        _core = new ProviderClientCore(
            httpClient, nameof(AnthropicChatClientOptions), options.Endpoint, options.ProviderName, options.ApiKey, options.DefaultModelId,
            options.DeploymentName, options.Headers, options.TimeProvider, RequestIdHeaders, AnthropicErrors.GetRateLimits);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.ApiVersion, nameof(options));
        if (options.DefaultMaxOutputTokens is < 1)
        {
            throw new ArgumentException("AnthropicChatClientOptions.DefaultMaxOutputTokens must be positive.", nameof(options));
        }

        _requestUri = ProviderClientCore.AppendPath(options.Endpoint, "messages");
        _apiVersion = options.ApiVersion;
        _defaultMaxOutputTokens = options.DefaultMaxOutputTokens;
    }

    /// <inheritdoc/>
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        string model = _core.ResolveModel(options);
        byte[] body = AnthropicRequestWriter.Write(messages, options, model, DefaultMaxTokens(model), stream: false, out AnthropicJsonEmulation? emulation);
        ProviderHttpCall call = _core.CreateCall(model);

        using HttpRequestMessage request = CreateRequest(body, stream: false);
        using HttpResponseMessage response = await call.SendAsync(_core.HttpClient, request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        byte[] reply = await call.ReadBodyAsync(response, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw AnthropicErrors.ForHttpError(call, response, reply);
        }

        return ReadMessage(call, response, reply, emulation);
    }

    /// <inheritdoc/>
    /// <remarks>Messages and options are validated when this method is called, before the stream is enumerated.</remarks>
    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        string model = _core.ResolveModel(options);
        byte[] body = AnthropicRequestWriter.Write(messages, options, model, DefaultMaxTokens(model), stream: true, out AnthropicJsonEmulation? emulation);
        return StreamAsync(_core.CreateCall(model), body, emulation, cancellationToken);
    }

    /// <inheritdoc/>
    public object? GetService(Type serviceType, object? serviceKey = null) => _core.GetService(this, serviceType, serviceKey);

    /// <inheritdoc/>
    public void Dispose()
    {
        // The HttpClient is owned by the caller (or by IHttpClientFactory).
    }

    private static ChatResponse ReadMessage(ProviderHttpCall call, HttpResponseMessage response, byte[] reply, AnthropicJsonEmulation? emulation)
    {
        AnthropicMessageDto dto = AnthropicResponseReader.ParseMessage(call, response, reply);
        if (dto.Error is not null || string.Equals(dto.Type, "error", StringComparison.Ordinal))
        {
            throw AnthropicErrors.ForBodyError(call, response, dto.Error, inStream: false);
        }

        return call.ReadJson(response, () => AnthropicResponseReader.ToChatResponse(call, response, dto, call.GetReplyProperties(response), emulation));
    }

    private async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(
        ProviderHttpCall call, byte[] body, AnthropicJsonEmulation? emulation, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using HttpRequestMessage request = CreateRequest(body, stream: true);
        using HttpResponseMessage response = await call.SendAsync(_core.HttpClient, request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            byte[] error = await call.ReadBodyAsync(response, cancellationToken);
            throw AnthropicErrors.ForHttpError(call, response, error);
        }

        if (ProviderClientCore.IsJson(response))
        {
            // The server answered with a whole message (or an error) instead of an event stream.
            byte[] reply = await call.ReadBodyAsync(response, cancellationToken);
            foreach (ChatResponseUpdate update in ReadMessage(call, response, reply, emulation).ToChatResponseUpdates())
            {
                yield return update;
            }

            yield break;
        }

        var accumulator = new AnthropicStreamAccumulator(call, response, call.GetReplyProperties(response), emulation);
        await foreach (SseItem<string> item in call.ReadEventsAsync(response, cancellationToken))
        {
            if (string.IsNullOrWhiteSpace(item.Data))
            {
                continue;
            }

            AnthropicStreamEventDto e = AnthropicResponseReader.ParseEvent(call, response, Encoding.UTF8.GetBytes(item.Data));
            string type = e.Type ?? (item.EventType == SseParser.EventTypeDefault ? string.Empty : item.EventType);
            if (type == "error" || item.EventType == "error")
            {
                throw AnthropicErrors.ForBodyError(call, response, e.Error, inStream: true);
            }

            if (call.ReadJson(response, () => accumulator.Add(type, e)) is { } update)
            {
                yield return update;
            }

            if (accumulator.Finished)
            {
                yield break;
            }
        }

        throw call.CreateException(
            LlmErrorKind.StreamInterrupted,
            $"{call.Provider} stream ended without message_stop after {accumulator.UpdateCount} update(s); the answer is incomplete.",
            response);
    }

    private int DefaultMaxTokens(string model)
    {
        if (_defaultMaxOutputTokens is { } configured && string.Equals(model, _core.DefaultModelId, StringComparison.Ordinal))
        {
            return configured;
        }

        return ModelCatalog.Default.TryGetModel(AnthropicChatClientOptions.DefaultProviderName, model, out ModelInfo? info) && info.MaxOutputTokens is > 0 and int max
            ? max
            : AnthropicChatClientOptions.FallbackMaxOutputTokens;
    }

    private HttpRequestMessage CreateRequest(byte[] body, bool stream)
    {
        HttpRequestMessage request = _core.CreateJsonRequest(_requestUri, body, stream);
        request.Headers.TryAddWithoutValidation("anthropic-version", _apiVersion);
        if (_core.RevealApiKey() is { } key)
        {
            request.Headers.TryAddWithoutValidation("x-api-key", key);
        }

        return request;
    }
}
