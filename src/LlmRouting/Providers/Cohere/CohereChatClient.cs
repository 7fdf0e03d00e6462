using System.Globalization;
using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>
/// An <see cref="IChatClient"/> for Cohere's Chat API v2 (<c>POST {endpoint}/chat</c>), written directly over <see cref="HttpClient"/> without a provider SDK.
/// </summary>
/// <remarks>
/// <para><b>Request.</b> <see cref="ChatOptions.Instructions"/> is the first <c>system</c> message; system, user and assistant messages keep their
/// order. Images (<see cref="UriContent"/> URLs, <see cref="DataContent"/> as data URIs) become <c>image_url</c> parts; other media are rejected.
/// An assistant message with <see cref="FunctionCallContent"/>s becomes <c>tool_calls</c> with their ids, and its text becomes the <c>tool_plan</c>;
/// each <see cref="FunctionResultContent"/> becomes a <c>tool</c> message with its <c>tool_call_id</c> (strings as they are, other results as JSON,
/// a failed call as <c>{"error": message}</c>). Reasoning of earlier assistant turns without tool calls is sent back as <c>thinking</c> content.
/// Tools become <c>tools</c>; <see cref="ChatToolMode.None"/> → <c>tool_choice</c> <c>NONE</c>, <see cref="ChatToolMode.RequireAny"/> → <c>REQUIRED</c>,
/// and a required specific function → <c>REQUIRED</c> with only that function offered (Cohere cannot name the tool to call);
/// <see cref="StrictJsonSchemaKey"/> sets <c>strict_tools</c>. <see cref="ChatResponseFormat.Json"/> becomes Cohere's own
/// <c>{"type":"json_object"}</c>, with the schema as <c>json_schema</c> when there is one (never dropped). Temperature, top-p (<c>p</c>),
/// top-k (<c>k</c>), <c>max_tokens</c>, <c>stop_sequences</c>, <c>seed</c> and the penalties are sent as given, without clamping; values outside Cohere's
/// ranges are refused by Cohere as a typed bad request. <see cref="ChatOptions.Reasoning"/> becomes <c>thinking</c>: <see cref="ReasoningEffort.None"/>
/// → disabled; Low, Medium and High → enabled with a <see cref="LowThinkingBudget"/>, <see cref="MediumThinkingBudget"/> or <see cref="HighThinkingBudget"/>
/// token budget; ExtraHigh → enabled without a budget. <see cref="ReasoningOutput.None"/> omits the thinking from the reply.</para>
/// <para><b>Rejected</b> with <see cref="NotSupportedException"/> rather than dropped: <see cref="ChatOptions.AllowMultipleToolCalls"/> <see langword="false"/>
/// (Cohere cannot limit a reply to one call), a JSON response format together with tools (Cohere does not support the combination),
/// non-image media, non-function tools, conversation ids and background responses, negative seeds.</para>
/// <para><b>Extra fields.</b> <see cref="ChatOptions.AdditionalProperties"/> entries are sent as extra top-level request fields (e.g. <c>safety_mode</c>,
/// <c>citation_options</c>, <c>priority</c>), except keys starting with <c>LlmRouting.</c> and <see cref="StrictJsonSchemaKey"/>; a key that collides
/// with a field the adapter sets is rejected with <see cref="ArgumentException"/>.</para>
/// <para><b>Reply.</b> Text (and the <c>tool_plan</c>, which is the assistant's text beside tool calls) becomes <see cref="TextContent"/>, thinking
/// <see cref="TextReasoningContent"/>, tool calls <see cref="FunctionCallContent"/> with Cohere's ids. Streams emit each tool call whole and
/// separately on its <c>tool-call-end</c>. Finish reasons: <c>COMPLETE</c> and <c>STOP_SEQUENCE</c> → <see cref="ChatFinishReason.Stop"/>, <c>MAX_TOKENS</c>
/// → <see cref="ChatFinishReason.Length"/>, <c>TOOL_CALL</c> (or any reply with tool calls) → <see cref="ChatFinishReason.ToolCalls"/>; <c>ERROR</c> and
/// <c>TIMEOUT</c> mean the generation failed and throw (<see cref="LlmErrorKind.ServerError"/>, <see cref="LlmErrorKind.Timeout"/>). Cohere does not
/// name the model in replies: <see cref="ChatResponse.ModelId"/> is the model that was asked.</para>
/// <para><b>Usage.</b> Cohere reports two counts: <c>billed_units</c> (what it charges) and <c>tokens</c> (what the model processed, including the prompt
/// template and tool instructions Cohere adds, which it does not bill — often ten times the billed input in tool turns). Input and output tokens
/// are the billed units, because catalog prices apply to them and cost must match the invoice; the model's counts are kept in
/// <see cref="UsageDetails.AdditionalCounts"/> under <see cref="ModelInputTokensKey"/> and <see cref="ModelOutputTokensKey"/>. <c>cached_tokens</c> is
/// reported as <see cref="UsageDetails.CachedInputTokenCount"/>.</para>
/// <para><b>Errors.</b> Failures surface as <see cref="LlmProviderException"/>: by HTTP status (429 → rate limited, or quota exceeded for a trial key's monthly
/// allowance; 498 → content filtered; 503 → overloaded; 504 → timeout), with token-limit messages as <see cref="LlmErrorKind.ContextLengthExceeded"/>,
/// the body's <c>id</c> as <see cref="LlmProviderException.ProviderRequestId"/> when the <c>x-debug-trace-id</c> header is absent, and an error in
/// <c>message-end</c> as a typed error after the partial output. A stream that ends without <c>message-end</c> is <see cref="LlmErrorKind.StreamInterrupted"/>.
/// Messages never contain the API key or prompt text; caller cancellation propagates as <see cref="OperationCanceledException"/>. Trial keys'
/// <c>x-trial-endpoint-call-limit</c> / <c>-remaining</c> headers are reported as request rate limits.</para>
/// <para>Thread-safe. The client does not own the <see cref="HttpClient"/> and does not dispose it.</para>
/// </remarks>
public sealed class CohereChatClient : IChatClient
{
    /// <summary>The <see cref="ChatOptions.AdditionalProperties"/> flag (a <see cref="bool"/>) that sets <c>strict_tools</c>.</summary>
    public const string StrictJsonSchemaKey = "strictJsonSchema";

