using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>Translates Chat Completions replies (completions and stream chunks) into M.E.AI types.</summary>
/// <remarks>
/// A refusal (<c>message.refusal</c>) becomes an <see cref="ErrorContent"/> with <see cref="ErrorContent.ErrorCode"/> <c>refusal</c>,
/// so it is neither lost nor mistaken for answer text. <c>reasoning_content</c> sent by compatible servers becomes <see cref="TextReasoningContent"/>.
/// </remarks>
internal static class OpenAIResponseReader
{
    /// <summary>The <see cref="ErrorContent.ErrorCode"/> of a refusal.</summary>
    public const string RefusalErrorCode = "refusal";

    /// <summary>Parses a completion or chunk.</summary>
    /// <param name="call">The call, for errors.</param>
    /// <param name="response">The reply, for errors.</param>
    /// <param name="json">The JSON text or bytes.</param>
    /// <returns>The parsed object.</returns>
    /// <exception cref="LlmProviderException">The JSON is malformed (<see cref="LlmErrorKind.InvalidResponse"/>).</exception>
    public static OpenAIChatCompletionDto Parse(ProviderHttpCall call, HttpResponseMessage response, ReadOnlySpan<byte> json)
    {
        if (!System.Text.Unicode.Utf8.IsValid(json))
        {
            throw call.CreateException(LlmErrorKind.InvalidResponse, $"{call.Provider} returned a reply that is not valid UTF-8.", response);
        }

        try
        {
            return JsonSerializer.Deserialize(json, OpenAIJsonContext.Default.OpenAIChatCompletionDto)
                ?? throw new JsonException("The reply is JSON null.");
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw call.CreateException(LlmErrorKind.InvalidResponse, $"{call.Provider} returned a reply that is not valid Chat Completions JSON.", response, innerException: ex);
        }
    }

