using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>
/// Provider-neutral writing of arbitrary .NET values (tool arguments, tool results, pass-through options) into request JSON:
/// JSON elements and nodes as they are, primitives directly, anything else through M.E.AI's source-generated serializer options.
/// </summary>
internal static class ProviderJsonValueWriter
{
    /// <summary>Writes <paramref name="value"/>.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="value">The value.</param>
    /// <exception cref="NotSupportedException">The value's type has no JSON contract in <see cref="AIJsonUtilities.DefaultOptions"/>.</exception>
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
            case JsonNode node:
                node.WriteTo(writer);
                break;
            case JsonDocument document:
                document.RootElement.WriteTo(writer);
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

    /// <summary>Serializes <paramref name="value"/> to JSON text.</summary>
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

    /// <summary>Serializes function-call arguments as one JSON object.</summary>
    /// <param name="arguments">The arguments; an empty object when <see langword="null"/>.</param>
    /// <returns>The JSON text of the object.</returns>
    public static string SerializeArguments(IDictionary<string, object?>? arguments)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteArguments(writer, arguments);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Writes function-call arguments as one JSON object.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="arguments">The arguments; an empty object when <see langword="null"/>.</param>
    public static void WriteArguments(Utf8JsonWriter writer, IDictionary<string, object?>? arguments)
    {
        writer.WriteStartObject();
        if (arguments is not null)
        {
            foreach (KeyValuePair<string, object?> kv in arguments)
            {
                writer.WritePropertyName(kv.Key);
                WriteValue(writer, kv.Value);
            }
        }

        writer.WriteEndObject();
    }

    /// <summary>Converts a JSON object into function-call arguments (values stay <see cref="JsonElement"/>s, as M.E.AI's parsers produce).</summary>
    /// <param name="obj">The object; anything else gives empty arguments.</param>
    /// <returns>The arguments.</returns>
    public static Dictionary<string, object?> ToArguments(JsonElement obj)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (obj.ValueKind == JsonValueKind.Object)
        {
            foreach (JsonProperty property in obj.EnumerateObject())
            {
                result[property.Name] = property.Value.Clone();
            }
        }

        return result;
    }
}
