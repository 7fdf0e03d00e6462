using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>Parses Gemini replies and translates their parts, finish reasons and usage into M.E.AI types.</summary>
internal static class GeminiResponseReader
{
    /// <summary>The prefix of the call ids the adapter makes up for function calls Gemini sent without an id; such ids are never sent back.</summary>
    public const string SynthesizedCallIdPrefix = "gemini_call_";

    /// <summary>Parses a reply or stream event.</summary>
    /// <param name="call">The call, for errors.</param>
    /// <param name="response">The reply, for errors.</param>
    /// <param name="json">The JSON bytes.</param>
    /// <returns>The parsed reply.</returns>
    /// <exception cref="LlmProviderException">The JSON is malformed (<see cref="LlmErrorKind.InvalidResponse"/>).</exception>
    public static GeminiResponseDto Parse(ProviderHttpCall call, HttpResponseMessage response, ReadOnlySpan<byte> json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, GeminiJsonContext.Default.GeminiResponseDto)
                ?? throw new JsonException("The reply is JSON null.");
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Google APIs also send errors as a JSON array of error envelopes.
            if (GeminiErrors.TryParse(json) is { } error)
            {
                throw GeminiErrors.ForBodyError(call, response, error, inStream: true);
            }

            throw call.CreateException(LlmErrorKind.InvalidResponse, $"{call.Provider} returned a reply that is not valid generateContent JSON.", response, innerException: ex);
        }
    }

    /// <summary>Throws when a parsed reply is an error envelope or reports a blocked prompt.</summary>
    /// <param name="call">The call.</param>
    /// <param name="response">The reply.</param>
    /// <param name="dto">The parsed reply.</param>
    /// <param name="inStream">Whether the reply is a stream event.</param>
    /// <exception cref="LlmProviderException">The reply carries an error, or the prompt was blocked (<see cref="LlmErrorKind.ContentFiltered"/>).</exception>
    public static void ThrowIfFailed(ProviderHttpCall call, HttpResponseMessage response, GeminiResponseDto dto, bool inStream)
    {
        if (dto.Error is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) } error)
        {
            throw GeminiErrors.ForBodyError(call, response, GeminiErrors.FromErrorElement(error) ?? new GeminiErrorInfo(null, null, null, null, null), inStream);
        }

        if (dto.PromptFeedback?.BlockReason is { Length: > 0 } blockReason && blockReason != "BLOCK_REASON_UNSPECIFIED")
        {
            string detail = call.Sanitize(dto.PromptFeedback.BlockReasonMessage);
            throw call.CreateException(
                LlmErrorKind.ContentFiltered,
                $"{call.Provider} blocked the prompt [{call.Sanitize(blockReason)}]{(detail.Length > 0 ? ": " + detail : ".")}",
                response,
                blockReason);
        }
    }

    /// <summary>Maps a finish reason.</summary>
    /// <param name="value">The wire value.</param>
    /// <param name="sawFunctionCall">Whether the reply contains function calls.</param>
    /// <returns>The reason, or <see langword="null"/>.</returns>
    public static ChatFinishReason? ToFinishReason(string? value, bool sawFunctionCall) => value switch
    {
        null or "" => null,
        "STOP" => sawFunctionCall ? ChatFinishReason.ToolCalls : ChatFinishReason.Stop,
        "MAX_TOKENS" => ChatFinishReason.Length,
        "SAFETY" or "RECITATION" or "BLOCKLIST" or "PROHIBITED_CONTENT" or "SPII"
            or "IMAGE_SAFETY" or "IMAGE_PROHIBITED_CONTENT" or "IMAGE_RECITATION" => ChatFinishReason.ContentFilter,
        _ => new ChatFinishReason(value),
    };

    /// <summary>Converts a JSON object into function-call arguments (values stay <see cref="JsonElement"/>s, as M.E.AI's parsers produce).</summary>
    /// <param name="obj">The object.</param>
    /// <returns>The arguments.</returns>
    public static Dictionary<string, object?> ToArguments(JsonElement obj)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (JsonProperty property in obj.EnumerateObject())
        {
            result[property.Name] = property.Value.Clone();
        }

        return result;
    }

    /// <summary>Maps usage to M.E.AI's convention: input includes cached and tool-use prompt tokens; output includes thought tokens.</summary>
    /// <param name="usage">The wire usage.</param>
    /// <returns>The usage, or <see langword="null"/>.</returns>
    public static UsageDetails? ToUsage(GeminiUsageDto? usage)
    {
        if (usage is null)
        {
            return null;
        }

        long? input = usage.PromptTokenCount is null && usage.ToolUsePromptTokenCount is null
            ? null
            : (usage.PromptTokenCount ?? 0) + (usage.ToolUsePromptTokenCount ?? 0);
        long? output = usage.CandidatesTokenCount is null && usage.ThoughtsTokenCount is null
            ? null
            : (usage.CandidatesTokenCount ?? 0) + (usage.ThoughtsTokenCount ?? 0);
        return new UsageDetails
        {
            InputTokenCount = input,
            OutputTokenCount = output,
            TotalTokenCount = usage.TotalTokenCount ?? (input + output),
            CachedInputTokenCount = usage.CachedContentTokenCount,
            ReasoningTokenCount = usage.ThoughtsTokenCount,
        };
    }
}

