using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>Parses Cohere Chat v2 replies and stream events and translates finish reasons and usage into M.E.AI types.</summary>
internal static class CohereResponseReader
{
    /// <summary>Parses a non-streamed reply.</summary>
    /// <param name="call">The call, for errors.</param>
    /// <param name="response">The reply, for errors.</param>
    /// <param name="json">The JSON bytes.</param>
    /// <returns>The parsed reply.</returns>
    /// <exception cref="LlmProviderException">The JSON is malformed (<see cref="LlmErrorKind.InvalidResponse"/>).</exception>
    public static CohereResponseDto ParseReply(ProviderHttpCall call, HttpResponseMessage response, ReadOnlySpan<byte> json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, CohereJsonContext.Default.CohereResponseDto) ?? throw new JsonException("The reply is JSON null.");
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw call.CreateException(LlmErrorKind.InvalidResponse, $"{call.Provider} returned a reply that is not valid Chat v2 JSON.", response, innerException: ex);
        }
    }

    /// <summary>Parses a stream event.</summary>
    /// <param name="call">The call, for errors.</param>
    /// <param name="response">The reply, for errors.</param>
    /// <param name="json">The event data.</param>
    /// <returns>The parsed event.</returns>
    /// <exception cref="LlmProviderException">The JSON is malformed (<see cref="LlmErrorKind.InvalidResponse"/>).</exception>
    public static CohereStreamEventDto ParseEvent(ProviderHttpCall call, HttpResponseMessage response, ReadOnlySpan<byte> json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, CohereJsonContext.Default.CohereStreamEventDto) ?? throw new JsonException("The event is JSON null.");
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw call.CreateException(LlmErrorKind.InvalidResponse, $"{call.Provider} sent a stream event that is not valid JSON.", response, innerException: ex);
        }
    }

    /// <summary>Converts a non-streamed reply into the updates a stream of it would produce (content, then finish reason and usage).</summary>
    /// <param name="call">The call.</param>
    /// <param name="response">The reply.</param>
    /// <param name="dto">The reply.</param>
    /// <param name="model">The model that was asked (Cohere does not name it in replies).</param>
    /// <param name="properties">Properties from the reply headers.</param>
    /// <param name="includeReasoning">Whether thinking content is returned.</param>
    /// <returns>The updates.</returns>
    public static List<ChatResponseUpdate> ToUpdates(ProviderHttpCall call, HttpResponseMessage response, CohereResponseDto dto, string model, AdditionalPropertiesDictionary? properties, bool includeReasoning)
    {
        ThrowIfFailed(call, response, dto.FinishReason, message: null, inStream: false);
        if (dto.Message is not { } message)
        {
            throw call.CreateException(LlmErrorKind.InvalidResponse, $"{call.Provider} returned a reply without a message.", response);
        }

        var contents = new List<AIContent>();
        var text = new StringBuilder(message.ToolPlan);
        foreach (CohereContentDto item in ContentItems(message.Content))
        {
            if (item.Type == "thinking" || (item.Type is null && item.Thinking is not null))
            {
                if (includeReasoning && !string.IsNullOrEmpty(item.Thinking))
                {
                    contents.Add(new TextReasoningContent(item.Thinking));
                }
            }
            else
            {
                text.Append(item.Text);
            }
        }

        if (text.Length > 0)
        {
            contents.Add(new TextContent(text.ToString()));
        }

        List<CohereToolCallDto> calls = ToolCalls(message.ToolCalls);
        foreach (CohereToolCallDto toolCall in calls)
        {
            contents.Add(OpenAIResponseReader.ToFunctionCall(toolCall.Id, toolCall.Function?.Name, toolCall.Function?.Arguments));
        }

        var updates = new List<ChatResponseUpdate>(2);
        if (contents.Count > 0)
        {
            updates.Add(Update(dto.Id, model, contents, null, properties));
            properties = null;
        }

        var final = new List<AIContent>(1);
        if (ToUsage(dto.Usage) is { } usage)
        {
            final.Add(new UsageContent(usage));
        }

        updates.Add(Update(dto.Id, model, final, ToFinishReason(dto.FinishReason, calls.Count > 0), properties));
        return updates;
    }

    /// <summary>Throws for finish reasons that mean the generation failed, and for error messages.</summary>
    /// <param name="call">The call.</param>
    /// <param name="response">The reply.</param>
    /// <param name="finishReason">The finish reason.</param>
    /// <param name="message">An error message the provider sent, if any.</param>
    /// <param name="inStream">Whether the failure was reported in a stream.</param>
    /// <exception cref="LlmProviderException">The generation failed or timed out.</exception>
    public static void ThrowIfFailed(ProviderHttpCall call, HttpResponseMessage response, string? finishReason, string? message, bool inStream)
    {
        string where = inStream ? "the stream" : "a successful (HTTP 200) reply";
        if (!string.IsNullOrEmpty(message))
        {
            throw CohereErrors.ForBodyError(call, response, CohereErrors.Classify(null, message), $"an error at the end of {where}", message, finishReason);
        }

        if (finishReason == "ERROR")
        {
            throw CohereErrors.ForBodyError(call, response, LlmErrorKind.ServerError, $"finish reason ERROR in {where}: the generation failed", null, finishReason);
        }

        if (finishReason == "TIMEOUT")
        {
            throw CohereErrors.ForBodyError(call, response, LlmErrorKind.Timeout, $"finish reason TIMEOUT in {where}: the generation exceeded its time limit and is incomplete", null, finishReason);
        }
    }

    /// <summary>Maps a finish reason.</summary>
    /// <param name="value">The wire value.</param>
    /// <param name="sawToolCall">Whether the reply contains tool calls.</param>
    /// <returns>The reason, or <see langword="null"/>.</returns>
    public static ChatFinishReason? ToFinishReason(string? value, bool sawToolCall) => value switch
    {
        null or "" => sawToolCall ? ChatFinishReason.ToolCalls : null,
        _ when sawToolCall => ChatFinishReason.ToolCalls,
        "COMPLETE" or "STOP_SEQUENCE" => ChatFinishReason.Stop,
        "MAX_TOKENS" => ChatFinishReason.Length,
        "TOOL_CALL" => ChatFinishReason.ToolCalls,
        _ => new ChatFinishReason(value),
    };

    /// <summary>
    /// Maps usage: input and output are the <b>billed</b> units (what Cohere charges, and what catalog prices apply to); the model's own counts,
    /// which include the prompt template Cohere adds and does not bill, are in <see cref="UsageDetails.AdditionalCounts"/>.
    /// </summary>
    /// <param name="usage">The wire usage.</param>
    /// <returns>The usage, or <see langword="null"/>.</returns>
    public static UsageDetails? ToUsage(CohereUsageDto? usage)
    {
        if (usage is null)
        {
            return null;
        }

        long? billedInput = ToLong(usage.BilledUnits?.InputTokens);
        long? billedOutput = ToLong(usage.BilledUnits?.OutputTokens);
        long? modelInput = ToLong(usage.Tokens?.InputTokens);
        long? modelOutput = ToLong(usage.Tokens?.OutputTokens);
        long? input = billedInput ?? modelInput;
        long? output = billedOutput ?? modelOutput;
        if (input is null && output is null && usage.CachedTokens is null)
        {
            return null;
        }

        var details = new UsageDetails
        {
            InputTokenCount = input,
            OutputTokenCount = output,
            TotalTokenCount = input is null && output is null ? null : (input ?? 0) + (output ?? 0),
            CachedInputTokenCount = ToLong(usage.CachedTokens),
        };
        if (modelInput is not null || modelOutput is not null)
        {
            details.AdditionalCounts = [];
            if (modelInput is { } mi)
            {
                details.AdditionalCounts[CohereChatClient.ModelInputTokensKey] = mi;
            }

            if (modelOutput is { } mo)
            {
                details.AdditionalCounts[CohereChatClient.ModelOutputTokensKey] = mo;
            }
        }

        return details;
    }

    /// <summary>Reads content items: an array of items, one item, or a plain string. Items and fields of unexpected shapes are skipped.</summary>
    /// <param name="content">The content value.</param>
    /// <returns>The items.</returns>
    public static List<CohereContentDto> ContentItems(JsonElement? content)
    {
        var items = new List<CohereContentDto>(2);
        switch (content?.ValueKind)
        {
            case JsonValueKind.Array:
                foreach (JsonElement item in content.Value.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.Object)
                    {
                        items.Add(ReadContent(item));
                    }
                }

                break;
            case JsonValueKind.Object:
                items.Add(ReadContent(content.Value));
                break;
            case JsonValueKind.String:
                items.Add(new CohereContentDto { Type = "text", Text = content.Value.GetString() });
                break;
        }

        return items;
    }

    /// <summary>Reads tool calls: an array of calls, or one call (or fragment) as in stream events. Items and fields of unexpected shapes are skipped.</summary>
    /// <param name="toolCalls">The tool calls value.</param>
    /// <returns>The calls.</returns>
    public static List<CohereToolCallDto> ToolCalls(JsonElement? toolCalls)
    {
        var calls = new List<CohereToolCallDto>();
        switch (toolCalls?.ValueKind)
        {
            case JsonValueKind.Array:
                foreach (JsonElement call in toolCalls.Value.EnumerateArray())
                {
                    if (call.ValueKind == JsonValueKind.Object)
                    {
                        calls.Add(ReadToolCall(call));
                    }
                }

                break;
            case JsonValueKind.Object:
                calls.Add(ReadToolCall(toolCalls.Value));
                break;
        }

        return calls;
    }

    /// <summary>Creates an update.</summary>
    /// <param name="id">The reply id.</param>
    /// <param name="model">The model.</param>
    /// <param name="contents">The contents.</param>
    /// <param name="finishReason">The finish reason.</param>
    /// <param name="properties">The properties of the reply, on its first update.</param>
    /// <returns>The update.</returns>
    public static ChatResponseUpdate Update(string? id, string model, IList<AIContent> contents, ChatFinishReason? finishReason, AdditionalPropertiesDictionary? properties) =>
        new(ChatRole.Assistant, contents)
        {
            ResponseId = id,
            MessageId = id,
            ModelId = model,
            FinishReason = finishReason,
            AdditionalProperties = properties,
        };

    private static CohereContentDto ReadContent(JsonElement item) => new()
    {
        Type = GetString(item, "type"),
        Text = GetString(item, "text"),
        Thinking = GetString(item, "thinking"),
    };

    private static CohereToolCallDto ReadToolCall(JsonElement call) => new()
    {
        Id = GetString(call, "id"),
        Type = GetString(call, "type"),
        Function = call.TryGetProperty("function", out JsonElement function) && function.ValueKind == JsonValueKind.Object
            ? new CohereFunctionDto { Name = GetString(function, "name"), Arguments = GetString(function, "arguments") }
            : null,
    };

    private static string? GetString(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out JsonElement value) || value.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException ex)
        {
            throw new JsonException($"The '{name}' string is not valid text.", ex);
        }
    }

    private static long? ToLong(double? value) =>
        value is { } v && double.IsFinite(v) && v >= 0 && v < long.MaxValue ? (long)Math.Round(v) : null;
}

