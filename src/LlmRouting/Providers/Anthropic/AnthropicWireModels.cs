using System.Text.Json;
using System.Text.Json.Serialization;

namespace LlmRouting;

// Reply shapes of Anthropic's Messages API (a whole message, stream events, errors). Unknown fields are ignored,
// so new block types, delta types and usage fields do not break parsing.

/// <summary>A <c>message</c> object (whole reply, or the <c>message</c> of a <c>message_start</c> event), or an error envelope.</summary>
internal sealed class AnthropicMessageDto
{
    public string? Id { get; set; }

    public string? Type { get; set; }

    public string? Role { get; set; }

    public string? Model { get; set; }

    public List<AnthropicContentBlockDto>? Content { get; set; }

    public string? StopReason { get; set; }

    public string? StopSequence { get; set; }

    public AnthropicUsageDto? Usage { get; set; }

    /// <summary>Gets or sets the error, when the body is an error envelope (<c>{"type":"error","error":{...}}</c>).</summary>
    public AnthropicErrorDto? Error { get; set; }
}

/// <summary>A content block: <c>text</c>, <c>tool_use</c>, <c>thinking</c>, <c>redacted_thinking</c>, or a type the adapter does not know.</summary>
internal sealed class AnthropicContentBlockDto
{
    public string? Type { get; set; }

    public string? Text { get; set; }

    public string? Id { get; set; }

    public string? Name { get; set; }

    /// <summary>Gets or sets the input of a <c>tool_use</c> block.</summary>
    public JsonElement? Input { get; set; }

    public string? Thinking { get; set; }

    public string? Signature { get; set; }

    /// <summary>Gets or sets the encrypted data of a <c>redacted_thinking</c> block.</summary>
    public string? Data { get; set; }
}

/// <summary>Token usage. <c>message_delta</c> events carry cumulative counts.</summary>
internal sealed class AnthropicUsageDto
{
    public long? InputTokens { get; set; }

    public long? OutputTokens { get; set; }

    public long? CacheCreationInputTokens { get; set; }

    public long? CacheReadInputTokens { get; set; }
}

/// <summary>An error object: <c>type</c> and <c>message</c>.</summary>
internal sealed class AnthropicErrorDto
{
    public string? Type { get; set; }

    public string? Message { get; set; }
}

/// <summary>An error body: <c>{"type":"error","error":{"type","message"},"request_id"}</c>.</summary>
internal sealed class AnthropicErrorEnvelopeDto
{
    public string? Type { get; set; }

    public AnthropicErrorDto? Error { get; set; }

    public string? RequestId { get; set; }
}

/// <summary>One server-sent event of a streamed reply; which members are set depends on <see cref="Type"/>.</summary>
internal sealed class AnthropicStreamEventDto
{
    public string? Type { get; set; }

    /// <summary>Gets or sets the message of <c>message_start</c>.</summary>
    public AnthropicMessageDto? Message { get; set; }

    /// <summary>Gets or sets the block index of <c>content_block_*</c> events.</summary>
    public int? Index { get; set; }

    /// <summary>Gets or sets the block of <c>content_block_start</c>.</summary>
    public AnthropicContentBlockDto? ContentBlock { get; set; }

    /// <summary>Gets or sets the delta of <c>content_block_delta</c> and <c>message_delta</c>.</summary>
    public AnthropicDeltaDto? Delta { get; set; }

    /// <summary>Gets or sets the cumulative usage of <c>message_delta</c>.</summary>
    public AnthropicUsageDto? Usage { get; set; }

    /// <summary>Gets or sets the error of an <c>error</c> event.</summary>
    public AnthropicErrorDto? Error { get; set; }
}

/// <summary>A block delta (<c>text_delta</c>, <c>input_json_delta</c>, <c>thinking_delta</c>, <c>signature_delta</c>) or a message delta (stop reason).</summary>
internal sealed class AnthropicDeltaDto
{
    public string? Type { get; set; }

    public string? Text { get; set; }

    public string? PartialJson { get; set; }

    public string? Thinking { get; set; }

    public string? Signature { get; set; }

    public string? StopReason { get; set; }

    public string? StopSequence { get; set; }
}

/// <summary>Source-generated JSON metadata for the Anthropic wire format.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(AnthropicMessageDto))]
[JsonSerializable(typeof(AnthropicStreamEventDto))]
[JsonSerializable(typeof(AnthropicErrorEnvelopeDto))]
[JsonSerializable(typeof(Dictionary<string, JsonElement>))]
internal sealed partial class AnthropicJsonContext : JsonSerializerContext;
