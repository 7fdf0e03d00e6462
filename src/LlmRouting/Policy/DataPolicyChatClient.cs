using System.Globalization;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmRouting;

/// <summary>
/// Enforces data policies: removes from the router's candidates every deployment the default policy, the request's tenant policy or the
/// request's own policy excludes (provider, model, deployment or region allow/deny-lists, required jurisdiction tags, confidential →
/// local only), recording each removal with a reason code in the routing report.
/// </summary>
/// <remarks>
/// <para>Sits between the router and the redactor. It is a layer of its own rather than part of the redactor so that residency rules
/// hold even when redaction is switched off, cost no content scan, and refuse a request before its content is even inspected. The one
/// rule that depends on content — entity types that make a request confidential when detected — is handed to the redactor through
/// <see cref="LlmRequestContext.ConfidentialEntityTypes"/>; this layer refuses the request if no redactor is below it to apply it.</para>
/// <para>Without the router there are no candidates to narrow: a request under any restriction is then refused (fail closed).
/// Thread-safe.</para>
/// </remarks>
public sealed partial class DataPolicyChatClient : DelegatingChatClient
{
    private const string DefaultPolicyName = "default policy";
    private const string RequestPolicyName = "request policy";
    private DataPolicyOptions _options;
    private ILogger _logger = NullLogger.Instance;

    /// <summary>Initializes a new instance of the <see cref="DataPolicyChatClient"/> class.</summary>
    /// <param name="innerClient">The next layer (normally the redactor).</param>
    /// <param name="options">The default and tenant policies; none when <see langword="null"/> (request policies still apply).</param>
    public DataPolicyChatClient(IChatClient innerClient, DataPolicyOptions? options = null)
        : base(innerClient)
    {
        _options = options ?? new DataPolicyOptions();
    }

    /// <summary>Gets or sets the default and tenant policies. Read on every request.</summary>
    /// <exception cref="ArgumentNullException">The value is <see langword="null"/>.</exception>
    public DataPolicyOptions Options
    {
        get => _options;
        set => _options = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>Gets or sets the logger.</summary>
    /// <exception cref="ArgumentNullException">The value is <see langword="null"/>.</exception>
    public ILogger Logger
    {
        get => _logger;
        set => _logger = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <inheritdoc/>
    /// <exception cref="NoEligibleDeploymentException">No candidate satisfies the policies.</exception>
    /// <exception cref="DataPolicyException">The request names a tenant without a policy.</exception>
    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Apply(options);
        return base.GetResponseAsync(messages, options, cancellationToken);
    }

    /// <inheritdoc/>
    /// <exception cref="NoEligibleDeploymentException">No candidate satisfies the policies.</exception>
    /// <exception cref="DataPolicyException">The request names a tenant without a policy.</exception>
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Apply(options);
        return base.GetStreamingResponseAsync(messages, options, cancellationToken);
    }

    private void Apply(ChatOptions? options)
    {
        DataPolicyOptions configured = _options;
        LlmRequestContext.TryGet(options, out LlmRequestContext? context);
        string? tenant = options.GetTenant();
        DataPolicy? tenantPolicy = null;
        if (tenant is not null)
        {
            if (context is not null)
            {
                context.Tenant = tenant;
            }

            if (!configured.TryGetTenant(tenant, out tenantPolicy) && !configured.AllowUnknownTenants)
            {
                Log.UnknownTenant(_logger, context?.RequestId, tenant);
                throw new DataPolicyException(
                    $"The request names tenant '{tenant}', which has no data policy (LlmRouting:Policy:Tenants:{tenant}); nothing was sent. Set LlmRouting:Policy:AllowUnknownTenants to apply only the default policy.")
                {
                    Tenant = tenant,
                    Report = context?.BuildReport(),
                };
            }
        }

        DataPolicy? defaultPolicy = configured.Default is { IsEmpty: false } d ? d : null;
        tenantPolicy = tenantPolicy is { IsEmpty: false } ? tenantPolicy : null;
        DataPolicy? requestPolicy = options.GetDataPolicy() is { IsEmpty: false } r ? r : null;
        bool flagged = options.IsConfidential();
        if (defaultPolicy is null && tenantPolicy is null && requestPolicy is null && !flagged)
        {
            return;
        }

        if (context is null)
        {
            throw new InvalidOperationException(
                "A data policy applies to this request but no router chose its candidates; put UseCostRouter above UseDataPolicy (UseLlmRouting does).");
        }

        string? tenantPolicyName = tenant is null ? null : $"policy of tenant '{tenant}'";
        HashSet<string>? confidentialTypes = null;
        string? confidentialBy = flagged ? "the request is marked confidential" : null;
        foreach ((DataPolicy? policy, string? name) in (ReadOnlySpan<(DataPolicy?, string?)>)[(defaultPolicy, DefaultPolicyName), (tenantPolicy, tenantPolicyName), (requestPolicy, RequestPolicyName)])
        {
            if (policy is null)
            {
                continue;
            }

            if (policy.Confidential)
            {
                confidentialBy ??= $"the {name} makes every request confidential";
            }

            foreach (string type in policy.ConfidentialEntityTypes)
            {
                (confidentialTypes ??= new HashSet<string>(StringComparer.OrdinalIgnoreCase)).Add(type);
            }
        }

        if (confidentialTypes is not null)
        {
            if (InnerClient.GetService(typeof(RedactingChatClient)) is null)
            {
                throw new InvalidOperationException(
                    "The data policy names ConfidentialEntityTypes but no redactor is below the data-policy layer to detect them; add UseRedaction below UseDataPolicy (UseLlmRouting does) and keep LlmRouting:Redaction:Enabled true.");
            }

            if (context.ConfidentialEntityTypes is { } earlier)
            {
                confidentialTypes.UnionWith(earlier);
            }

            context.ConfidentialEntityTypes = confidentialTypes;
        }

        if (confidentialBy is not null)
        {
            context.Confidential = true;
        }

        int before = context.Candidates.Count;
        int remaining = CandidateNarrowing.Narrow(
            context,
            deployment => Check(deployment, defaultPolicy, DefaultPolicyName)
                ?? Check(deployment, tenantPolicy, tenantPolicyName!)
                ?? Check(deployment, requestPolicy, RequestPolicyName)
                ?? (confidentialBy is not null && !deployment.IsLocal
                    ? Reject(deployment, DataPolicyReasons.ConfidentialLocalOnly, $"Only local deployments may receive this request: {confidentialBy}.")
                    : null),
            "deployment allowed by the data policy");
        if (remaining < before)
        {
            Log.Narrowed(_logger, context.RequestId, before - remaining, before);
        }
    }

