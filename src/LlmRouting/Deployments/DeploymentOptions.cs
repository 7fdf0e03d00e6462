namespace LlmRouting;

/// <summary>
/// Configuration of one deployment: a model served by a provider at an endpoint with a credential.
/// Bound from <c>LlmRouting:Deployments:{name}</c>.
/// </summary>
public sealed class DeploymentOptions
{
    /// <summary>Gets or sets the provider (e.g. <c>openai</c>, <c>azure-openai</c>, <c>anthropic</c>, <c>ollama</c>, <c>simulated</c>). Required.</summary>
    public string Provider { get; set; } = string.Empty;

    /// <summary>Gets or sets the model id sent to the provider. Required.</summary>
    public string Model { get; set; } = string.Empty;

    /// <summary>Gets or sets the catalog key (<c>provider/modelId</c>) used for prices and capabilities when it differs from <see cref="Provider"/>/<see cref="Model"/>.</summary>
    public string? CatalogModel { get; set; }

    /// <summary>Gets or sets the base URL of the provider's API; the provider's default when <see langword="null"/>.</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>Gets or sets the API key. Prefer <see cref="ApiKeyEnvironmentVariable"/> or a secret store bound into configuration.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Gets or sets the name of an environment variable holding the API key (e.g. <c>OPENAI_API_KEY</c>).</summary>
    public string? ApiKeyEnvironmentVariable { get; set; }

    /// <summary>Gets or sets the region the deployment runs in (e.g. <c>eu-west-1</c>).</summary>
    public string? Region { get; set; }

    /// <summary>Gets or sets jurisdiction tags (e.g. <c>EU</c>, <c>US</c>, <c>HIPAA</c>) used by data policies.</summary>
    public IList<string> Jurisdictions { get; set; } = [];

    /// <summary>Gets or sets the priority; lower values are preferred by the priority policy and break cost ties.</summary>
    public int Priority { get; set; }

    /// <summary>Gets or sets the relative weight used by weighted policies. Must be positive.</summary>
    public double Weight { get; set; } = 1.0;

    /// <summary>Gets or sets a value indicating whether the deployment runs locally or on premises (data never leaves the organisation).</summary>
    public bool IsLocal { get; set; }

    /// <summary>Gets or sets a value indicating whether the deployment is used. Disabled deployments are never routed to.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Gets or sets provider-specific settings (e.g. <c>ApiVersion</c> for Azure OpenAI).</summary>
    public IDictionary<string, string> Settings { get; set; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <inheritdoc/>
    public override string ToString() => $"{Provider}/{Model}";
}
