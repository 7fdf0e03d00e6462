namespace LlmRouting;

/// <summary>
/// Where a request may go: allow- and deny-lists of deployments, providers, models and regions, required jurisdiction tags, and when it
/// is confidential (local deployments only). Configured per tenant (<c>LlmRouting:Policy:Tenants:{tenant}</c>), as a default for every
/// request (<c>LlmRouting:Policy:Default</c>), or per request (<see cref="DataPolicyChatOptionsExtensions.WithDataPolicy(Microsoft.Extensions.AI.ChatOptions, Action{DataPolicy})"/>).
/// </summary>
/// <remarks>
/// <para>Entries are case-insensitive and may use <c>*</c> as a wildcard (<c>eu-*</c>, <c>gpt-4o*</c>). An empty allow-list allows everything;
/// a deny-list wins over an allow-list. Models match the deployment's model id or its catalog key (<c>provider/model</c>).</para>
/// <para>Policies only narrow: a deployment must satisfy the default policy, the tenant's policy and the request's policy together.
/// A deployment without a <see cref="Deployment.Region"/> fails any region allow-list — local deployments included, so give them a region
/// when regions are restricted.</para>
/// </remarks>
public sealed class DataPolicy
{
    /// <summary>Gets or sets the deployments (by name) that may serve the request; empty allows all.</summary>
    public IList<string> AllowedDeployments { get; set; } = [];

    /// <summary>Gets or sets the deployments (by name) that must not serve the request.</summary>
    public IList<string> DeniedDeployments { get; set; } = [];

    /// <summary>Gets or sets the providers (e.g. <c>openai</c>, <c>ollama</c>) that may serve the request; empty allows all.</summary>
    public IList<string> AllowedProviders { get; set; } = [];

    /// <summary>Gets or sets the providers that must not serve the request.</summary>
    public IList<string> DeniedProviders { get; set; } = [];

    /// <summary>Gets or sets the models (model id or <c>provider/model</c>) that may serve the request; empty allows all.</summary>
    public IList<string> AllowedModels { get; set; } = [];

    /// <summary>Gets or sets the models that must not serve the request.</summary>
    public IList<string> DeniedModels { get; set; } = [];

    /// <summary>Gets or sets the regions (<see cref="Deployment.Region"/>, e.g. <c>eu-*</c>) that may serve the request; empty allows all.</summary>
    public IList<string> AllowedRegions { get; set; } = [];

    /// <summary>Gets or sets the regions that must not serve the request.</summary>
    public IList<string> DeniedRegions { get; set; } = [];

    /// <summary>Gets or sets the jurisdiction tags (<see cref="Deployment.Jurisdictions"/>, e.g. <c>EU</c>, <c>HIPAA</c>) a deployment must all carry.</summary>
    public IList<string> RequiredJurisdictions { get; set; } = [];

    /// <summary>Gets or sets a value indicating whether every request under this policy is confidential: only deployments flagged
    /// <see cref="Deployment.IsLocal"/> may receive it.</summary>
    public bool Confidential { get; set; }

    /// <summary>
    /// Gets or sets entity types (e.g. <c>US_SSN</c>, <c>PERSON</c>) that make a request confidential when the redactor detects them:
    /// it may then only go to local deployments. Needs the redactor in the chain.
    /// </summary>
    public IList<string> ConfidentialEntityTypes { get; set; } = [];

    /// <summary>Gets a value indicating whether the policy restricts nothing.</summary>
    internal bool IsEmpty =>
        AllowedDeployments.Count == 0 && DeniedDeployments.Count == 0
        && AllowedProviders.Count == 0 && DeniedProviders.Count == 0
        && AllowedModels.Count == 0 && DeniedModels.Count == 0
        && AllowedRegions.Count == 0 && DeniedRegions.Count == 0
        && RequiredJurisdictions.Count == 0 && !Confidential && ConfidentialEntityTypes.Count == 0;

    /// <summary>Creates a deep copy.</summary>
    /// <returns>The copy.</returns>
    public DataPolicy Clone() => new()
    {
        AllowedDeployments = [.. AllowedDeployments],
        DeniedDeployments = [.. DeniedDeployments],
        AllowedProviders = [.. AllowedProviders],
        DeniedProviders = [.. DeniedProviders],
        AllowedModels = [.. AllowedModels],
        DeniedModels = [.. DeniedModels],
        AllowedRegions = [.. AllowedRegions],
        DeniedRegions = [.. DeniedRegions],
        RequiredJurisdictions = [.. RequiredJurisdictions],
        Confidential = Confidential,
        ConfidentialEntityTypes = [.. ConfidentialEntityTypes],
    };
}
