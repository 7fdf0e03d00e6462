using System.Text;
using System.Text.Json;
using LlmRouting.CatalogGenerator;

namespace LlmRouting.Tests.Catalog;

[TestFixture]
public sealed class CatalogGeneratorTests
{
    private static ReadOnlyMemory<byte> Utf8(string json) => Encoding.UTF8.GetBytes(json);

    private static BenchmarkEntry Entry(string id, double intelligence) => new(id, intelligence, null, null, null);

    [TestCase("openai", "openai")]
    [TestCase("azure", "azure-openai")]
    [TestCase("azure_ai", "azure-ai")]
    [TestCase("vertex_ai", "vertex-ai")]
    [TestCase("vertex_ai-anthropic_models", "vertex-ai")]
    [TestCase("vertex_ai-language-models", "vertex-ai")]
    [TestCase("bedrock_converse", "bedrock")]
    [TestCase("together_ai", "together")]
    [TestCase("fireworks_ai", "fireworks")]
    [TestCase("cohere_chat", "cohere")]
    [TestCase("vercel_ai_gateway", "vercel-ai-gateway")]
    [TestCase("Amazon_Nova", "amazon-nova")]
    public void ProviderNames_Normalize(string liteLlmProvider, string expected)
    {
        Assert.That(ProviderNames.Normalize(liteLlmProvider), Is.EqualTo(expected));
    }

    [TestCase("anthropic/claude-3-haiku", "anthropic", "claude-3-haiku")]
    [TestCase("gpt-4o", "openai", "gpt-4o")]
    [TestCase("vertex_ai/claude-3-5-haiku@20241022", "vertex_ai-anthropic_models", "claude-3-5-haiku@20241022")]
    [TestCase("amazon-nova/nova-micro-v1", "amazon_nova", "nova-micro-v1")]
    [TestCase("openrouter/anthropic/claude-3.5-sonnet", "openrouter", "anthropic/claude-3.5-sonnet")]
    [TestCase("bedrock/eu-central-1/anthropic.claude-v1", "bedrock", "eu-central-1/anthropic.claude-v1")]
    [TestCase("replicateopenai/gpt-oss-20b", "replicate", "replicateopenai/gpt-oss-20b")]
    public void ProviderNames_ModelIdFromKey_RemovesOnlyTheProviderPrefix(string key, string liteLlmProvider, string expected)
    {
        Assert.That(ProviderNames.ModelIdFromKey(key, liteLlmProvider), Is.EqualTo(expected));
    }

    [TestCase("eu-central-1/anthropic.claude-v1", "eu-central-1")]
    [TestCase("us-gov-west-1/amazon.nova-pro-v1:0", "us-gov-west-1")]
    [TestCase("*/1-month-commitment/cohere.command-text-v14", null)]
    [TestCase("invoke/anthropic.claude-3-5-sonnet-20240620-v1:0", null)]
    [TestCase("anthropic.claude-v1", null)]
    public void ProviderNames_AwsRegionOf(string modelId, string? expected)
    {
        Assert.That(ProviderNames.AwsRegionOf(modelId), Is.EqualTo(expected));
    }

    [TestCase("us.anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5-20250929")]
    [TestCase("accounts/fireworks/models/deepseek-r1", "deepseek-r1")]
    [TestCase("meta-llama/Llama-3.3-70B-Instruct", "llama-3.3-70b-instruct")]
    [TestCase("google/gemma-4-31b-it:free", "gemma-4-31b-it")]
    [TestCase("anthropic.claude-v2:1", "claude-v2:1")]
    public void ModelNames_BaseName(string modelId, string expected)
    {
        Assert.That(ModelNames.BaseName(modelId), Is.EqualTo(expected));
    }

    [TestCase("openai/gpt-5.4-mini", "gpt-5-4-mini")]
    [TestCase("llama-v3p1-405b-instruct", "llama-v3-1-405b-instruct")]
    [TestCase("gpt-oss:120b-cloud", "gpt-oss-120b-cloud")]
    [TestCase("claude-3-5-haiku@20241022", "claude-3-5-haiku-20241022")]
    public void ModelNames_Normalize(string modelId, string expected)
    {
        Assert.That(ModelNames.Normalize(modelId), Is.EqualTo(expected));
    }

