namespace LlmRouting;

/// <summary>A resolved deployment: a named model at a provider endpoint, with its catalog facts. Immutable and thread-safe.</summary>
public sealed class Deployment
{
    /// <summary>Initializes a new instance of the <see cref="Deployment"/> class.</summary>
    /// <param name="name">The deployment name, unique within a router.</param>
    /// <param name="provider">The provider (e.g. <c>openai</c>).</param>
    /// <param name="model">The model id sent to the provider.</param>
    /// <param name="modelInfo">Prices, limits and capabilities; when <see langword="null"/>, an entry with unknown price and no capabilities.</param>
    /// <exception cref="ArgumentException">A required value is empty.</exception>
    public Deployment(string name, string provider, string model, ModelInfo? modelInfo = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(provider);
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        Name = name;
        Provider = provider;
        Model = model;
        ModelInfo = modelInfo ?? new ModelInfo { Provider = provider, ModelId = model };
    }

    /// <summary>Gets the deployment name.</summary>
    public string Name { get; }

    /// <summary>Gets the provider.</summary>
    public string Provider { get; }

    /// <summary>Gets the model id sent to the provider.</summary>
    public string Model { get; }

    /// <summary>Gets the catalog facts (prices, limits, capabilities, priors) of the model.</summary>
    public ModelInfo ModelInfo { get; }

    /// <summary>Gets or initializes the endpoint; the provider default when <see langword="null"/>.</summary>
    public Uri? Endpoint { get; init; }

    /// <summary>Gets or initializes the API key, if the provider needs one.</summary>
    public ApiKeySecret? ApiKey { get; init; }

    /// <summary>Gets or initializes the region.</summary>
    public string? Region { get; init; }

    /// <summary>Gets or initializes the jurisdiction tags.</summary>
    public IReadOnlyList<string> Jurisdictions { get; init; } = [];

    /// <summary>Gets or initializes the priority (lower is preferred).</summary>
    public int Priority { get; init; }

    /// <summary>Gets or initializes the weight for weighted policies.</summary>
    public double Weight { get; init; } = 1.0;

    /// <summary>Gets or initializes a value indicating whether the deployment runs locally or on premises.</summary>
    public bool IsLocal { get; init; }

    /// <summary>Gets or initializes provider-specific settings.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>Creates a deployment from configuration, resolving the API key and the catalog entry.</summary>
    /// <param name="name">The deployment name.</param>
    /// <param name="options">The configured options.</param>
    /// <param name="catalog">The catalog used to look up prices and capabilities.</param>
    /// <returns>The deployment.</returns>
    public static Deployment FromOptions(string name, DeploymentOptions options, ModelCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(catalog);
        ModelInfo? info = null;
        if (!string.IsNullOrWhiteSpace(options.CatalogModel))
        {
            catalog.TryGetModel(options.CatalogModel, out info);
        }

        if (info is null && !catalog.TryGetModel(options.Provider, options.Model, out info))
        {
            catalog.TryGetModel(options.Model, out info);
        }

        string? key = options.ApiKey;
        if (string.IsNullOrWhiteSpace(key) && !string.IsNullOrWhiteSpace(options.ApiKeyEnvironmentVariable))
        {
            key = Environment.GetEnvironmentVariable(options.ApiKeyEnvironmentVariable);
        }

        return new Deployment(name, options.Provider, options.Model, info)
        {
            Endpoint = options.Endpoint,
            ApiKey = string.IsNullOrWhiteSpace(key) ? null : new ApiKeySecret(key),
            Region = options.Region,
            Jurisdictions = [.. options.Jurisdictions],
            Priority = options.Priority,
            Weight = options.Weight,
            IsLocal = options.IsLocal,
            Settings = new Dictionary<string, string>(options.Settings, StringComparer.OrdinalIgnoreCase),
        };
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} ({Provider}/{Model})";
}
