using System.Text.Json;

namespace LlmRouting.CatalogGenerator;

/// <summary>One chat model read from LiteLLM's <c>model_prices_and_context_window.json</c>.</summary>
/// <param name="SourceKey">The LiteLLM key, e.g. <c>anthropic/claude-3-haiku</c>.</param>
/// <param name="LiteLlmProvider">The entry's <c>litellm_provider</c>.</param>
/// <param name="Model">The catalog entry built from it (without priors).</param>
internal sealed record LiteLlmModel(string SourceKey, string LiteLlmProvider, ModelInfo Model);

/// <summary>Reads the chat models of LiteLLM's price feed into catalog entries.</summary>
internal static class LiteLlmFeed
{
    /// <summary>The file name of the feed in the sources directory.</summary>
    public const string FileName = "model_prices_and_context_window.json";

    private const string SampleSpecKey = "sample_spec";

    /// <summary>Reads every <c>mode: chat</c> entry (except <c>sample_spec</c>) in file order.</summary>
    /// <param name="utf8Json">The feed's JSON.</param>
    /// <returns>The chat models, in the order of the file; not yet de-duplicated.</returns>
    /// <exception cref="JsonException">The feed is not a JSON object.</exception>
    public static List<LiteLlmModel> Read(ReadOnlyMemory<byte> utf8Json)
    {
        using JsonDocument document = JsonDocument.Parse(utf8Json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException($"{FileName} must be a JSON object keyed by model.");
        }

        var models = new List<LiteLlmModel>();
        foreach (JsonProperty entry in document.RootElement.EnumerateObject())
        {
            if (entry.Name == SampleSpecKey
                || entry.Value.ValueKind != JsonValueKind.Object
                || GetString(entry.Value, "mode") != "chat"
                || GetString(entry.Value, "litellm_provider") is not { Length: > 0 } liteLlmProvider)
            {
                continue;
            }

            models.Add(new LiteLlmModel(entry.Name, liteLlmProvider, ToModel(entry.Name, liteLlmProvider, entry.Value)));
        }

        return models;
    }

    /// <summary>Builds the catalog entry of one LiteLLM chat entry.</summary>
    internal static ModelInfo ToModel(string key, string liteLlmProvider, JsonElement entry)
    {
        string modelId = ProviderNames.ModelIdFromKey(key, liteLlmProvider);
        string provider = ProviderNames.Normalize(liteLlmProvider);
        var model = new ModelInfo
        {
            Provider = provider,
            ModelId = modelId,
            Pricing = ReadPricing(entry),
            ContextWindow = GetInt(entry, "max_input_tokens") ?? GetInt(entry, "max_tokens"),
            MaxOutputTokens = GetInt(entry, "max_output_tokens") ?? GetInt(entry, "max_tokens"),
            Capabilities = ReadCapabilities(entry),
            DeprecationDate = GetString(entry, "deprecation_date"),
        };

        if (entry.TryGetProperty("supported_regions", out JsonElement regions) && regions.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement region in regions.EnumerateArray())
            {
                if (region.ValueKind == JsonValueKind.String && region.GetString() is { Length: > 0 } name && !model.Regions.Contains(name))
                {
                    model.Regions.Add(name);
                }
            }
        }
        else if (provider == "bedrock" && ProviderNames.AwsRegionOf(modelId) is { } awsRegion)
        {
            // Bedrock keys such as "bedrock/eu-central-1/anthropic.claude-v1" carry the price of one region.
            model.Regions.Add(awsRegion);
        }