/// <summary>
/// Turns Gemini replies (one whole reply, or the events of a stream) into updates. Every event of a Gemini stream is a complete
/// <c>GenerateContentResponse</c> carrying new parts; the finish reason and the final usage are emitted once, by <see cref="Complete"/>,
/// so that <c>ToChatResponse()</c> of a stream equals the non-streamed reply.
/// </summary>
internal sealed class GeminiStreamAccumulator
{
    private readonly ProviderHttpCall _call;
    private readonly HttpResponseMessage _response;
    private AdditionalPropertiesDictionary? _pendingProperties;
    private string? _finishReason;
    private bool _sawFunctionCall;
    private int _callOrdinal;
    private GeminiUsageDto? _usage;
    private string? _responseId;
    private string? _modelVersion;
    private DateTimeOffset? _createdAt;

    /// <summary>Initializes a new instance of the <see cref="GeminiStreamAccumulator"/> class.</summary>
    /// <param name="call">The call, for errors.</param>
    /// <param name="response">The reply, for errors.</param>
    /// <param name="properties">Properties from the reply headers, put on the first update.</param>
    public GeminiStreamAccumulator(ProviderHttpCall call, HttpResponseMessage response, AdditionalPropertiesDictionary? properties)
    {
        _call = call;
        _response = response;
        _pendingProperties = properties;
    }

    /// <summary>Gets a value indicating whether a finish reason arrived.</summary>
    public bool Finished => _finishReason is not null;

    /// <summary>Gets the number of updates produced.</summary>
    public int UpdateCount { get; private set; }

    /// <summary>Converts one reply or stream event into zero or one update with its new content.</summary>
    /// <param name="chunk">The reply or event.</param>
    /// <returns>The update, or <see langword="null"/> when the event carries no content.</returns>
    public ChatResponseUpdate? Add(GeminiResponseDto chunk)
    {
        _responseId = chunk.ResponseId ?? _responseId;
        _modelVersion = chunk.ModelVersion ?? _modelVersion;
        _createdAt = chunk.CreateTime ?? _createdAt;
        _usage = chunk.UsageMetadata ?? _usage;

        GeminiCandidateDto? candidate = chunk.Candidates?.Find(c => c is not null && (c.Index ?? 0) == 0) ?? chunk.Candidates?.Find(c => c is not null);
        if (candidate is null)
        {
            return null;
        }

        if (!string.IsNullOrEmpty(candidate.FinishReason))
        {
            _finishReason = candidate.FinishReason;
        }

        var contents = new List<AIContent>();
        foreach (GeminiPartDto? part in candidate.Content?.Parts ?? [])
        {
            if (part is not null)
            {
                AddPart(contents, part);
            }
        }

        return contents.Count == 0 ? null : Create(contents, null);
    }