    [TestCase("claude-3-5-sonnet-20241022", "claude-3-5-sonnet")]
    [TestCase("gpt-4o-2024-08-06", "gpt-4o")]
    [TestCase("deepseek-v3-2-251201", "deepseek-v3-2")]
    [TestCase("jamba-1.5-large@001", "jamba-1-5-large")]
    [TestCase("grok-4.3-latest", "grok-4-3")]
    [TestCase("mistral-large-latest", "mistral-large-latest")]
    [TestCase("deepseek-v3-0324", "deepseek-v3-0324")]
    [TestCase("nova-micro-v1", "nova-micro")]
    public void ModelNames_WithoutSnapshot(string modelId, string expected)
    {
        Assert.That(ModelNames.WithoutSnapshot(modelId), Is.EqualTo(expected));
    }

    [TestCase("meta-llama/Llama-3.3-70B-Instruct", "llama-3-3-instruct-70b")]
    [TestCase("claude-sonnet-4-5", "claude-4-5-sonnet")]
    [TestCase("llama-v3p1-8b-instruct", "llama-3.1-8b-instruct")]
    [TestCase("cerebras/llama3.1-8b", "llama-3-1-8b")]
    [TestCase("amazon.nova-2-lite-v1:0", "nova-2-0-lite")]
    public void ModelNames_Signature_IsSharedBySpellingsOfOneModel(string a, string b)
    {
        Assert.That(ModelNames.Signature(a), Is.EqualTo(ModelNames.Signature(b)));
    }

    [TestCase("gpt-4-turbo", "gpt-4")]
    [TestCase("claude-3-5-sonnet", "claude-3-7-sonnet")]
    [TestCase("llama-3.1-8b", "llama-3.1-70b")]
    [TestCase("gpt-3.5-turbo-instruct", "gpt-3.5-turbo")]
    [TestCase("gpt-5-chat", "gpt-5")]
    [TestCase("o1-preview", "o1")]
    public void ModelNames_Signature_SeparatesDifferentModels(string a, string b)
    {
        Assert.That(ModelNames.Signature(a), Is.Not.EqualTo(ModelNames.Signature(b)));
    }

    [Test]
    public void ModelNames_VariantTokens_OnlyTreatInstructionTuningAsVariantWithAParameterSize()
    {
        Assert.That(ModelNames.VariantTokens("Llama-3.3-70B-Instruct-Turbo"), Is.EqualTo(new[] { "instruct", "turbo" }));
        Assert.That(ModelNames.VariantTokens("qwen3-32b-fp8"), Is.EqualTo(new[] { "fp8" }));
        Assert.That(ModelNames.VariantTokens("gpt-3.5-turbo-instruct"), Is.Empty);
    }

    [Test]
    public void BenchmarkIndex_PrefersExactThenLooserNames()
    {
        var index = new BenchmarkIndex([Entry("gpt-4o", 1), Entry("gpt-4o-2024-05-13", 2), Entry("claude-4-5-sonnet", 3), Entry("llama-3-3-instruct-70b", 4)]);

        Assert.That(index.Find("gpt-4o-2024-05-13").Entry?.SourceId, Is.EqualTo("gpt-4o-2024-05-13"));
        Assert.That(index.Find("gpt-4o-2024-05-13").Level, Is.EqualTo(MatchLevel.Exact));
        Assert.That(index.Find("gpt-4o-2024-11-20").Entry?.SourceId, Is.EqualTo("gpt-4o"));
        Assert.That(index.Find("gpt-4o-2024-11-20").Level, Is.EqualTo(MatchLevel.WithoutSnapshot));
        Assert.That(index.Find("us.anthropic.claude-sonnet-4-5-20250929-v1:0").Entry?.SourceId, Is.EqualTo("claude-4-5-sonnet"));
        Assert.That(index.Find("together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo").Level, Is.EqualTo(MatchLevel.Signature));
    }

    [Test]
    public void BenchmarkIndex_NeverLoosensTheFeedsName()
    {
        // Only a dated snapshot and an instruct model are in the feed: the bare names must not join them.
        var index = new BenchmarkIndex([Entry("gpt-4o-2024-05-13", 2), Entry("llama-3-instruct-70b", 4)]);

        Assert.That(index.Find("gpt-4o").Entry, Is.Null);
        Assert.That(index.Find("replicate/meta/meta-llama-3-70b").Entry, Is.Null);
        Assert.That(index.Find("meta.llama3-70b-instruct-v1:0").Entry?.SourceId, Is.EqualTo("llama-3-instruct-70b"));
    }

    [Test]
    public void BenchmarkIndex_JoinsNothingWhenTwoEntriesFitEqually()
    {
        var index = new BenchmarkIndex([Entry("org-a/model-x", 1), Entry("org-b/model-x", 2)]);

        CrosswalkMatch match = index.Find("model-x");

        Assert.That(match.Entry, Is.Null);
        Assert.That(match.Ambiguous, Is.EquivalentTo(new[] { "org-a/model-x", "org-b/model-x" }));
    }

