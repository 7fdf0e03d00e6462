using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>Writes the JSON body of a Cohere <c>/v2/chat</c> request from M.E.AI messages and options. Null values are omitted.</summary>
/// <remarks>See <see cref="CohereChatClient"/> for the mapping; options the API cannot express are rejected, never dropped.</remarks>
internal static class CohereRequestWriter
{
    private const string ReservedPrefix = "LlmRouting.";

    /// <summary>JSON carried as text inside the request (tool arguments, tool errors) keeps non-ASCII characters readable for the model.</summary>
    private static readonly JsonWriterOptions RelaxedWriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes the request body.</summary>
    /// <param name="messages">The conversation.</param>
    /// <param name="options">The options.</param>
    /// <param name="model">The model id.</param>
    /// <param name="stream">Whether to request a stream.</param>
    /// <returns>The UTF-8 JSON body.</returns>
    /// <exception cref="NotSupportedException">A message content or an option cannot be expressed.</exception>
    /// <exception cref="ArgumentException">The messages or options are inconsistent.</exception>
    public static byte[] Write(IEnumerable<ChatMessage> messages, ChatOptions? options, string model, bool stream)
    {
        ArgumentNullException.ThrowIfNull(messages);
        Validate(options);

        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer))
        {
            var written = new HashSet<string>(StringComparer.Ordinal);
            w.WriteStartObject();
            RequestFields.Name(w, written, "model");
            w.WriteStringValue(model);
            RequestFields.Name(w, written, "messages");
            WriteMessages(w, messages, options?.Instructions);
            if (stream)
            {
                RequestFields.Name(w, written, "stream");
                w.WriteBooleanValue(true);
            }

            if (options is not null)
            {
                WriteOptions(w, written, options);
                foreach (KeyValuePair<string, object?> kv in options.AdditionalProperties ?? [])
                {
                    if (kv.Key.StartsWith(ReservedPrefix, StringComparison.Ordinal) || kv.Key == CohereChatClient.StrictJsonSchemaKey)
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

    private static void Validate(ChatOptions? options)
    {
        if (options is null)
        {
            return;
        }

        if (options.ConversationId is not null)
        {
            throw new NotSupportedException("ChatOptions.ConversationId is not supported: Cohere's Chat API keeps no server-side conversation; send the full history instead.");
        }

        if (options.ContinuationToken is not null || options.AllowBackgroundResponses == true)
        {
            throw new NotSupportedException("Background responses (ChatOptions.AllowBackgroundResponses, ContinuationToken) are not supported by Cohere's Chat API.");
        }

        bool hasTools = options.Tools is { Count: > 0 };
        if (options.AllowMultipleToolCalls == false && hasTools)
        {
            throw new NotSupportedException(
                "ChatOptions.AllowMultipleToolCalls = false cannot be honoured: Cohere's Chat API has no switch to limit a reply to one tool call. " +
                "Leave it unset or route the request to a provider that supports it.");
        }

        if (options.ToolMode is RequiredChatToolMode && !hasTools)
        {
            throw new ArgumentException("ChatOptions.ToolMode requires a tool call but ChatOptions.Tools is empty.", nameof(options));
        }

        if (options.ToolMode is RequiredChatToolMode { RequiredFunctionName: { } name } && !options.Tools!.Any(t => t.Name == name))
        {
            throw new ArgumentException($"ChatOptions.ToolMode requires the function '{name}', which is not among ChatOptions.Tools.", nameof(options));
        }

        if (options.ResponseFormat is ChatResponseFormatJson && hasTools)
        {
            throw new NotSupportedException(
                "ChatOptions.ResponseFormat JSON cannot be combined with tools on Cohere: its response_format is not supported together with tools. " +
                "Remove one of them or route the request to another provider.");
        }

        if (options.Seed is < 0)
        {
            throw new NotSupportedException($"ChatOptions.Seed {options.Seed} is negative; Cohere's seed is an unsigned integer.");
        }
    }

    private static void WriteOptions(Utf8JsonWriter w, HashSet<string> written, ChatOptions options)
    {
        if (options.Tools is { Count: > 0 } tools)
        {
            // A required specific function: only that tool is offered, and a call is required (Cohere has no way to name the tool).
            string? required = (options.ToolMode as RequiredChatToolMode)?.RequiredFunctionName;
            RequestFields.Name(w, written, "tools");
            w.WriteStartArray();
            foreach (AITool tool in tools)
            {
                if (tool is not AIFunctionDeclaration function)
                {
                    throw new NotSupportedException($"Tool '{tool.Name}' of type {tool.GetType().Name} is not supported by the Cohere adapter; only function tools (AIFunctionDeclaration) are.");
                }

                if (required is not null && function.Name != required)
                {
                    continue;
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

                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();

            switch (options.ToolMode)
            {
                case null or AutoChatToolMode:
                    break;
                case NoneChatToolMode:
                    RequestFields.Name(w, written, "tool_choice");
                    w.WriteStringValue("NONE");
                    break;
                case RequiredChatToolMode:
                    RequestFields.Name(w, written, "tool_choice");
                    w.WriteStringValue("REQUIRED");
                    break;
                default:
                    throw new NotSupportedException($"ChatOptions.ToolMode of type {options.ToolMode.GetType().Name} is not supported.");
            }

            if (options.AdditionalProperties?.TryGetValue(CohereChatClient.StrictJsonSchemaKey, out object? strict) == true && strict is true)
            {
                RequestFields.Name(w, written, "strict_tools");
                w.WriteBooleanValue(true);
            }
        }

        switch (options.ResponseFormat)
        {
            case null or ChatResponseFormatText:
                break;
            case ChatResponseFormatJson json:
                RequestFields.Name(w, written, "response_format");
                w.WriteStartObject();
                w.WriteString("type", "json_object");
                if (json.Schema is { } schema)
                {
                    w.WritePropertyName("json_schema");
                    WriteSchema(w, schema, json.SchemaDescription);
                }

                w.WriteEndObject();
                break;
            default:
                throw new NotSupportedException($"ChatOptions.ResponseFormat of type {options.ResponseFormat.GetType().Name} is not supported.");
        }

        RequestFields.Number(w, written, "temperature", options.Temperature);
        RequestFields.Number(w, written, "p", options.TopP);
        RequestFields.Number(w, written, "k", options.TopK);
        RequestFields.Number(w, written, "max_tokens", options.MaxOutputTokens);
        RequestFields.Strings(w, written, "stop_sequences", options.StopSequences);
        RequestFields.Number(w, written, "seed", options.Seed);
        RequestFields.Number(w, written, "frequency_penalty", options.FrequencyPenalty);
        RequestFields.Number(w, written, "presence_penalty", options.PresencePenalty);

        if (options.Reasoning?.Effort is { } effort)
        {
            RequestFields.Name(w, written, "thinking");
            w.WriteStartObject();
            switch (effort)
            {
                case ReasoningEffort.None:
                    w.WriteString("type", "disabled");
                    break;
                case ReasoningEffort.Low:
                    w.WriteString("type", "enabled");
                    w.WriteNumber("token_budget", CohereChatClient.LowThinkingBudget);
                    break;
                case ReasoningEffort.Medium:
                    w.WriteString("type", "enabled");
                    w.WriteNumber("token_budget", CohereChatClient.MediumThinkingBudget);
                    break;
                case ReasoningEffort.High:
                    w.WriteString("type", "enabled");
                    w.WriteNumber("token_budget", CohereChatClient.HighThinkingBudget);
                    break;
                case ReasoningEffort.ExtraHigh:
                    // No budget: the model may think as long as its limits allow.
                    w.WriteString("type", "enabled");
                    break;
                default:
                    throw new NotSupportedException($"ChatOptions.Reasoning.Effort value {effort} is not supported.");
            }

            w.WriteEndObject();
        }
    }

    /// <summary>Writes the schema as given, adding the format's description at the root when the schema has none.</summary>
    private static void WriteSchema(Utf8JsonWriter w, JsonElement schema, string? description)
    {
        if (schema.ValueKind != JsonValueKind.Object || string.IsNullOrEmpty(description) || schema.TryGetProperty("description", out _))
        {
            schema.WriteTo(w);
            return;
        }

        w.WriteStartObject();
        w.WriteString("description", description);
        foreach (JsonProperty property in schema.EnumerateObject())
        {
            property.WriteTo(w);
        }

        w.WriteEndObject();
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
        var parts = new List<AIContent>();
        var calls = new List<FunctionCallContent>();
        var reasoning = new List<TextReasoningContent>();
        bool wroteResults = false;
        foreach (AIContent content in message.Contents)
        {
            switch (content)
            {
                case FunctionResultContent result:
                    // One tool message per result, in order, keeping the call id.
                    w.WriteStartObject();
                    w.WriteString("role", "tool");
                    w.WriteString("tool_call_id", result.CallId);
                    w.WriteString("content", ResultText(result));
                    w.WriteEndObject();
                    wroteResults = true;
                    break;
                case FunctionCallContent call:
                    calls.Add(call);
                    break;
                case TextReasoningContent thought:
                    if (thought.Text.Length > 0)
                    {
                        reasoning.Add(thought);
                    }

                    break;
                case UsageContent or ErrorContent:
                    // Output-only content of earlier replies.
                    break;
                case TextContent { Text.Length: 0 }:
                    break;
                default:
                    parts.Add(content);
                    break;
            }
        }

        if (message.Role == ChatRole.Tool)
        {
            if (parts.Count > 0 || calls.Count > 0)
            {
                throw new NotSupportedException("A message with the tool role may only contain FunctionResultContent.");
            }

            return;
        }

        if (calls.Count > 0 && message.Role != ChatRole.Assistant)
        {
            throw new NotSupportedException($"FunctionCallContent is only supported in assistant messages, not in a '{message.Role}' message.");
        }

        if (parts.Count == 0 && calls.Count == 0 && reasoning.Count == 0)
        {
            if (wroteResults || (message.Contents.Count > 0 && message.Contents.All(c => c is TextReasoningContent or UsageContent or ErrorContent)))
            {
                return;
            }

            throw new ArgumentException(
                $"A '{message.Role}' message has no content Cohere can send (its text is empty); Cohere requires non-empty content in every message.",
                nameof(message));
        }

        if (message.Role == ChatRole.System)
        {
            w.WriteStartObject();
            w.WriteString("role", "system");
            w.WriteString("content", TextOnly(parts, "system"));
            w.WriteEndObject();
        }
        else if (message.Role == ChatRole.User)
        {
            w.WriteStartObject();
            w.WriteString("role", "user");
            w.WritePropertyName("content");
            WriteUserContent(w, parts);
            w.WriteEndObject();
        }
        else if (message.Role == ChatRole.Assistant)
        {
            WriteAssistant(w, parts, calls, reasoning);
        }
        else
        {
            throw new NotSupportedException($"The chat role '{message.Role}' is not supported by Cohere (user, assistant, system and tool are).");
        }
    }

    private static void WriteAssistant(Utf8JsonWriter w, List<AIContent> parts, List<FunctionCallContent> calls, List<TextReasoningContent> reasoning)
    {
        string text = TextOnly(parts, "assistant");
        w.WriteStartObject();
        w.WriteString("role", "assistant");
        if (calls.Count > 0)
        {
            // Text beside tool calls is Cohere's tool plan.
            if (text.Length > 0)
            {
                w.WriteString("tool_plan", text);
            }

            w.WriteStartArray("tool_calls");
            foreach (FunctionCallContent call in calls)
            {
                w.WriteStartObject();
                w.WriteString("id", call.CallId);
                w.WriteString("type", "function");
                w.WriteStartObject("function");
                w.WriteString("name", call.Name);
                w.WriteString("arguments", Arguments(call));
                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }
        else if (reasoning.Count == 0)
        {
            w.WriteString("content", text);
        }
        else
        {
            w.WriteStartArray("content");
            foreach (TextReasoningContent thought in reasoning)
            {
                w.WriteStartObject();
                w.WriteString("type", "thinking");
                w.WriteString("thinking", thought.Text);
                w.WriteEndObject();
            }

            if (text.Length > 0)
            {
                w.WriteStartObject();
                w.WriteString("type", "text");
                w.WriteString("text", text);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    private static void WriteUserContent(Utf8JsonWriter w, List<AIContent> parts)
    {
        if (parts is [TextContent single])
        {
            w.WriteStringValue(single.Text);
            return;
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
                case UriContent uri:
                    throw new NotSupportedException($"UriContent with media type '{uri.MediaType}' is not supported by Cohere's Chat API; only images are.");
                case DataContent data:
                    throw new NotSupportedException($"DataContent with media type '{data.MediaType}' is not supported by Cohere's Chat API; only images are.");
                default:
                    throw new NotSupportedException($"{part.GetType().Name} is not supported by the Cohere adapter.");
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

    private static string TextOnly(List<AIContent> parts, string role)
    {
        if (parts.FirstOrDefault(p => p is not TextContent) is { } other)
        {
            throw new NotSupportedException($"{other.GetType().Name} is not supported in a '{role}' message by Cohere; only text is.");
        }

        return string.Concat(parts.Select(p => ((TextContent)p).Text));
    }

    private static string Arguments(FunctionCallContent call)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, RelaxedWriterOptions))
        {
            ProviderJson.WriteObject(writer, call.Arguments);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>A tool result as the text Cohere expects: strings as they are, a failure as <c>{"error": message}</c>, anything else as JSON.</summary>
    private static string ResultText(FunctionResultContent result) => result switch
    {
        { Result: null, Exception: { } exception } => ErrorObject(exception.Message),
        { Result: null } => string.Empty,
        { Result: string s } => s,
        _ => RelaxedJson(result.Result),
    };

    private static string RelaxedJson(object? value)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, RelaxedWriterOptions))
        {
            ProviderJson.WriteValue(writer, value);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string ErrorObject(string message)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer, RelaxedWriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("error", message);
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

}