    /// <summary>Creates the final update: the finish reason and the reply's usage.</summary>
    /// <returns>The update.</returns>
    public ChatResponseUpdate Complete()
    {
        var contents = new List<AIContent>(1);
        if (GeminiResponseReader.ToUsage(_usage) is { } usage)
        {
            contents.Add(new UsageContent(usage));
        }

        return Create(contents, GeminiResponseReader.ToFinishReason(_finishReason, _sawFunctionCall));
    }

    private void AddPart(List<AIContent> contents, GeminiPartDto part)
    {
        string? signature = string.IsNullOrEmpty(part.ThoughtSignature) ? null : part.ThoughtSignature;
        if (part.FunctionCall is { } functionCall)
        {
            _sawFunctionCall = true;
            int ordinal = _callOrdinal++;
            string callId = !string.IsNullOrEmpty(functionCall.Id)
                ? functionCall.Id
                : string.Create(CultureInfo.InvariantCulture, $"{GeminiResponseReader.SynthesizedCallIdPrefix}{ordinal}{(_responseId is null ? string.Empty : "_" + _responseId)}");
            var content = new FunctionCallContent(
                callId,
                functionCall.Name ?? string.Empty,
                functionCall.Args is { ValueKind: JsonValueKind.Object } args ? GeminiResponseReader.ToArguments(args) : new Dictionary<string, object?>());
            if (signature is not null)
            {
                content.AdditionalProperties = new() { [GeminiChatClient.ThoughtSignatureKey] = signature };
            }

            contents.Add(content);
            return;
        }

        if (part.InlineData is { } inline)
        {
            byte[] data;
            try
            {
                data = Convert.FromBase64String(inline.Data ?? string.Empty);
            }
            catch (FormatException ex)
            {
                throw _call.CreateException(LlmErrorKind.InvalidResponse, $"{_call.Provider} returned inline data that is not valid base64.", _response, innerException: ex);
            }

            contents.Add(new DataContent(data, string.IsNullOrEmpty(inline.MimeType) ? "application/octet-stream" : inline.MimeType));
            AddSignature(contents, signature);
            return;
        }

        if (part.FileData is { FileUri: { Length: > 0 } fileUri } file
            && Uri.TryCreate(fileUri, UriKind.Absolute, out Uri? uri))
        {
            contents.Add(new UriContent(uri, string.IsNullOrEmpty(file.MimeType) ? "application/octet-stream" : file.MimeType));
            AddSignature(contents, signature);
            return;
        }

        string text = part.Text ?? string.Empty;
        if (part.Thought == true)
        {
            if (text.Length > 0 || signature is not null)
            {
                contents.Add(new TextReasoningContent(text) { ProtectedData = signature });
            }

            return;
        }

        if (text.Length > 0)
        {
            contents.Add(new TextContent(text));
        }

        AddSignature(contents, signature);
    }

    /// <summary>A signature on a non-thought part travels as an empty reasoning item right after it, so that it survives <c>ToChatResponse()</c>.</summary>
    private static void AddSignature(List<AIContent> contents, string? signature)
    {
        if (signature is not null)
        {
            contents.Add(new TextReasoningContent(string.Empty) { ProtectedData = signature });
        }
    }

    private ChatResponseUpdate Create(IList<AIContent> contents, ChatFinishReason? finishReason)
    {
        UpdateCount++;
        var update = new ChatResponseUpdate(ChatRole.Assistant, contents)
        {
            ResponseId = _responseId,
            MessageId = _responseId,
            ModelId = _modelVersion,
            CreatedAt = _createdAt,
            FinishReason = finishReason,
            AdditionalProperties = _pendingProperties,
        };
        _pendingProperties = null;
        return update;
    }
}