    [Test]
    public void BenchmarkIndex_UsesAliasesAndSkipsEntriesWithoutData()
    {
        var aliases = new Dictionary<string, string[]> { ["claude-35-sonnet"] = ["claude-3-5-sonnet"] };
        var index = new BenchmarkIndex([Entry("claude-35-sonnet", 5), new BenchmarkEntry("empty", null, null, null, null)], aliases);

        Assert.That(index.Find("anthropic.claude-3-5-sonnet-20241022-v2:0").Entry?.SourceId, Is.EqualTo("claude-35-sonnet"));
        Assert.That(index.Find("empty").Entry, Is.Null);
        Assert.That(index.Count, Is.EqualTo(1));
    }

    [Test]
    public void LiteLlmFeed_ReadsChatEntriesOnly_WithExactDecimalsAndDefaults()
    {
        const string json = """
            {
              "sample_spec": { "mode": "chat", "litellm_provider": "one of ...", "input_cost_per_token": 0.0 },
              "text-embedding-3-small": { "mode": "embedding", "litellm_provider": "openai", "input_cost_per_token": 2e-08 },
              "anthropic/claude-x": {
                "mode": "chat", "litellm_provider": "anthropic",
                "input_cost_per_token": 3e-06, "output_cost_per_token": 1.5e-05,
                "cache_read_input_token_cost": 3.0e-07, "cache_creation_input_token_cost": 3.75e-06,
                "output_cost_per_reasoning_token": 1.5e-05,
                "max_input_tokens": 200000, "max_tokens": 64000,
                "supports_vision": true, "supports_function_calling": true, "supports_reasoning": true,
                "supports_system_messages": false, "supports_native_streaming": false
              },
              "xai/grok-y": { "mode": "chat", "litellm_provider": "xai", "max_tokens": 2000000.0, "output_cost_per_reasoning_token": 4e-06, "output_cost_per_token": 1e-06 }
            }
            """;

        List<LiteLlmModel> models = LiteLlmFeed.Read(Utf8(json));

        Assert.That(models.Select(m => m.Model.Key), Is.EqualTo(new[] { "anthropic/claude-x", "xai/grok-y" }));
        ModelInfo claude = models[0].Model;
        Assert.That(claude.Pricing.InputPerToken, Is.EqualTo(0.000003m));
        Assert.That(claude.Pricing.CachedInputPerToken?.ToString(System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo("0.0000003"), "no exponent, no trailing zeros");
        Assert.That(claude.Pricing.CacheWritePerToken, Is.EqualTo(0.00000375m));
        Assert.That(claude.Pricing.ReasoningPerToken, Is.Null, "equal to the output price");
        Assert.That(claude.ContextWindow, Is.EqualTo(200_000));
        Assert.That(claude.MaxOutputTokens, Is.EqualTo(64_000), "max_tokens when max_output_tokens is missing");
        Assert.That(claude.Capabilities, Is.EqualTo(ModelCapabilities.Vision | ModelCapabilities.Tools | ModelCapabilities.Reasoning | ModelCapabilities.PromptCaching));

        ModelInfo grok = models[1].Model;
        Assert.That(grok.ContextWindow, Is.EqualTo(2_000_000), "float token limits are read as integers");
        Assert.That(grok.Pricing.ReasoningPerToken, Is.EqualTo(0.000004m));
        Assert.That(grok.Capabilities, Is.EqualTo(ModelCapabilities.Streaming | ModelCapabilities.SystemMessages));
    }

    [Test]
    public void DecimalFormat_Normalize_DropsTrailingZeros()
    {
        Assert.That(DecimalFormat.Normalize(0.0000100m).ToString(System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo("0.00001"));
        Assert.That(DecimalFormat.Normalize(2.50m).ToString(System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo("2.5"));
        Assert.That(DecimalFormat.Normalize(0m).ToString(System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo("0"));
    }

    [Test]
    public void Build_SortsDeduplicatesAndJoinsPriors()
    {
        const string liteLlm = """
            {
              "zeta/m": { "mode": "chat", "litellm_provider": "zeta", "input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06 },
              "gpt-4o": { "mode": "chat", "litellm_provider": "openai" },
              "openai/gpt-4o": { "mode": "chat", "litellm_provider": "openai", "input_cost_per_token": 2.5e-06, "output_cost_per_token": 1e-05 },
              "azure/gpt-4o": { "mode": "chat", "litellm_provider": "azure", "input_cost_per_token": 2.5e-06, "output_cost_per_token": 1e-05 }
            }
            """;
        const string aa = """{ "gpt-4o": { "speed": 100.5, "ttft": 0, "intelligence": 11.2, "coding": null } }""";
        const string openRouter = """{ "data": [ { "id": "openai/gpt-4o", "benchmarks": { "artificial_analysis": { "intelligence_index": 99, "coding_index": 12.5 } } } ] }""";
        const string scores = "{}";

        CatalogBuildResult result = CatalogBuilder.Build(Utf8(liteLlm), Utf8(aa), Utf8(openRouter), Utf8(scores), "2026-08-06");

        Assert.That(result.Document.Models.Select(m => m.Key), Is.EqualTo(new[] { "azure-openai/gpt-4o", "openai/gpt-4o", "zeta/m" }));
        Assert.That(result.Report.Duplicates, Is.EqualTo(new[] { "openai/gpt-4o" }));
        ModelInfo gpt4o = result.Document.Models[1];
        Assert.That(gpt4o.Pricing.InputPerToken, Is.EqualTo(0.0000025m), "the priced duplicate replaces the unpriced one");
        Assert.That(gpt4o.Priors?.IntelligenceIndex, Is.EqualTo(11.2), "Artificial Analysis is primary");
        Assert.That(gpt4o.Priors?.CodingIndex, Is.EqualTo(12.5), "OpenRouter fills what Artificial Analysis lacks");
        Assert.That(gpt4o.Priors?.OutputTokensPerSecond, Is.EqualTo(100.5));
        Assert.That(gpt4o.Priors?.TimeToFirstTokenSeconds, Is.Null, "zero means not measured");
        Assert.That(result.Document.Models[2].Priors, Is.Null);
        Assert.That(result.Document.GeneratedFrom, Does.EndWith("snapshot of 2026-08-06"));
    }

    [Test]
    public void Serialize_RoundTripsThroughModelCatalogLoad()
    {
        var document = new CatalogDocument
        {
            GeneratedFrom = "unit test",
            Models =
            [
                new ModelInfo
                {
                    Provider = "openai",
                    ModelId = "gpt-4o",
                    Pricing = new ModelPricing { InputPerToken = 0.0000025m, OutputPerToken = 0.00001m, CachedInputPerToken = 0.00000125m },
                    Capabilities = ModelCapabilities.Vision | ModelCapabilities.Tools,
                    Priors = new ModelPriors { IntelligenceIndex = 11.2 },
                },
            ],
        };

        string json = CatalogBuilder.Serialize(document);
        ModelCatalog catalog = ModelCatalog.Load(new MemoryStream(Encoding.UTF8.GetBytes(json)));

        Assert.That(json, Does.Contain("\"inputPerToken\": 0.0000025").And.Not.Contain("\r").And.Not.Contain("\"key\"").And.Not.Contain("\"regions\""));
        Assert.That(json, Does.EndWith("}\n"));
        Assert.That(catalog.TryGetModel("openai/gpt-4o", out ModelInfo? model), Is.True);
        Assert.That(model!.Pricing.CachedInputPerToken, Is.EqualTo(0.00000125m));
        Assert.That(model.Capabilities, Is.EqualTo(ModelCapabilities.Vision | ModelCapabilities.Tools));
    }

    [Test]
    public void Build_FromTheCatalogSources_IsDeterministicAndMatchesTheEmbeddedCatalog()
    {
        string? sources = FindCatalogSources();
        if (sources is null)
        {
            Assert.Ignore("The catalog sources (../shared/reference/catalog-sources from the repository root) are not on this machine.");
        }

        string first = CatalogBuilder.Serialize(CatalogBuilder.Build(sources!).Document);
        string second = CatalogBuilder.Serialize(CatalogBuilder.Build(sources!).Document);

        Assert.That(second, Is.EqualTo(first), "two runs produce the same bytes");
        using Stream embedded = typeof(ModelCatalog).Assembly.GetManifestResourceStream("LlmRouting.Catalog.models.json")!;
        using var reader = new StreamReader(embedded, Encoding.UTF8);
        Assert.That(reader.ReadToEnd(), Is.EqualTo(first), "src/LlmRouting/Catalog/models.json is up to date: rerun the generator");
    }

    [Test]
    public void ReadOpenRouterIndices_RejectsAListingWithoutData()
    {
        Assert.That(() => BenchmarkFeeds.ReadOpenRouterIndices(Utf8("""{ "models": [] }"""), Utf8("{}")), Throws.InstanceOf<JsonException>());
    }

    private static string? FindCatalogSources()
    {
        for (DirectoryInfo? dir = new(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LlmRouting.sln")))
            {
                string sources = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "reference", "catalog-sources"));
                return File.Exists(Path.Combine(sources, LiteLlmFeed.FileName)) ? sources : null;
            }
        }

        return null;
    }
}
