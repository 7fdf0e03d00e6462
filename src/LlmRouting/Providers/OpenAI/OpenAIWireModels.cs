using System.Text.Json;
using System.Text.Json.Serialization;

namespace LlmRouting;

// Reply shapes of OpenAI's Chat Completions API (non-streamed completion and streamed chunk). Unknown fields are ignored.
// Fields whose JSON type varies between OpenAI-compatible servers are read as JsonElement.

/// <summary>A <c>chat.completion</c> or <c>chat.completion.chunk</c> object, or an error envelope.</summary>
internal sealed class OpenAIChatCompletionDto
{
    public string? Id { get; set; }

    public string? Object { get; set; }

    public double? Created { get; set; }

    public string? Model { get; set; }

    public List<OpenAIChoiceDto>? Choices { get; set; }

    public OpenAIUsageDto? Usage { get; set; }

    /// <summary>Gets or sets the error, when the body is an error envelope (an object, or a string on some servers).</summary>
    public JsonElement? Error { get; set; }
}

/// <summary>A choice of a completion (with <see cref="Message"/>) or of a chunk (with <see cref="Delta"/>).</summary>
internal sealed class OpenAIChoiceDto
{
    public int Index { get; set; }

    public OpenAIMessageDto? Message { get; set; }

    public OpenAIMessageDto? Delta { get; set; }

    public string? FinishReason { get; set; }
}

/// <summary>An assistant message or message delta.</summary>
internal sealed class OpenAIMessageDto
{
    public string? Role { get; set; }

    /// <summary>Gets or sets the content as text: the string, or (some servers send an array of parts) the text of its parts.</summary>
    [JsonConverter(typeof(OpenAIContentTextConverter))]
    public string? Content { get; set; }

    public string? Refusal { get; set; }

    /// <summary>Gets or sets reasoning text sent by OpenAI-compatible servers (DeepSeek, vLLM); OpenAI does not send it.</summary>
    public string? ReasoningContent { get; set; }

    public List<OpenAIToolCallDto>? ToolCalls { get; set; }
}

/// <summary>A tool call, or a fragment of one in a stream.</summary>
internal sealed class OpenAIToolCallDto
{
    public int? Index { get; set; }

    public string? Id { get; set; }

    public string? Type { get; set; }

    public OpenAIFunctionCallDto? Function { get; set; }
}

/// <summary>The function of a tool call.</summary>
internal sealed class OpenAIFunctionCallDto
{
    public string? Name { get; set; }

    public string? Arguments { get; set; }
}

/// <summary>Token usage.</summary>
internal sealed class OpenAIUsageDto
{
    public long? PromptTokens { get; set; }

    public long? CompletionTokens { get; set; }

    public long? TotalTokens { get; set; }

    public OpenAIPromptTokensDetailsDto? PromptTokensDetails { get; set; }

    public OpenAICompletionTokensDetailsDto? CompletionTokensDetails { get; set; }
}

/// <summary>Breakdown of prompt tokens.</summary>
internal sealed class OpenAIPromptTokensDetailsDto
{
    public long? CachedTokens { get; set; }
}

/// <summary>Breakdown of completion tokens.</summary>
internal sealed class OpenAICompletionTokensDetailsDto
{
    public long? ReasoningTokens { get; set; }
}

/// <summary>Source-generated JSON metadata for the OpenAI wire format.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(OpenAIChatCompletionDto))]
[JsonSerializable(typeof(Dictionary<string, JsonElement>))]
internal sealed partial class OpenAIJsonContext : JsonSerializerContext;
