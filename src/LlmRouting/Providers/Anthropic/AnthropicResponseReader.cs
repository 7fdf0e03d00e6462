using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>Translates Messages API replies (whole messages) into M.E.AI types; shared by the stream accumulator.</summary>
internal static class AnthropicResponseReader
{
    /// <summary>Parses a whole reply.</summary>
    /// <param name="call">The call, for errors.</param>
    /// <param name="response">The reply, for errors.</param>
    /// <param name="json">The body.</param>
    /// <returns>The message.</returns>
    /// <exception cref="LlmProviderException">The JSON is malformed (<see cref="LlmErrorKind.InvalidResponse"/>).</exception>
    public static AnthropicMessageDto ParseMessage(ProviderHttpCall call, HttpResponseMessage response, ReadOnlySpan<byte> json)
    {
        if (!System.Text.Unicode.Utf8.IsValid(json))
        {
            throw call.CreateException(LlmErrorKind.InvalidResponse, $"{call.Provider} returned a reply that is not valid UTF-8.", response);
        }

        try
        {
            return JsonSerializer.Deserialize(json, AnthropicJsonContext.Default.AnthropicMessageDto)
                ?? throw new JsonException("The reply is JSON null.");
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw call.CreateException(LlmErrorKind.InvalidResponse, $"{call.Provider} returned a reply that is not valid Messages API JSON.", response, innerException: ex);
        }
    }

