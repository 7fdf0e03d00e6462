using System.Text.Json.Serialization;
using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>Prices of a model in US dollars per token.</summary>
/// <remarks>
/// Token counts follow Microsoft.Extensions.AI's convention: <see cref="UsageDetails.InputTokenCount"/> counts every input token,
/// including cached reads (<see cref="UsageDetails.CachedInputTokenCount"/>) and cache writes
/// (<see cref="LlmUsageKeys.CacheWriteInputTokens"/> in <see cref="UsageDetails.AdditionalCounts"/>);
/// <see cref="UsageDetails.OutputTokenCount"/> counts every output token, including <see cref="UsageDetails.ReasoningTokenCount"/>.
/// Provider adapters normalise their providers' usage to this convention.
/// </remarks>
public sealed class ModelPricing
{
    /// <summary>Gets or sets the price of one uncached input token.</summary>
    public decimal InputPerToken { get; set; }

    /// <summary>Gets or sets the price of one output token.</summary>
    public decimal OutputPerToken { get; set; }

    /// <summary>Gets or sets the price of one input token read from the prompt cache; <see langword="null"/> when the model has no discount (priced as input).</summary>
    public decimal? CachedInputPerToken { get; set; }

    /// <summary>Gets or sets the price of one input token written to the prompt cache; <see langword="null"/> when writes cost the same as input.</summary>
    public decimal? CacheWritePerToken { get; set; }

    /// <summary>Gets or sets the price of one reasoning token when it differs from <see cref="OutputPerToken"/>; otherwise <see langword="null"/>.</summary>
    public decimal? ReasoningPerToken { get; set; }

    /// <summary>Gets a value indicating whether any price is known (not all zero).</summary>
    [JsonIgnore]
    public bool IsKnown => InputPerToken != 0m || OutputPerToken != 0m;

    /// <summary>Calculates the cost of a call from its usage.</summary>
    /// <param name="usage">The usage reported by the provider, or <see langword="null"/>.</param>
    /// <returns>The cost in US dollars; zero when <paramref name="usage"/> is <see langword="null"/>.</returns>
    public decimal CalculateCost(UsageDetails? usage)
    {
        if (usage is null)
        {
            return 0m;
        }

        long input = usage.InputTokenCount ?? 0;
        long output = usage.OutputTokenCount ?? 0;
        long cachedRead = Math.Clamp(usage.CachedInputTokenCount ?? 0, 0, input);
        long cacheWrite = 0;
        if (usage.AdditionalCounts is { } extra && extra.TryGetValue(LlmUsageKeys.CacheWriteInputTokens, out long w))
        {
            cacheWrite = Math.Clamp(w, 0, input - cachedRead);
        }

        long reasoning = Math.Clamp(usage.ReasoningTokenCount ?? 0, 0, output);
        return CalculateCost(input - cachedRead - cacheWrite, cachedRead, cacheWrite, output - reasoning, reasoning);
    }

    /// <summary>Calculates the cost of a call from explicit token counts, each priced at its own rate.</summary>
    /// <param name="uncachedInputTokens">Input tokens neither read from nor written to the cache.</param>
    /// <param name="cachedInputTokens">Input tokens read from the prompt cache.</param>
    /// <param name="cacheWriteTokens">Input tokens written to the prompt cache.</param>
    /// <param name="outputTokens">Output tokens that are not reasoning tokens.</param>
    /// <param name="reasoningTokens">Reasoning tokens.</param>
    /// <returns>The cost in US dollars.</returns>
    public decimal CalculateCost(long uncachedInputTokens, long cachedInputTokens, long cacheWriteTokens, long outputTokens, long reasoningTokens) =>
        (uncachedInputTokens * InputPerToken)
        + (cachedInputTokens * (CachedInputPerToken ?? InputPerToken))
        + (cacheWriteTokens * (CacheWritePerToken ?? InputPerToken))
        + (outputTokens * OutputPerToken)
        + (reasoningTokens * (ReasoningPerToken ?? OutputPerToken));

    /// <summary>Estimates the cost of a call before it is made.</summary>
    /// <param name="inputTokens">The estimated prompt tokens.</param>
    /// <param name="outputTokens">The estimated output tokens.</param>
    /// <returns>The estimated cost in US dollars.</returns>
    public decimal Estimate(long inputTokens, long outputTokens) => (inputTokens * InputPerToken) + (outputTokens * OutputPerToken);
}
