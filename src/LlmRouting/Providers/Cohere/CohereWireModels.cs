using System.Text.Json;
using System.Text.Json.Serialization;

namespace LlmRouting;

// Reply shapes of Cohere's Chat API v2 (the non-streamed reply and each streamed event). Unknown fields are ignored.
// Fields whose JSON type varies between events (content, tool_calls) are read as JsonElement.

/// <summary>A non-streamed <c>/v2/chat</c> reply.</summary>
internal sealed class CohereResponseDto
{
    public string? Id { get; set; }

    public string? FinishReason { get; set; }

    public CohereMessageDto? Message { get; set; }

    public CohereUsageDto? Usage { get; set; }
}

/// <summary>The assistant message of a reply, or the message of a stream event's delta.</summary>
internal sealed class CohereMessageDto
{
    public string? Role { get; set; }

    /// <summary>Gets or sets the content: an array of text/thinking items (replies, <c>message-start</c>) or one item (<c>content-start</c>, <c>content-delta</c>).</summary>
    public JsonElement? Content { get; set; }

    public string? ToolPlan { get; set; }

    /// <summary>Gets or sets the tool calls: an array (replies, <c>message-start</c>) or one call or fragment (<c>tool-call-start</c>, <c>tool-call-delta</c>).</summary>
    public JsonElement? ToolCalls { get; set; }
}

/// <summary>A tool call.</summary>
internal sealed class CohereToolCallDto
{
    public string? Id { get; set; }

    public string? Type { get; set; }

    public CohereFunctionDto? Function { get; set; }
}

/// <summary>The function of a tool call.</summary>
internal sealed class CohereFunctionDto
{
    public string? Name { get; set; }

    public string? Arguments { get; set; }
}

/// <summary>A content item.</summary>
internal sealed class CohereContentDto
{
    public string? Type { get; set; }

    public string? Text { get; set; }

    public string? Thinking { get; set; }
}

/// <summary>Usage: billed units and the model's own token counts.</summary>
internal sealed class CohereUsageDto
{
    public CohereTokenCountsDto? BilledUnits { get; set; }

    public CohereTokenCountsDto? Tokens { get; set; }

    public double? CachedTokens { get; set; }
}

/// <summary>Input and output token counts (JSON numbers, sometimes written with a fraction).</summary>
internal sealed class CohereTokenCountsDto
{
    public double? InputTokens { get; set; }

    public double? OutputTokens { get; set; }
}

/// <summary>One streamed event.</summary>
internal sealed class CohereStreamEventDto
{
    public string? Type { get; set; }

    public string? Id { get; set; }

    public int? Index { get; set; }

    public CohereDeltaDto? Delta { get; set; }
}

/// <summary>The delta of a streamed event.</summary>
internal sealed class CohereDeltaDto
{
    public CohereMessageDto? Message { get; set; }

    public string? FinishReason { get; set; }

    public CohereUsageDto? Usage { get; set; }

    public string? Error { get; set; }
}

/// <summary>Source-generated JSON metadata for the Cohere wire format.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(CohereResponseDto))]
[JsonSerializable(typeof(CohereStreamEventDto))]
internal sealed partial class CohereJsonContext : JsonSerializerContext;
