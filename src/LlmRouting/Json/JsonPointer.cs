using System.Globalization;
using System.Text.Json;

namespace LlmRouting;

/// <summary>JSON Pointer references inside one document (<c>$ref</c> of JSON Schema), shared by schema validation and conversion.</summary>
internal static class JsonPointer
{
    /// <summary>Resolves a local reference (<c>#</c> or <c>#/a/b/0</c>, RFC 6901 escapes, percent-encoding) against <paramref name="root"/>.</summary>
    /// <returns>The element, or <see langword="null"/> when the reference is not local or does not resolve.</returns>
    public static JsonElement? Resolve(JsonElement root, string reference)
    {
        if (reference == "#")
        {
            return root;
        }

        if (!reference.StartsWith("#/", StringComparison.Ordinal))
        {
            return null;
        }

        JsonElement current = root;
        foreach (string raw in reference[2..].Split('/'))
        {
            string segment = Uri.UnescapeDataString(raw).Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (current.ValueKind == JsonValueKind.Object && current.TryGetProperty(segment, out JsonElement next))
            {
                current = next;
            }
            else if (current.ValueKind == JsonValueKind.Array && int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out int i) && i < current.GetArrayLength())
            {
                current = current[i];
            }
            else
            {
                return null;
            }
        }

        return current;
    }
}
