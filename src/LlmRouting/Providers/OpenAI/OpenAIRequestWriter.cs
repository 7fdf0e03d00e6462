using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>Writes the JSON body of a Chat Completions request from M.E.AI messages and options. Null values are omitted.</summary>
/// <remarks>
/// Options the API cannot express are rejected with <see cref="NotSupportedException"/> rather than dropped.
/// <see cref="ChatOptions.AdditionalProperties"/> entries are written as extra top-level fields, except keys starting with
/// <c>LlmRouting.</c> and the <see cref="StrictJsonSchemaKey"/> flag. <see cref="ChatOptions.RawRepresentationFactory"/> is ignored:
/// this adapter has no SDK request object.
/// </remarks>
internal static class OpenAIRequestWriter
{
    /// <summary>The <see cref="ChatOptions.AdditionalProperties"/> flag (a <see cref="bool"/>) that sets <c>strict</c> on function and response-format schemas.</summary>
    public const string StrictJsonSchemaKey = "strictJsonSchema";

    private const string ReservedPrefix = "LlmRouting.";

    /// <summary>Writes the request body.</summary>
    /// <param name="messages">The conversation.</param>
    /// <param name="options">The options.</param>
    /// <param name="model">The model id.</param>
    /// <param name="stream">Whether to request a stream.</param>
    /// <param name="quirks">The provider's wire differences.</param>
    /// <returns>The UTF-8 JSON body.</returns>
    /// <exception cref="NotSupportedException">A message content or an option cannot be expressed.</exception>
    /// <exception cref="ArgumentException">The messages or options are inconsistent.</exception>
    public static byte[] Write(IEnumerable<ChatMessage> messages, ChatOptions? options, string model, bool stream, OpenAICompatibleQuirks quirks)
    {
        ArgumentNullException.ThrowIfNull(messages);
        Validate(options, quirks);

        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer))
        {
            var written = new HashSet<string>(StringComparer.Ordinal);
            w.WriteStartObject();
            if (quirks.SendModel)
            {
                RequestFields.Name(w, written, "model");
                w.WriteStringValue(model);
            }

            RequestFields.Name(w, written, "messages");
            WriteMessages(w, messages, options?.Instructions);

            if (options is not null)
            {
                WriteOptions(w, written, options, quirks);
            }

            if (stream)
            {
                RequestFields.Name(w, written, "stream");
                w.WriteBooleanValue(true);
                if (quirks.SendStreamOptions)
                {
                    RequestFields.Name(w, written, "stream_options");
                    w.WriteStartObject();
                    w.WriteBoolean("include_usage", true);
                    w.WriteEndObject();
                }
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
                    WriteValue(w, kv.Value);
                }
            }

            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Serializes function-call arguments to the JSON text OpenAI expects in <c>function.arguments</c>.</summary>
    /// <param name="arguments">The arguments.</param>
    /// <returns>A JSON object as text.</returns>
    public static string SerializeArguments(IDictionary<string, object?>? arguments)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            if (arguments is not null)
            {
                foreach (KeyValuePair<string, object?> kv in arguments)
                {
                    w.WritePropertyName(kv.Key);
                    WriteValue(w, kv.Value);
                }
            }

            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void Validate(ChatOptions? options, OpenAICompatibleQuirks quirks)
    {
        if (options is null)
        {
            return;
        }

        if (options.TopK is not null && !quirks.SupportsTopK)
        {
            throw new NotSupportedException("ChatOptions.TopK is not supported by this provider's Chat Completions API; remove it or route to a provider that supports top-k sampling.");
        }

        if (options.ConversationId is not null)
        {
            throw new NotSupportedException("ChatOptions.ConversationId is not supported: the Chat Completions API keeps no server-side conversation; send the full history instead.");
        }

        if (options.ContinuationToken is not null)
        {
            throw new NotSupportedException("ChatOptions.ContinuationToken is not supported by the Chat Completions API (no background responses).");
        }

        if (options.Reasoning?.Output is ReasoningOutput.Summary or ReasoningOutput.Full)
        {
            throw new NotSupportedException("ChatOptions.Reasoning.Output cannot be requested from the Chat Completions API, which does not return reasoning; leave it unset or use ReasoningOutput.None.");
        }

        bool hasTools = options.Tools is { Count: > 0 };
        if (!hasTools && options.ToolMode is RequiredChatToolMode)
        {
            throw new ArgumentException("ChatOptions.ToolMode requires a tool call but ChatOptions.Tools is empty.", nameof(options));
        }
    }

    private static void WriteOptions(Utf8JsonWriter w, HashSet<string> written, ChatOptions options, OpenAICompatibleQuirks quirks)
    {
        bool strict = options.AdditionalProperties?.TryGetValue(StrictJsonSchemaKey, out object? s) == true && s is true;

        if (options.Tools is { Count: > 0 } tools)
        {
            RequestFields.Name(w, written, "tools");
            w.WriteStartArray();
            foreach (AITool tool in tools)
            {
                if (tool is not AIFunctionDeclaration function)
                {
                    throw new NotSupportedException($"Tool '{tool.Name}' of type {tool.GetType().Name} is not supported by the Chat Completions API; only function tools (AIFunctionDeclaration) are.");
                }

                w.WriteStartObject();
                w.WriteString("type", "function");
                w.WriteStartObject("function");
                w.WriteString("name", function.Name);
                if (!string.IsNullOrEmpty(function.Description))
                {
                    w.WriteString("description", function.Description);
                }

                w.WritePropertyName("parameters");
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

                if (strict)
                {
                    w.WriteBoolean("strict", true);
                }

                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();

            switch (options.ToolMode)
            {
                case null:
                    break;
                case NoneChatToolMode:
                    RequestFields.Name(w, written, "tool_choice");
                    w.WriteStringValue("none");
                    break;
                case AutoChatToolMode:
                    RequestFields.Name(w, written, "tool_choice");
                    w.WriteStringValue("auto");
                    break;
                case RequiredChatToolMode { RequiredFunctionName: { } name }:
                    RequestFields.Name(w, written, "tool_choice");
                    w.WriteStartObject();
                    w.WriteString("type", "function");
                    w.WriteStartObject("function");
                    w.WriteString("name", name);
                    w.WriteEndObject();
                    w.WriteEndObject();
                    break;
                case RequiredChatToolMode:
                    RequestFields.Name(w, written, "tool_choice");
                    w.WriteStringValue("required");
                    break;
                default:
                    throw new NotSupportedException($"ChatOptions.ToolMode of type {options.ToolMode.GetType().Name} is not supported.");
            }

            if (options.AllowMultipleToolCalls is { } parallel)
            {
                RequestFields.Name(w, written, "parallel_tool_calls");
                w.WriteBooleanValue(parallel);
            }
        }

        switch (options.ResponseFormat)
        {
            case null or ChatResponseFormatText:
                break;
            case ChatResponseFormatJson { Schema: null }:
                RequestFields.Name(w, written, "response_format");
                w.WriteStartObject();
                w.WriteString("type", "json_object");
                w.WriteEndObject();
                break;
            case ChatResponseFormatJson json:
                RequestFields.Name(w, written, "response_format");
                w.WriteStartObject();
                w.WriteString("type", "json_schema");
                w.WriteStartObject("json_schema");
                w.WriteString("name", string.IsNullOrWhiteSpace(json.SchemaName) ? "response" : json.SchemaName);
                if (!string.IsNullOrEmpty(json.SchemaDescription))
                {
                    w.WriteString("description", json.SchemaDescription);
                }

                w.WritePropertyName("schema");
                json.Schema.Value.WriteTo(w);
                if (strict)
                {
                    w.WriteBoolean("strict", true);
                }

                w.WriteEndObject();
                w.WriteEndObject();
                break;
            default:
                throw new NotSupportedException($"ChatOptions.ResponseFormat of type {options.ResponseFormat.GetType().Name} is not supported.");
        }

        RequestFields.Number(w, written, "temperature", options.Temperature);
        RequestFields.Number(w, written, "top_p", options.TopP);
        RequestFields.Number(w, written, "top_k", options.TopK);

        if (options.MaxOutputTokens is { } maxTokens)
        {
            RequestFields.Name(w, written, quirks.MaxTokensField);
            w.WriteNumberValue(maxTokens);
        }

        RequestFields.Strings(w, written, "stop", options.StopSequences);

        if (options.Seed is { } seed)
        {
            RequestFields.Name(w, written, quirks.SeedField);
            w.WriteNumberValue(seed);
        }

        RequestFields.Number(w, written, "frequency_penalty", options.FrequencyPenalty);
        RequestFields.Number(w, written, "presence_penalty", options.PresencePenalty);

        if (options.Reasoning?.Effort is { } effort)
        {
            RequestFields.Name(w, written, "reasoning_effort");
            w.WriteStringValue(effort switch
            {
                ReasoningEffort.None => "none",
                ReasoningEffort.Low => "low",
                ReasoningEffort.Medium => "medium",
                ReasoningEffort.High => "high",
                ReasoningEffort.ExtraHigh => "xhigh",
                _ => throw new NotSupportedException($"ChatOptions.Reasoning.Effort value {effort} is not supported."),
            });
        }
    }

    private static void WriteMessages(Utf8JsonWriter w, IEnumerable<ChatMessage> messages, string? instructions)
    {
        w.WriteStartArray();
        if (!string.IsNullOrEmpty(instructions))
        {
            w.WriteStartObject();
            w.WriteString("role", "system");
            w.WriteString("content", instructions);
            w.WriteEndObject();
        }

        foreach (ChatMessage message in messages)
        {
            ArgumentNullException.ThrowIfNull(message, nameof(messages));
            WriteMessage(w, message);
        }

        w.WriteEndArray();
    }

    private static void WriteMessage(Utf8JsonWriter w, ChatMessage message)
    {
        string role = RoleName(message.Role);
        var parts = new List<AIContent>();
        var calls = new List<FunctionCallContent>();
        foreach (AIContent content in message.Contents)
        {
            switch (content)
            {
                case FunctionResultContent result:
                    // One tool message per result, in order, before anything else the message carries.
                    w.WriteStartObject();
                    w.WriteString("role", "tool");
                    w.WriteString("tool_call_id", result.CallId);
                    w.WriteString("content", ResultText(result.Result));
                    w.WriteEndObject();
                    break;
                case FunctionCallContent call:
                    calls.Add(call);
                    break;
                case TextReasoningContent or UsageContent or ErrorContent:
                    // Output-only content from earlier replies; the API does not accept it back.
                    break;
                default:
                    parts.Add(content);
                    break;
            }
        }

        if (role == "tool")
        {
            if (parts.Count > 0 || calls.Count > 0)
            {
                throw new NotSupportedException("A message with the tool role may only contain FunctionResultContent.");
            }

            return;
        }

        if (calls.Count > 0 && role != "assistant")
        {
            throw new NotSupportedException($"FunctionCallContent is only supported in assistant messages, not in a '{role}' message.");
        }

        if (parts.Count == 0 && calls.Count == 0 && message.Contents.Count > 0)
        {
            // Only tool results (already written) or output-only content: nothing else to send.
            return;
        }

        w.WriteStartObject();
        w.WriteString("role", role);
        if (!string.IsNullOrEmpty(message.AuthorName))
        {
            w.WriteString("name", message.AuthorName);
        }

        if (parts.Count > 0 || calls.Count == 0)
        {
            w.WritePropertyName("content");
            WriteContent(w, role, parts);
        }

        if (calls.Count > 0)
        {
            w.WriteStartArray("tool_calls");
            foreach (FunctionCallContent call in calls)
            {
                w.WriteStartObject();
                w.WriteString("id", call.CallId);
                w.WriteString("type", "function");
                w.WriteStartObject("function");
                w.WriteString("name", call.Name);
                w.WriteString("arguments", SerializeArguments(call.Arguments));
                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    private static void WriteContent(Utf8JsonWriter w, string role, List<AIContent> parts)
    {
        if (parts.TrueForAll(p => p is TextContent))
        {
            w.WriteStringValue(string.Concat(parts.Select(p => ((TextContent)p).Text)));
            return;
        }

        if (role != "user")
        {
            AIContent bad = parts.First(p => p is not TextContent);
            throw new NotSupportedException($"{bad.GetType().Name} is not supported in a '{role}' message; only text is.");
        }

        w.WriteStartArray();
        foreach (AIContent part in parts)
        {
            switch (part)
            {
                case TextContent text:
                    w.WriteStartObject();
                    w.WriteString("type", "text");
                    w.WriteString("text", text.Text);
                    w.WriteEndObject();
                    break;
                case UriContent uri when uri.HasTopLevelMediaType("image"):
                    WriteImage(w, uri.Uri.ToString(), part);
                    break;
                case DataContent data when data.HasTopLevelMediaType("image"):
                    WriteImage(w, data.Uri, part);
                    break;
                case DataContent data when AudioFormat(data.MediaType) is { } format:
                    w.WriteStartObject();
                    w.WriteString("type", "input_audio");
                    w.WriteStartObject("input_audio");
                    w.WriteString("data", data.Base64Data.Span);
                    w.WriteString("format", format);
                    w.WriteEndObject();
                    w.WriteEndObject();
                    break;
                case DataContent data when string.Equals(data.MediaType, "application/pdf", StringComparison.OrdinalIgnoreCase):
                    w.WriteStartObject();
                    w.WriteString("type", "file");
                    w.WriteStartObject("file");
                    w.WriteString("filename", string.IsNullOrEmpty(data.Name) ? "document.pdf" : data.Name);
                    w.WriteString("file_data", data.Uri);
                    w.WriteEndObject();
                    w.WriteEndObject();
                    break;
                case UriContent uri:
                    throw new NotSupportedException($"UriContent with media type '{uri.MediaType}' is not supported; only image URLs are.");
                case DataContent data:
                    throw new NotSupportedException($"DataContent with media type '{data.MediaType}' is not supported; images, WAV/MP3 audio and PDF are.");
                default:
                    throw new NotSupportedException($"{part.GetType().Name} is not supported by the Chat Completions API.");
            }
        }

        w.WriteEndArray();
    }

    private static void WriteImage(Utf8JsonWriter w, string url, AIContent part)
    {
        w.WriteStartObject();
        w.WriteString("type", "image_url");
        w.WriteStartObject("image_url");
        w.WriteString("url", url);
        if (part.AdditionalProperties?.TryGetValue("detail", out object? detail) == true && detail is string d && d.Length > 0)
        {
            w.WriteString("detail", d);
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static string? AudioFormat(string mediaType) => mediaType.ToUpperInvariant() switch
    {
        "AUDIO/WAV" or "AUDIO/X-WAV" or "AUDIO/WAVE" => "wav",
        "AUDIO/MPEG" or "AUDIO/MP3" => "mp3",
        _ => null,
    };

    private static string RoleName(ChatRole role)
    {
        if (role == ChatRole.System)
        {
            return "system";
        }

        if (role == ChatRole.User)
        {
            return "user";
        }

        if (role == ChatRole.Assistant)
        {
            return "assistant";
        }

        return role == ChatRole.Tool ? "tool" : role.Value;
    }

    private static string ResultText(object? result) => result switch
    {
        null => string.Empty,
        string s => s,
        _ => SerializeValue(result),
    };

    private static string SerializeValue(object value)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            WriteValue(w, value);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Writes an arbitrary value: JSON elements and nodes as they are, primitives directly, anything else through M.E.AI's source-generated serializer options.</summary>
    private static void WriteValue(Utf8JsonWriter w, object? value)
    {
        switch (value)
        {
            case null:
                w.WriteNullValue();
                break;
            case JsonElement element:
                element.WriteTo(w);
                break;
            case JsonNode node:
                node.WriteTo(w);
                break;
            case string s:
                w.WriteStringValue(s);
                break;
            case bool b:
                w.WriteBooleanValue(b);
                break;
            case int i:
                w.WriteNumberValue(i);
                break;
            case long l:
                w.WriteNumberValue(l);
                break;
            case float f:
                w.WriteNumberValue(f);
                break;
            case double d:
                w.WriteNumberValue(d);
                break;
            case decimal m:
                w.WriteNumberValue(m);
                break;
            default:
                JsonSerializer.Serialize(w, value, AIJsonUtilities.DefaultOptions.GetTypeInfo(value.GetType()));
                break;
        }
    }

}