    /// <summary>Gets the error an otherwise parsed body carries, if any.</summary>
    /// <param name="dto">The parsed body.</param>
    /// <param name="json">The same body, for shapes the DTO does not model.</param>
    /// <returns>The error, or <see langword="null"/>.</returns>
    public static OpenAIErrorInfo? GetError(OpenAIChatCompletionDto dto, ReadOnlySpan<byte> json)
    {
        if (dto.Error is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) } || string.Equals(dto.Object, "error", StringComparison.Ordinal))
        {
            return OpenAIErrors.TryParse(json) ?? new OpenAIErrorInfo(null, null, null, null);
        }

        return null;
    }

    /// <summary>Converts a non-streamed completion.</summary>
    /// <param name="call">The call.</param>
    /// <param name="response">The reply.</param>
    /// <param name="dto">The completion.</param>
    /// <param name="properties">Properties from the reply headers (rate limits, request id), or <see langword="null"/>; set on the message and the response.</param>
    /// <returns>The response.</returns>
    public static ChatResponse ToChatResponse(ProviderHttpCall call, HttpResponseMessage response, OpenAIChatCompletionDto dto, AdditionalPropertiesDictionary? properties)
    {
        OpenAIChoiceDto? choice = dto.Choices?.Find(c => c.Index == 0) ?? dto.Choices?.FirstOrDefault();
        if (choice?.Message is not { } message)
        {
            throw call.CreateException(LlmErrorKind.InvalidResponse, $"{call.Provider} returned a completion without choices.", response);
        }

        DateTimeOffset? created = ToCreatedAt(dto.Created);
        var contents = new List<AIContent>();
        if (!string.IsNullOrEmpty(message.ReasoningContent))
        {
            contents.Add(new TextReasoningContent(message.ReasoningContent));
        }

        if (message.Content is { Length: > 0 } text)
        {
            contents.Add(new TextContent(text));
        }

        foreach (OpenAIToolCallDto toolCall in message.ToolCalls ?? [])
        {
            contents.Add(ToFunctionCall(toolCall.Id, toolCall.Function?.Name, toolCall.Function?.Arguments));
        }

        if (!string.IsNullOrEmpty(message.Refusal))
        {
            contents.Add(Refusal(message.Refusal));
        }

        var chatMessage = new ChatMessage(ChatRole.Assistant, contents)
        {
            MessageId = dto.Id,
            CreatedAt = created,
            AdditionalProperties = properties,
        };

        return new ChatResponse(chatMessage)
        {
            ResponseId = dto.Id,
            ModelId = dto.Model,
            CreatedAt = created,
            FinishReason = ToFinishReason(choice.FinishReason),
            Usage = ToUsage(dto.Usage),
            AdditionalProperties = properties?.Clone(),
        };
    }

    /// <summary>Maps a finish reason.</summary>
    /// <param name="value">The wire value.</param>
    /// <returns>The reason, or <see langword="null"/>.</returns>
    public static ChatFinishReason? ToFinishReason(string? value) => value switch
    {
        null or "" => null,
        "stop" => ChatFinishReason.Stop,
        "length" => ChatFinishReason.Length,
        "tool_calls" or "function_call" => ChatFinishReason.ToolCalls,
        "content_filter" => ChatFinishReason.ContentFilter,
        _ => new ChatFinishReason(value),
    };

    /// <summary>Maps usage to M.E.AI's convention (input includes cached reads; output includes reasoning).</summary>
    /// <param name="usage">The wire usage.</param>
    /// <returns>The usage, or <see langword="null"/>.</returns>
    public static UsageDetails? ToUsage(OpenAIUsageDto? usage)
    {
        if (usage is null)
        {
            return null;
        }

        return new UsageDetails
        {
            InputTokenCount = usage.PromptTokens,
            OutputTokenCount = usage.CompletionTokens,
            TotalTokenCount = usage.TotalTokens ?? (usage.PromptTokens + usage.CompletionTokens),
            CachedInputTokenCount = usage.PromptTokensDetails?.CachedTokens,
            ReasoningTokenCount = usage.CompletionTokensDetails?.ReasoningTokens,
        };
    }

    /// <summary>Converts the Unix <c>created</c> seconds.</summary>
    /// <param name="created">The seconds.</param>
    /// <returns>The time, or <see langword="null"/>.</returns>
    public static DateTimeOffset? ToCreatedAt(double? created) =>
        created is { } seconds && double.IsFinite(seconds) && seconds > 0 && seconds < 253_402_300_799
            ? DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000))
            : null;

    /// <summary>Creates a function call from its wire parts; unparsable arguments are reported on <see cref="FunctionCallContent.Exception"/>.</summary>
    /// <param name="id">The call id.</param>
    /// <param name="name">The function name.</param>
    /// <param name="arguments">The arguments JSON text.</param>
    /// <returns>The call.</returns>
    public static FunctionCallContent ToFunctionCall(string? id, string? name, string? arguments) =>
        FunctionCallContent.CreateFromParsedArguments(
            string.IsNullOrWhiteSpace(arguments) ? "{}" : arguments,
            id ?? string.Empty,
            name ?? string.Empty,
            static json =>
            {
                Dictionary<string, JsonElement>? parsed = JsonSerializer.Deserialize(json, OpenAIJsonContext.Default.DictionaryStringJsonElement);
                var result = new Dictionary<string, object?>(parsed?.Count ?? 0, StringComparer.Ordinal);
                if (parsed is not null)
                {
                    foreach (KeyValuePair<string, JsonElement> kv in parsed)
                    {
                        result[kv.Key] = kv.Value;
                    }
                }

                return result;
            });

    /// <summary>Creates the content of a refusal.</summary>
    /// <param name="text">The refusal text.</param>
    /// <returns>The content.</returns>
    public static ErrorContent Refusal(string text) => new(text) { ErrorCode = RefusalErrorCode };
}

/// <summary>
/// Turns stream chunks into updates: text and reasoning deltas at once; tool-call fragments accumulated by <c>index</c> and
/// emitted as complete, separate <see cref="FunctionCallContent"/>s (with any refusal) on the update that carries the finish reason.
/// </summary>
internal sealed class OpenAIStreamAccumulator
{
    private readonly SortedDictionary<int, ToolCallBuilder> _toolCalls = [];
    private readonly StringBuilder _refusal = new();
    private readonly List<ChatResponseUpdate> _updates = new(2);
    private AdditionalPropertiesDictionary? _pendingProperties;

    /// <summary>Initializes a new instance of the <see cref="OpenAIStreamAccumulator"/> class.</summary>
    /// <param name="properties">Properties from the reply headers, put on the first update.</param>
    public OpenAIStreamAccumulator(AdditionalPropertiesDictionary? properties)
    {
        _pendingProperties = properties;
    }

