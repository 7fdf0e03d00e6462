using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>How the reply to a request must be read: whether JSON output is emulated with a forced tool.</summary>
/// <param name="ToolName">The name of the tool that carries the JSON answer.</param>
/// <param name="Schema">The caller's schema, or <see langword="null"/> for plain JSON mode.</param>
/// <param name="Wrapped">Whether the schema is not an object schema and the answer is wrapped in <c>{"value": …}</c>.</param>
internal sealed record AnthropicJsonEmulation(string ToolName, JsonElement? Schema, bool Wrapped);

/// <summary>Writes the JSON body of a Messages API request from M.E.AI messages and options.</summary>
/// <remarks>See <see cref="AnthropicChatClient"/> for the mapping rules; options the API cannot express are rejected, never dropped.</remarks>
internal static class AnthropicRequestWriter
{
    /// <summary>The name of the forced tool that emulates JSON output.</summary>
    public const string JsonToolName = "json_response";

    /// <summary>The <see cref="ChatOptions.AdditionalProperties"/> flag of M.E.AI's OpenAI convention; not applicable to Anthropic and never sent.</summary>
    private const string StrictJsonSchemaKey = "strictJsonSchema";

    private const string ReservedPrefix = "LlmRouting.";

    /// <summary>The smallest thinking budget Anthropic accepts.</summary>
    private const int MinThinkingBudget = 1024;

