namespace LlmRouting;

/// <summary>Reason codes of <see cref="CandidateRejection"/>s written by the data-policy layer and the redactor.</summary>
public static class DataPolicyReasons
{
    /// <summary>The deployment is denied, or not in the allowed deployments, by a data policy: <c>policy_deployment_denied</c>.</summary>
    public const string DeploymentDenied = "policy_deployment_denied";

    /// <summary>The deployment's provider is denied, or not in the allowed providers: <c>policy_provider_denied</c>.</summary>
    public const string ProviderDenied = "policy_provider_denied";

    /// <summary>The deployment's model is denied, or not in the allowed models: <c>policy_model_denied</c>.</summary>
    public const string ModelDenied = "policy_model_denied";

    /// <summary>The deployment's region is denied, not allowed, or unknown while regions are restricted: <c>policy_region</c>.</summary>
    public const string Region = "policy_region";

    /// <summary>The deployment lacks a required jurisdiction tag: <c>policy_jurisdiction</c>.</summary>
    public const string Jurisdiction = "policy_jurisdiction";

    /// <summary>The request is confidential (flag, policy, or detected entity types) and the deployment is not local: <c>confidential_local_only</c>.</summary>
    public const string ConfidentialLocalOnly = "confidential_local_only";

    /// <summary>The request contains values whose action is <see cref="PiiAction.RouteLocal"/> and the deployment is not local: <c>pii_local_only</c>.</summary>
    public const string PiiLocalOnly = "pii_local_only";
}