    /// <summary>Gets a value indicating whether a finish reason arrived.</summary>
    public bool Finished { get; private set; }

    /// <summary>Gets the number of updates produced.</summary>
    public int UpdateCount { get; private set; }

    /// <summary>Converts one chunk into zero or more updates.</summary>
    /// <param name="chunk">The chunk.</param>
    /// <returns>The updates.</returns>
    /// <remarks>The returned list is reused by the next call: consume it first.</remarks>
    public IEnumerable<ChatResponseUpdate> Add(OpenAIChatCompletionDto chunk)
    {
        List<ChatResponseUpdate> updates = _updates;
        updates.Clear();
        DateTimeOffset? created = OpenAIResponseReader.ToCreatedAt(chunk.Created);
        foreach (OpenAIChoiceDto choice in chunk.Choices ?? [])
        {
            if (choice.Index != 0)
            {
                continue;
            }

            OpenAIMessageDto? delta = choice.Delta;

            var contents = new List<AIContent>(1);
            if (delta is not null)
            {
                if (!string.IsNullOrEmpty(delta.ReasoningContent))
                {
                    contents.Add(new TextReasoningContent(delta.ReasoningContent));
                }

                if (delta.Content is { Length: > 0 } text)
                {
                    contents.Add(new TextContent(text));
                }

                if (!string.IsNullOrEmpty(delta.Refusal))
                {
                    _refusal.Append(delta.Refusal);
                }

                foreach (OpenAIToolCallDto fragment in delta.ToolCalls ?? [])
                {
                    int index = fragment.Index ?? _toolCalls.Count;
                    if (!_toolCalls.TryGetValue(index, out ToolCallBuilder? builder))
                    {
                        builder = new ToolCallBuilder();
                        _toolCalls.Add(index, builder);
                    }

                    builder.Id ??= fragment.Id;
                    builder.Name ??= fragment.Function?.Name;
                    builder.Arguments.Append(fragment.Function?.Arguments);
                }
            }

            ChatFinishReason? finishReason = OpenAIResponseReader.ToFinishReason(choice.FinishReason);
            if (finishReason is not null)
            {
                Finished = true;
                contents.AddRange(Flush());
            }

            if (contents.Count > 0 || finishReason is not null)
            {
                updates.Add(Create(chunk, created, contents, finishReason));
            }
        }

        if (OpenAIResponseReader.ToUsage(chunk.Usage) is { } usage)
        {
            updates.Add(Create(chunk, created, [new UsageContent(usage)], null));
        }

        return updates;
    }

    /// <summary>Emits tool calls and refusal text still pending when the stream ended without a finish reason.</summary>
    /// <param name="last">The last chunk seen, for ids; <see langword="null"/> if none.</param>
    /// <returns>The final update, or <see langword="null"/> when nothing is pending.</returns>
    public ChatResponseUpdate? Complete(OpenAIChatCompletionDto? last)
    {
        List<AIContent> pending = Flush();
        return pending.Count == 0 ? null : Create(last, OpenAIResponseReader.ToCreatedAt(last?.Created), pending, null);
    }

    private List<AIContent> Flush()
    {
        var contents = new List<AIContent>(_toolCalls.Count + 1);
        foreach (ToolCallBuilder call in _toolCalls.Values)
        {
            contents.Add(OpenAIResponseReader.ToFunctionCall(call.Id, call.Name, call.Arguments.ToString()));
        }

        _toolCalls.Clear();
        if (_refusal.Length > 0)
        {
            contents.Add(OpenAIResponseReader.Refusal(_refusal.ToString()));
            _refusal.Clear();
        }

        return contents;
    }

    private ChatResponseUpdate Create(OpenAIChatCompletionDto? chunk, DateTimeOffset? created, IList<AIContent> contents, ChatFinishReason? finishReason)
    {
        UpdateCount++;
        var update = new ChatResponseUpdate(ChatRole.Assistant, contents)
        {
            ResponseId = chunk?.Id,
            MessageId = chunk?.Id,
            ModelId = chunk?.Model,
            CreatedAt = created,
            FinishReason = finishReason,
            AdditionalProperties = _pendingProperties,
        };
        _pendingProperties = null;
        return update;
    }

    private sealed class ToolCallBuilder
    {
        public string? Id { get; set; }

        public string? Name { get; set; }

        public StringBuilder Arguments { get; } = new();
    }
}