        return model;
    }

    private static ModelPricing ReadPricing(JsonElement entry)
    {
        JsonElement source = entry;
        if (GetDecimal(entry, "input_cost_per_token") is null
            && GetDecimal(entry, "output_cost_per_token") is null
            && FirstTier(entry) is { } tier)
        {
            // Tiered prices (e.g. Dashscope, Volcengine): the catalog keeps the base tier, the one starting at zero tokens.
            source = tier;
        }

        decimal? output = GetDecimal(source, "output_cost_per_token");
        decimal? reasoning = GetDecimal(source, "output_cost_per_reasoning_token");
        return new ModelPricing
        {
            InputPerToken = GetDecimal(source, "input_cost_per_token") ?? 0m,
            OutputPerToken = output ?? 0m,
            CachedInputPerToken = GetDecimal(source, "cache_read_input_token_cost") ?? GetDecimal(source, "input_cost_per_token_cache_hit"),
            CacheWritePerToken = GetDecimal(source, "cache_creation_input_token_cost"),
            ReasoningPerToken = reasoning is { } r && r != (output ?? 0m) ? r : null,
        };
    }

    private static JsonElement? FirstTier(JsonElement entry)
    {
        if (!entry.TryGetProperty("tiered_pricing", out JsonElement tiers) || tiers.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        JsonElement? best = null;
        double bestStart = double.MaxValue;
        foreach (JsonElement tier in tiers.EnumerateArray())
        {
            if (tier.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            double start = tier.TryGetProperty("range", out JsonElement range) && range.ValueKind == JsonValueKind.Array
                && range.GetArrayLength() > 0 && range[0].ValueKind == JsonValueKind.Number
                ? range[0].GetDouble()
                : double.MaxValue;
            if (best is null || start < bestStart)
            {
                best = tier;
                bestStart = start;
            }
        }

        return best;
    }

    private static ModelCapabilities ReadCapabilities(JsonElement entry)
    {
        ModelCapabilities capabilities = ModelCapabilities.None;
        if (GetBool(entry, "supports_vision") == true)
        {
            capabilities |= ModelCapabilities.Vision;
        }

        if (GetBool(entry, "supports_function_calling") == true)
        {
            capabilities |= ModelCapabilities.Tools;
        }

        if (GetBool(entry, "supports_parallel_function_calling") == true)
        {
            capabilities |= ModelCapabilities.ParallelToolCalls;
        }

        if (GetBool(entry, "supports_response_schema") == true)
        {
            capabilities |= ModelCapabilities.JsonSchema;
        }

        if (GetBool(entry, "supports_reasoning") == true)
        {
            capabilities |= ModelCapabilities.Reasoning;
        }

        // A published cache-read price means the provider caches prompts, unless the entry says it does not.
        bool? caching = GetBool(entry, "supports_prompt_caching");
        if (caching == true || (caching is null && GetDecimal(entry, "cache_read_input_token_cost") is not null))
        {
            capabilities |= ModelCapabilities.PromptCaching;
        }

        // Chat models stream and accept system messages unless the feed says otherwise.
        if (GetBool(entry, "supports_native_streaming") != false)
        {
            capabilities |= ModelCapabilities.Streaming;
        }

        if (GetBool(entry, "supports_system_messages") != false)
        {
            capabilities |= ModelCapabilities.SystemMessages;
        }

        return capabilities;
    }

    private static string? GetString(JsonElement entry, string name) =>
        entry.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool? GetBool(JsonElement entry, string name) =>
        entry.TryGetProperty(name, out JsonElement value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : null;

    private static int? GetInt(JsonElement entry, string name)
    {
        if (!entry.TryGetProperty(name, out JsonElement value) || value.ValueKind != JsonValueKind.Number)
        {
            return null;
        }

        if (value.TryGetInt32(out int exact))
        {
            return exact > 0 ? exact : null;
        }

        // Some entries write token limits as floats (2000000.0).
        double d = value.GetDouble();
        return d > 0 && d <= int.MaxValue && Math.Floor(d) == d ? (int)d : null;
    }

    /// <summary>Reads a price as an exact decimal from the JSON text (so <c>2.5e-06</c> becomes <c>0.0000025</c>), without trailing zeros.</summary>
    internal static decimal? GetDecimal(JsonElement entry, string name)
    {
        if (!entry.TryGetProperty(name, out JsonElement value) || value.ValueKind != JsonValueKind.Number)
        {
            return null;
        }

        decimal price = value.TryGetDecimal(out decimal d) ? d : (decimal)value.GetDouble();
        return DecimalFormat.Normalize(price);
    }
}
