using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>
/// An <see cref="IChatClient"/> for OpenAI's Chat Completions API (<c>POST {endpoint}/chat/completions</c>) and the servers that speak it,
/// written directly over <see cref="HttpClient"/> without a provider SDK.
/// </summary>
/// <remarks>
/// <para>Failures surface as <see cref="LlmProviderException"/> classified by <see cref="LlmProviderException.Kind"/>; messages never contain the API key
/// or prompt text. Caller cancellation propagates as <see cref="OperationCanceledException"/>. Options the API cannot express
/// (e.g. <see cref="ChatOptions.TopK"/> on OpenAI) throw <see cref="NotSupportedException"/> instead of being dropped.
/// <see cref="ChatOptions.AdditionalProperties"/> entries are sent as extra top-level request fields, except keys starting with <c>LlmRouting.</c>
/// and <c>strictJsonSchema</c> (a <see cref="bool"/> that sets <c>strict</c> on function and response-format schemas).
/// <see cref="ChatOptions.RawRepresentationFactory"/> is ignored.</para>
/// <para>A refusal is returned as an <see cref="ErrorContent"/> whose <see cref="ErrorContent.ErrorCode"/> is <c>refusal</c>. Rate limits and the request id of
/// successful replies are in the reply's <c>AdditionalProperties</c> under <see cref="LlmResponsePropertyKeys"/> (see there for where exactly).</para>
/// <para>Thread-safe. The client does not own the <see cref="HttpClient"/> and does not dispose it.</para>
/// </remarks>
public sealed class OpenAIChatCompletionsClient : IChatClient
{
    private static readonly string[] RequestIdHeaders = ["x-request-id", "apim-request-id"];

    /// <summary>The marker the stream parser returns for <c>[DONE]</c>.</summary>
    private static readonly OpenAIChatCompletionDto DoneEvent = new();

    private readonly ProviderClientCore _core;
    private readonly Uri _requestUri;
    private readonly OpenAIAuthenticationStyle _authenticationStyle;
    private readonly OpenAICompatibleQuirks _quirks;

    /// <summary>Initializes a new instance of the <see cref="OpenAIChatCompletionsClient"/> class.</summary>
    /// <param name="httpClient">The HTTP client; not disposed by this client.</param>
    /// <param name="options">The options; OpenAI's defaults when <see langword="null"/>. They are copied.</param>
    /// <exception cref="ArgumentException">The endpoint is not an absolute URL, the provider name is empty, or the API key contains characters an HTTP header cannot carry.</exception>
    public OpenAIChatCompletionsClient(HttpClient httpClient, OpenAIChatCompletionsClientOptions? options = null)
    {
        options ??= new OpenAIChatCompletionsClientOptions();
        _core = new ProviderClientCore(
            httpClient, nameof(OpenAIChatCompletionsClientOptions), options.Endpoint, options.ProviderName, options.ApiKey, options.DefaultModelId,
            options.DeploymentName, options.Headers, options.TimeProvider, RequestIdHeaders, static (headers, _) => ProviderResponseHeaders.GetXRateLimits(headers));
        _requestUri = ProviderClientCore.AppendPath(options.Endpoint, "chat/completions");
        _authenticationStyle = options.AuthenticationStyle;
        _quirks = options.Quirks;
    }

    /// <inheritdoc/>
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        string model = _core.ResolveModel(options);
        byte[] body = OpenAIRequestWriter.Write(messages, options, model, stream: false, _quirks);
        ProviderHttpCall call = _core.CreateCall(model);

        using HttpRequestMessage request = CreateRequest(body, stream: false);
        using HttpResponseMessage response = await call.SendAsync(_core.HttpClient, request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        byte[] reply = await call.ReadBodyAsync(response, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw OpenAIErrors.ForHttpError(call, response, reply);
        }

        return ReadCompletion(call, response, reply);
    }