/// <summary>
/// Turns Cohere stream events into updates: text, tool-plan and thinking deltas at once; each tool call, accumulated from its
/// <c>tool-call-start</c> and <c>tool-call-delta</c> events by index, as one complete <see cref="FunctionCallContent"/> on its
/// <c>tool-call-end</c>, so parallel calls stay separate; the finish reason and usage on <c>message-end</c>.
/// </summary>
internal sealed class CohereStreamAccumulator
{
    private readonly ProviderHttpCall _call;
    private readonly HttpResponseMessage _response;
    private readonly string _model;
    private readonly bool _includeReasoning;
    private readonly SortedDictionary<int, ToolCallBuilder> _toolCalls = [];
    private AdditionalPropertiesDictionary? _pendingProperties;
    private string? _responseId;
    private int _lastToolIndex;
    private bool _sawToolCall;

    /// <summary>Initializes a new instance of the <see cref="CohereStreamAccumulator"/> class.</summary>
    /// <param name="call">The call.</param>
    /// <param name="response">The reply.</param>
    /// <param name="model">The model that was asked.</param>
    /// <param name="properties">Properties from the reply headers, put on the first update.</param>
    /// <param name="includeReasoning">Whether thinking content is returned.</param>
    public CohereStreamAccumulator(ProviderHttpCall call, HttpResponseMessage response, string model, AdditionalPropertiesDictionary? properties, bool includeReasoning)
    {
        _call = call;
        _response = response;
        _model = model;
        _pendingProperties = properties;
        _includeReasoning = includeReasoning;
    }

