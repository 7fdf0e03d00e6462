namespace LlmRouting;

/// <summary>Checks <c>LlmRouting:Policy</c>; messages name the setting.</summary>
internal static class DataPolicyOptionsValidator
{
    public static void Check(LlmRoutingOptions options, List<string> errors)
    {
        const string P = LlmRoutingOptions.SectionName + ":Policy";
        DataPolicyOptions policy = options.Policy;
        if (policy is null)
        {
            errors.Add($"{P} is empty.");
            return;
        }

        bool redaction = options.Redaction?.Enabled ?? false;
        CheckPolicy($"{P}:Default", policy.Default, redaction, errors);
        foreach ((string tenant, DataPolicy? p) in policy.Tenants ?? new Dictionary<string, DataPolicy>())
        {
            if (string.IsNullOrWhiteSpace(tenant))
            {
                errors.Add($"{P}:Tenants has an empty tenant name.");
                continue;
            }

            CheckPolicy($"{P}:Tenants:{tenant}", p, redaction, errors);
        }
    }

    private static void CheckPolicy(string path, DataPolicy? policy, bool redaction, List<string> errors)
    {
        if (policy is null)
        {
            errors.Add($"{path} is empty.");
            return;
        }

        CheckList($"{path}:AllowedDeployments", policy.AllowedDeployments, errors);
        CheckList($"{path}:DeniedDeployments", policy.DeniedDeployments, errors);
        CheckList($"{path}:AllowedProviders", policy.AllowedProviders, errors);
        CheckList($"{path}:DeniedProviders", policy.DeniedProviders, errors);
        CheckList($"{path}:AllowedModels", policy.AllowedModels, errors);
        CheckList($"{path}:DeniedModels", policy.DeniedModels, errors);
        CheckList($"{path}:AllowedRegions", policy.AllowedRegions, errors);
        CheckList($"{path}:DeniedRegions", policy.DeniedRegions, errors);
        CheckList($"{path}:RequiredJurisdictions", policy.RequiredJurisdictions, errors);
        CheckList($"{path}:ConfidentialEntityTypes", policy.ConfidentialEntityTypes, errors);
        CheckOverlap(path, "Deployments", policy.AllowedDeployments, policy.DeniedDeployments, errors);
        CheckOverlap(path, "Providers", policy.AllowedProviders, policy.DeniedProviders, errors);
        CheckOverlap(path, "Models", policy.AllowedModels, policy.DeniedModels, errors);
        CheckOverlap(path, "Regions", policy.AllowedRegions, policy.DeniedRegions, errors);
        if (policy.ConfidentialEntityTypes is { Count: > 0 } && !redaction)
        {
            errors.Add($"{path}:ConfidentialEntityTypes needs the redactor to detect them, but LlmRouting:Redaction:Enabled is false.");
        }
    }

    private static void CheckList(string path, IList<string>? entries, List<string> errors)
    {
        if (entries is null)
        {
            return;
        }

        for (int i = 0; i < entries.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(entries[i]))
            {
                errors.Add($"{path}:{i} is empty.");
            }
        }
    }

    private static void CheckOverlap(string path, string what, IList<string>? allowed, IList<string>? denied, List<string> errors)
    {
        if (allowed is null || denied is null)
        {
            return;
        }

        foreach (string entry in allowed)
        {
            if (!string.IsNullOrWhiteSpace(entry) && denied.Contains(entry, StringComparer.OrdinalIgnoreCase))
            {
                errors.Add($"{path}: '{entry}' is in both Allowed{what} and Denied{what}.");
            }
        }
    }
}