    private static CandidateRejection? Check(Deployment d, DataPolicy? policy, string name)
    {
        if (policy is null)
        {
            return null;
        }

        if (WildcardPattern.Any(policy.DeniedDeployments, d.Name))
        {
            return Reject(d, DataPolicyReasons.DeploymentDenied, $"Deployment '{d.Name}' is denied by the {name}.");
        }

        if (policy.AllowedDeployments.Count > 0 && !WildcardPattern.Any(policy.AllowedDeployments, d.Name))
        {
            return Reject(d, DataPolicyReasons.DeploymentDenied, $"Deployment '{d.Name}' is not among the deployments the {name} allows.");
        }

        if (WildcardPattern.Any(policy.DeniedProviders, d.Provider))
        {
            return Reject(d, DataPolicyReasons.ProviderDenied, $"Provider '{d.Provider}' is denied by the {name}.");
        }

        if (policy.AllowedProviders.Count > 0 && !WildcardPattern.Any(policy.AllowedProviders, d.Provider))
        {
            return Reject(d, DataPolicyReasons.ProviderDenied, $"Provider '{d.Provider}' is not among the providers the {name} allows.");
        }

        if (WildcardPattern.Any(policy.DeniedModels, d.Model) || WildcardPattern.Any(policy.DeniedModels, d.ModelInfo.Key))
        {
            return Reject(d, DataPolicyReasons.ModelDenied, $"Model '{d.Model}' is denied by the {name}.");
        }

        if (policy.AllowedModels.Count > 0 && !WildcardPattern.Any(policy.AllowedModels, d.Model) && !WildcardPattern.Any(policy.AllowedModels, d.ModelInfo.Key))
        {
            return Reject(d, DataPolicyReasons.ModelDenied, $"Model '{d.Model}' is not among the models the {name} allows.");
        }

        if (d.Region is { } region && WildcardPattern.Any(policy.DeniedRegions, region))
        {
            return Reject(d, DataPolicyReasons.Region, $"Region '{region}' is denied by the {name}.");
        }

        if (policy.AllowedRegions.Count > 0 && !WildcardPattern.Any(policy.AllowedRegions, d.Region))
        {
            return Reject(d, DataPolicyReasons.Region, d.Region is null
                ? $"The deployment has no Region, and the {name} allows only {string.Join(", ", policy.AllowedRegions)}."
                : $"Region '{d.Region}' is not among the regions the {name} allows ({string.Join(", ", policy.AllowedRegions)}).");
        }

        if (policy.RequiredJurisdictions.Count > 0)
        {
            string[] missing = policy.RequiredJurisdictions.Where(j => !d.Jurisdictions.Contains(j, StringComparer.OrdinalIgnoreCase)).ToArray();
            if (missing.Length > 0)
            {
                return Reject(d, DataPolicyReasons.Jurisdiction, string.Create(
                    CultureInfo.InvariantCulture,
                    $"The deployment lacks the jurisdiction tag(s) {string.Join(", ", missing)} the {name} requires (it has: {(d.Jurisdictions.Count == 0 ? "none" : string.Join(", ", d.Jurisdictions))})."));
            }
        }

        return null;
    }

    private static CandidateRejection Reject(Deployment d, string code, string detail) => new(d.Name, d.Provider, d.Model, code, detail);

    private static partial class Log
    {
        [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "Refused request {RequestId}: tenant '{Tenant}' has no data policy.")]
        public static partial void UnknownTenant(ILogger logger, string? requestId, string tenant);

        [LoggerMessage(EventId = 10, Level = LogLevel.Debug, Message = "Data policy removed {Removed} of {Total} candidate(s) for request {RequestId}.")]
        public static partial void Narrowed(ILogger logger, string requestId, int removed, int total);
    }
}