    /// <summary>Parses one stream event.</summary>
    /// <param name="call">The call, for errors.</param>
    /// <param name="response">The reply, for errors.</param>
    /// <param name="json">The event data.</param>
    /// <returns>The event.</returns>
    /// <exception cref="LlmProviderException">The JSON is malformed (<see cref="LlmErrorKind.InvalidResponse"/>).</exception>
    public static AnthropicStreamEventDto ParseEvent(ProviderHttpCall call, HttpResponseMessage response, ReadOnlySpan<byte> json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, AnthropicJsonContext.Default.AnthropicStreamEventDto)
                ?? throw new JsonException("The event is JSON null.");
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw call.CreateException(LlmErrorKind.InvalidResponse, $"{call.Provider} sent a stream event that is not valid JSON.", response, innerException: ex);
        }
    }

    /// <summary>Converts a whole reply.</summary>
    /// <param name="call">The call.</param>
    /// <param name="response">The reply.</param>
    /// <param name="dto">The message.</param>
    /// <param name="properties">Properties from the reply headers, set on the message and the response.</param>
    /// <param name="emulation">The JSON emulation of the request, if any.</param>
    /// <returns>The response.</returns>
    public static ChatResponse ToChatResponse(
        ProviderHttpCall call, HttpResponseMessage response, AnthropicMessageDto dto, AdditionalPropertiesDictionary? properties, AnthropicJsonEmulation? emulation)
    {
        if (dto.Content is null)
        {
            throw call.CreateException(LlmErrorKind.InvalidResponse, $"{call.Provider} returned a message without content.", response);
        }

        var contents = new List<AIContent>(dto.Content.Count);
        string? jsonAnswer = null;
        int realCalls = 0;
        foreach (AnthropicContentBlockDto block in dto.Content)
        {
            switch (block.Type)
            {
                case "text" when !string.IsNullOrEmpty(block.Text):
                    if (contents.Count > 0 && contents[^1] is TextContent previous)
                    {
                        // Adjacent text blocks (e.g. split by citations) read as one text, as the streamed form does.
                        contents[^1] = new TextContent(previous.Text + block.Text);
                    }
                    else
                    {
                        contents.Add(new TextContent(block.Text));
                    }

                    break;
                case "thinking":
                    contents.Add(new TextReasoningContent(block.Thinking ?? string.Empty) { ProtectedData = string.IsNullOrEmpty(block.Signature) ? null : block.Signature });
                    break;
                case "redacted_thinking":
                    contents.Add(RedactedThinking(block.Data));
                    break;
                case "tool_use" when emulation is not null && block.Name == emulation.ToolName:
                    jsonAnswer = block.Input is { ValueKind: not (JsonValueKind.Undefined or JsonValueKind.Null) } input ? input.GetRawText() : string.Empty;
                    break;
                case "tool_use":
                    realCalls++;
                    contents.Add(ToFunctionCall(block.Id, block.Name, block.Input is { } i ? i.GetRawText() : null));
                    break;
                default:
                    // Blocks of types the adapter does not request (server tools, citations-only blocks) carry no chat content.
                    break;
            }
        }

        ChatFinishReason? finishReason = ToFinishReason(dto.StopReason, answeredWithJsonOnly: jsonAnswer is not null && realCalls == 0);
        if (jsonAnswer is not null)
        {
            contents.Add(JsonAnswer(call, response, emulation!, jsonAnswer, dto.StopReason, ref finishReason));
        }

        var message = new ChatMessage(ChatRole.Assistant, contents) { MessageId = dto.Id, AdditionalProperties = properties };
        return new ChatResponse(message)
        {
            ResponseId = dto.Id,
            ModelId = dto.Model,
            FinishReason = finishReason,
            Usage = ToUsage(dto.Usage, null),
            AdditionalProperties = properties?.Clone(),
        };
    }

    /// <summary>Maps a stop reason.</summary>
    /// <param name="value">The wire value.</param>
    /// <param name="answeredWithJsonOnly">Whether the only tool called was the JSON-emulation tool (then the turn is a finished answer).</param>
    /// <returns>The reason, or <see langword="null"/>.</returns>
    public static ChatFinishReason? ToFinishReason(string? value, bool answeredWithJsonOnly) => value switch
    {
        null or "" => null,
        "end_turn" or "stop_sequence" => ChatFinishReason.Stop,
        "max_tokens" or "model_context_window_exceeded" => ChatFinishReason.Length,
        "tool_use" => answeredWithJsonOnly ? ChatFinishReason.Stop : ChatFinishReason.ToolCalls,
        "refusal" => ChatFinishReason.ContentFilter,
        _ => new ChatFinishReason(value),
    };

    /// <summary>
    /// Maps usage to M.E.AI's convention: input = <c>input_tokens</c> + cache reads + cache writes; cached input = cache reads;
    /// cache writes also in <see cref="UsageDetails.AdditionalCounts"/>[<see cref="LlmUsageKeys.CacheWriteInputTokens"/>] (when non-zero).
    /// </summary>
    /// <param name="start">The usage of the message (or of <c>message_start</c>).</param>
    /// <param name="delta">The cumulative usage of the last <c>message_delta</c>, whose counts win where present.</param>
    /// <returns>The usage, or <see langword="null"/> when the provider sent none.</returns>
    public static UsageDetails? ToUsage(AnthropicUsageDto? start, AnthropicUsageDto? delta)
    {
        if (start is null && delta is null)
        {
            return null;
        }

        long? uncached = delta?.InputTokens ?? start?.InputTokens;
        long? cacheRead = delta?.CacheReadInputTokens ?? start?.CacheReadInputTokens;
        long? cacheWrite = delta?.CacheCreationInputTokens ?? start?.CacheCreationInputTokens;
        long? output = delta?.OutputTokens ?? start?.OutputTokens;
        long? input = uncached is null && cacheRead is null && cacheWrite is null ? null : (uncached ?? 0) + (cacheRead ?? 0) + (cacheWrite ?? 0);
        var usage = new UsageDetails
        {
            InputTokenCount = input,
            OutputTokenCount = output,
            TotalTokenCount = input is null && output is null ? null : (input ?? 0) + (output ?? 0),
            CachedInputTokenCount = cacheRead,
        };
        if (cacheWrite is > 0)
        {
            usage.AdditionalCounts = new() { [LlmUsageKeys.CacheWriteInputTokens] = cacheWrite.Value };
        }

        return usage;
    }

    /// <summary>Creates a function call; unparsable arguments are reported on <see cref="FunctionCallContent.Exception"/>.</summary>
    /// <param name="id">The <c>tool_use</c> id.</param>
    /// <param name="name">The tool name.</param>
    /// <param name="inputJson">The input JSON text.</param>
    /// <returns>The call.</returns>
    public static FunctionCallContent ToFunctionCall(string? id, string? name, string? inputJson) =>
        FunctionCallContent.CreateFromParsedArguments(
            string.IsNullOrWhiteSpace(inputJson) ? "{}" : inputJson,
            id ?? string.Empty,
            name ?? string.Empty,
            static json =>
            {
                Dictionary<string, JsonElement>? parsed = JsonSerializer.Deserialize(json, AnthropicJsonContext.Default.DictionaryStringJsonElement);
                var result = new Dictionary<string, object?>(parsed?.Count ?? 0, StringComparer.Ordinal);
                foreach (KeyValuePair<string, JsonElement> kv in parsed ?? [])
                {
                    result[kv.Key] = kv.Value;
                }

                return result;
            });

    /// <summary>Creates the content of a <c>redacted_thinking</c> block: no text, the encrypted data as protected data, marked as redacted.</summary>
    /// <param name="data">The encrypted data.</param>
    /// <returns>The content.</returns>
    public static TextReasoningContent RedactedThinking(string? data) => new(string.Empty)
    {
        ProtectedData = data,
        AdditionalProperties = new() { [AnthropicChatClient.RedactedThinkingPropertyName] = true },
    };

    /// <summary>
    /// Turns the JSON-emulation tool's input into the text answer: parsed, checked against the caller's schema, unwrapped and written compactly.
    /// A reply cut by <c>max_tokens</c> keeps its partial text with finish reason length; any other mismatch is <see cref="LlmErrorKind.InvalidResponse"/>.
    /// </summary>
    /// <param name="call">The call.</param>
    /// <param name="response">The reply.</param>
    /// <param name="emulation">The emulation.</param>
    /// <param name="json">The tool input JSON text.</param>
    /// <param name="stopReason">The stop reason.</param>
    /// <param name="finishReason">The finish reason, set to length for a cut answer.</param>
    /// <returns>The text content.</returns>
    public static TextContent JsonAnswer(
        ProviderHttpCall call, HttpResponseMessage response, AnthropicJsonEmulation emulation, string json, string? stopReason, ref ChatFinishReason? finishReason)
    {
        string? problem;
        JsonElement value = default;
        try
        {
            using JsonDocument document = JsonDocument.Parse(string.IsNullOrWhiteSpace(json) ? "{}" : json);
            value = document.RootElement.Clone();
            problem = null;
        }
        catch (JsonException)
        {
            problem = "it is not valid JSON";
        }

        if (problem is null && emulation.Wrapped)
        {
            if (value.ValueKind == JsonValueKind.Object && value.TryGetProperty("value", out JsonElement inner))
            {
                value = inner;
            }
            else
            {
                problem = "$: the wrapped answer has no 'value'";
            }
        }

        if (problem is null && emulation.Schema is { } schema)
        {
            problem = JsonSchemaValidator.FindMismatch(value, schema);
        }
        else if (problem is null && emulation.Schema is null && value.ValueKind != JsonValueKind.Object)
        {
            problem = "$: expected a JSON object";
        }

        if (problem is null)
        {
            return new TextContent(ProviderJson.Compact(value));
        }

        if (stopReason is "max_tokens" or "model_context_window_exceeded")
        {
            finishReason = ChatFinishReason.Length;
            return new TextContent(json);
        }

        throw call.CreateException(
            LlmErrorKind.InvalidResponse,
            $"{call.Provider} returned a JSON answer (emulated with the '{emulation.ToolName}' tool) that does not match the requested format: {problem}.",
            response);
    }
}

