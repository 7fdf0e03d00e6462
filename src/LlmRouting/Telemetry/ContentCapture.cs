using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>
/// Formats messages for the OpenTelemetry GenAI content attributes (<c>gen_ai.input.messages</c>, <c>gen_ai.output.messages</c>,
/// <c>gen_ai.system_instructions</c>) in the convention's JSON shape, as Microsoft.Extensions.AI does, masking whatever the PII
/// detectors find in every string first. Binary data is never captured, only its media type.
/// </summary>
/// <remarks>Used only when content capture is switched on. Thread-safe.</remarks>
internal sealed class ContentCapture
{
    private static readonly JsonWriterOptions s_writerOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly IReadOnlyList<IPiiDetector> _detectors;

    public ContentCapture(IReadOnlyList<IPiiDetector>? detectors)
    {
        _detectors = detectors ?? RedactingChatClient.DefaultDetectors();
    }

    /// <summary>Masks every value the detectors find (overlaps resolved in favour of the earlier, then longer match).</summary>
    public string Redact(string text)
    {
        if (text.Length == 0)
        {
            return text;
        }

        var matches = new List<PiiMatch>();
        foreach (IPiiDetector detector in _detectors)
        {
            detector.Detect(text, matches);
        }

        if (matches.Count == 0)
        {
            return text;
        }

        matches.Sort(static (a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : b.Length.CompareTo(a.Length));
        var sb = new StringBuilder(text.Length);
        int position = 0;
        foreach (PiiMatch match in matches)
        {
            if (match.Start < position)
            {
                continue;
            }

            sb.Append(text, position, match.Start - position).Append(RedactingChatClient.MaskFor(match.EntityType));
            position = match.End;
        }

        return sb.Append(text, position, text.Length - position).ToString();
    }

    public string SystemInstructions(string instructions)
    {
        var buffer = new ArrayBufferWriter<byte>(instructions.Length + 64);
        using (var writer = new Utf8JsonWriter(buffer, s_writerOptions))
        {
            writer.WriteStartArray();
            writer.WriteStartObject();
            writer.WriteString("type", "text");
            writer.WriteString("content", Redact(instructions));
            writer.WriteEndObject();
            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public string ToolDefinitions(IList<AITool> tools, bool includeDescriptions)
    {
        var buffer = new ArrayBufferWriter<byte>(64 * tools.Count);
        using (var writer = new Utf8JsonWriter(buffer, s_writerOptions))
        {
            writer.WriteStartArray();
            foreach (AITool tool in tools)
            {
                writer.WriteStartObject();
                writer.WriteString("type", "function");
                writer.WriteString("name", tool.Name);
                if (includeDescriptions && !string.IsNullOrEmpty(tool.Description))
                {
                    writer.WriteString("description", Redact(tool.Description));
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public string Messages(IEnumerable<ChatMessage> messages, ChatFinishReason? finishReason = null)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, s_writerOptions))
        {
            writer.WriteStartArray();
            foreach (ChatMessage message in messages)
            {
                writer.WriteStartObject();
                writer.WriteString("role", Role(message.Role));
                if (message.AuthorName is { } name)
                {
                    writer.WriteString("name", Redact(name));
                }

                writer.WritePropertyName("parts");
                writer.WriteStartArray();
                foreach (AIContent content in message.Contents)
                {
                    WritePart(writer, content);
                }

                writer.WriteEndArray();
                if (finishReason is { } finish)
                {
                    writer.WriteString("finish_reason", FinishReason(finish));
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private void WritePart(Utf8JsonWriter writer, AIContent content)
    {
        switch (content)
        {
            case TextContent text when !string.IsNullOrWhiteSpace(text.Text):
                writer.WriteStartObject();
                writer.WriteString("type", "text");
                writer.WriteString("content", Redact(text.Text));
                writer.WriteEndObject();
                break;
            case TextReasoningContent reasoning when !string.IsNullOrWhiteSpace(reasoning.Text):
                writer.WriteStartObject();
                writer.WriteString("type", "reasoning");
                writer.WriteString("content", Redact(reasoning.Text));
                writer.WriteEndObject();
                break;
            case FunctionCallContent call:
                writer.WriteStartObject();
                writer.WriteString("type", "tool_call");
                writer.WriteString("id", call.CallId);
                writer.WriteString("name", call.Name);
                if (call.Arguments is { } arguments)
                {
                    writer.WritePropertyName("arguments");
                    writer.WriteStartObject();
                    foreach (KeyValuePair<string, object?> argument in arguments)
                    {
                        writer.WritePropertyName(argument.Key);
                        WriteValue(writer, argument.Value);
                    }

                    writer.WriteEndObject();
                }

                writer.WriteEndObject();
                break;
            case FunctionResultContent result:
                writer.WriteStartObject();
                writer.WriteString("type", "tool_call_response");
                writer.WriteString("id", result.CallId);
                writer.WritePropertyName("response");
                WriteValue(writer, result.Result);
                writer.WriteEndObject();
                break;
            case DataContent data:
                // The bytes are never captured: only what kind of data was there.
                writer.WriteStartObject();
                writer.WriteString("type", "blob");
                writer.WriteString("mime_type", data.MediaType);
                writer.WriteString("modality", Modality(data.MediaType));
                writer.WriteEndObject();
                break;
            case UriContent uri:
                writer.WriteStartObject();
                writer.WriteString("type", "uri");
                writer.WriteString("uri", Redact(uri.Uri.ToString()));
                writer.WriteString("mime_type", uri.MediaType);
                writer.WriteString("modality", Modality(uri.MediaType));
                writer.WriteEndObject();
                break;
            case UsageContent:
                break;
            case TextContent or TextReasoningContent:
                break;
            default:
                writer.WriteStartObject();
                writer.WriteString("type", content.GetType().FullName);
                writer.WriteEndObject();
                break;
        }
    }

    private void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string s:
                writer.WriteStringValue(Redact(s));
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case int or long or short or byte or sbyte or uint or ulong or ushort:
                writer.WriteRawValue(Convert.ToString(value, CultureInfo.InvariantCulture)!);
                break;
            case double or float or decimal:
                writer.WriteRawValue(Convert.ToString(value, CultureInfo.InvariantCulture)!);
                break;
            case JsonElement element when element.ValueKind is JsonValueKind.String:
                writer.WriteStringValue(Redact(element.GetString()!));
                break;
            case JsonElement element when element.ValueKind is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null:
                element.WriteTo(writer);
                break;
            case JsonElement element:
                // Objects and arrays: masked as text, so that nested strings are scanned too.
                writer.WriteStringValue(Redact(element.GetRawText()));
                break;
            default:
                writer.WriteStringValue(Redact(Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty));
                break;
        }
    }

    private static string Role(ChatRole role) =>
        role == ChatRole.Assistant ? "assistant" :
        role == ChatRole.Tool ? "tool" :
        role == ChatRole.System || role.Value == "developer" ? "system" :
        "user";

    internal static string FinishReason(ChatFinishReason finish) =>
        finish == ChatFinishReason.Length ? "length" :
        finish == ChatFinishReason.ContentFilter ? "content_filter" :
        finish == ChatFinishReason.ToolCalls ? "tool_call" :
        "stop";

    private static string? Modality(string? mediaType)
    {
        int slash = mediaType?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        if (slash < 0)
        {
            return null;
        }

        ReadOnlySpan<char> top = mediaType.AsSpan(0, slash);
        return top.Equals("image", StringComparison.OrdinalIgnoreCase) ? "image"
            : top.Equals("audio", StringComparison.OrdinalIgnoreCase) ? "audio"
            : top.Equals("video", StringComparison.OrdinalIgnoreCase) ? "video"
            : null;
    }
}
