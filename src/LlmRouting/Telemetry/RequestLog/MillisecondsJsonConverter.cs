using System.Text.Json;
using System.Text.Json.Serialization;

namespace LlmRouting;

/// <summary>Writes a <see cref="TimeSpan"/> as a number of milliseconds (three decimals) and reads it back.</summary>
internal sealed class MillisecondsJsonConverter : JsonConverter<TimeSpan>
{
    public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        TimeSpan.FromMilliseconds(reader.GetDouble());

    public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options) =>
        writer.WriteNumberValue(Math.Round(value.TotalMilliseconds, 3));
}

/// <summary>Writes a nullable <see cref="TimeSpan"/> as a number of milliseconds, or <c>null</c>.</summary>
internal sealed class NullableMillisecondsJsonConverter : JsonConverter<TimeSpan?>
{
    public override bool HandleNull => true;

    public override TimeSpan? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? null : TimeSpan.FromMilliseconds(reader.GetDouble());

    public override void Write(Utf8JsonWriter writer, TimeSpan? value, JsonSerializerOptions options)
    {
        if (value is { } v)
        {
            writer.WriteNumberValue(Math.Round(v.TotalMilliseconds, 3));
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}
