using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>
/// Walks the values found in requests and answers — strings, JSON elements and nodes, dictionaries, lists, numbers, contents and
/// serializable objects — and rewrites every string in them, keeping the shape. Returns the same instance when nothing changed.
/// </summary>
/// <remarks>Not thread-safe: one instance serves one request.</remarks>
internal abstract class ValueRewriter
{
    private const int MaxDepth = 64;

    // Placeholders such as <EMAIL_1> stay readable in rewritten JSON (the default encoder would write \u003C); the JSON is never embedded in HTML.
    private static readonly JsonWriterOptions s_writerOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    protected ValueRewriter(JsonSerializerOptions serializerOptions)
    {
        SerializerOptions = serializerOptions;
    }

    /// <summary>Gets the options used to turn objects of unknown types into JSON so their strings can be inspected.</summary>
    public JsonSerializerOptions SerializerOptions { get; }

    /// <summary>Rewrites one string; returns the same instance when nothing changed.</summary>
    public abstract string RewriteText(string text);

    /// <summary>Rewrites the text form of a number or URI; returns <see langword="null"/> when it stays as it is.</summary>
    protected virtual string? RewriteScalarText(string text) => null;

    /// <summary>Rewrites a content item; returns the same instance when nothing changed.</summary>
    public virtual AIContent RewriteContent(AIContent content, int depth) => content;

    /// <summary>
    /// Rewrites the text of a <see cref="TextContent"/> or <see cref="TextReasoningContent"/>: the same instance when nothing changed,
    /// else a copy with the other properties kept; <see langword="null"/> when <paramref name="content"/> is another kind of content.
    /// </summary>
    protected AIContent? RewriteTextContent(AIContent content)
    {
        switch (content)
        {
            case TextContent text when text.Text is { Length: > 0 } value:
                string rewritten = RewriteText(value);
                return ReferenceEquals(rewritten, value) ? content : new TextContent(rewritten) { AdditionalProperties = text.AdditionalProperties, Annotations = text.Annotations };

            case TextReasoningContent reasoning when reasoning.Text is { Length: > 0 } value:
                string thought = RewriteText(value);
                return ReferenceEquals(thought, value)
                    ? content
                    : new TextReasoningContent(thought) { ProtectedData = reasoning.ProtectedData, AdditionalProperties = reasoning.AdditionalProperties };

            case TextContent or TextReasoningContent:
                return content;

            default:
                return null;
        }
    }

    /// <summary>Rewrites an arbitrary value; returns the same instance when nothing changed.</summary>
    public object? RewriteValue(object? value, int depth = 0)
    {
        if (depth > MaxDepth)
        {
            return value is null ? null : RewriteOpaque(value);
        }

        switch (value)
        {
            case null:
                return null;
            case string s:
                return RewriteText(s);
            case JsonElement element:
                JsonElement rewrittenElement = RewriteJson(element, out bool elementChanged);
                return elementChanged ? rewrittenElement : value;
            case JsonNode node:
                return RewriteNode(node);
            case AIContent content:
                return RewriteContent(content, depth + 1);
            case bool or char or Enum or DateTime or DateTimeOffset or TimeSpan or Guid or DateOnly or TimeOnly:
                return value;
            case byte[] or ReadOnlyMemory<byte> or Memory<byte>:
                return value; // binary data is not text
            case int or long or uint or ulong or short or ushort or byte or sbyte or double or float or decimal or BigInteger or Int128 or UInt128 or Half:
                return RewriteScalarText(((IFormattable)value).ToString(null, CultureInfo.InvariantCulture)) ?? value;
            case Uri uri:
                return RewriteScalarText(uri.OriginalString) ?? value;
            case IDictionary<string, object?> dictionary:
                return RewriteDictionary(dictionary, depth + 1) ?? value;
            case IEnumerable<KeyValuePair<string, object?>> pairs:
                return RewritePairs(pairs, depth + 1) ?? value;
            case IList<AIContent> contents:
                return RewriteContents(contents, depth + 1);
            case IEnumerable sequence:
                return RewriteSequence(sequence, depth + 1) ?? value;
            default:
                return RewriteObject(value);
        }
    }

    /// <summary>Rewrites a list of contents; returns the same list when nothing changed.</summary>
    public IList<AIContent> RewriteContents(IList<AIContent> contents, int depth)
    {
        List<AIContent>? copy = null;
        for (int i = 0; i < contents.Count; i++)
        {
            AIContent original = contents[i];
            AIContent rewritten = RewriteContent(original, depth);
            if (!ReferenceEquals(rewritten, original) && copy is null)
            {
                copy = new List<AIContent>(contents.Count);
                for (int j = 0; j < i; j++)
                {
                    copy.Add(contents[j]);
                }
            }

            copy?.Add(rewritten);
        }

        return copy ?? contents;
    }

