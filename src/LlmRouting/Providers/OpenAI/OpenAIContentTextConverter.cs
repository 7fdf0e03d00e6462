using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace LlmRouting;

/// <summary>
/// Reads a message's <c>content</c> straight into text while deserializing: a string as it is; an array (some OpenAI-compatible servers)
/// as the concatenation of its string items and <c>{"type":"text","text":…}</c> parts; <see langword="null"/> for anything else.
/// Avoids materialising a <see cref="JsonElement"/> (a document per stream chunk).
/// </summary>
internal sealed class OpenAIContentTextConverter : JsonConverter<string?>
{
    /// <inheritdoc/>
    public override bool HandleNull => true;

    /// <inheritdoc/>
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return reader.GetString();
            case JsonTokenType.StartArray:
                StringBuilder? text = null;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType == JsonTokenType.String)
                    {
                        (text ??= new StringBuilder()).Append(reader.GetString());
                    }
                    else if (reader.TokenType == JsonTokenType.StartObject)
                    {
                        if (ReadTextPart(ref reader) is { } part)
                        {
                            (text ??= new StringBuilder()).Append(part);
                        }
                    }
                    else
                    {
                        reader.Skip();
                    }
                }

                return text?.ToString() ?? string.Empty;
            default:
                reader.Skip();
                return null;
        }
    }

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, string? value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteStringValue(value);
        }
    }

    /// <summary>Reads one content part object (the reader is on its start) and returns its text when it is a text part.</summary>
    private static string? ReadTextPart(ref Utf8JsonReader reader)
    {
        bool isText = false;
        string? text = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            bool typeProperty = reader.ValueTextEquals("type"u8);
            bool textProperty = !typeProperty && reader.ValueTextEquals("text"u8);
            reader.Read();
            if (typeProperty && reader.TokenType == JsonTokenType.String)
            {
                isText = reader.ValueTextEquals("text"u8);
            }
            else if (textProperty && reader.TokenType == JsonTokenType.String)
            {
                text = reader.GetString();
            }
            else
            {
                reader.Skip();
            }
        }

        return isText ? text : null;
    }
}
