namespace LlmRouting.Tests.Catalog;

/// <summary>Facts of the embedded catalog, checked against LiteLLM's <c>model_prices_and_context_window.json</c> (snapshot 2026-08-06).</summary>
[TestFixture]
public sealed class EmbeddedCatalogTests
{
    private static ModelInfo Get(string key)
    {
        Assert.That(ModelCatalog.Default.TryGetModel(key, out ModelInfo? model), Is.True, $"{key} is in the embedded catalog");
        return model!;
    }

    [Test]
    public void Default_HasAtLeast500ModelsFrom20Providers()
    {
        ModelCatalog catalog = ModelCatalog.Default;

        Assert.That(catalog.Models, Has.Count.GreaterThanOrEqualTo(500));
        Assert.That(catalog.Providers, Has.Count.GreaterThanOrEqualTo(20));
        Assert.That(catalog.Models.Count(m => m.Pricing.IsKnown), Is.GreaterThanOrEqualTo(500));
        Assert.That(catalog.GeneratedFrom, Does.Contain("model_prices_and_context_window.json").And.Contain("2026-08-06"));
    }

    [Test]
    public void Default_UsesLlmRoutingProviderNames()
    {
        IReadOnlyCollection<string> providers = ModelCatalog.Default.Providers;

        Assert.That(providers, Is.SupersetOf(new[]
        {
            "openai", "azure-openai", "azure-ai", "anthropic", "gemini", "vertex-ai", "bedrock", "mistral", "groq", "deepseek",
            "together", "fireworks", "xai", "dashscope", "perplexity", "openrouter", "cerebras", "cohere", "ollama", "deepinfra",
        }));
        Assert.That(providers.Where(p => p.Contains('_', StringComparison.Ordinal) || p.StartsWith("vertex-ai-", StringComparison.Ordinal) || p.Any(char.IsUpper)), Is.Empty);
    }

    [Test]
    public void Gpt4o_HasLiteLlmPricesAndLimits()
    {
        // "gpt-4o": input_cost_per_token 2.5e-06, output 1e-05, cache_read 1.25e-06, max_input_tokens 128000, max_output_tokens 16384.
        ModelInfo model = Get("openai/gpt-4o");

        Assert.That(model.Pricing.InputPerToken, Is.EqualTo(0.0000025m));
        Assert.That(model.Pricing.OutputPerToken, Is.EqualTo(0.00001m));
        Assert.That(model.Pricing.CachedInputPerToken, Is.EqualTo(0.00000125m));
        Assert.That(model.Pricing.CacheWritePerToken, Is.Null);
        Assert.That(model.Pricing.ReasoningPerToken, Is.Null);
        Assert.That(model.ContextWindow, Is.EqualTo(128_000));
        Assert.That(model.MaxOutputTokens, Is.EqualTo(16_384));
        Assert.That(model.Supports(ModelCapabilities.Vision | ModelCapabilities.Tools | ModelCapabilities.ParallelToolCalls | ModelCapabilities.JsonSchema
            | ModelCapabilities.PromptCaching | ModelCapabilities.Streaming | ModelCapabilities.SystemMessages), Is.True);
        Assert.That(model.Supports(ModelCapabilities.Reasoning), Is.False);
    }

    [Test]
    public void ClaudeSonnet45_HasCacheWriteAndCacheReadPrices()
    {
        // "claude-sonnet-4-5-20250929": input 3e-06, output 1.5e-05, cache_read 3e-07, cache_creation 3.75e-06, 200000 in, 64000 out.
        ModelInfo model = Get("anthropic/claude-sonnet-4-5-20250929");

        Assert.That(model.Pricing.InputPerToken, Is.EqualTo(0.000003m));
        Assert.That(model.Pricing.OutputPerToken, Is.EqualTo(0.000015m));
        Assert.That(model.Pricing.CachedInputPerToken, Is.EqualTo(0.0000003m));
        Assert.That(model.Pricing.CacheWritePerToken, Is.EqualTo(0.00000375m));
        Assert.That(model.ContextWindow, Is.EqualTo(200_000));
        Assert.That(model.MaxOutputTokens, Is.EqualTo(64_000));
        Assert.That(model.Supports(ModelCapabilities.Reasoning | ModelCapabilities.PromptCaching | ModelCapabilities.Vision), Is.True);
    }

    [Test]
    public void QwenPlus_HasItsOwnReasoningPrice()
    {
        // "dashscope/qwen-plus-2025-04-28": output 1.2e-06, output_cost_per_reasoning_token 4e-06.
        ModelInfo model = Get("dashscope/qwen-plus-2025-04-28");

        Assert.That(model.Pricing.InputPerToken, Is.EqualTo(0.0000004m));
        Assert.That(model.Pricing.OutputPerToken, Is.EqualTo(0.0000012m));
        Assert.That(model.Pricing.ReasoningPerToken, Is.EqualTo(0.000004m));
    }

    [Test]
    public void ReasoningPrice_IsLeftOutWhenItEqualsTheOutputPrice()
    {
        // "gemini/gemini-2.5-flash": output_cost_per_token and output_cost_per_reasoning_token are both 2.5e-06.
        ModelInfo model = Get("gemini/gemini-2.5-flash");

        Assert.That(model.Pricing.OutputPerToken, Is.EqualTo(0.0000025m));
        Assert.That(model.Pricing.ReasoningPerToken, Is.Null);
    }