    /// <summary>The <see cref="UsageDetails.AdditionalCounts"/> key of the input tokens the model processed (<c>usage.tokens.input_tokens</c>), billed or not.</summary>
    public const string ModelInputTokensKey = "Cohere.ModelInputTokens";

    /// <summary>The <see cref="UsageDetails.AdditionalCounts"/> key of the output tokens the model produced (<c>usage.tokens.output_tokens</c>), billed or not.</summary>
    public const string ModelOutputTokensKey = "Cohere.ModelOutputTokens";

    /// <summary>The thinking token budget sent for <see cref="ReasoningEffort.Low"/>.</summary>
    public const int LowThinkingBudget = 1024;

    /// <summary>The thinking token budget sent for <see cref="ReasoningEffort.Medium"/>.</summary>
    public const int MediumThinkingBudget = 8192;

    /// <summary>The thinking token budget sent for <see cref="ReasoningEffort.High"/>.</summary>
    public const int HighThinkingBudget = 24576;

    private static readonly string[] RequestIdHeaders = ["x-debug-trace-id", "x-request-id"];

    private readonly ProviderClientCore _core;
    private readonly Uri _requestUri;

    /// <summary>Initializes a new instance of the <see cref="CohereChatClient"/> class.</summary>
    /// <param name="httpClient">The HTTP client; not disposed by this client.</param>
    /// <param name="options">The options; Cohere's defaults when <see langword="null"/>. They are copied.</param>
    /// <exception cref="ArgumentException">The endpoint is not an absolute URL, the provider name is empty, or the API key contains characters an HTTP header cannot carry.</exception>
    public CohereChatClient(HttpClient httpClient, CohereChatClientOptions? options = null)
    {
        options ??= new CohereChatClientOptions();
        _core = new ProviderClientCore(
            httpClient, nameof(CohereChatClientOptions), options.Endpoint, options.ProviderName, options.ApiKey, options.DefaultModelId,
            options.DeploymentName, options.Headers, options.TimeProvider, RequestIdHeaders, static (headers, _) => ReadRateLimits(headers));
        _requestUri = ProviderClientCore.AppendPath(options.Endpoint, "chat");
    }

    /// <inheritdoc/>
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        string model = _core.ResolveModel(options);
        byte[] body = CohereRequestWriter.Write(messages, options, model, stream: false);
        ProviderHttpCall call = _core.CreateCall(model);

        using HttpRequestMessage request = CreateRequest(body, stream: false);
        using HttpResponseMessage response = await call.SendAsync(_core.HttpClient, request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        byte[] reply = await call.ReadBodyAsync(response, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw CohereErrors.ForHttpError(call, response, reply);
        }

        return ReadReply(call, response, reply, model, IncludeReasoning(options));
    }

