using System.Text.Json;
using System.Text.Json.Serialization;

namespace LlmRouting;

// Reply shapes of Google's Gemini API (generateContent and each streamGenerateContent event). Unknown fields are ignored.

/// <summary>A <c>GenerateContentResponse</c>, or an error envelope.</summary>
internal sealed class GeminiResponseDto
{
    public List<GeminiCandidateDto>? Candidates { get; set; }

    public GeminiPromptFeedbackDto? PromptFeedback { get; set; }

    public GeminiUsageDto? UsageMetadata { get; set; }

    public string? ModelVersion { get; set; }

    public string? ResponseId { get; set; }

    /// <summary>Gets or sets the creation time (sent by Vertex AI, not by the Gemini Developer API).</summary>
    public DateTimeOffset? CreateTime { get; set; }

    /// <summary>Gets or sets the error, when the body is an error envelope.</summary>
    public JsonElement? Error { get; set; }
}

/// <summary>A response candidate.</summary>
internal sealed class GeminiCandidateDto
{
    public GeminiContentDto? Content { get; set; }

    public string? FinishReason { get; set; }

    public int? Index { get; set; }
}

/// <summary>The content of a turn.</summary>
internal sealed class GeminiContentDto
{
    public string? Role { get; set; }

    public List<GeminiPartDto>? Parts { get; set; }
}

/// <summary>One part of a turn.</summary>
internal sealed class GeminiPartDto
{
    public string? Text { get; set; }

    public bool? Thought { get; set; }

    public string? ThoughtSignature { get; set; }

    public GeminiFunctionCallDto? FunctionCall { get; set; }

    public GeminiBlobDto? InlineData { get; set; }

    public GeminiFileDataDto? FileData { get; set; }
}

/// <summary>A function call predicted by the model.</summary>
internal sealed class GeminiFunctionCallDto
{
    public string? Id { get; set; }

    public string? Name { get; set; }

    public JsonElement? Args { get; set; }
}

/// <summary>Inline bytes.</summary>
internal sealed class GeminiBlobDto
{
    public string? MimeType { get; set; }

    public string? Data { get; set; }
}

/// <summary>A reference to a file.</summary>
internal sealed class GeminiFileDataDto
{
    public string? MimeType { get; set; }

    public string? FileUri { get; set; }
}

/// <summary>Why the prompt was blocked, if it was.</summary>
internal sealed class GeminiPromptFeedbackDto
{
    public string? BlockReason { get; set; }

    public string? BlockReasonMessage { get; set; }
}

/// <summary>Token usage.</summary>
internal sealed class GeminiUsageDto
{
    public long? PromptTokenCount { get; set; }

    public long? CachedContentTokenCount { get; set; }

    public long? CandidatesTokenCount { get; set; }

    public long? ToolUsePromptTokenCount { get; set; }

    public long? ThoughtsTokenCount { get; set; }

    public long? TotalTokenCount { get; set; }
}

/// <summary>Source-generated JSON metadata for the Gemini wire format.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(GeminiResponseDto))]
internal sealed partial class GeminiJsonContext : JsonSerializerContext;
