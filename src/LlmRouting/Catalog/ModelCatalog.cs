using System.Collections.Frozen;
using System.Reflection;
using System.Text.Json;

namespace LlmRouting;

/// <summary>
/// The catalog of chat models: prices, context windows, capabilities, regions and quality/speed priors.
/// The default catalog is generated from public price and benchmark feeds and embedded in the package;
/// applications add or override entries with <see cref="WithOverrides"/> or the <c>LlmRouting:Models</c> configuration section.
/// </summary>
/// <remarks>Instances are immutable and thread-safe.</remarks>
public sealed class ModelCatalog
{
    private const string ResourceName = "LlmRouting.Catalog.models.json";
    // Model makers' own APIs, preferred when a bare model id is served by several providers.
    private static readonly string[] s_firstParty = ["openai", "anthropic", "gemini", "mistral", "deepseek", "xai", "cohere", "dashscope", "perplexity", "groq", "cerebras"];

    private static readonly Lazy<ModelCatalog> s_default = new(LoadEmbedded, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly FrozenDictionary<string, ModelInfo> _byKey;
    private readonly FrozenDictionary<string, ModelInfo[]> _byModelId;

    /// <summary>Initializes a new instance of the <see cref="ModelCatalog"/> class.</summary>
    /// <param name="models">The models. A later entry with the same <c>provider/modelId</c> replaces an earlier one.</param>
    /// <param name="generatedFrom">A description of the data the catalog was generated from, if any.</param>
    /// <exception cref="ArgumentNullException"><paramref name="models"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">An entry has no provider or model id.</exception>
    public ModelCatalog(IEnumerable<ModelInfo> models, string? generatedFrom = null)
    {
        ArgumentNullException.ThrowIfNull(models);
        var byKey = new Dictionary<string, ModelInfo>(StringComparer.OrdinalIgnoreCase);
        foreach (ModelInfo model in models)
        {
            ArgumentNullException.ThrowIfNull(model, nameof(models));
            if (string.IsNullOrWhiteSpace(model.Provider) || string.IsNullOrWhiteSpace(model.ModelId))
            {
                throw new ArgumentException("Every catalog model needs a Provider and a ModelId.", nameof(models));
            }

            byKey[model.Key] = model;
        }

        _byKey = byKey.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
        _byModelId = byKey.Values
            .GroupBy(m => m.ModelId, StringComparer.OrdinalIgnoreCase)
            .ToFrozenDictionary(g => g.Key, g => g.OrderBy(m => FirstPartyRank(m.Provider)).ThenBy(m => m.Provider, StringComparer.OrdinalIgnoreCase).ToArray(), StringComparer.OrdinalIgnoreCase);
        GeneratedFrom = generatedFrom;
    }

    /// <summary>Gets the catalog embedded in the package.</summary>
    public static ModelCatalog Default => s_default.Value;

    /// <summary>Gets every model in the catalog.</summary>
    public IReadOnlyCollection<ModelInfo> Models => _byKey.Values;

    /// <summary>Gets the providers that have at least one model in the catalog.</summary>
    public IReadOnlyCollection<string> Providers => _byKey.Values.Select(m => m.Provider).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();

    /// <summary>Gets a description of the sources the catalog was generated from, if known.</summary>
    public string? GeneratedFrom { get; }

    /// <summary>Looks up a model by provider and model id.</summary>
    /// <param name="provider">The provider (e.g. <c>openai</c>).</param>
    /// <param name="modelId">The model id.</param>
    /// <param name="model">The model, when found.</param>
    /// <returns><see langword="true"/> if found.</returns>
    public bool TryGetModel(string provider, string modelId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ModelInfo? model)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(modelId);
        return _byKey.TryGetValue(provider + "/" + modelId, out model);
    }

    /// <summary>Looks up a model by model id alone, or by a <c>provider/modelId</c> key.</summary>
    /// <param name="modelIdOrKey">A model id (e.g. <c>gpt-4o</c>) or a key (e.g. <c>openai/gpt-4o</c>).</param>
    /// <param name="model">The model, when found; when several providers serve the id, the model maker's own API
    /// (e.g. <c>openai</c> for <c>gpt-4o</c>, <c>anthropic</c> for Claude) is preferred over clouds and resellers.</param>
    /// <returns><see langword="true"/> if found.</returns>
    public bool TryGetModel(string modelIdOrKey, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ModelInfo? model)
    {
        ArgumentNullException.ThrowIfNull(modelIdOrKey);
        if (_byKey.TryGetValue(modelIdOrKey, out model))
        {
            return true;
        }

        if (_byModelId.TryGetValue(modelIdOrKey, out ModelInfo[]? all))
        {
            model = all[0];
            return true;
        }

        model = null;
        return false;
    }

    /// <summary>Returns a new catalog with <paramref name="overrides"/> added, replacing entries with the same <c>provider/modelId</c>.</summary>
    /// <param name="overrides">Models to add or replace.</param>
    /// <returns>A new catalog.</returns>
    public ModelCatalog WithOverrides(IEnumerable<ModelInfo> overrides)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        return new ModelCatalog(_byKey.Values.Concat(overrides), GeneratedFrom);
    }

    /// <summary>Loads a catalog from JSON in the format of the embedded catalog.</summary>
    /// <param name="utf8Json">The JSON stream.</param>
    /// <returns>The catalog.</returns>
    /// <exception cref="JsonException">The JSON is not a valid catalog.</exception>
    public static ModelCatalog Load(Stream utf8Json)
    {
        ArgumentNullException.ThrowIfNull(utf8Json);
        CatalogDocument document = JsonSerializer.Deserialize(utf8Json, LlmRoutingJsonContext.Default.CatalogDocument)
            ?? throw new JsonException("The catalog document is empty.");
        return new ModelCatalog(document.Models, document.GeneratedFrom);
    }

    private static int FirstPartyRank(string provider)
    {
        int i = Array.FindIndex(s_firstParty, p => string.Equals(p, provider, StringComparison.OrdinalIgnoreCase));
        return i < 0 ? int.MaxValue : i;
    }

    private static ModelCatalog LoadEmbedded()
    {
        using Stream? stream = typeof(ModelCatalog).Assembly.GetManifestResourceStream(ResourceName);
        return stream is null ? new ModelCatalog([], "empty: the embedded catalog is missing") : Load(stream);
    }
}
