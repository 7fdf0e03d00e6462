using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>Keys LlmRouting uses in <see cref="UsageDetails.AdditionalCounts"/>.</summary>
public static class LlmUsageKeys
{
    /// <summary>Input tokens written to the provider's prompt cache (Anthropic <c>cache_creation_input_tokens</c>), included in <see cref="UsageDetails.InputTokenCount"/>.</summary>
    public const string CacheWriteInputTokens = "CacheWriteInputTokens";
}
