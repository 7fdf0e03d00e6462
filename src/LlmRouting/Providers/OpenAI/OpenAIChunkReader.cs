using System.Text.Json;

namespace LlmRouting;

/// <summary>
/// A hand-written reader for the common shape of a streamed <c>chat.completion.chunk</c> (text, reasoning and refusal deltas, finish
/// reasons, unknown fields skipped), used before <see cref="OpenAIResponseReader.Parse"/> on the streaming hot path. It allocates only the
/// objects it returns and reuses the id, object and model strings that repeat in every chunk of a stream.
/// </summary>
/// <remarks>
/// It gives up (returns <see langword="false"/>) on anything else — tool calls, usage, errors, unexpected token types, malformed JSON — and the
/// caller then uses the source-generated deserializer, so results never differ. One instance per stream; not thread-safe.
/// </remarks>
internal sealed class OpenAIChunkReader
{
    private string? _id;
    private string? _object;
    private string? _model;

    /// <summary>Reads <paramref name="json"/> when it has the common chunk shape.</summary>
    /// <param name="json">The event data.</param>
    /// <param name="chunk">The chunk.</param>
    /// <returns><see langword="true"/> when read; <see langword="false"/> when the caller must use the general deserializer.</returns>
    public bool TryRead(ReadOnlySpan<byte> json, out OpenAIChatCompletionDto? chunk)
    {
        chunk = null;

        // Text that is not UTF-8 (even in fields this reader skips) is the general path's to report.
        if (!System.Text.Unicode.Utf8.IsValid(json))
        {
            return false;
        }

        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            var dto = new OpenAIChatCompletionDto();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("id"u8))
                {
                    if (!ReadRepeated(ref reader, ref _id, out string? id))
                    {
                        return false;
                    }

                    dto.Id = id;
                }
                else if (reader.ValueTextEquals("object"u8))
                {
                    if (!ReadRepeated(ref reader, ref _object, out string? obj))
                    {
                        return false;
                    }

                    dto.Object = obj;
                }
                else if (reader.ValueTextEquals("model"u8))
                {
                    if (!ReadRepeated(ref reader, ref _model, out string? model))
                    {
                        return false;
                    }

                    dto.Model = model;
                }
                else if (reader.ValueTextEquals("created"u8))
                {
                    if (!reader.Read() || reader.TokenType != JsonTokenType.Number || !reader.TryGetDouble(out double created))
                    {
                        return false;
                    }

                    dto.Created = created;
                }
                else if (reader.ValueTextEquals("choices"u8))
                {
                    if (!ReadChoices(ref reader, dto))
                    {
                        return false;
                    }
                }
                else if (reader.ValueTextEquals("usage"u8) || reader.ValueTextEquals("error"u8))
                {
                    // Only null is handled here; usage and errors take the general path.
                    if (!reader.Read() || reader.TokenType != JsonTokenType.Null)
                    {
                        return false;
                    }
                }
                else if (!reader.Read() || !reader.TrySkip())
                {
                    return false;
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                return false;
            }

            chunk = dto;
            return true;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Malformed JSON or text that is not valid UTF-8/UTF-16: the general path reports it.
            return false;
        }
    }

    private static bool ReadChoices(ref Utf8JsonReader reader, OpenAIChatCompletionDto dto)
    {
        if (!reader.Read())
        {
            return false;
        }

        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return false;
        }

        var choices = new List<OpenAIChoiceDto>(1);
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            var choice = new OpenAIChoiceDto();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("index"u8))
                {
                    if (!reader.Read() || reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out int index))
                    {
                        return false;
                    }

                    choice.Index = index;
                }
                else if (reader.ValueTextEquals("delta"u8))
                {
                    if (!reader.Read() || !ReadDelta(ref reader, choice))
                    {
                        return false;
                    }
                }
                else if (reader.ValueTextEquals("message"u8))
                {
                    // A whole message inside a chunk: the general path keeps it.
                    return false;
                }
                else if (reader.ValueTextEquals("finish_reason"u8))
                {
                    if (!ReadString(ref reader, out string? finishReason))
                    {
                        return false;
                    }

                    choice.FinishReason = finishReason;
                }
                else if (!reader.Read() || !reader.TrySkip())
                {
                    return false;
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject)
            {
                return false;
            }

            choices.Add(choice);
        }

        if (reader.TokenType != JsonTokenType.EndArray)
        {
            return false;
        }

        dto.Choices = choices;
        return true;
    }

    private static bool ReadDelta(ref Utf8JsonReader reader, OpenAIChoiceDto choice)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        var delta = new OpenAIMessageDto();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool ok;
            string? value;
            if (reader.ValueTextEquals("content"u8))
            {
                ok = ReadString(ref reader, out value);
                delta.Content = value;
            }
            else if (reader.ValueTextEquals("role"u8))
            {
                ok = ReadString(ref reader, out value);
                delta.Role = value;
            }
            else if (reader.ValueTextEquals("refusal"u8))
            {
                ok = ReadString(ref reader, out value);
                delta.Refusal = value;
            }
            else if (reader.ValueTextEquals("reasoning_content"u8))
            {
                ok = ReadString(ref reader, out value);
                delta.ReasoningContent = value;
            }
            else if (reader.ValueTextEquals("tool_calls"u8))
            {
                // Tool-call fragments take the general path unless empty.
                ok = reader.Read() && (reader.TokenType == JsonTokenType.Null || (reader.TokenType == JsonTokenType.StartArray && reader.Read() && reader.TokenType == JsonTokenType.EndArray));
                delta.ToolCalls = reader.TokenType == JsonTokenType.EndArray ? [] : null;
            }
            else
            {
                ok = reader.Read() && reader.TrySkip();
            }

            if (!ok)
            {
                return false;
            }
        }

        choice.Delta = delta;
        return reader.TokenType == JsonTokenType.EndObject;
    }

    /// <summary>Reads a string or null value.</summary>
    private static bool ReadString(ref Utf8JsonReader reader, out string? value)
    {
        value = null;
        if (!reader.Read())
        {
            return false;
        }

        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            return false;
        }

        value = reader.GetString();
        return true;
    }

    /// <summary>Reads a string that usually repeats in every chunk, reusing the previous instance when the text is the same.</summary>
    private static bool ReadRepeated(ref Utf8JsonReader reader, ref string? cached, out string? value)
    {
        value = null;
        if (!reader.Read())
        {
            return false;
        }

        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            return false;
        }

        if (cached is null || !reader.ValueTextEquals(cached))
        {
            cached = reader.GetString();
        }

        value = cached;
        return true;
    }
}
