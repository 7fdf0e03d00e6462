using System.Globalization;
using System.Text.Json;

namespace LlmRouting;

/// <summary>
/// Checks a JSON value against the commonly used subset of JSON Schema, for adapters that emulate structured output
/// on providers without a native JSON-schema mode (their output is not guaranteed to match the schema).
/// </summary>
/// <remarks>
/// Checked keywords: <c>type</c> (a name or an array of names), <c>enum</c>, <c>const</c>, <c>properties</c>, <c>required</c>,
/// <c>additionalProperties</c> (<see langword="false"/> or a schema), <c>items</c>, <c>minItems</c>, <c>maxItems</c>, <c>anyOf</c> and <c>oneOf</c>
/// (at least one branch must match) and <c>allOf</c>. Other keywords (<c>$ref</c>, <c>pattern</c>, <c>format</c>, numeric bounds, …) are not checked.
/// Nesting deeper than 64 levels is reported as a mismatch rather than recursed into.
/// </remarks>
internal static class JsonSchemaCheck
{
    private const int MaxDepth = 64;

    /// <summary>Checks <paramref name="value"/> against <paramref name="schema"/>.</summary>
    /// <param name="value">The value.</param>
    /// <param name="schema">The schema.</param>
    /// <returns>A description of the first mismatch, with its JSON path (<c>$.a[0].b</c>), or <see langword="null"/> when the value matches.</returns>
    public static string? FindMismatch(JsonElement value, JsonElement schema) => Check(value, schema, "$", 0);

    private static string? Check(JsonElement value, JsonElement schema, string path, int depth)
    {
        if (depth > MaxDepth)
        {
            return $"{path}: nesting is deeper than {MaxDepth} levels";
        }

        if (schema.ValueKind == JsonValueKind.False)
        {
            return $"{path}: no value is allowed here";
        }

        if (schema.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (schema.TryGetProperty("type", out JsonElement type) && !MatchesType(value, type))
        {
            return $"{path}: expected {Describe(type)}, got {KindName(value)}";
        }

        if (schema.TryGetProperty("enum", out JsonElement enumValues) && enumValues.ValueKind == JsonValueKind.Array
            && !enumValues.EnumerateArray().Any(e => JsonElement.DeepEquals(e, value)))
        {
            return $"{path}: the value is not one of the allowed values";
        }

        if (schema.TryGetProperty("const", out JsonElement constant) && !JsonElement.DeepEquals(constant, value))
        {
            return $"{path}: the value is not the required constant";
        }

        foreach (string combinator in (ReadOnlySpan<string>)["anyOf", "oneOf"])
        {
            if (schema.TryGetProperty(combinator, out JsonElement branches) && branches.ValueKind == JsonValueKind.Array
                && !branches.EnumerateArray().Any(b => Check(value, b, path, depth + 1) is null))
            {
                return $"{path}: the value matches none of the {combinator} alternatives";
            }
        }

        if (schema.TryGetProperty("allOf", out JsonElement all) && all.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement branch in all.EnumerateArray())
            {
                if (Check(value, branch, path, depth + 1) is { } mismatch)
                {
                    return mismatch;
                }
            }
        }

        return value.ValueKind switch
        {
            JsonValueKind.Object => CheckObject(value, schema, path, depth),
            JsonValueKind.Array => CheckArray(value, schema, path, depth),
            _ => null,
        };
    }

    private static string? CheckObject(JsonElement value, JsonElement schema, string path, int depth)
    {
        if (schema.TryGetProperty("required", out JsonElement required) && required.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement name in required.EnumerateArray())
            {
                if (name.ValueKind == JsonValueKind.String && !value.TryGetProperty(name.GetString()!, out _))
                {
                    return $"{path}: the required property '{name.GetString()}' is missing";
                }
            }
        }

        bool hasProperties = schema.TryGetProperty("properties", out JsonElement properties) && properties.ValueKind == JsonValueKind.Object;
        schema.TryGetProperty("additionalProperties", out JsonElement additional);
        foreach (JsonProperty property in value.EnumerateObject())
        {
            string childPath = path + "." + property.Name;
            if (hasProperties && properties.TryGetProperty(property.Name, out JsonElement propertySchema))
            {
                if (Check(property.Value, propertySchema, childPath, depth + 1) is { } mismatch)
                {
                    return mismatch;
                }
            }
            else if (additional.ValueKind == JsonValueKind.False)
            {
                return $"{childPath}: the property is not allowed";
            }
            else if (additional.ValueKind == JsonValueKind.Object && Check(property.Value, additional, childPath, depth + 1) is { } mismatch)
            {
                return mismatch;
            }
        }

        return null;
    }

    private static string? CheckArray(JsonElement value, JsonElement schema, string path, int depth)
    {
        int length = value.GetArrayLength();
        if (schema.TryGetProperty("minItems", out JsonElement min) && min.ValueKind == JsonValueKind.Number && min.TryGetInt32(out int minItems) && length < minItems)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{path}: expected at least {minItems} items, got {length}");
        }

        if (schema.TryGetProperty("maxItems", out JsonElement max) && max.ValueKind == JsonValueKind.Number && max.TryGetInt32(out int maxItems) && length > maxItems)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{path}: expected at most {maxItems} items, got {length}");
        }

        if (schema.TryGetProperty("items", out JsonElement items) && items.ValueKind is JsonValueKind.Object or JsonValueKind.False)
        {
            int i = 0;
            foreach (JsonElement item in value.EnumerateArray())
            {
                if (Check(item, items, string.Create(CultureInfo.InvariantCulture, $"{path}[{i}]"), depth + 1) is { } mismatch)
                {
                    return mismatch;
                }

                i++;
            }
        }

        return null;
    }

    private static bool MatchesType(JsonElement value, JsonElement type) => type.ValueKind switch
    {
        JsonValueKind.String => MatchesTypeName(value, type.GetString()),
        JsonValueKind.Array => type.EnumerateArray().Any(t => t.ValueKind == JsonValueKind.String && MatchesTypeName(value, t.GetString())),
        _ => true,
    };

    private static bool MatchesTypeName(JsonElement value, string? name) => name switch
    {
        "object" => value.ValueKind == JsonValueKind.Object,
        "array" => value.ValueKind == JsonValueKind.Array,
        "string" => value.ValueKind == JsonValueKind.String,
        "number" => value.ValueKind == JsonValueKind.Number,
        "integer" => value.ValueKind == JsonValueKind.Number && IsInteger(value),
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "null" => value.ValueKind == JsonValueKind.Null,
        _ => true,
    };

    private static bool IsInteger(JsonElement number) =>
        number.TryGetInt64(out _) || (number.TryGetDouble(out double d) && double.IsFinite(d) && Math.Floor(d) == d);

    private static string Describe(JsonElement type) =>
        type.ValueKind == JsonValueKind.Array ? string.Join(" or ", type.EnumerateArray().Select(t => t.ToString())) : type.ToString();

    private static string KindName(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };
}
