using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>Token counts of a call, following Microsoft.Extensions.AI's convention (input includes cached tokens; output includes reasoning tokens).</summary>
public sealed record TokenUsage
{
    /// <summary>Gets the input tokens, including cached reads and cache writes.</summary>
    public long InputTokens { get; init; }

    /// <summary>Gets the output tokens, including reasoning tokens.</summary>
    public long OutputTokens { get; init; }

    /// <summary>Gets the input tokens read from the prompt cache.</summary>
    public long CachedInputTokens { get; init; }

    /// <summary>Gets the input tokens written to the prompt cache.</summary>
    public long CacheWriteInputTokens { get; init; }

    /// <summary>Gets the reasoning tokens.</summary>
    public long ReasoningTokens { get; init; }

    /// <summary>Gets an empty usage.</summary>
    public static TokenUsage Zero { get; } = new();

    /// <summary>Creates a <see cref="TokenUsage"/> from Microsoft.Extensions.AI usage details.</summary>
    /// <param name="usage">The usage, or <see langword="null"/>.</param>
    /// <returns>The usage; <see cref="Zero"/> for <see langword="null"/>.</returns>
    public static TokenUsage From(UsageDetails? usage)
    {
        if (usage is null)
        {
            return Zero;
        }

        long cacheWrite = 0;
        usage.AdditionalCounts?.TryGetValue(LlmUsageKeys.CacheWriteInputTokens, out cacheWrite);
        return new TokenUsage
        {
            InputTokens = usage.InputTokenCount ?? 0,
            OutputTokens = usage.OutputTokenCount ?? 0,
            CachedInputTokens = usage.CachedInputTokenCount ?? 0,
            CacheWriteInputTokens = cacheWrite,
            ReasoningTokens = usage.ReasoningTokenCount ?? 0,
        };
    }

    /// <summary>Adds two usages.</summary>
    /// <param name="left">The first usage.</param>
    /// <param name="right">The second usage.</param>
    /// <returns>The sum.</returns>
    public static TokenUsage operator +(TokenUsage left, TokenUsage right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        return new TokenUsage
        {
            InputTokens = left.InputTokens + right.InputTokens,
            OutputTokens = left.OutputTokens + right.OutputTokens,
            CachedInputTokens = left.CachedInputTokens + right.CachedInputTokens,
            CacheWriteInputTokens = left.CacheWriteInputTokens + right.CacheWriteInputTokens,
            ReasoningTokens = left.ReasoningTokens + right.ReasoningTokens,
        };
    }

    /// <summary>Adds two usages.</summary>
    /// <param name="left">The first usage.</param>
    /// <param name="right">The second usage.</param>
    /// <returns>The sum.</returns>
    public static TokenUsage Add(TokenUsage left, TokenUsage right) => left + right;
}
