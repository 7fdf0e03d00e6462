using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>Provider-neutral JSON writing of caller-supplied values (function arguments, tool results, extra request fields).</summary>
internal static class ProviderJson
{
    /// <summary>
    /// Writes an arbitrary value: JSON elements and nodes as they are, primitives directly, anything else through
    /// M.E.AI's source-generated serializer options (<see cref="AIJsonUtilities.DefaultOptions"/>), so it works without reflection.
    /// </summary>
    /// <param name="writer">The writer.</param>
    /// <param name="value">The value.</param>
    public static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case JsonElement element:
                element.WriteTo(writer);
                break;
            case JsonDocument document:
                document.RootElement.WriteTo(writer);
                break;
            case JsonNode node:
                node.WriteTo(writer);
                break;
            case string s:
                writer.WriteStringValue(s);
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case int i:
                writer.WriteNumberValue(i);
                break;
            case long l:
                writer.WriteNumberValue(l);
                break;
            case float f:
                writer.WriteNumberValue(f);
                break;
            case double d:
                writer.WriteNumberValue(d);
                break;
            case decimal m:
                writer.WriteNumberValue(m);
                break;
            default:
                JsonSerializer.Serialize(writer, value, AIJsonUtilities.DefaultOptions.GetTypeInfo(value.GetType()));
                break;
        }
    }

    /// <summary>Writes a dictionary as a JSON object (an empty object for <see langword="null"/>).</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="values">The entries.</param>
    public static void WriteObject(Utf8JsonWriter writer, IEnumerable<KeyValuePair<string, object?>>? values)
    {
        writer.WriteStartObject();
        foreach (KeyValuePair<string, object?> kv in values ?? [])
        {
            writer.WritePropertyName(kv.Key);
            WriteValue(writer, kv.Value);
        }

        writer.WriteEndObject();
    }

    /// <summary>Serializes a value to compact JSON text (<see cref="WriteValue"/>).</summary>
    /// <param name="value">The value.</param>
    /// <returns>The JSON text.</returns>
    public static string Serialize(object? value)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteValue(writer, value);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Re-serializes a JSON element compactly, so streamed and whole replies produce identical text.</summary>
    /// <param name="element">The element.</param>
    /// <returns>The compact JSON text.</returns>
    public static string Compact(JsonElement element)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            element.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