    /// <inheritdoc/>
    /// <remarks>Messages and options are validated when this method is called, before the stream is enumerated.</remarks>
    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        string model = _core.ResolveModel(options);
        byte[] body = CohereRequestWriter.Write(messages, options, model, stream: true);
        return StreamAsync(_core.CreateCall(model), model, body, IncludeReasoning(options), cancellationToken);
    }

    /// <inheritdoc/>
    public object? GetService(Type serviceType, object? serviceKey = null) => _core.GetService(this, serviceType, serviceKey);

    /// <inheritdoc/>
    public void Dispose()
    {
        // The HttpClient is owned by the caller (or by IHttpClientFactory).
    }

    /// <summary>Reads the call allowance of trial keys (<c>x-trial-endpoint-call-limit</c>, <c>x-trial-endpoint-call-remaining</c>).</summary>
    internal static RateLimitInfo? ReadRateLimits(HttpResponseHeaders headers)
    {
        long? limit = GetLong(headers, "x-trial-endpoint-call-limit");
        long? remaining = GetLong(headers, "x-trial-endpoint-call-remaining");
        return limit is null && remaining is null ? null : new RateLimitInfo { LimitRequests = limit, RemainingRequests = remaining };
    }

    private static long? GetLong(HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out IEnumerable<string>? values)
        && long.TryParse(values.FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long value)
            ? value
            : null;

    private static bool IncludeReasoning(ChatOptions? options) => options?.Reasoning?.Output != ReasoningOutput.None;

    private static ChatResponse ReadReply(ProviderHttpCall call, HttpResponseMessage response, byte[] reply, string model, bool includeReasoning)
    {
        CohereResponseDto dto = CohereResponseReader.ParseReply(call, response, reply);
        AdditionalPropertiesDictionary? properties = call.GetReplyProperties(response);
        List<ChatResponseUpdate> updates;
        try
        {
            updates = CohereResponseReader.ToUpdates(call, response, dto, model, properties, includeReasoning);
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw call.CreateException(LlmErrorKind.InvalidResponse, $"{call.Provider} returned a reply that is not valid Chat v2 JSON.", response, innerException: ex);
        }

        ChatResponse result = updates.ToChatResponse();
        result.AdditionalProperties = properties?.Clone();
        return result;
    }

    private async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(ProviderHttpCall call, string model, byte[] body, bool includeReasoning, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using HttpRequestMessage request = CreateRequest(body, stream: true);
        using HttpResponseMessage response = await call.SendAsync(_core.HttpClient, request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            byte[] error = await call.ReadBodyAsync(response, cancellationToken);
            throw CohereErrors.ForHttpError(call, response, error);
        }

        if (ProviderClientCore.IsJson(response))
        {
            // The server answered with a whole reply instead of an event stream.
            byte[] reply = await call.ReadBodyAsync(response, cancellationToken);
            foreach (ChatResponseUpdate update in ReadReply(call, response, reply, model, includeReasoning).ToChatResponseUpdates())
            {
                yield return update;
            }

            yield break;
        }

        var accumulator = new CohereStreamAccumulator(call, response, model, call.GetReplyProperties(response), includeReasoning);
        await foreach (SseItem<string> item in call.ReadEventsAsync(response, cancellationToken))
        {
            string data = item.Data;
            if (string.IsNullOrWhiteSpace(data) || data.AsSpan().Trim().SequenceEqual("[DONE]"))
            {
                continue;
            }

            CohereStreamEventDto evt = CohereResponseReader.ParseEvent(call, response, Encoding.UTF8.GetBytes(data));
            evt.Type ??= item.EventType;
            ChatResponseUpdate? update;
            try
            {
                update = accumulator.Add(evt);
            }
            catch (System.Text.Json.JsonException ex)
            {
                throw call.CreateException(LlmErrorKind.InvalidResponse, $"{call.Provider} sent a stream event that is not valid JSON.", response, innerException: ex);
            }

            if (update is not null)
            {
                yield return update;
            }

            if (accumulator.Finished)
            {
                break;
            }
        }

        if (!accumulator.Finished)
        {
            throw call.CreateException(
                LlmErrorKind.StreamInterrupted,
                $"{call.Provider} stream ended without message-end after {accumulator.UpdateCount} update(s); the answer is incomplete.",
                response);
        }
    }

    private HttpRequestMessage CreateRequest(byte[] body, bool stream)
    {
        HttpRequestMessage request = _core.CreateJsonRequest(_requestUri, body, stream);
        if (_core.RevealApiKey() is { } key)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return request;
    }
}