    /// <summary>Writes the request body.</summary>
    /// <param name="messages">The conversation.</param>
    /// <param name="options">The options.</param>
    /// <param name="model">The model id.</param>
    /// <param name="maxTokens">The <c>max_tokens</c> to send when the options give none.</param>
    /// <param name="stream">Whether to request a stream.</param>
    /// <param name="emulation">How the reply must be read.</param>
    /// <returns>The UTF-8 JSON body.</returns>
    /// <exception cref="NotSupportedException">A message content or an option cannot be expressed.</exception>
    /// <exception cref="ArgumentException">The messages or options are invalid for the API (out-of-range values, empty messages).</exception>
    public static byte[] Write(IEnumerable<ChatMessage> messages, ChatOptions? options, string model, int maxTokens, bool stream, out AnthropicJsonEmulation? emulation)
    {
        ArgumentNullException.ThrowIfNull(messages);
        Validate(options);
        int effectiveMaxTokens = options?.MaxOutputTokens ?? maxTokens;
        int? thinkingBudget = ThinkingBudget(options, effectiveMaxTokens);
        emulation = JsonEmulation(options, thinking: thinkingBudget > 0);
        if (thinkingBudget > 0 && options?.ToolMode is RequiredChatToolMode && options.Tools is { Count: > 0 })
        {
            throw new NotSupportedException(
                "ChatToolMode.RequireAny and RequireSpecific cannot be combined with extended thinking on Anthropic, which only allows tool_choice auto or none while thinking; use ChatToolMode.Auto or remove Reasoning.Effort.");
        }


        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer))
        {
            var written = new HashSet<string>(StringComparer.Ordinal);
            w.WriteStartObject();
            RequestFields.Name(w, written, "model");
            w.WriteStringValue(model);
            RequestFields.Name(w, written, "max_tokens");
            w.WriteNumberValue(effectiveMaxTokens);

            List<ChatMessage> list = messages.ToList();
            WriteSystem(w, written, options?.Instructions, list);
            RequestFields.Name(w, written, "messages");
            WriteMessages(w, list);

            if (options is not null)
            {
                WriteTools(w, written, options, emulation);
                WriteSampling(w, written, options, thinkingBudget);
            }

            if (stream)
            {
                RequestFields.Name(w, written, "stream");
                w.WriteBooleanValue(true);
            }

            if (options?.AdditionalProperties is { Count: > 0 } extra)
            {
                foreach (KeyValuePair<string, object?> kv in extra)
                {
                    if (kv.Key.StartsWith(ReservedPrefix, StringComparison.Ordinal) || kv.Key == StrictJsonSchemaKey)
                    {
                        continue;
                    }

                    if (!written.Add(kv.Key))
                    {
                        throw new ArgumentException(
                            $"ChatOptions.AdditionalProperties key '{kv.Key}' conflicts with a request field the adapter sets from ChatOptions.",
                            nameof(options));
                    }

                    w.WritePropertyName(kv.Key);
                    ProviderJson.WriteValue(w, kv.Value);
                }
            }

            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Makes a call id valid for Anthropic (<c>^[a-zA-Z0-9_-]+$</c>) by replacing other characters with <c>_</c>, the same way for calls and results.</summary>
    /// <param name="callId">The id.</param>
    /// <returns>The id to send.</returns>
    /// <exception cref="ArgumentException">The id is empty.</exception>
    public static string ToolUseId(string? callId)
    {
        if (string.IsNullOrEmpty(callId))
        {
            throw new ArgumentException("A FunctionCallContent or FunctionResultContent has no CallId; Anthropic needs it to pair tool_use and tool_result blocks.");
        }

        foreach (char c in callId)
        {
            if (!IsIdChar(c))
            {
                return string.Create(callId.Length, callId, static (span, id) =>
                {
                    for (int i = 0; i < id.Length; i++)
                    {
                        span[i] = IsIdChar(id[i]) ? id[i] : '_';
                    }
                });
            }
        }

        return callId;
    }

    private static bool IsIdChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '-';

    private static void Validate(ChatOptions? options)
    {
        if (options is null)
        {
            return;
        }

        if (options.Temperature is { } t && !(t >= 0 && t <= 1))
        {
            throw new ArgumentOutOfRangeException(
                nameof(options),
                string.Create(CultureInfo.InvariantCulture, $"ChatOptions.Temperature {t} is outside Anthropic's range 0 to 1; LlmRouting does not clamp it. Use a value between 0 and 1 for Anthropic deployments."));
        }

        if (options.TopP is { } p && !(p >= 0 && p <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), string.Create(CultureInfo.InvariantCulture, $"ChatOptions.TopP {p} is outside the range 0 to 1."));
        }

        if (options.TopK is { } k && k < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), string.Create(CultureInfo.InvariantCulture, $"ChatOptions.TopK {k} must be at least 1."));
        }

        if (options.MaxOutputTokens is { } max && max < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), string.Create(CultureInfo.InvariantCulture, $"ChatOptions.MaxOutputTokens {max} must be at least 1."));
        }

        if (options.Seed is not null)
        {
            throw new NotSupportedException("ChatOptions.Seed is not supported by Anthropic's Messages API (no seeded sampling); remove it or route to a provider that supports it.");
        }

        if (options.FrequencyPenalty is not null || options.PresencePenalty is not null)
        {
            throw new NotSupportedException("ChatOptions.FrequencyPenalty and PresencePenalty are not supported by Anthropic's Messages API; remove them or route to a provider that supports them.");
        }

        if (options.ConversationId is not null)
        {
            throw new NotSupportedException("ChatOptions.ConversationId is not supported: the Messages API keeps no server-side conversation; send the full history instead.");
        }

        if (options.ContinuationToken is not null)
        {
            throw new NotSupportedException("ChatOptions.ContinuationToken is not supported by the Messages API (no background responses).");
        }

        if (options.ToolMode is RequiredChatToolMode && options.Tools is not { Count: > 0 })
        {
            throw new ArgumentException("ChatOptions.ToolMode requires a tool call but ChatOptions.Tools is empty.", nameof(options));
        }
    }

    /// <summary>Maps reasoning effort to an extended-thinking budget (<see langword="null"/>: not enabled; 0: explicitly disabled).</summary>
    private static int? ThinkingBudget(ChatOptions? options, int maxTokens)
    {
        if (options?.Reasoning?.Effort is not { } effort)
        {
            return null;
        }

        int budget = effort switch
        {
            ReasoningEffort.None => 0,
            ReasoningEffort.Low => AnthropicChatClient.LowThinkingBudget,
            ReasoningEffort.Medium => AnthropicChatClient.MediumThinkingBudget,
            ReasoningEffort.High => AnthropicChatClient.HighThinkingBudget,
            ReasoningEffort.ExtraHigh => AnthropicChatClient.ExtraHighThinkingBudget,
            _ => throw new NotSupportedException($"ChatOptions.Reasoning.Effort value {effort} is not supported."),
        };
        if (budget == 0)
        {
            return 0;
        }

        if (maxTokens <= MinThinkingBudget)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"Extended thinking needs max_tokens above {MinThinkingBudget} (Anthropic's smallest thinking budget), but it is {maxTokens}; raise ChatOptions.MaxOutputTokens or leave Reasoning.Effort unset."),
                nameof(options));
        }

        // The budget counts toward max_tokens and must stay below it: the effort's budget, capped to leave room for the answer.
        return Math.Max(MinThinkingBudget, Math.Min(budget, maxTokens - 1));
    }

    private static AnthropicJsonEmulation? JsonEmulation(ChatOptions? options, bool thinking)
    {
        if (options?.ResponseFormat is not ChatResponseFormatJson json)
        {
            if (options?.ResponseFormat is not (null or ChatResponseFormatText))
            {
                throw new NotSupportedException($"ChatOptions.ResponseFormat of type {options!.ResponseFormat.GetType().Name} is not supported.");
            }

            return null;
        }

        if (thinking)
        {
            throw new NotSupportedException(
                "A JSON response format cannot be combined with extended thinking on Anthropic: JSON output is emulated with a forced tool call, which Anthropic does not allow while thinking. Remove Reasoning.Effort or the response format.");
        }

        if (options.ToolMode is RequiredChatToolMode { RequiredFunctionName: not null })
        {
            throw new NotSupportedException(
                "A JSON response format cannot be combined with ChatToolMode.RequireSpecific on Anthropic: JSON output is emulated with a forced tool call of its own.");
        }

        if (options.Tools?.Any(t => t.Name == JsonToolName) == true)
        {
            throw new NotSupportedException($"A tool named '{JsonToolName}' conflicts with the tool that emulates the JSON response format on Anthropic; rename it.");
        }

        bool wrapped = json.Schema is { } schema && !IsObjectSchema(schema);
        return new AnthropicJsonEmulation(JsonToolName, json.Schema, wrapped);
    }

    private static bool IsObjectSchema(JsonElement schema) =>
        schema.ValueKind == JsonValueKind.Object
        && schema.TryGetProperty("type", out JsonElement type)
        && type.ValueKind == JsonValueKind.String
        && type.ValueEquals("object"u8);

    private static void WriteSystem(Utf8JsonWriter w, HashSet<string> written, string? instructions, List<ChatMessage> messages)
    {
        var parts = new List<(string Text, object? CacheControl)>();
        if (!string.IsNullOrEmpty(instructions))
        {
            parts.Add((instructions, null));
        }

        foreach (ChatMessage message in messages)
        {
            ArgumentNullException.ThrowIfNull(message, nameof(messages));
            if (!IsSystem(message.Role))
            {
                continue;
            }

            foreach (AIContent content in message.Contents)
            {
                switch (content)
                {
                    case TextContent { Text.Length: > 0 } text:
                        parts.Add((text.Text, CacheControl(text)));
                        break;
                    case TextContent:
                        break;
                    default:
                        throw new NotSupportedException($"{content.GetType().Name} is not supported in a system message; Anthropic's system prompt is text only.");
                }
            }
        }

        if (parts.Count == 0)
        {
            return;
        }

        RequestFields.Name(w, written, "system");
        if (parts.Count == 1 && parts[0].CacheControl is null)
        {
            w.WriteStringValue(parts[0].Text);
            return;
        }

        w.WriteStartArray();
        foreach ((string text, object? cacheControl) in parts)
        {
            w.WriteStartObject();
            w.WriteString("type", "text");
            w.WriteString("text", text);
            WriteCacheControl(w, cacheControl);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static void WriteMessages(Utf8JsonWriter w, List<ChatMessage> messages)
    {
        w.WriteStartArray();
        List<FunctionResultContent>? pendingResults = null;
        for (int i = 0; i < messages.Count; i++)
        {
            ChatMessage message = messages[i];
            if (IsSystem(message.Role))
            {
                continue;
            }

            if (message.Role == ChatRole.Tool)
            {
                // Consecutive tool messages become one user turn of tool_result blocks, as Anthropic asks for parallel calls.
                foreach (AIContent content in message.Contents)
                {
                    if (content is not FunctionResultContent result)
                    {
                        throw new NotSupportedException($"A message with the tool role may only contain FunctionResultContent, not {content.GetType().Name}.");
                    }

                    (pendingResults ??= []).Add(result);
                }

                continue;
            }

            FlushResults(w, ref pendingResults);
            if (message.Role == ChatRole.User)
            {
                WriteUser(w, message, i);
            }
            else if (message.Role == ChatRole.Assistant)
            {
                WriteAssistant(w, message);
            }
            else
            {
                throw new NotSupportedException($"Messages with the role '{message.Role}' are not supported by Anthropic's Messages API.");
            }
        }

        FlushResults(w, ref pendingResults);
        w.WriteEndArray();
    }

    private static void FlushResults(Utf8JsonWriter w, ref List<FunctionResultContent>? results)
    {
        if (results is null)
        {
            return;
        }

        w.WriteStartObject();
        w.WriteString("role", "user");
        w.WriteStartArray("content");
        foreach (FunctionResultContent result in results)
        {
            WriteToolResult(w, result);
        }

        w.WriteEndArray();
        w.WriteEndObject();
        results = null;
    }

    private static void WriteUser(Utf8JsonWriter w, ChatMessage message, int index)
    {
        // Tool results inside a user message go first, as Anthropic requires.
        var blocks = new List<AIContent>(message.Contents.Count);
        blocks.AddRange(message.Contents.OfType<FunctionResultContent>());
        foreach (AIContent content in message.Contents)
        {
            switch (content)
            {
                case FunctionResultContent:
                    break;
                case TextContent { Text.Length: 0 }:
                case TextReasoningContent or UsageContent or ErrorContent:
                    // Empty text is not accepted by the API; output-only content is not sent back.
                    break;
                case FunctionCallContent:
                    throw new NotSupportedException("FunctionCallContent is only supported in assistant messages, not in a 'user' message.");
                default:
                    blocks.Add(content);
                    break;
            }
        }

        if (blocks.Count == 0)
        {
            throw new ArgumentException(string.Create(
                CultureInfo.InvariantCulture,
                $"The user message at index {index} has no content Anthropic accepts (its text is empty). Anthropic requires every user message to have non-empty content; remove the message or give it text."));
        }

        w.WriteStartObject();
        w.WriteString("role", "user");
        WriteBlocks(w, blocks, "user");
        w.WriteEndObject();
    }

    private static void WriteAssistant(Utf8JsonWriter w, ChatMessage message)
    {
        // Thinking blocks first (Anthropic requires them to lead the turn), then text and tool_use blocks in order.
        var blocks = new List<AIContent>(message.Contents.Count);
        foreach (AIContent content in message.Contents)
        {
            if (content is TextReasoningContent { ProtectedData.Length: > 0 })
            {
                blocks.Add(content);
            }
        }

        foreach (AIContent content in message.Contents)
        {
            switch (content)
            {
                case TextReasoningContent:
                    // Reasoning without a provider signature (e.g. from another provider) cannot be verified by Anthropic and is not sent.
                    break;
                case TextContent { Text.Length: 0 }:
                case UsageContent or ErrorContent:
                    break;
                case FunctionResultContent:
                    throw new NotSupportedException("FunctionResultContent is only supported in tool or user messages, not in an 'assistant' message.");
                case TextContent or FunctionCallContent:
                    blocks.Add(content);
                    break;
                default:
                    throw new NotSupportedException($"{content.GetType().Name} is not supported in an 'assistant' message; only text, reasoning and function calls are.");
            }
        }

        if (blocks.Count == 0)
        {
            // Nothing Anthropic accepts (e.g. only unsigned reasoning): the turn carries no information for it.
            return;
        }

        w.WriteStartObject();
        w.WriteString("role", "assistant");
        WriteBlocks(w, blocks, "assistant");
        w.WriteEndObject();
    }

    private static void WriteBlocks(Utf8JsonWriter w, List<AIContent> blocks, string role)
    {
        if (blocks is [TextContent single] && CacheControl(single) is null)
        {
            w.WriteString("content", single.Text);
            return;
        }

        w.WriteStartArray("content");
        foreach (AIContent block in blocks)
        {
            WriteBlock(w, block, role);
        }

        w.WriteEndArray();
    }

    private static void WriteBlock(Utf8JsonWriter w, AIContent content, string role)
    {
        switch (content)
        {
            case TextContent text:
                w.WriteStartObject();
                w.WriteString("type", "text");
                w.WriteString("text", text.Text);
                break;
            case TextReasoningContent reasoning when IsRedacted(reasoning):
                w.WriteStartObject();
                w.WriteString("type", "redacted_thinking");
                w.WriteString("data", reasoning.ProtectedData);
                break;
            case TextReasoningContent reasoning:
                w.WriteStartObject();
                w.WriteString("type", "thinking");
                w.WriteString("thinking", reasoning.Text);
                w.WriteString("signature", reasoning.ProtectedData);
                break;
            case FunctionCallContent call:
                w.WriteStartObject();
                w.WriteString("type", "tool_use");
                w.WriteString("id", ToolUseId(call.CallId));
                w.WriteString("name", call.Name);
                w.WritePropertyName("input");
                ProviderJson.WriteObject(w, call.Arguments);
                break;
            case FunctionResultContent result:
                WriteToolResult(w, result);
                return;
            case DataContent or UriContent when role != "user":
                throw new NotSupportedException($"{content.GetType().Name} is not supported in a '{role}' message; only user messages carry images and documents.");
            case DataContent or UriContent:
                WriteMedia(w, content);
                break;
            default:
                throw new NotSupportedException($"{content.GetType().Name} is not supported by Anthropic's Messages API.");
        }

        WriteCacheControl(w, CacheControl(content));
        w.WriteEndObject();
    }

    private static void WriteMedia(Utf8JsonWriter w, AIContent content)
    {
        string mediaType = content switch
        {
            DataContent d => d.MediaType,
            UriContent u => u.MediaType,
            _ => string.Empty,
        };
        string blockType;
        if (content is DataContent { } image && image.HasTopLevelMediaType("image"))
        {
            if (!IsSupportedImage(image.MediaType))
            {
                throw new NotSupportedException($"Image media type '{image.MediaType}' is not supported by Anthropic; JPEG, PNG, GIF and WebP are.");
            }

            blockType = "image";
        }
        else if (content is UriContent { } imageUrl && imageUrl.HasTopLevelMediaType("image"))
        {
            blockType = "image";
        }
        else if (string.Equals(mediaType, "application/pdf", StringComparison.OrdinalIgnoreCase))
        {
            blockType = "document";
        }
        else if (content is DataContent { } textDocument && string.Equals(textDocument.MediaType, "text/plain", StringComparison.OrdinalIgnoreCase))
        {
            w.WriteStartObject();
            w.WriteString("type", "document");
            w.WriteStartObject("source");
            w.WriteString("type", "text");
            w.WriteString("media_type", "text/plain");
            w.WriteString("data", System.Text.Encoding.UTF8.GetString(textDocument.Data.Span));
            w.WriteEndObject();
            WriteTitle(w, textDocument.Name);
            return;
        }
        else
        {
            throw new NotSupportedException($"{content.GetType().Name} with media type '{mediaType}' is not supported by Anthropic; images (JPEG, PNG, GIF, WebP), PDF and plain-text documents are.");
        }

        w.WriteStartObject();
        w.WriteString("type", blockType);
        w.WriteStartObject("source");
        if (content is DataContent data)
        {
            w.WriteString("type", "base64");
            w.WriteString("media_type", data.MediaType);
            w.WriteString("data", data.Base64Data.Span);
        }
        else
        {
            w.WriteString("type", "url");
            w.WriteString("url", ((UriContent)content).Uri.ToString());
        }

        w.WriteEndObject();
        if (blockType == "document")
        {
            WriteTitle(w, (content as DataContent)?.Name);
        }
    }

    private static void WriteTitle(Utf8JsonWriter w, string? name)
    {
        if (!string.IsNullOrEmpty(name))
        {
            w.WriteString("title", name);
        }
    }

    private static bool IsSupportedImage(string mediaType) => mediaType.ToUpperInvariant() is "IMAGE/JPEG" or "IMAGE/PNG" or "IMAGE/GIF" or "IMAGE/WEBP";

    private static void WriteToolResult(Utf8JsonWriter w, FunctionResultContent result)
    {
        w.WriteStartObject();
        w.WriteString("type", "tool_result");
        w.WriteString("tool_use_id", ToolUseId(result.CallId));
        switch (result.Result)
        {
            case null:
                break;
            case string s:
                if (s.Length > 0)
                {
                    w.WriteString("content", s);
                }

                break;
            case AIContent single:
                w.WritePropertyName("content");
                w.WriteStartArray();
                WriteBlock(w, single, "user");
                w.WriteEndArray();
                break;
            case IEnumerable<AIContent> many:
                w.WritePropertyName("content");
                w.WriteStartArray();
                foreach (AIContent part in many)
                {
                    WriteBlock(w, part, "user");
                }

                w.WriteEndArray();
                break;
            default:
                w.WriteString("content", ProviderJson.Serialize(result.Result));
                break;
        }

        if (result.Exception is not null)
        {
            w.WriteBoolean("is_error", true);
        }

        WriteCacheControl(w, CacheControl(result));
        w.WriteEndObject();
    }

    private static void WriteTools(Utf8JsonWriter w, HashSet<string> written, ChatOptions options, AnthropicJsonEmulation? emulation)
    {
        bool hasTools = options.Tools is { Count: > 0 };
        if (!hasTools && emulation is null)
        {
            return;
        }

        // With a JSON format and ToolMode.None the caller's tools are not offered (the answer must be the JSON tool).
        bool offerCallerTools = hasTools && !(emulation is not null && options.ToolMode is NoneChatToolMode);
        RequestFields.Name(w, written, "tools");
        w.WriteStartArray();
        if (offerCallerTools)
        {
            foreach (AITool tool in options.Tools!)
            {
                if (tool is not AIFunctionDeclaration function)
                {
                    throw new NotSupportedException($"Tool '{tool.Name}' of type {tool.GetType().Name} is not supported by the Anthropic adapter; only function tools (AIFunctionDeclaration) are.");
                }

                w.WriteStartObject();
                w.WriteString("name", function.Name);
                if (!string.IsNullOrEmpty(function.Description))
                {
                    w.WriteString("description", function.Description);
                }

                w.WritePropertyName("input_schema");
                if (function.JsonSchema.ValueKind == JsonValueKind.Object)
                {
                    function.JsonSchema.WriteTo(w);
                }
                else
                {
                    w.WriteStartObject();
                    w.WriteString("type", "object");
                    w.WriteStartObject("properties");
                    w.WriteEndObject();
                    w.WriteEndObject();
                }

                object? cacheControl = null;
                function.AdditionalProperties?.TryGetValue(AnthropicChatClient.CacheControlPropertyName, out cacheControl);
                WriteCacheControl(w, cacheControl);
                w.WriteEndObject();
            }
        }

        if (emulation is not null)
        {
            WriteJsonTool(w, emulation, (ChatResponseFormatJson)options.ResponseFormat!);
        }

        w.WriteEndArray();

        bool? disableParallel = options.AllowMultipleToolCalls is false ? true : null;
        if (emulation is not null)
        {
            // Forced JSON tool; with caller tools the model must call some tool: a real one, or the JSON tool to answer.
            RequestFields.Name(w, written, "tool_choice");
            w.WriteStartObject();
            if (offerCallerTools)
            {
                w.WriteString("type", "any");
                if (disableParallel is true)
                {
                    w.WriteBoolean("disable_parallel_tool_use", true);
                }
            }
            else
            {
                w.WriteString("type", "tool");
                w.WriteString("name", emulation.ToolName);
            }

            w.WriteEndObject();
            return;
        }

        string? type = options.ToolMode switch
        {
            null => disableParallel is true ? "auto" : null,
            AutoChatToolMode => "auto",
            NoneChatToolMode => "none",
            RequiredChatToolMode { RequiredFunctionName: not null } => "tool",
            RequiredChatToolMode => "any",
            _ => throw new NotSupportedException($"ChatOptions.ToolMode of type {options.ToolMode.GetType().Name} is not supported."),
        };
        if (type is null)
        {
            return;
        }

        RequestFields.Name(w, written, "tool_choice");
        w.WriteStartObject();
        w.WriteString("type", type);
        if (options.ToolMode is RequiredChatToolMode { RequiredFunctionName: { } name })
        {
            w.WriteString("name", name);
        }

        if (disableParallel is true && type != "none")
        {
            w.WriteBoolean("disable_parallel_tool_use", true);
        }

        w.WriteEndObject();
    }

    private static void WriteJsonTool(Utf8JsonWriter w, AnthropicJsonEmulation emulation, ChatResponseFormatJson format)
    {
        w.WriteStartObject();
        w.WriteString("name", emulation.ToolName);
        string what = string.IsNullOrWhiteSpace(format.SchemaName) ? "the answer" : $"the answer ('{format.SchemaName}')";
        string description = $"Give {what} as JSON through this tool.";
        if (!string.IsNullOrWhiteSpace(format.SchemaDescription))
        {
            description += " " + format.SchemaDescription;
        }

        w.WriteString("description", description);
        w.WritePropertyName("input_schema");
        if (emulation.Schema is not { } schema)
        {
            w.WriteStartObject();
            w.WriteString("type", "object");
            w.WriteEndObject();
        }
        else if (emulation.Wrapped)
        {
            w.WriteStartObject();
            w.WriteString("type", "object");
            w.WriteStartObject("properties");
            w.WritePropertyName("value");
            schema.WriteTo(w);
            w.WriteEndObject();
            w.WriteStartArray("required");
            w.WriteStringValue("value");
            w.WriteEndArray();
            w.WriteEndObject();
        }
        else
        {
            schema.WriteTo(w);
        }

        w.WriteEndObject();
    }

    private static void WriteSampling(Utf8JsonWriter w, HashSet<string> written, ChatOptions options, int? thinkingBudget)
    {
        RequestFields.Strings(w, written, "stop_sequences", options.StopSequences);
        RequestFields.Number(w, written, "temperature", options.Temperature);
        RequestFields.Number(w, written, "top_p", options.TopP);
        RequestFields.Number(w, written, "top_k", options.TopK);

        if (thinkingBudget is { } budget)
        {
            RequestFields.Name(w, written, "thinking");
            w.WriteStartObject();
            if (budget == 0)
            {
                w.WriteString("type", "disabled");
            }
            else
            {
                w.WriteString("type", "enabled");
                w.WriteNumber("budget_tokens", budget);
            }

            w.WriteEndObject();
        }
    }

    private static object? CacheControl(AIContent content) =>
        content.AdditionalProperties?.TryGetValue(AnthropicChatClient.CacheControlPropertyName, out object? value) == true ? value : null;

    private static void WriteCacheControl(Utf8JsonWriter w, object? cacheControl)
    {
        switch (cacheControl)
        {
            case null:
                return;
            case string type:
                w.WriteStartObject("cache_control");
                w.WriteString("type", type);
                w.WriteEndObject();
                return;
            default:
                w.WritePropertyName("cache_control");
                ProviderJson.WriteValue(w, cacheControl);
                return;
        }
    }

    private static bool IsRedacted(TextReasoningContent reasoning) =>
        reasoning.AdditionalProperties?.TryGetValue(AnthropicChatClient.RedactedThinkingPropertyName, out object? flag) == true && flag is true;

    private static bool IsSystem(ChatRole role) =>
        role == ChatRole.System || string.Equals(role.Value, "developer", StringComparison.OrdinalIgnoreCase);

}