    /// <summary>Gets a value indicating whether <c>message-end</c> arrived.</summary>
    public bool Finished { get; private set; }

    /// <summary>Gets the number of updates produced.</summary>
    public int UpdateCount { get; private set; }

    /// <summary>Converts one event into zero or one update.</summary>
    /// <param name="evt">The event.</param>
    /// <returns>The update, or <see langword="null"/>.</returns>
    /// <exception cref="LlmProviderException">The stream reports an error or a failed generation.</exception>
    public ChatResponseUpdate? Add(CohereStreamEventDto evt)
    {
        CohereMessageDto? message = evt.Delta?.Message;
        switch (evt.Type)
        {
            case "message-start":
                _responseId = evt.Id ?? _responseId;
                return null;
            case "content-start" or "content-delta":
                var contents = new List<AIContent>(1);
                foreach (CohereContentDto item in CohereResponseReader.ContentItems(message?.Content))
                {
                    if (!string.IsNullOrEmpty(item.Thinking))
                    {
                        if (_includeReasoning)
                        {
                            contents.Add(new TextReasoningContent(item.Thinking));
                        }
                    }
                    else if (!string.IsNullOrEmpty(item.Text))
                    {
                        contents.Add(new TextContent(item.Text));
                    }
                }

                return contents.Count == 0 ? null : Create(contents, null);
            case "tool-plan-delta":
                return string.IsNullOrEmpty(message?.ToolPlan) ? null : Create([new TextContent(message.ToolPlan)], null);
            case "tool-call-start":
                _sawToolCall = true;
                _lastToolIndex = evt.Index ?? _toolCalls.Count;
                CohereToolCallDto? start = CohereResponseReader.ToolCalls(message?.ToolCalls).FirstOrDefault();
                var builder = new ToolCallBuilder { Id = start?.Id, Name = start?.Function?.Name };
                builder.Arguments.Append(start?.Function?.Arguments);
                _toolCalls[_lastToolIndex] = builder;
                return null;
            case "tool-call-delta":
                CohereToolCallDto? fragment = CohereResponseReader.ToolCalls(message?.ToolCalls).FirstOrDefault();
                if (_toolCalls.TryGetValue(evt.Index ?? _lastToolIndex, out ToolCallBuilder? open))
                {
                    open.Id ??= fragment?.Id;
                    open.Name ??= fragment?.Function?.Name;
                    open.Arguments.Append(fragment?.Function?.Arguments);
                }
                else
                {
                    throw _call.CreateException(LlmErrorKind.InvalidResponse, $"{_call.Provider} sent a tool-call-delta for a tool call that was never started.", _response);
                }

                return null;
            case "tool-call-end":
                int index = evt.Index ?? _lastToolIndex;
                if (!_toolCalls.Remove(index, out ToolCallBuilder? done))
                {
                    return null;
                }

                return Create([done.Build()], null);
            case "message-end":
                CohereResponseReader.ThrowIfFailed(_call, _response, evt.Delta?.FinishReason, evt.Delta?.Error, inStream: true);
                Finished = true;
                _responseId ??= evt.Id;
                var final = new List<AIContent>(_toolCalls.Count + 1);
                foreach (ToolCallBuilder pending in _toolCalls.Values)
                {
                    final.Add(pending.Build());
                }

                _toolCalls.Clear();
                if (CohereResponseReader.ToUsage(evt.Delta?.Usage) is { } usage)
                {
                    final.Add(new UsageContent(usage));
                }

                return Create(final, CohereResponseReader.ToFinishReason(evt.Delta?.FinishReason, _sawToolCall));
            default:
                // content-end, citation-start, citation-end, debug: nothing to surface.
                return null;
        }
    }

    private ChatResponseUpdate Create(IList<AIContent> contents, ChatFinishReason? finishReason)
    {
        UpdateCount++;
        ChatResponseUpdate update = CohereResponseReader.Update(_responseId, _model, contents, finishReason, _pendingProperties);
        _pendingProperties = null;
        return update;
    }

    private sealed class ToolCallBuilder
    {
        public string? Id { get; set; }

        public string? Name { get; set; }

        public StringBuilder Arguments { get; } = new();

        public FunctionCallContent Build() => OpenAIResponseReader.ToFunctionCall(Id, Name, Arguments.ToString());
    }
}