    /// <inheritdoc/>
    /// <remarks>Messages and options are validated when this method is called, before the stream is enumerated.</remarks>
    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        string model = _core.ResolveModel(options);
        byte[] body = OpenAIRequestWriter.Write(messages, options, model, stream: true, _quirks);
        return StreamAsync(_core.CreateCall(model), body, cancellationToken);
    }

    /// <inheritdoc/>
    public object? GetService(Type serviceType, object? serviceKey = null) => _core.GetService(this, serviceType, serviceKey);

    /// <inheritdoc/>
    public void Dispose()
    {
        // The HttpClient is owned by the caller (or by IHttpClientFactory).
    }

    private async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(ProviderHttpCall call, byte[] body, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using HttpRequestMessage request = CreateRequest(body, stream: true);
        using HttpResponseMessage response = await call.SendAsync(_core.HttpClient, request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            byte[] error = await call.ReadBodyAsync(response, cancellationToken);
            throw OpenAIErrors.ForHttpError(call, response, error);
        }

        if (ProviderClientCore.IsJson(response))
        {
            // The server answered with a whole completion (or an error) instead of an event stream.
            byte[] reply = await call.ReadBodyAsync(response, cancellationToken);
            foreach (ChatResponseUpdate update in ReadCompletion(call, response, reply).ToChatResponseUpdates())
            {
                yield return update;
            }

            yield break;
        }

        var accumulator = new OpenAIStreamAccumulator(ReplyProperties(call, response));
        OpenAIChatCompletionDto? last = null;
        bool done = false;

        // Each event's UTF-8 data is parsed where the SSE reader holds it: no string or byte copy per chunk. Errors are thrown from the parser, in order.
        var chunkReader = new OpenAIChunkReader();
        await foreach (SseItem<OpenAIChatCompletionDto?> item in call.ReadEventsAsync(response, (type, data) => ParseEvent(call, response, chunkReader, type, data), cancellationToken))
        {
            OpenAIChatCompletionDto? chunk = item.Data;
            if (ReferenceEquals(chunk, DoneEvent))
            {
                done = true;
                break;
            }

            if (chunk is null)
            {
                continue;
            }

            last = chunk;
            foreach (ChatResponseUpdate update in call.ReadJson(response, () => accumulator.Add(chunk)))
            {
                yield return update;
            }
        }

        if (!done && !accumulator.Finished)
        {
            throw call.CreateException(
                LlmErrorKind.StreamInterrupted,
                $"{call.Provider} stream ended without [DONE] and without a finish reason after {accumulator.UpdateCount} update(s); the answer is incomplete.",
                response);
        }

        if (accumulator.Complete(last) is { } final)
        {
            yield return final;
        }
    }

    /// <summary>Parses one event's data: <see langword="null"/> for an empty event, <see cref="DoneEvent"/> for <c>[DONE]</c>, else the chunk; errors are thrown typed.</summary>
    private static OpenAIChatCompletionDto? ParseEvent(ProviderHttpCall call, HttpResponseMessage response, OpenAIChunkReader chunkReader, string eventType, ReadOnlySpan<byte> data)
    {
        ReadOnlySpan<byte> json = data.Trim(" \t\r\n"u8);
        if (json.IsEmpty)
        {
            return null;
        }

        if (json.SequenceEqual("[DONE]"u8))
        {
            return DoneEvent;
        }

        if (string.Equals(eventType, "error", StringComparison.OrdinalIgnoreCase))
        {
            throw OpenAIErrors.ForBodyError(call, response, OpenAIErrors.TryParse(json) ?? new OpenAIErrorInfo(null, null, null, null), inStream: true);
        }

        OpenAIChatCompletionDto chunk = chunkReader.TryRead(json, out OpenAIChatCompletionDto? common) ? common! : OpenAIResponseReader.Parse(call, response, json);
        if (OpenAIResponseReader.GetError(chunk, json) is { } streamError)
        {
            throw OpenAIErrors.ForBodyError(call, response, streamError, inStream: true);
        }

        return chunk;
    }

    private static AdditionalPropertiesDictionary? ReplyProperties(ProviderHttpCall call, HttpResponseMessage response)
    {
        AdditionalPropertiesDictionary? properties = null;
        if (call.GetRateLimits(response) is { } rateLimits)
        {
            properties = new() { [LlmResponsePropertyKeys.RateLimits] = rateLimits };
        }

        if (ProviderResponseHeaders.GetFirstOf(response.Headers, call.RequestIdHeaders) is { } requestId)
        {
            properties ??= [];
            properties[LlmResponsePropertyKeys.ProviderRequestId] = requestId;
        }

        return properties;
    }

    private static ChatResponse ReadCompletion(ProviderHttpCall call, HttpResponseMessage response, byte[] reply)
    {
        OpenAIChatCompletionDto dto = OpenAIResponseReader.Parse(call, response, reply);
        if (OpenAIResponseReader.GetError(dto, reply) is { } error)
        {
            throw OpenAIErrors.ForBodyError(call, response, error, inStream: false);
        }

        return call.ReadJson(response, () => OpenAIResponseReader.ToChatResponse(call, response, dto, ReplyProperties(call, response)));
    }

    private HttpRequestMessage CreateRequest(byte[] body, bool stream)
    {
        HttpRequestMessage request = _core.CreateJsonRequest(_requestUri, body, stream);
        if (_core.RevealApiKey() is { } key)
        {
            if (_authenticationStyle == OpenAIAuthenticationStyle.ApiKeyHeader)
            {
                request.Headers.TryAddWithoutValidation("api-key", key);
            }
            else
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            }
        }

        return request;
    }
}
