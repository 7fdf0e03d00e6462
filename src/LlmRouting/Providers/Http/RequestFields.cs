using System.Text.Json;

namespace LlmRouting;

/// <summary>
/// Writes top-level request fields for the adapters' hand-written request JSON and records each name, so that caller-supplied
/// extra fields (<see cref="Microsoft.Extensions.AI.ChatOptions.AdditionalProperties"/>) that collide with one are refused rather than sent twice.
/// An absent value writes nothing.
/// </summary>
internal static class RequestFields
{
    /// <summary>Writes a property name and records it.</summary>
    public static void Name(Utf8JsonWriter w, HashSet<string> written, string name)
    {
        written.Add(name);
        w.WritePropertyName(name);
    }

    /// <summary>Writes <paramref name="name"/>: <paramref name="value"/> when there is a value.</summary>
    public static void Number(Utf8JsonWriter w, HashSet<string> written, string name, float? value)
    {
        if (value is { } v)
        {
            Name(w, written, name);
            w.WriteNumberValue(v);
        }
    }

    /// <summary>Writes <paramref name="name"/>: <paramref name="value"/> when there is a value.</summary>
    public static void Number(Utf8JsonWriter w, HashSet<string> written, string name, long? value)
    {
        if (value is { } v)
        {
            Name(w, written, name);
            w.WriteNumberValue(v);
        }
    }

    /// <summary>Writes <paramref name="name"/> as an array of strings when there is at least one value (a single stop string is still an array).</summary>
    public static void Strings(Utf8JsonWriter w, HashSet<string> written, string name, IList<string>? values)
    {
        if (values is not { Count: > 0 })
        {
            return;
        }

        Name(w, written, name);
        w.WriteStartArray();
        foreach (string value in values)
        {
            w.WriteStringValue(value);
        }

        w.WriteEndArray();
    }
}