    [Test]
    public void TieredPrices_KeepTheBaseTier()
    {
        // "dashscope/qwen-flash" has only tiered_pricing; the tier starting at 0 tokens costs 5e-08 in and 4e-07 out.
        ModelInfo model = Get("dashscope/qwen-flash");

        Assert.That(model.Pricing.InputPerToken, Is.EqualTo(0.00000005m));
        Assert.That(model.Pricing.OutputPerToken, Is.EqualTo(0.0000004m));
    }

    [Test]
    public void DeepSeek_CacheHitPriceIsTheCachedInputPrice()
    {
        // "deepseek/deepseek-v3.2": input 2.8e-07, input_cost_per_token_cache_hit 2.8e-08 (no cache_read_input_token_cost).
        ModelInfo model = Get("deepseek/deepseek-v3.2");

        Assert.That(model.Pricing.CachedInputPerToken, Is.EqualTo(0.000000028m));
    }

    [Test]
    public void RegionsAndDeprecationDates_AreCarriedOver()
    {
        // "vertex_ai/qwen/qwen3-235b-a22b-instruct-2507-maas": supported_regions ["global", "us-south1"].
        Assert.That(Get("vertex-ai/qwen/qwen3-235b-a22b-instruct-2507-maas").Regions, Is.EqualTo(new[] { "global", "us-south1" }));

        // "bedrock/eu-central-1/anthropic.claude-v2:1": the region is part of the key; input 8e-06.
        ModelInfo regional = Get("bedrock/eu-central-1/anthropic.claude-v2:1");
        Assert.That(regional.Regions, Is.EqualTo(new[] { "eu-central-1" }));
        Assert.That(regional.Pricing.InputPerToken, Is.EqualTo(0.000008m));

        // "claude-3-7-sonnet-20250219": deprecation_date 2026-02-19.
        Assert.That(Get("anthropic/claude-3-7-sonnet-20250219").DeprecationDate, Is.EqualTo("2026-02-19"));
    }

    [Test]
    public void ProviderPrefixes_AreRemovedFromModelIds()
    {
        // vertex_ai-anthropic_models "vertex_ai/claude-3-5-haiku@20241022", together_ai "together_ai/meta-llama/...", cohere_chat "command-r".
        Assert.That(Get("vertex-ai/claude-3-5-haiku@20241022").Pricing.InputPerToken, Is.EqualTo(0.000001m));
        Assert.That(Get("together/meta-llama/Llama-3.3-70B-Instruct-Turbo").Pricing.OutputPerToken, Is.EqualTo(0.00000088m));
        Assert.That(Get("cohere/command-r").ContextWindow, Is.EqualTo(128_000));
    }

    [Test]
    public void Lookups_ByKeyAndByBareModelId()
    {
        ModelCatalog catalog = ModelCatalog.Default;

        Assert.That(catalog.TryGetModel("openai", "gpt-4o", out ModelInfo? byPair) ? byPair.Key : null, Is.EqualTo("openai/gpt-4o"));
        Assert.That(catalog.TryGetModel("OPENAI/GPT-4O", out ModelInfo? byKey) ? byKey.Key : null, Is.EqualTo("openai/gpt-4o"));

        // A bare id served by one provider resolves to it; one served by several resolves to one of them.
        Assert.That(catalog.TryGetModel("claude-sonnet-4-5-20250929", out ModelInfo? unique) ? unique.Key : null, Is.EqualTo("anthropic/claude-sonnet-4-5-20250929"));
        Assert.That(catalog.TryGetModel("gpt-4o", out ModelInfo? shared) ? shared.ModelId : null, Is.EqualTo("gpt-4o"));
        Assert.That(catalog.TryGetModel("no-such-provider/gpt-4o", out _), Is.False);
    }

    [Test]
    public void Priors_AreJoinedForWellKnownModels()
    {
        // aa_models.json "gpt-4-1-mini": speed 87.093, ttft 0.63, intelligence 14.8, coding 20.2.
        ModelPriors? priors = Get("openai/gpt-4.1-mini").Priors;
        Assert.That(priors, Is.Not.Null);
        Assert.That(priors!.IntelligenceIndex, Is.EqualTo(14.8));
        Assert.That(priors.CodingIndex, Is.EqualTo(20.2));
        Assert.That(priors.OutputTokensPerSecond, Is.EqualTo(87.093));
        Assert.That(priors.TimeToFirstTokenSeconds, Is.EqualTo(0.63));

        // "llama-3-3-instruct-70b" (intelligence 9.4) reaches Together's Llama-3.3-70B-Instruct-Turbo through the crosswalk.
        Assert.That(Get("together/meta-llama/Llama-3.3-70B-Instruct-Turbo").Priors?.IntelligenceIndex, Is.EqualTo(9.4));
        Assert.That(ModelCatalog.Default.Models.Count(m => m.Priors is not null), Is.GreaterThanOrEqualTo(500));
    }
}