/// <summary>
/// Turns stream events into updates: text and thinking deltas at once; each <c>tool_use</c> block as one complete
/// <see cref="FunctionCallContent"/> when the block stops; signatures at the end of their thinking block; the JSON-emulation answer,
/// finish reason and usage on the update of <c>message_stop</c>.
/// </summary>
internal sealed class AnthropicStreamAccumulator
{
    private readonly ProviderHttpCall _call;
    private readonly HttpResponseMessage _response;
    private readonly AnthropicJsonEmulation? _emulation;
    private readonly Dictionary<int, Block> _blocks = [];
    private AdditionalPropertiesDictionary? _pendingProperties;
    private string? _id;
    private string? _model;
    private AnthropicUsageDto? _startUsage;
    private AnthropicUsageDto? _deltaUsage;
    private string? _stopReason;
    private string? _jsonAnswer;
    private int _realCalls;

    /// <summary>Initializes a new instance of the <see cref="AnthropicStreamAccumulator"/> class.</summary>
    /// <param name="call">The call.</param>
    /// <param name="response">The reply.</param>
    /// <param name="properties">Properties from the reply headers, put on the first update.</param>
    /// <param name="emulation">The JSON emulation of the request, if any.</param>
    public AnthropicStreamAccumulator(ProviderHttpCall call, HttpResponseMessage response, AdditionalPropertiesDictionary? properties, AnthropicJsonEmulation? emulation)
    {
        _call = call;
        _response = response;
        _pendingProperties = properties;
        _emulation = emulation;
    }