    /// <summary>Rewrites a dictionary's keys and values; returns <see langword="null"/> when nothing changed.</summary>
    public Dictionary<string, object?>? RewriteDictionary(IDictionary<string, object?> dictionary, int depth)
    {
        Dictionary<string, object?>? copy = null;
        int index = 0;
        foreach (KeyValuePair<string, object?> kv in dictionary)
        {
            string key = RewriteText(kv.Key);
            object? value = RewriteValue(kv.Value, depth);
            if (copy is null && (!ReferenceEquals(key, kv.Key) || !ReferenceEquals(value, kv.Value)))
            {
                copy = new Dictionary<string, object?>(dictionary.Count, StringComparer.Ordinal);
                int j = 0;
                foreach (KeyValuePair<string, object?> earlier in dictionary)
                {
                    if (j++ == index)
                    {
                        break;
                    }

                    copy[earlier.Key] = earlier.Value;
                }
            }

            if (copy is not null)
            {
                copy[key] = value;
            }

            index++;
        }

        return copy;
    }

    /// <summary>Rewrites a JSON value; returns the same element when nothing changed.</summary>
    public JsonElement RewriteJson(JsonElement element, out bool changed)
    {
        changed = false;
        if (element.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null or JsonValueKind.True or JsonValueKind.False)
        {
            return element;
        }

        ArrayBufferWriter<byte> buffer = t_buffer ??= new ArrayBufferWriter<byte>(512);
        buffer.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(buffer, s_writerOptions))
        {
            changed = WriteJson(element, writer, 0);
        }

        if (!changed)
        {
            return element;
        }

        var reader = new Utf8JsonReader(buffer.WrittenSpan);
        return JsonElement.ParseValue(ref reader);
    }

    private bool WriteJson(JsonElement element, Utf8JsonWriter writer, int depth)
    {
        bool changed = false;
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    string name = property.Name;
                    string rewritten = RewriteText(name);
                    changed |= !ReferenceEquals(name, rewritten);
                    writer.WritePropertyName(rewritten);
                    changed |= depth < MaxDepth ? WriteJson(property.Value, writer, depth + 1) : WriteOpaqueJson(property.Value, writer);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (JsonElement item in element.EnumerateArray())
                {
                    changed |= depth < MaxDepth ? WriteJson(item, writer, depth + 1) : WriteOpaqueJson(item, writer);
                }

                writer.WriteEndArray();
                break;
            case JsonValueKind.String:
                string text = element.GetString()!;
                string result = RewriteText(text);
                writer.WriteStringValue(result);
                changed = !ReferenceEquals(text, result);
                break;
            case JsonValueKind.Number when RewriteScalarText(element.GetRawText()) is { } replacement:
                writer.WriteStringValue(replacement);
                changed = true;
                break;
            default:
                element.WriteTo(writer);
                break;
        }

        return changed;
    }

    /// <summary>Beyond the depth limit a JSON subtree is inspected as text: any finding replaces the whole subtree by its rewritten text.</summary>
    private bool WriteOpaqueJson(JsonElement element, Utf8JsonWriter writer)
    {
        string raw = element.GetRawText();
        string rewritten = RewriteText(raw);
        if (ReferenceEquals(raw, rewritten))
        {
            element.WriteTo(writer);
            return false;
        }

        writer.WriteStringValue(rewritten);
        return true;
    }

    private object RewriteNode(JsonNode node)
    {
        using JsonDocument document = JsonDocument.Parse(node.ToJsonString());
        JsonElement rewritten = RewriteJson(document.RootElement, out bool changed);
        return changed ? rewritten : node;
    }

    private Dictionary<string, object?>? RewritePairs(IEnumerable<KeyValuePair<string, object?>> pairs, int depth)
    {
        var all = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, object?> kv in pairs)
        {
            all[kv.Key] = kv.Value;
        }

        return RewriteDictionary(all, depth);
    }

    private List<object?>? RewriteSequence(IEnumerable sequence, int depth)
    {
        var items = new List<object?>();
        bool changed = false;
        foreach (object? item in sequence)
        {
            object? rewritten = RewriteValue(item, depth);
            changed |= !ReferenceEquals(rewritten, item);
            items.Add(rewritten);
        }

        return changed ? items : null;
    }

    /// <summary>An object of another type: serialized through <see cref="SerializerOptions"/> (source-generated metadata) and rewritten as JSON.</summary>
    private object RewriteObject(object value)
    {
        if (SerializerOptions.TryGetTypeInfo(value.GetType(), out JsonTypeInfo? typeInfo))
        {
            JsonElement element;
            try
            {
                element = JsonSerializer.SerializeToElement(value, typeInfo);
            }
            catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException or JsonException)
            {
                return RewriteOpaque(value);
            }

            JsonElement rewritten = RewriteJson(element, out bool changed);
            return changed ? rewritten : value;
        }

        return RewriteOpaque(value);
    }

    /// <summary>
    /// A value that cannot be inspected structurally (no JSON metadata for its type, or nested too deeply). Requests fail closed: the value is
    /// replaced by its rewritten text (see <see cref="ReplacesOpaqueValues"/>). Answers keep the value unless its text changes.
    /// </summary>
    private object RewriteOpaque(object value)
    {
        string text = value.ToString() ?? string.Empty;
        string rewritten = RewriteText(text);
        return ReferenceEquals(text, rewritten) && !ReplacesOpaqueValues ? value : rewritten;
    }

    /// <summary>Gets a value indicating whether values that cannot be inspected are always replaced by their (rewritten) text.</summary>
    protected virtual bool ReplacesOpaqueValues => false;
}
