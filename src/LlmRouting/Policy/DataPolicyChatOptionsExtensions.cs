using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>
/// Per-request data-policy settings carried in <see cref="ChatOptions.AdditionalProperties"/> under <c>LlmRouting.*</c> keys, which the
/// data-policy layer reads and the dispatcher removes before any provider sees the options.
/// </summary>
/// <remarks>The <c>With…</c>/<c>As…</c> methods change and return the options they are called on (the caller's own, while building a request).</remarks>
public static class DataPolicyChatOptionsExtensions
{
    /// <summary>The key of the tenant name: <c>LlmRouting.Tenant</c>.</summary>
    public const string TenantKey = "LlmRouting.Tenant";

    /// <summary>The key of the request's <see cref="DataPolicy"/>: <c>LlmRouting.DataPolicy</c>.</summary>
    public const string DataPolicyKey = "LlmRouting.DataPolicy";

    /// <summary>The key of the confidential flag: <c>LlmRouting.Confidential</c>.</summary>
    public const string ConfidentialKey = "LlmRouting.Confidential";

    /// <summary>Names the tenant the request is made for; its policy (<c>LlmRouting:Policy:Tenants:{tenant}</c>) applies.</summary>
    /// <param name="options">The options.</param>
    /// <param name="tenant">The tenant name.</param>
    /// <returns><paramref name="options"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="tenant"/> is empty.</exception>
    public static ChatOptions WithTenant(this ChatOptions options, string tenant)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(tenant);
        (options.AdditionalProperties ??= [])[TenantKey] = tenant;
        return options;
    }

    /// <summary>Adds restrictions for this request; calling it again adds to them. They narrow the tenant's and the default policy, never widen them.</summary>
    /// <param name="options">The options.</param>
    /// <param name="configure">Sets the restrictions, e.g. <c>p => p.AllowedRegions.Add("eu-*")</c>.</param>
    /// <returns><paramref name="options"/>.</returns>
    public static ChatOptions WithDataPolicy(this ChatOptions options, Action<DataPolicy> configure)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(configure);
        DataPolicy policy = options.GetDataPolicy()?.Clone() ?? new DataPolicy();
        configure(policy);
        (options.AdditionalProperties ??= [])[DataPolicyKey] = policy;
        return options;
    }

    /// <summary>Sets the request's policy (a copy of <paramref name="policy"/>), replacing one set before.</summary>
    /// <param name="options">The options.</param>
    /// <param name="policy">The policy.</param>
    /// <returns><paramref name="options"/>.</returns>
    public static ChatOptions WithDataPolicy(this ChatOptions options, DataPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(policy);
        (options.AdditionalProperties ??= [])[DataPolicyKey] = policy.Clone();
        return options;
    }

    /// <summary>Marks the request confidential: only deployments flagged <see cref="Deployment.IsLocal"/> may receive it.</summary>
    /// <param name="options">The options.</param>
    /// <param name="confidential">Whether the request is confidential.</param>
    /// <returns><paramref name="options"/>.</returns>
    public static ChatOptions AsConfidential(this ChatOptions options, bool confidential = true)
    {
        ArgumentNullException.ThrowIfNull(options);
        (options.AdditionalProperties ??= [])[ConfidentialKey] = confidential;
        return options;
    }

    /// <summary>Gets the tenant named with <see cref="WithTenant"/>.</summary>
    /// <param name="options">The options, possibly <see langword="null"/>.</param>
    /// <returns>The tenant, or <see langword="null"/>.</returns>
    public static string? GetTenant(this ChatOptions? options) =>
        options?.AdditionalProperties?.TryGetValue(TenantKey, out object? value) == true && value is string tenant && tenant.Length > 0 ? tenant : null;

    /// <summary>Gets the request's policy set with <see cref="WithDataPolicy(ChatOptions, Action{DataPolicy})"/>.</summary>
    /// <param name="options">The options, possibly <see langword="null"/>.</param>
    /// <returns>The policy, or <see langword="null"/>.</returns>
    public static DataPolicy? GetDataPolicy(this ChatOptions? options) =>
        options?.AdditionalProperties?.TryGetValue(DataPolicyKey, out object? value) == true ? value as DataPolicy : null;

    /// <summary>Gets a value indicating whether the request was marked with <see cref="AsConfidential"/>.</summary>
    /// <param name="options">The options, possibly <see langword="null"/>.</param>
    /// <returns><see langword="true"/> if marked confidential.</returns>
    public static bool IsConfidential(this ChatOptions? options) =>
        options?.AdditionalProperties?.TryGetValue(ConfidentialKey, out object? value) == true && value is true;
}
