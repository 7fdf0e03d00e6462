using System.Text.Json;

namespace LlmRouting;

/// <summary>
/// Converts a JSON Schema (as produced by <c>AIJsonUtilities.CreateJsonSchema</c> or written by hand) into Gemini's <c>Schema</c>
/// object, the OpenAPI 3.0 subset that <c>responseSchema</c> and function <c>parameters</c> accept.
/// </summary>
/// <remarks>
/// <para>Mapped: <c>type</c> (upper-cased; <c>["T","null"]</c> becomes <c>T</c> with <c>nullable: true</c>), <c>properties</c>, <c>required</c>,
/// <c>items</c>, <c>enum</c> of strings (a <c>null</c> member becomes <c>nullable</c>), <c>const</c> string (a one-value <c>enum</c>),
/// <c>anyOf</c> (an <c>anyOf</c> with a <c>{"type":"null"}</c> member becomes <c>nullable</c>), <c>nullable</c>, <c>description</c>, <c>title</c>,
/// <c>format</c>, <c>pattern</c>, <c>default</c>, <c>example</c>, <c>minimum</c>, <c>maximum</c>, <c>minLength</c>, <c>maxLength</c>,
/// <c>minItems</c>, <c>maxItems</c>, <c>minProperties</c>, <c>maxProperties</c>; local <c>$ref</c>s (<c>#/...</c>) are inlined.</para>
/// <para>Dropped because they do not constrain the output: <c>$schema</c>, <c>$id</c>, <c>$anchor</c>, <c>$comment</c>, <c>$defs</c>, <c>definitions</c>,
/// <c>examples</c>, <c>readOnly</c>, <c>writeOnly</c>, <c>deprecated</c>, and <c>additionalProperties: false</c> (Gemini never generates
/// properties the schema does not list).</para>
/// <para>Rejected with <see cref="NotSupportedException"/> naming the keyword and its location, because Gemini cannot express them:
/// <c>oneOf</c>, <c>allOf</c>, <c>not</c>, <c>if</c>/<c>then</c>/<c>else</c>, <c>additionalProperties</c> other than <c>false</c> (maps with free keys),
/// <c>patternProperties</c>, <c>propertyNames</c>, <c>prefixItems</c> and array-form <c>items</c> (tuples), <c>contains</c>, <c>uniqueItems</c>,
/// <c>multipleOf</c>, <c>exclusiveMinimum</c>, <c>exclusiveMaximum</c>, <c>dependentRequired</c>, <c>dependentSchemas</c>, <c>unevaluated*</c>,
/// recursive <c>$ref</c>s, non-local <c>$ref</c>s, non-string <c>enum</c>/<c>const</c> values, unions of several non-null types, schemas
/// without a type (<c>{}</c>, boolean schemas), objects without properties, and any other keyword.</para>
/// </remarks>
internal static class GeminiSchemaConverter
{
    private const int MaxDepth = 64;

    private static readonly HashSet<string> Annotations = new(StringComparer.Ordinal)
    {
        "$schema", "$id", "$anchor", "$comment", "$defs", "definitions", "examples", "readOnly", "writeOnly", "deprecated",
    };

    private static readonly HashSet<string> PassThrough = new(StringComparer.Ordinal)
    {
        "description", "title", "format", "pattern", "default", "example", "minimum", "maximum",
        "minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties",
    };

