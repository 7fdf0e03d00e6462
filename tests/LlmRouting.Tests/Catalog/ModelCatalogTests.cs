using System.Text;
using System.Text.Json;

namespace LlmRouting.Tests.Catalog;

[TestFixture]
public sealed class ModelCatalogTests
{
    private static ModelInfo Model(string provider, string modelId, decimal input = 0.000001m, decimal output = 0.000002m) => new()
    {
        Provider = provider,
        ModelId = modelId,
        Pricing = new ModelPricing { InputPerToken = input, OutputPerToken = output },
    };

    private static ModelCatalog LoadJson(string json) => ModelCatalog.Load(new MemoryStream(Encoding.UTF8.GetBytes(json)));

    [Test]
    public void WithOverrides_ReplacesThePriceOfAnExistingModel()
    {
        var catalog = new ModelCatalog([Model("openai", "gpt-4o", 0.0000025m, 0.00001m), Model("anthropic", "claude-haiku-4-5")]);

        ModelCatalog overridden = catalog.WithOverrides([Model("openai", "gpt-4o", 0.000002m, 0.000008m)]);

        Assert.That(overridden.TryGetModel("openai", "gpt-4o", out ModelInfo? model), Is.True);
        Assert.That(model!.Pricing.InputPerToken, Is.EqualTo(0.000002m));
        Assert.That(model.Pricing.OutputPerToken, Is.EqualTo(0.000008m));
        Assert.That(overridden.Models, Has.Count.EqualTo(2));
        Assert.That(catalog.TryGetModel("openai", "gpt-4o", out ModelInfo? original) ? original.Pricing.InputPerToken : 0m, Is.EqualTo(0.0000025m), "the original catalog is unchanged");
    }

    [Test]
    public void WithOverrides_AddsNewModelsAndKeepsGeneratedFrom()
    {
        var catalog = new ModelCatalog([Model("openai", "gpt-4o")], "unit test");

        ModelCatalog extended = catalog.WithOverrides([Model("local", "my-model")]);

        Assert.That(extended.TryGetModel("local/my-model", out _), Is.True);
        Assert.That(extended.Providers, Is.EquivalentTo(new[] { "openai", "local" }));
        Assert.That(extended.GeneratedFrom, Is.EqualTo("unit test"));
    }

    [Test]
    public void TryGetModel_FindsByKeyByProviderAndIdAndByBareIdIgnoringCase()
    {
        var catalog = new ModelCatalog([Model("openai", "gpt-4o"), Model("mistral", "mistral-small-latest")]);

        Assert.That(catalog.TryGetModel("OpenAI/GPT-4o", out ModelInfo? byKey) ? byKey.Key : null, Is.EqualTo("openai/gpt-4o"));
        Assert.That(catalog.TryGetModel("mistral", "mistral-small-latest", out ModelInfo? byPair) ? byPair.Key : null, Is.EqualTo("mistral/mistral-small-latest"));
        Assert.That(catalog.TryGetModel("Mistral-Small-Latest", out ModelInfo? byId) ? byId.Key : null, Is.EqualTo("mistral/mistral-small-latest"));
        Assert.That(catalog.TryGetModel("no-such-model", out ModelInfo? missing), Is.False);
        Assert.That(missing, Is.Null);
    }

    [Test]
    public void Constructor_RejectsModelsWithoutProviderOrId()
    {
        Assert.That(() => new ModelCatalog([Model("", "gpt-4o")]), Throws.ArgumentException);
        Assert.That(() => new ModelCatalog([Model("openai", " ")]), Throws.ArgumentException);
    }

    [Test]
    public void Load_ReadsTheCatalogFormat()
    {
        const string json = """
            {
              "generatedFrom": "unit test",
              "models": [
                {
                  "provider": "anthropic",
                  "modelId": "claude-sonnet-4-5",
                  "pricing": { "inputPerToken": 0.000003, "outputPerToken": 0.000015, "cachedInputPerToken": 0.0000003, "cacheWritePerToken": 0.00000375 },
                  "contextWindow": 200000,
                  "capabilities": "Vision, Tools, PromptCaching",
                  "regions": [ "global" ],
                  "priors": { "intelligenceIndex": 36.4, "outputTokensPerSecond": 45.8 }
                }
              ]
            }
            """;

        ModelCatalog catalog = LoadJson(json);

        Assert.That(catalog.GeneratedFrom, Is.EqualTo("unit test"));
        Assert.That(catalog.TryGetModel("anthropic/claude-sonnet-4-5", out ModelInfo? model), Is.True);
        Assert.That(model!.Pricing.CacheWritePerToken, Is.EqualTo(0.00000375m));
        Assert.That(model.ContextWindow, Is.EqualTo(200_000));
        Assert.That(model.Capabilities, Is.EqualTo(ModelCapabilities.Vision | ModelCapabilities.Tools | ModelCapabilities.PromptCaching));
        Assert.That(model.Regions, Is.EqualTo(new[] { "global" }));
        Assert.That(model.Priors?.IntelligenceIndex, Is.EqualTo(36.4));
        Assert.That(model.Priors?.CodingIndex, Is.Null);
    }

    [TestCase("{ \"models\": [ { \"provider\": \"openai\", ")]
    [TestCase("not json")]
    [TestCase("{ \"models\": { \"provider\": \"openai\" } }")]
    [TestCase("{ \"models\": [ { \"provider\": \"openai\", \"modelId\": \"gpt-4o\", \"capabilities\": \"Telepathy\" } ] }")]
    [TestCase("null")]
    public void Load_MalformedJson_ThrowsJsonException(string json)
    {
        Assert.That(() => LoadJson(json), Throws.InstanceOf<JsonException>());
    }
}