    /// <summary>Gets a value indicating whether <c>message_start</c> arrived.</summary>
    public bool Started { get; private set; }

    /// <summary>Gets a value indicating whether <c>message_stop</c> arrived.</summary>
    public bool Finished { get; private set; }

    /// <summary>Gets the number of updates produced.</summary>
    public int UpdateCount { get; private set; }

    /// <summary>Converts one event into zero or one update.</summary>
    /// <param name="type">The event type.</param>
    /// <param name="e">The event.</param>
    /// <returns>The update, or <see langword="null"/>.</returns>
    /// <exception cref="LlmProviderException">The event is out of order or the JSON answer is invalid.</exception>
    public ChatResponseUpdate? Add(string type, AnthropicStreamEventDto e)
    {
        if (Finished)
        {
            return null;
        }

        switch (type)
        {
            case "message_start":
                Started = true;
                _id = e.Message?.Id;
                _model = e.Message?.Model;
                _startUsage = e.Message?.Usage;
                return null;
            case "content_block_start":
                return StartBlock(RequireIndex(e), e.ContentBlock);
            case "content_block_delta":
                return Delta(RequireIndex(e), e.Delta);
            case "content_block_stop":
                return StopBlock(RequireIndex(e));
            case "message_delta":
                _stopReason = e.Delta?.StopReason ?? _stopReason;
                _deltaUsage = e.Usage ?? _deltaUsage;
                return null;
            case "message_stop":
                Finished = true;
                return Complete();
            default:
                // ping and event types added later carry no chat content.
                return null;
        }
    }

    private ChatResponseUpdate? StartBlock(int index, AnthropicContentBlockDto? block)
    {
        EnsureStarted();
        var state = new Block(block?.Type ?? string.Empty, block?.Id, block?.Name, block?.Input);
        _blocks[index] = state;
        switch (state.Type)
        {
            case "text" when !string.IsNullOrEmpty(block?.Text):
                return Create([new TextContent(block.Text)], null);
            case "thinking" when !string.IsNullOrEmpty(block?.Thinking):
                return Create([new TextReasoningContent(block.Thinking)], null);
            case "redacted_thinking":
                return Create([AnthropicResponseReader.RedactedThinking(block?.Data)], null);
            default:
                return null;
        }
    }

