namespace LlmRouting;

/// <summary>Settings of LlmRouting, bound from the <c>LlmRouting</c> configuration section and/or set in code.</summary>
/// <example>
/// <code language="json">
/// "LlmRouting": {
///   "Deployments": {
///     "gpt-4o-mini": { "Provider": "openai", "Model": "gpt-4o-mini", "ApiKeyEnvironmentVariable": "OPENAI_API_KEY" },
///     "local-llama": { "Provider": "ollama", "Model": "llama3.1:8b", "IsLocal": true }
///   },
///   "Routing": { "Policy": "cheapest" }
/// }
/// </code>
/// </example>
public sealed class LlmRoutingOptions
{
    /// <summary>The configuration section name, <c>LlmRouting</c>.</summary>
    public const string SectionName = "LlmRouting";

    /// <summary>Gets or sets the deployments by name. At least one is required.</summary>
    public IDictionary<string, DeploymentOptions> Deployments { get; set; } = new Dictionary<string, DeploymentOptions>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets or sets models to add to the catalog or whose facts (e.g. negotiated prices) override it.</summary>
    public IList<ModelInfo> Models { get; set; } = [];

    /// <summary>Gets or sets routing settings.</summary>
    public RoutingOptions Routing { get; set; } = new();

    /// <summary>Gets or sets redaction settings.</summary>
    public RedactionOptions Redaction { get; set; } = new();

    /// <summary>Gets or sets data policies: a default and one per tenant (<c>LlmRouting:Policy</c>).</summary>
    public DataPolicyOptions Policy { get; set; } = new();

    /// <summary>Gets or sets failover and resilience settings.</summary>
    public ResilienceOptions Resilience { get; set; } = new();

    /// <summary>Gets or sets telemetry settings: content capture, user pseudonyms and the request log.</summary>
    public TelemetryOptions Telemetry { get; set; } = new();
    /// <summary>Gets or sets spending limits by rule name (<c>LlmRouting:Budgets:{name}</c>).</summary>
    public IDictionary<string, BudgetOptions> Budgets { get; set; } = new Dictionary<string, BudgetOptions>(StringComparer.OrdinalIgnoreCase);
}
