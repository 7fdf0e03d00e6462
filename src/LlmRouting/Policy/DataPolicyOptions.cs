namespace LlmRouting;

/// <summary>Data-policy settings (<c>LlmRouting:Policy</c>): a default policy for every request and one per tenant.</summary>
/// <example>
/// <code language="json">
/// "Policy": {
///   "Default": { "DeniedProviders": [ "openrouter" ] },
///   "Tenants": {
///     "acme":   { "AllowedRegions": [ "eu-*" ], "RequiredJurisdictions": [ "EU" ], "ConfidentialEntityTypes": [ "US_SSN" ] },
///     "clinic": { "Confidential": true }
///   }
/// }
/// </code>
/// </example>
public sealed class DataPolicyOptions
{
    /// <summary>Gets or sets the policy every request must satisfy.</summary>
    public DataPolicy Default { get; set; } = new();

    /// <summary>Gets or sets the policies by tenant name (case-insensitive), chosen with <see cref="DataPolicyChatOptionsExtensions.WithTenant"/>.</summary>
    public IDictionary<string, DataPolicy> Tenants { get; set; } = new Dictionary<string, DataPolicy>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Gets or sets a value indicating whether a request may name a tenant that has no policy here (it then gets only the default policy).
    /// The default is <see langword="false"/>: such a request is refused with <see cref="DataPolicyException"/>, so a misspelt tenant
    /// cannot bypass its policy.
    /// </summary>
    public bool AllowUnknownTenants { get; set; }

    internal bool TryGetTenant(string tenant, out DataPolicy? policy)
    {
        if (Tenants is not { Count: > 0 } tenants)
        {
            policy = null;
            return false;
        }

        if (tenants.TryGetValue(tenant, out policy))
        {
            return true;
        }

        foreach (KeyValuePair<string, DataPolicy> kv in tenants)
        {
            if (string.Equals(kv.Key, tenant, StringComparison.OrdinalIgnoreCase))
            {
                policy = kv.Value;
                return true;
            }
        }

        return false;
    }
}