    private ChatResponseUpdate? Delta(int index, AnthropicDeltaDto? delta)
    {
        if (!_blocks.TryGetValue(index, out Block? block))
        {
            throw Malformed($"a content_block_delta for block {index}, which never started");
        }

        switch (delta?.Type)
        {
            case "text_delta" when !string.IsNullOrEmpty(delta.Text):
                return Create([new TextContent(delta.Text)], null);
            case "thinking_delta" when !string.IsNullOrEmpty(delta.Thinking):
                return Create([new TextReasoningContent(delta.Thinking)], null);
            case "signature_delta":
                block.Signature.Append(delta.Signature);
                return null;
            case "input_json_delta":
                block.Json.Append(delta.PartialJson);
                return null;
            default:
                return null;
        }
    }

    private ChatResponseUpdate? StopBlock(int index)
    {
        if (!_blocks.Remove(index, out Block? block))
        {
            throw Malformed($"a content_block_stop for block {index}, which never started");
        }

        switch (block.Type)
        {
            case "thinking" when block.Signature.Length > 0:
                return Create([new TextReasoningContent(string.Empty) { ProtectedData = block.Signature.ToString() }], null);
            case "tool_use" when _emulation is not null && block.Name == _emulation.ToolName:
                // Kept until message_stop: the stop reason decides whether an invalid answer is an error or a cut one.
                _jsonAnswer = block.InputJson();
                return null;
            case "tool_use":
                _realCalls++;
                return Create([AnthropicResponseReader.ToFunctionCall(block.Id, block.Name, block.InputJson())], null);
            default:
                return null;
        }
    }

    private ChatResponseUpdate Complete()
    {
        EnsureStarted();
        if (_blocks.Count > 0)
        {
            throw Malformed($"message_stop while {_blocks.Count} content block(s) were still open");
        }

        ChatFinishReason? finishReason = AnthropicResponseReader.ToFinishReason(_stopReason, answeredWithJsonOnly: _jsonAnswer is not null && _realCalls == 0);
        var contents = new List<AIContent>(2);
        if (_jsonAnswer is not null)
        {
            contents.Add(AnthropicResponseReader.JsonAnswer(_call, _response, _emulation!, _jsonAnswer, _stopReason, ref finishReason));
        }

        if (AnthropicResponseReader.ToUsage(_startUsage, _deltaUsage) is { } usage)
        {
            contents.Add(new UsageContent(usage));
        }

        return Create(contents, finishReason);
    }

    private void EnsureStarted()
    {
        if (!Started)
        {
            throw Malformed("content before message_start");
        }
    }

    private int RequireIndex(AnthropicStreamEventDto e) => e.Index is { } i and >= 0 ? i : throw Malformed($"a {e.Type} event without a valid index");

    private LlmProviderException Malformed(string what) =>
        _call.CreateException(LlmErrorKind.InvalidResponse, $"{_call.Provider} sent a malformed event stream: {what}.", _response);

    private ChatResponseUpdate Create(IList<AIContent> contents, ChatFinishReason? finishReason)
    {
        UpdateCount++;
        var update = new ChatResponseUpdate(ChatRole.Assistant, contents)
        {
            ResponseId = _id,
            MessageId = _id,
            ModelId = _model,
            FinishReason = finishReason,
            AdditionalProperties = _pendingProperties,
        };
        _pendingProperties = null;
        return update;
    }

    private sealed class Block(string type, string? id, string? name, JsonElement? input)
    {
        public string Type { get; } = type;

        public string? Id { get; } = id;

        public string? Name { get; } = name;

        public StringBuilder Json { get; } = new();

        public StringBuilder Signature { get; } = new();

        /// <summary>Gets the input: the streamed partial JSON when any arrived, else the block's initial input.</summary>
        public string InputJson() =>
            Json.Length > 0 ? Json.ToString()
            : input is { ValueKind: not (JsonValueKind.Undefined or JsonValueKind.Null) } i ? i.GetRawText()
            : string.Empty;
    }
}