    /// <summary>Writes the Gemini form of <paramref name="schema"/>.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="schema">The JSON Schema.</param>
    /// <param name="origin">Where the schema comes from, for error messages (e.g. <c>ChatOptions.ResponseFormat</c>).</param>
    /// <param name="descriptionIfMissing">A description to add at the root when the schema has none.</param>
    /// <exception cref="NotSupportedException">The schema uses a construct Gemini cannot express.</exception>
    public static void Write(Utf8JsonWriter writer, JsonElement schema, string origin, string? descriptionIfMissing = null)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var state = new State(schema, origin);
        WriteSchema(writer, schema, "#", state, 0, descriptionIfMissing);
    }

    /// <summary>Gets a value indicating whether <paramref name="schema"/> is an object schema without properties (a function without parameters).</summary>
    /// <param name="schema">The schema.</param>
    /// <returns><see langword="true"/> when the schema declares no properties.</returns>
    public static bool IsEmptyObject(JsonElement schema)
    {
        if (schema.ValueKind != JsonValueKind.Object)
        {
            return schema.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null;
        }

        bool hasProperties = schema.TryGetProperty("properties", out JsonElement properties)
            && properties.ValueKind == JsonValueKind.Object
            && properties.EnumerateObject().Any();
        return !hasProperties;
    }

    private static void WriteSchema(Utf8JsonWriter w, JsonElement schema, string path, State state, int depth, string? descriptionIfMissing)
    {
        if (depth > MaxDepth)
        {
            throw Unsupported(state, path, $"nesting deeper than {MaxDepth} levels");
        }

        if (schema.ValueKind != JsonValueKind.Object)
        {
            throw Unsupported(state, path, schema.ValueKind is JsonValueKind.True or JsonValueKind.False
                ? "a boolean schema (Gemini needs a typed schema)"
                : $"a schema that is a JSON {schema.ValueKind} instead of an object");
        }

        if (schema.TryGetProperty("$ref", out JsonElement reference))
        {
            WriteReference(w, schema, reference, path, state, depth, descriptionIfMissing);
            return;
        }

        // Reject what cannot be expressed before writing anything.
        foreach (JsonProperty property in schema.EnumerateObject())
        {
            string name = property.Name;
            if (Annotations.Contains(name) || PassThrough.Contains(name)
                || name is "type" or "properties" or "required" or "items" or "enum" or "const" or "anyOf" or "nullable")
            {
                continue;
            }

            if (name == "additionalProperties")
            {
                if (property.Value.ValueKind == JsonValueKind.False)
                {
                    continue;
                }

                throw Unsupported(state, path, "'additionalProperties' other than false (objects with free-form keys)");
            }

            throw Unsupported(state, path, $"the keyword '{name}'");
        }

        (string? type, bool nullable) = ReadType(schema, path, state);
        List<string>? enumValues = ReadEnum(schema, path, state, ref nullable);
        if (schema.TryGetProperty("nullable", out JsonElement nullableElement) && nullableElement.ValueKind == JsonValueKind.True)
        {
            nullable = true;
        }

        List<JsonElement>? anyOf = null;
        if (schema.TryGetProperty("anyOf", out JsonElement anyOfElement))
        {
            if (anyOfElement.ValueKind != JsonValueKind.Array || anyOfElement.GetArrayLength() == 0)
            {
                throw Unsupported(state, path, "an 'anyOf' that is not a non-empty array");
            }

            anyOf = [];
            foreach (JsonElement member in anyOfElement.EnumerateArray())
            {
                if (IsNullSchema(member))
                {
                    nullable = true;
                }
                else
                {
                    anyOf.Add(member);
                }
            }
        }

        if (enumValues is not null && type is null)
        {
            type = "STRING";
        }

        if (type is null && anyOf is not { Count: > 0 })
        {
            throw Unsupported(state, path, "a schema without a type (Gemini needs 'type', 'enum' or 'anyOf' on every schema)");
        }

        if (type is "OBJECT" && IsEmptyObject(schema))
        {
            throw Unsupported(state, path, "an object without properties (Gemini needs at least one property)");
        }

        w.WriteStartObject();
        if (anyOf is { Count: 1 } && type is null && enumValues is null && OnlyAnnotationsBesideAnyOf(schema))
        {
            // anyOf [T, null]: T itself, nullable. Its keywords are merged into this object.
            WriteMembers(w, anyOf[0], path + "/anyOf/0", state, depth + 1, nullable, schema, descriptionIfMissing);
            w.WriteEndObject();
            return;
        }

        if (type is not null)
        {
            w.WriteString("type", type);
        }

        if (nullable)
        {
            w.WriteBoolean("nullable", true);
        }

        WriteCommon(w, schema, path, state, depth, enumValues, descriptionIfMissing);

        if (anyOf is { Count: > 0 })
        {
            w.WriteStartArray("anyOf");
            for (int i = 0; i < anyOf.Count; i++)
            {
                WriteSchema(w, anyOf[i], $"{path}/anyOf/{i}", state, depth + 1, null);
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    /// <summary>Writes the members of <paramref name="inner"/> (already opened object), with the annotations of <paramref name="outer"/> added.</summary>
    private static void WriteMembers(Utf8JsonWriter w, JsonElement inner, string path, State state, int depth, bool nullable, JsonElement outer, string? descriptionIfMissing)
    {
        // Convert the inner schema on its own, then copy its members, adding the outer annotations and nullability.
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var innerWriter = new Utf8JsonWriter(buffer))
        {
            string? description = GetString(outer, "description") ?? descriptionIfMissing;
            WriteSchema(innerWriter, inner, path, state, depth, description);
        }

        using JsonDocument converted = JsonDocument.Parse(buffer.WrittenMemory);
        foreach (JsonProperty property in converted.RootElement.EnumerateObject())
        {
            if (property.Name == "nullable")
            {
                continue;
            }

            property.WriteTo(w);
        }

        if (nullable)
        {
            w.WriteBoolean("nullable", true);
        }

        foreach (string name in (ReadOnlySpan<string>)["title", "default", "example"])
        {
            if (outer.TryGetProperty(name, out JsonElement value) && !converted.RootElement.TryGetProperty(name, out _))
            {
                w.WritePropertyName(name);
                value.WriteTo(w);
            }
        }
    }

    private static bool OnlyAnnotationsBesideAnyOf(JsonElement schema)
    {
        foreach (JsonProperty property in schema.EnumerateObject())
        {
            if (property.Name is not ("anyOf" or "description" or "title" or "default" or "example" or "nullable") && !Annotations.Contains(property.Name))
            {
                return false;
            }
        }

        return true;
    }

    private static void WriteCommon(Utf8JsonWriter w, JsonElement schema, string path, State state, int depth, List<string>? enumValues, string? descriptionIfMissing)
    {
        foreach (JsonProperty property in schema.EnumerateObject())
        {
            if (PassThrough.Contains(property.Name))
            {
                property.WriteTo(w);
            }
        }

        if (!schema.TryGetProperty("description", out _) && !string.IsNullOrEmpty(descriptionIfMissing))
        {
            w.WriteString("description", descriptionIfMissing);
        }

        if (enumValues is not null)
        {
            w.WriteStartArray("enum");
            foreach (string value in enumValues)
            {
                w.WriteStringValue(value);
            }

            w.WriteEndArray();
        }

        if (schema.TryGetProperty("properties", out JsonElement properties))
        {
            if (properties.ValueKind != JsonValueKind.Object)
            {
                throw Unsupported(state, path, "'properties' that is not an object");
            }

            w.WriteStartObject("properties");
            foreach (JsonProperty property in properties.EnumerateObject())
            {
                w.WritePropertyName(property.Name);
                WriteSchema(w, property.Value, $"{path}/properties/{property.Name}", state, depth + 1, null);
            }

            w.WriteEndObject();
        }

        if (schema.TryGetProperty("required", out JsonElement required))
        {
            if (required.ValueKind != JsonValueKind.Array || required.EnumerateArray().Any(r => r.ValueKind != JsonValueKind.String))
            {
                throw Unsupported(state, path, "'required' that is not an array of property names");
            }

            w.WritePropertyName("required");
            required.WriteTo(w);
        }

        if (schema.TryGetProperty("items", out JsonElement items))
        {
            if (items.ValueKind != JsonValueKind.Object)
            {
                throw Unsupported(state, path, "'items' that is not a single schema (tuples cannot be expressed)");
            }

            w.WritePropertyName("items");
            WriteSchema(w, items, path + "/items", state, depth + 1, null);
        }
    }

    private static void WriteReference(Utf8JsonWriter w, JsonElement schema, JsonElement reference, string path, State state, int depth, string? descriptionIfMissing)
    {
        if (reference.ValueKind != JsonValueKind.String || reference.GetString() is not { } pointer || !pointer.StartsWith('#'))
        {
            throw Unsupported(state, path, "a '$ref' that is not a local reference (#/...)");
        }

        if (!state.Resolving.Add(pointer))
        {
            throw Unsupported(state, path, $"the recursive reference '{pointer}' (Gemini schemas cannot be recursive)");
        }

        try
        {
            JsonElement target = JsonPointer.Resolve(state.Root, pointer) ?? throw Unsupported(state, path, $"the reference '{pointer}', which does not resolve");
            foreach (JsonProperty property in schema.EnumerateObject())
            {
                if (property.Name is not ("$ref" or "description" or "title") && !Annotations.Contains(property.Name))
                {
                    throw Unsupported(state, path, $"the keyword '{property.Name}' beside '$ref'");
                }
            }

            string? description = GetString(schema, "description") ?? descriptionIfMissing;
            WriteSchema(w, target, pointer, state, depth + 1, description);
        }
        finally
        {
            state.Resolving.Remove(pointer);
        }
    }

    private static (string? Type, bool Nullable) ReadType(JsonElement schema, string path, State state)
    {
        if (!schema.TryGetProperty("type", out JsonElement type))
        {
            return (null, false);
        }

        if (type.ValueKind == JsonValueKind.String)
        {
            string name = type.GetString()!;
            if (name == "null")
            {
                throw Unsupported(state, path, "a schema whose only type is 'null'");
            }

            return (MapType(name, path, state), false);
        }

        if (type.ValueKind != JsonValueKind.Array)
        {
            throw Unsupported(state, path, "a 'type' that is neither a string nor an array");
        }

        string? single = null;
        bool nullable = false;
        foreach (JsonElement member in type.EnumerateArray())
        {
            string? name = member.ValueKind == JsonValueKind.String ? member.GetString() : null;
            if (name == "null")
            {
                nullable = true;
            }
            else if (name is null || single is not null)
            {
                throw Unsupported(state, path, "a union of several types (use anyOf)");
            }
            else
            {
                single = MapType(name, path, state);
            }
        }

        if (single is null)
        {
            throw Unsupported(state, path, "a schema whose only type is 'null'");
        }

        return (single, nullable);
    }

    private static List<string>? ReadEnum(JsonElement schema, string path, State state, ref bool nullable)
    {
        List<string>? values = null;
        if (schema.TryGetProperty("enum", out JsonElement enumElement))
        {
            if (enumElement.ValueKind != JsonValueKind.Array)
            {
                throw Unsupported(state, path, "an 'enum' that is not an array");
            }

            values = [];
            foreach (JsonElement value in enumElement.EnumerateArray())
            {
                switch (value.ValueKind)
                {
                    case JsonValueKind.String:
                        values.Add(value.GetString()!);
                        break;
                    case JsonValueKind.Null:
                        nullable = true;
                        break;
                    default:
                        throw Unsupported(state, path, $"an 'enum' with the non-string value {value.GetRawText()} (Gemini enums are strings)");
                }
            }
        }

        if (schema.TryGetProperty("const", out JsonElement constant))
        {
            if (constant.ValueKind != JsonValueKind.String || values is not null)
            {
                throw Unsupported(state, path, "a 'const' that is not a string (or beside 'enum')");
            }

            values = [constant.GetString()!];
        }

        if (values is not null && schema.TryGetProperty("type", out JsonElement type)
            && !(type.ValueKind == JsonValueKind.String ? type.ValueEquals("string"u8) : type.EnumerateArray().All(t => t.ValueEquals("string"u8) || t.ValueEquals("null"u8))))
        {
            throw Unsupported(state, path, "an 'enum' or 'const' on a non-string type (Gemini enums are strings)");
        }

        return values;
    }

    private static string MapType(string name, string path, State state) => name switch
    {
        "string" => "STRING",
        "number" => "NUMBER",
        "integer" => "INTEGER",
        "boolean" => "BOOLEAN",
        "array" => "ARRAY",
        "object" => "OBJECT",
        _ => throw Unsupported(state, path, $"the type '{name}'"),
    };

    private static bool IsNullSchema(JsonElement schema) =>
        schema.ValueKind == JsonValueKind.Object
        && schema.TryGetProperty("type", out JsonElement type)
        && type.ValueKind == JsonValueKind.String
        && type.ValueEquals("null"u8);

    private static string? GetString(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static NotSupportedException Unsupported(State state, string path, string what) =>
        new($"{state.Origin} cannot be sent to Gemini: its JSON schema uses {what} at '{path}', which Gemini's schema subset (OpenAPI 3.0) cannot express. " +
            "Simplify the schema or route the request to a provider with full JSON Schema support.");

    private sealed class State(JsonElement root, string origin)
    {
        public JsonElement Root { get; } = root;

        public string Origin { get; } = origin;

        public HashSet<string> Resolving { get; } = new(StringComparer.Ordinal);
    }
}
