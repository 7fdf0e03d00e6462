using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>Writes the JSON body of a Gemini <c>generateContent</c> request from M.E.AI messages and options. Null values are omitted.</summary>
/// <remarks>See <see cref="GeminiChatClient"/> for the mapping; options the API cannot express are rejected, never dropped.</remarks>
internal static class GeminiRequestWriter
{
    private const string ReservedPrefix = "LlmRouting.";

    /// <summary>Top-level request fields that <see cref="ChatOptions.AdditionalProperties"/> may set; every other key goes into <c>generationConfig</c>.</summary>
    private static readonly HashSet<string> TopLevelKeys = new(StringComparer.Ordinal)
    {
        GeminiChatClient.SafetySettingsKey, GeminiChatClient.CachedContentKey,
    };

    /// <summary>Writes the request body.</summary>
    /// <param name="messages">The conversation.</param>
    /// <param name="options">The options.</param>
    /// <param name="model">The model id (decides between <c>thinkingLevel</c> and <c>thinkingBudget</c>).</param>
    /// <returns>The UTF-8 JSON body.</returns>
    /// <exception cref="NotSupportedException">A message content or an option cannot be expressed.</exception>
    /// <exception cref="ArgumentException">The messages or options are inconsistent.</exception>
    public static byte[] Write(IEnumerable<ChatMessage> messages, ChatOptions? options, string model)
    {
        ArgumentNullException.ThrowIfNull(messages);
        Validate(options);
        (List<string> system, List<Turn> turns) = BuildTurns(messages, options?.Instructions);

        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartArray("contents");
            foreach (Turn turn in turns)
            {
                WriteTurn(w, turn);
            }

            w.WriteEndArray();

            if (system.Count > 0)
            {
                w.WriteStartObject("systemInstruction");
                w.WriteStartArray("parts");
                foreach (string text in system)
                {
                    w.WriteStartObject();
                    w.WriteString("text", text);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            var generationConfig = new HashSet<string>(StringComparer.Ordinal);
            if (options is not null)
            {
                WriteTools(w, options);
                WriteExtras(w, options, topLevel: true, written: null);
                WriteGenerationConfig(w, options, model, generationConfig);
            }

            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void Validate(ChatOptions? options)
    {
        if (options is null)
        {
            return;
        }

        if (options.ConversationId is not null)
        {
            throw new NotSupportedException("ChatOptions.ConversationId is not supported: the Gemini generateContent API keeps no server-side conversation; send the full history instead.");
        }

        if (options.ContinuationToken is not null || options.AllowBackgroundResponses == true)
        {
            throw new NotSupportedException("Background responses (ChatOptions.AllowBackgroundResponses, ContinuationToken) are not supported by the Gemini generateContent API.");
        }

        if (options.AllowMultipleToolCalls == false && options.Tools is { Count: > 0 })
        {
            throw new NotSupportedException(
                "ChatOptions.AllowMultipleToolCalls = false cannot be honoured: the Gemini API has no switch to limit a reply to one function call. " +
                "Leave it unset or route the request to a provider that supports it.");
        }

        if (options.Seed is { } seed && (seed < int.MinValue || seed > int.MaxValue))
        {
            throw new NotSupportedException($"ChatOptions.Seed {seed} is outside the 32-bit range Gemini's seed accepts.");
        }

        if (options.ToolMode is RequiredChatToolMode && options.Tools is not { Count: > 0 })
        {
            throw new ArgumentException("ChatOptions.ToolMode requires a tool call but ChatOptions.Tools is empty.", nameof(options));
        }

        if (options.ToolMode is RequiredChatToolMode { RequiredFunctionName: { } name } && !options.Tools!.Any(t => t.Name == name))
        {
            throw new ArgumentException($"ChatOptions.ToolMode requires the function '{name}', which is not among ChatOptions.Tools.", nameof(options));
        }

        if (options.Reasoning?.Output == ReasoningOutput.Full)
        {
            throw new NotSupportedException("ChatOptions.Reasoning.Output = Full cannot be honoured: Gemini returns thought summaries only. Use ReasoningOutput.Summary.");
        }
    }

    private static (List<string> System, List<Turn> Turns) BuildTurns(IEnumerable<ChatMessage> messages, string? instructions)
    {
        var system = new List<string>();
        if (!string.IsNullOrEmpty(instructions))
        {
            system.Add(instructions);
        }

        var turns = new List<Turn>();
        var callNames = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (ChatMessage message in messages)
        {
            ArgumentNullException.ThrowIfNull(message, nameof(messages));
            if (message.Role == ChatRole.System)
            {
                foreach (AIContent content in message.Contents)
                {
                    switch (content)
                    {
                        case TextContent text:
                            if (text.Text.Length > 0)
                            {
                                system.Add(text.Text);
                            }

                            break;
                        case TextReasoningContent or UsageContent or ErrorContent:
                            break;
                        default:
                            throw new NotSupportedException($"{content.GetType().Name} is not supported in a system message; Gemini's systemInstruction takes text only.");
                    }
                }

                continue;
            }

            string role = message.Role == ChatRole.Assistant ? "model"
                : message.Role == ChatRole.User || message.Role == ChatRole.Tool ? "user"
                : throw new NotSupportedException($"The chat role '{message.Role}' is not supported by Gemini (user, assistant, system and tool are).");

            int partsBefore = CountParts(turns);
            foreach (AIContent content in message.Contents)
            {
                switch (content)
                {
                    case TextContent { Text.Length: 0 } empty when Signature(empty) is null:
                        // Gemini rejects empty text parts; an empty text beside other content adds nothing.
                        break;
                    case FunctionResultContent result:
                        if (!callNames.TryGetValue(result.CallId, out string? name))
                        {
                            throw new ArgumentException(
                                $"A FunctionResultContent answers call id '{result.CallId}', but no earlier FunctionCallContent in the history has that id; " +
                                "Gemini needs the function's name for every function response.",
                                nameof(messages));
                        }

                        Add(turns, "user", new FunctionResponsePart(IsSynthesized(result.CallId) ? null : result.CallId, name, result));
                        break;
                    case FunctionCallContent call:
                        if (role != "model")
                        {
                            throw new NotSupportedException($"FunctionCallContent is only supported in assistant messages, not in a '{message.Role}' message.");
                        }

                        callNames[call.CallId] = call.Name;
                        Add(turns, role, new FunctionCallPart(IsSynthesized(call.CallId) ? null : call.CallId, call.Name, call.Arguments, Signature(call)));
                        break;
                    case TextContent text:
                        Add(turns, role, new TextPart(text.Text, Thought: false, Signature(text)));
                        break;
                    case TextReasoningContent reasoning when role == "model":
                        if (reasoning.Text.Length == 0)
                        {
                            if (!string.IsNullOrEmpty(reasoning.ProtectedData))
                            {
                                AttachSignature(turns, reasoning.ProtectedData);
                            }
                        }
                        else
                        {
                            Add(turns, role, new TextPart(reasoning.Text, Thought: true, reasoning.ProtectedData));
                        }

                        break;
                    case DataContent data:
                        Add(turns, role, new InlineDataPart(data));
                        break;
                    case UriContent uri:
                        Add(turns, role, new FileDataPart(uri.MediaType, uri.Uri));
                        break;
                    case TextReasoningContent or UsageContent or ErrorContent:
                        // Output-only content of earlier replies.
                        break;
                    default:
                        throw new NotSupportedException($"{content.GetType().Name} is not supported by the Gemini adapter.");
                }
            }

            if (CountParts(turns) == partsBefore && !message.Contents.All(c => c is TextReasoningContent or UsageContent or ErrorContent))
            {
                throw new ArgumentException(
                    $"A '{message.Role}' message has no content Gemini can send (its text is empty); Gemini requires non-empty content in every turn.",
                    nameof(messages));
            }
        }

        return (system, turns);
    }

    private static int CountParts(List<Turn> turns)
    {
        int count = 0;
        foreach (Turn turn in turns)
        {
            count += turn.Parts.Count;
        }

        return count;
    }

    private static void Add(List<Turn> turns, string role, Part part)
    {
        if (turns.Count == 0 || turns[^1].Role != role)
        {
            turns.Add(new Turn(role));
        }

        turns[^1].Parts.Add(part);
    }

    /// <summary>A signature that came on its own (after a text part) goes back onto the part it followed.</summary>
    private static void AttachSignature(List<Turn> turns, string signature)
    {
        if (turns.Count > 0 && turns[^1].Role == "model" && turns[^1].Parts.Count > 0 && turns[^1].Parts[^1] is TextPart { Signature: null } last)
        {
            turns[^1].Parts[^1] = last with { Signature = signature };
            return;
        }

        Add(turns, "model", new TextPart(string.Empty, Thought: false, signature));
    }

    private static string? Signature(AIContent content) =>
        content.AdditionalProperties?.TryGetValue(GeminiChatClient.ThoughtSignatureKey, out object? value) == true && value is string s && s.Length > 0 ? s : null;

    private static bool IsSynthesized(string callId) => callId.StartsWith(GeminiResponseReader.SynthesizedCallIdPrefix, StringComparison.Ordinal);

    private static void WriteTurn(Utf8JsonWriter w, Turn turn)
    {
        w.WriteStartObject();
        w.WriteString("role", turn.Role);
        w.WriteStartArray("parts");
        foreach (Part part in turn.Parts)
        {
            w.WriteStartObject();
            switch (part)
            {
                case TextPart text:
                    w.WriteString("text", text.Text);
                    if (text.Thought)
                    {
                        w.WriteBoolean("thought", true);
                    }

                    break;
                case FunctionCallPart call:
                    w.WriteStartObject("functionCall");
                    if (call.Id is not null)
                    {
                        w.WriteString("id", call.Id);
                    }

                    w.WriteString("name", call.Name);
                    w.WritePropertyName("args");
                    ProviderJson.WriteObject(w, call.Arguments);
                    w.WriteEndObject();
                    break;
                case FunctionResponsePart response:
                    w.WriteStartObject("functionResponse");
                    if (response.Id is not null)
                    {
                        w.WriteString("id", response.Id);
                    }

                    w.WriteString("name", response.Name);
                    w.WritePropertyName("response");
                    WriteFunctionResponse(w, response.Result);
                    w.WriteEndObject();
                    break;
                case InlineDataPart inline:
                    w.WriteStartObject("inlineData");
                    w.WriteString("mimeType", inline.Data.MediaType);
                    w.WriteString("data", inline.Data.Base64Data.Span);
                    w.WriteEndObject();
                    break;
                case FileDataPart file:
                    w.WriteStartObject("fileData");
                    w.WriteString("mimeType", file.MediaType);
                    w.WriteString("fileUri", file.Uri.ToString());
                    w.WriteEndObject();
                    break;
            }

            if (part.Signature is { } signature)
            {
                w.WriteString("thoughtSignature", signature);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>Writes a function result as the JSON object Gemini requires: objects as they are, an exception as <c>{"error":…}</c>, anything else as <c>{"output":…}</c>.</summary>
    private static void WriteFunctionResponse(Utf8JsonWriter w, FunctionResultContent result)
    {
        if (result.Result is null && result.Exception is { } exception)
        {
            w.WriteStartObject();
            w.WriteString("error", exception.Message);
            w.WriteEndObject();
            return;
        }

        if (result.Result is not null and not string)
        {
            using JsonDocument document = JsonDocument.Parse(ProviderJson.Serialize(result.Result));
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                document.RootElement.WriteTo(w);
                return;
            }

            w.WriteStartObject();
            w.WritePropertyName("output");
            document.RootElement.WriteTo(w);
            w.WriteEndObject();
            return;
        }

        w.WriteStartObject();
        w.WritePropertyName("output");
        ProviderJson.WriteValue(w, result.Result);
        w.WriteEndObject();
    }

    private static void WriteTools(Utf8JsonWriter w, ChatOptions options)
    {
        if (options.Tools is not { Count: > 0 } tools)
        {
            // A tool mode without tools configures nothing (a required mode without tools was rejected by Validate).
            return;
        }

        w.WriteStartArray("tools");
        w.WriteStartObject();
        w.WriteStartArray("functionDeclarations");
        foreach (AITool tool in tools)
        {
            if (tool is not AIFunctionDeclaration function)
            {
                throw new NotSupportedException($"Tool '{tool.Name}' of type {tool.GetType().Name} is not supported by the Gemini adapter; only function tools (AIFunctionDeclaration) are.");
            }

            w.WriteStartObject();
            w.WriteString("name", function.Name);
            if (!string.IsNullOrEmpty(function.Description))
            {
                w.WriteString("description", function.Description);
            }

            if (!GeminiSchemaConverter.IsEmptyObject(function.JsonSchema))
            {
                w.WritePropertyName("parameters");
                GeminiSchemaConverter.Write(w, function.JsonSchema, $"The parameters of tool '{function.Name}'");
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndArray();

        string? mode = options.ToolMode switch
        {
            null => null,
            NoneChatToolMode => "NONE",
            AutoChatToolMode => "AUTO",
            RequiredChatToolMode => "ANY",
            _ => throw new NotSupportedException($"ChatOptions.ToolMode of type {options.ToolMode.GetType().Name} is not supported."),
        };

        if (mode is not null)
        {
            w.WriteStartObject("toolConfig");
            w.WriteStartObject("functionCallingConfig");
            w.WriteString("mode", mode);
            if (options.ToolMode is RequiredChatToolMode { RequiredFunctionName: { } name })
            {
                w.WriteStartArray("allowedFunctionNames");
                w.WriteStringValue(name);
                w.WriteEndArray();
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }
    }

    private static void WriteGenerationConfig(Utf8JsonWriter w, ChatOptions options, string model, HashSet<string> written)
    {
        bool any = options.Temperature is not null || options.TopP is not null || options.TopK is not null || options.MaxOutputTokens is not null
            || options.StopSequences is { Count: > 0 } || options.Seed is not null || options.PresencePenalty is not null || options.FrequencyPenalty is not null
            || options.ResponseFormat is ChatResponseFormatJson || options.Reasoning is { Effort: not null } or { Output: ReasoningOutput.Summary }
            || HasExtras(options, topLevel: false);
        if (!any)
        {
            return;
        }

        w.WriteStartObject("generationConfig");
        RequestFields.Number(w, written, "temperature", options.Temperature);
        RequestFields.Number(w, written, "topP", options.TopP);
        RequestFields.Number(w, written, "topK", options.TopK);
        RequestFields.Number(w, written, "maxOutputTokens", options.MaxOutputTokens);
        RequestFields.Strings(w, written, "stopSequences", options.StopSequences);

        if (options.Seed is { } seed)
        {
            RequestFields.Name(w, written, "seed");
            w.WriteNumberValue((int)seed);
        }

        RequestFields.Number(w, written, "presencePenalty", options.PresencePenalty);
        RequestFields.Number(w, written, "frequencyPenalty", options.FrequencyPenalty);

        switch (options.ResponseFormat)
        {
            case null or ChatResponseFormatText:
                break;
            case ChatResponseFormatJson json:
                RequestFields.Name(w, written, "responseMimeType");
                w.WriteStringValue("application/json");
                if (json.Schema is { } schema)
                {
                    RequestFields.Name(w, written, "responseSchema");
                    GeminiSchemaConverter.Write(w, schema, "ChatOptions.ResponseFormat", json.SchemaDescription);
                }

                break;
            default:
                throw new NotSupportedException($"ChatOptions.ResponseFormat of type {options.ResponseFormat.GetType().Name} is not supported.");
        }

        if (options.Reasoning is { } reasoning && (reasoning.Effort is not null || reasoning.Output == ReasoningOutput.Summary))
        {
            RequestFields.Name(w, written, "thinkingConfig");
            w.WriteStartObject();
            if (reasoning.Effort is { } effort)
            {
                if (UsesThinkingLevel(model))
                {
                    w.WriteString("thinkingLevel", effort switch
                    {
                        ReasoningEffort.None => "minimal",
                        ReasoningEffort.Low => "low",
                        ReasoningEffort.Medium => "medium",
                        ReasoningEffort.High => "high",
                        _ => throw new NotSupportedException($"ChatOptions.Reasoning.Effort {effort} cannot be honoured: 'high' is the highest thinking level of {model}."),
                    });
                }
                else
                {
                    w.WriteNumber("thinkingBudget", effort switch
                    {
                        ReasoningEffort.None => 0,
                        ReasoningEffort.Low => GeminiChatClient.LowThinkingBudget,
                        ReasoningEffort.Medium => GeminiChatClient.MediumThinkingBudget,
                        ReasoningEffort.High => GeminiChatClient.HighThinkingBudget,
                        _ => throw new NotSupportedException($"ChatOptions.Reasoning.Effort {effort} cannot be honoured by {model}; use High (a {GeminiChatClient.HighThinkingBudget}-token thinking budget) or set 'thinkingConfig' through ChatOptions.AdditionalProperties."),
                    });
                }
            }

            if (reasoning.Output == ReasoningOutput.Summary)
            {
                w.WriteBoolean("includeThoughts", true);
            }

            w.WriteEndObject();
        }

        WriteExtras(w, options, topLevel: false, written);
        w.WriteEndObject();
    }

    /// <summary>Gemini 3 and later take a thinking level; Gemini 2.x takes a token budget.</summary>
    private static bool UsesThinkingLevel(string model)
    {
        string name = model.StartsWith("models/", StringComparison.OrdinalIgnoreCase) ? model["models/".Length..] : model;
        return !(name.StartsWith("gemini-2", StringComparison.OrdinalIgnoreCase) || name.StartsWith("gemini-1", StringComparison.OrdinalIgnoreCase));
    }

    private static bool HasExtras(ChatOptions options, bool topLevel)
    {
        foreach (KeyValuePair<string, object?> kv in options.AdditionalProperties ?? [])
        {
            if (!IsIgnored(kv.Key) && TopLevelKeys.Contains(kv.Key) == topLevel)
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsIgnored(string key) =>
        key.StartsWith(ReservedPrefix, StringComparison.Ordinal) || key == GeminiChatClient.StrictJsonSchemaKey;

    private static void WriteExtras(Utf8JsonWriter w, ChatOptions options, bool topLevel, HashSet<string>? written)
    {
        foreach (KeyValuePair<string, object?> kv in options.AdditionalProperties ?? [])
        {
            if (IsIgnored(kv.Key) || TopLevelKeys.Contains(kv.Key) != topLevel)
            {
                continue;
            }

            if (written is not null && !written.Add(kv.Key))
            {
                throw new ArgumentException(
                    $"ChatOptions.AdditionalProperties key '{kv.Key}' conflicts with a generationConfig field the adapter sets from ChatOptions.",
                    nameof(options));
            }

            w.WritePropertyName(kv.Key);
            if (kv.Key == GeminiChatClient.SafetySettingsKey)
            {
                WriteSafetySettings(w, kv.Value);
            }
            else
            {
                ProviderJson.WriteValue(w, kv.Value);
            }
        }
    }

    /// <summary>Writes safety settings given as a JSON array of <c>{category, threshold}</c> objects or as a category → threshold dictionary.</summary>
    private static void WriteSafetySettings(Utf8JsonWriter w, object? value)
    {
        const string Expected = "an array of {\"category\",\"threshold\"} objects (JsonElement, JsonNode or JSON text) or a dictionary of category to threshold";
        JsonElement array;
        switch (value)
        {
            case IEnumerable<KeyValuePair<string, string>> pairs:
                w.WriteStartArray();
                foreach (KeyValuePair<string, string> pair in pairs)
                {
                    w.WriteStartObject();
                    w.WriteString("category", pair.Key);
                    w.WriteString("threshold", pair.Value);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                return;
            case JsonElement element:
                array = element;
                break;
            case JsonNode node:
                using (JsonDocument document = JsonDocument.Parse(node.ToJsonString()))
                {
                    array = document.RootElement.Clone();
                }

                break;
            case string text:
                try
                {
                    using JsonDocument document = JsonDocument.Parse(text);
                    array = document.RootElement.Clone();
                }
                catch (JsonException ex)
                {
                    throw new ArgumentException($"ChatOptions.AdditionalProperties['{GeminiChatClient.SafetySettingsKey}'] is not valid JSON; expected {Expected}.", ex);
                }

                break;
            default:
                throw new ArgumentException(
                    $"ChatOptions.AdditionalProperties['{GeminiChatClient.SafetySettingsKey}'] has type {value?.GetType().Name ?? "null"}; expected {Expected}.");
        }

        if (array.ValueKind != JsonValueKind.Array || array.EnumerateArray().Any(s =>
                s.ValueKind != JsonValueKind.Object
                || !s.TryGetProperty("category", out JsonElement c) || c.ValueKind != JsonValueKind.String
                || !s.TryGetProperty("threshold", out JsonElement t) || t.ValueKind != JsonValueKind.String))
        {
            throw new ArgumentException($"ChatOptions.AdditionalProperties['{GeminiChatClient.SafetySettingsKey}'] must be {Expected}.");
        }

        array.WriteTo(w);
    }


    private sealed class Turn(string role)
    {
        public string Role { get; } = role;

        public List<Part> Parts { get; } = [];
    }

    private abstract record Part(string? Signature);

    private sealed record TextPart(string Text, bool Thought, string? Signature) : Part(Signature);

    private sealed record FunctionCallPart(string? Id, string Name, IDictionary<string, object?>? Arguments, string? Signature) : Part(Signature);

    private sealed record FunctionResponsePart(string? Id, string Name, FunctionResultContent Result) : Part((string?)null);

    private sealed record InlineDataPart(DataContent Data) : Part((string?)null);

    private sealed record FileDataPart(string MediaType, Uri Uri) : Part((string?)null);
}
