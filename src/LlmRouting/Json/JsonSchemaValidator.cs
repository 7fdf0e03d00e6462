using System.Globalization;
using System.Text.Json;

namespace LlmRouting;

/// <summary>
/// The one JSON Schema validator of the package: the router checks answers against the schema a request asked for, and
/// adapters that emulate structured output (providers without a native JSON-schema mode) check the provider's output.
/// Supports the keywords
/// structured-output schemas use: <c>type</c>, <c>properties</c>, <c>required</c>, <c>additionalProperties</c>, <c>items</c>,
/// <c>prefixItems</c>, <c>enum</c>, <c>const</c>, <c>anyOf</c>, <c>oneOf</c>, <c>allOf</c>, <c>not</c>, <c>$ref</c> (local <c>#/…</c>),
/// length, size and numeric bounds. Unknown keywords are ignored, so it never rejects what it does not understand; nesting
/// deeper than 64 levels is reported as a mismatch rather than recursed into.
/// </summary>
internal static class JsonSchemaValidator
{
    private const int MaxDepth = 64;

    /// <summary>Validates <paramref name="text"/> against <paramref name="schema"/>.</summary>
    /// <returns><see langword="null"/> when valid; otherwise a data-free description of the first problem (a JSON path and the rule).</returns>
    public static string? Validate(string text, JsonElement? schema)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException)
        {
            return "the answer is not valid JSON";
        }

        using (document)
        {
            return schema is JsonElement s ? Check(s, s, document.RootElement, "$", 0) : null;
        }
    }

    /// <summary>Checks <paramref name="value"/> against <paramref name="schema"/> (local <c>$ref</c>s resolve within <paramref name="schema"/>).</summary>
    /// <returns>A data-free description of the first mismatch with its JSON path (<c>$.a[0].b</c>), or <see langword="null"/> when the value matches.</returns>
    public static string? FindMismatch(JsonElement value, JsonElement schema) => Check(schema, schema, value, "$", 0);

    private static string? Check(JsonElement root, JsonElement schema, JsonElement value, string path, int depth)
    {
        if (depth > MaxDepth)
        {
            return $"{path}: nesting is deeper than {MaxDepth} levels";
        }

        if (schema.ValueKind == JsonValueKind.False)
        {
            return $"{path}: not allowed";
        }

        if (schema.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (schema.TryGetProperty("$ref", out JsonElement reference) && reference.ValueKind == JsonValueKind.String
            && JsonPointer.Resolve(root, reference.GetString()!) is JsonElement target
            && Check(root, target, value, path, depth + 1) is { } refError)
        {
            return refError;
        }

        if (schema.TryGetProperty("type", out JsonElement type) && !MatchesType(type, value))
        {
            return $"{path}: expected {TypeText(type)}, got {KindName(value)}";
        }

        if (schema.TryGetProperty("const", out JsonElement constant) && !JsonElement.DeepEquals(constant, value))
        {
            return $"{path}: not the constant value";
        }

        if (schema.TryGetProperty("enum", out JsonElement values) && values.ValueKind == JsonValueKind.Array
            && !values.EnumerateArray().Any(v => JsonElement.DeepEquals(v, value)))
        {
            return $"{path}: not one of the enumerated values";
        }

        if (schema.TryGetProperty("allOf", out JsonElement allOf) && allOf.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement sub in allOf.EnumerateArray())
            {
                if (Check(root, sub, value, path, depth + 1) is { } e)
                {
                    return e;
                }
            }
        }

        if (schema.TryGetProperty("anyOf", out JsonElement anyOf) && anyOf.ValueKind == JsonValueKind.Array
            && !anyOf.EnumerateArray().Any(sub => Check(root, sub, value, path, depth + 1) is null))
        {
            return $"{path}: matches none of anyOf";
        }

        if (schema.TryGetProperty("oneOf", out JsonElement oneOf) && oneOf.ValueKind == JsonValueKind.Array
            && oneOf.EnumerateArray().Count(sub => Check(root, sub, value, path, depth + 1) is null) != 1)
        {
            return $"{path}: does not match exactly one of oneOf";
        }

        if (schema.TryGetProperty("not", out JsonElement not) && Check(root, not, value, path, depth + 1) is null)
        {
            return $"{path}: matches a schema it must not";
        }

        return value.ValueKind switch
        {
            JsonValueKind.Object => CheckObject(root, schema, value, path, depth),
            JsonValueKind.Array => CheckArray(root, schema, value, path, depth),
            JsonValueKind.String => CheckString(schema, value, path),
            JsonValueKind.Number => CheckNumber(schema, value, path),
            _ => null,
        };
    }

    private static string? CheckObject(JsonElement root, JsonElement schema, JsonElement value, string path, int depth)
    {
        if (schema.TryGetProperty("required", out JsonElement required) && required.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement name in required.EnumerateArray())
            {
                if (name.ValueKind == JsonValueKind.String && !value.TryGetProperty(name.GetString()!, out _))
                {
                    return $"{path}: missing required property '{name.GetString()}'";
                }
            }
        }

        bool hasProperties = schema.TryGetProperty("properties", out JsonElement properties) && properties.ValueKind == JsonValueKind.Object;
        bool hasAdditional = schema.TryGetProperty("additionalProperties", out JsonElement additional);
        int count = 0;
        foreach (JsonProperty property in value.EnumerateObject())
        {
            count++;
            string childPath = path + "." + property.Name;
            if (hasProperties && properties.TryGetProperty(property.Name, out JsonElement propertySchema))
            {
                if (Check(root, propertySchema, property.Value, childPath, depth + 1) is { } e)
                {
                    return e;
                }
            }
            else if (hasAdditional)
            {
                if (additional.ValueKind == JsonValueKind.False)
                {
                    return $"{path}: unexpected property '{property.Name}'";
                }

                if (Check(root, additional, property.Value, childPath, depth + 1) is { } e)
                {
                    return e;
                }
            }
        }

        if (Integer(schema, "minProperties") is long min && count < min)
        {
            return $"{path}: fewer than {min} properties";
        }

        return Integer(schema, "maxProperties") is long max && count > max ? $"{path}: more than {max} properties" : null;
    }

    private static string? CheckArray(JsonElement root, JsonElement schema, JsonElement value, string path, int depth)
    {
        int length = value.GetArrayLength();
        if (Integer(schema, "minItems") is long min && length < min)
        {
            return $"{path}: fewer than {min} items";
        }

        if (Integer(schema, "maxItems") is long max && length > max)
        {
            return $"{path}: more than {max} items";
        }

        int prefix = 0;
        if (schema.TryGetProperty("prefixItems", out JsonElement prefixItems) && prefixItems.ValueKind == JsonValueKind.Array)
        {
            prefix = prefixItems.GetArrayLength();
            for (int i = 0; i < Math.Min(prefix, length); i++)
            {
                if (Check(root, prefixItems[i], value[i], Index(path, i), depth + 1) is { } e)
                {
                    return e;
                }
            }
        }

        if (schema.TryGetProperty("items", out JsonElement items) && items.ValueKind is JsonValueKind.Object or JsonValueKind.False)
        {
            for (int i = prefix; i < length; i++)
            {
                if (Check(root, items, value[i], Index(path, i), depth + 1) is { } e)
                {
                    return e;
                }
            }
        }

        if (schema.TryGetProperty("uniqueItems", out JsonElement unique) && unique.ValueKind == JsonValueKind.True)
        {
            for (int i = 0; i < length; i++)
            {
                for (int j = i + 1; j < length; j++)
                {
                    if (JsonElement.DeepEquals(value[i], value[j]))
                    {
                        return $"{path}: items are not unique";
                    }
                }
            }
        }

        return null;
    }

    private static string? CheckString(JsonElement schema, JsonElement value, string path)
    {
        string s = value.GetString()!;
        int length = System.Globalization.StringInfo.ParseCombiningCharacters(s).Length;
        if (Integer(schema, "minLength") is long min && length < min)
        {
            return $"{path}: shorter than {min} characters";
        }

        if (Integer(schema, "maxLength") is long max && length > max)
        {
            return $"{path}: longer than {max} characters";
        }

        if (schema.TryGetProperty("pattern", out JsonElement pattern) && pattern.ValueKind == JsonValueKind.String)
        {
            try
            {
                if (!System.Text.RegularExpressions.Regex.IsMatch(s, pattern.GetString()!, System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromMilliseconds(50)))
                {
                    return $"{path}: does not match the pattern";
                }
            }
            catch (ArgumentException)
            {
                // An invalid pattern in the caller's schema is not the answer's fault.
            }
            catch (System.Text.RegularExpressions.RegexMatchTimeoutException)
            {
                // Too expensive to decide; do not blame the answer.
            }
        }

        return null;
    }

    private static string? CheckNumber(JsonElement schema, JsonElement value, string path)
    {
        double x = value.GetDouble();
        if (Number(schema, "minimum") is double min && x < min)
        {
            return $"{path}: below the minimum";
        }

        if (Number(schema, "maximum") is double max && x > max)
        {
            return $"{path}: above the maximum";
        }

        if (Number(schema, "exclusiveMinimum") is double emin && x <= emin)
        {
            return $"{path}: not above the exclusive minimum";
        }

        if (Number(schema, "exclusiveMaximum") is double emax && x >= emax)
        {
            return $"{path}: not below the exclusive maximum";
        }

        if (Number(schema, "multipleOf") is double step && step > 0)
        {
            double q = x / step;
            if (Math.Abs(q - Math.Round(q)) > 1e-9 * Math.Max(1, Math.Abs(q)))
            {
                return $"{path}: not a multiple of {step.ToString(CultureInfo.InvariantCulture)}";
            }
        }

        return null;
    }

    private static bool MatchesType(JsonElement type, JsonElement value)
    {
        if (type.ValueKind == JsonValueKind.Array)
        {
            return type.EnumerateArray().Any(t => MatchesType(t, value));
        }

        if (type.ValueKind != JsonValueKind.String)
        {
            return true;
        }

        return type.GetString() switch
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
    }

    private static bool IsInteger(JsonElement value) =>
        value.TryGetInt64(out _) || (value.TryGetDouble(out double d) && double.IsFinite(d) && Math.Floor(d) == d);

    private static string TypeText(JsonElement type) =>
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

    private static long? Integer(JsonElement schema, string name) =>
        schema.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out long n) ? n : null;

    private static double? Number(JsonElement schema, string name) =>
        schema.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;

    private static string Index(string path, int i) => string.Create(CultureInfo.InvariantCulture, $"{path}[{i}]");
}
