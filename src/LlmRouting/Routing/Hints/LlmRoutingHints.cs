using System.Globalization;
using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>
/// Typed helpers that put per-request routing hints into <see cref="ChatOptions.AdditionalProperties"/>, and read them back.
/// </summary>
/// <remarks>
/// <para>
/// The helpers change the <see cref="ChatOptions"/> they are called on (create the options for the request, then add hints);
/// LlmRouting's layers never change the caller's options. Hard constraints (<see cref="WithMaxCost"/>, <see cref="WithMaxLatency"/>,
/// <see cref="WithMinQuality"/>, <see cref="WithTier"/>, allowed/blocked lists) remove candidates; each removed deployment appears in
/// <see cref="RoutingReport.RejectedCandidates"/> with a reason code.
/// </para>
/// <para>Every key starts with <c>LlmRouting.</c>, so no hint is ever sent to a provider.</para>
/// </remarks>
/// <example>
/// <code>
/// var options = new ChatOptions()
///     .WithMaxLatency(TimeSpan.FromMilliseconds(500))
///     .WithMaxCost(0.0001m)
///     .WithUser("user-42")
///     .WithTags("summaries");
/// </code>
/// </example>
public static class LlmRoutingHints
{
    /// <summary>The key of the tier hint (a string naming a tier of <c>LlmRouting:Routing:Tiers</c>).</summary>
    public const string TierKey = "LlmRouting.Tier";

    /// <summary>The key of the maximum estimated cost per call in US dollars (a <see cref="decimal"/>).</summary>
    public const string MaxCostKey = "LlmRouting.MaxCostUsd";

    /// <summary>The key of the maximum predicted latency (a <see cref="TimeSpan"/>).</summary>
    public const string MaxLatencyKey = "LlmRouting.MaxLatency";

    /// <summary>The key of the minimum predicted quality, 0 to 1 (a <see cref="double"/>).</summary>
    public const string MinQualityKey = "LlmRouting.MinQuality";

    /// <summary>The key of the budget key (a string; budgets with scope <see cref="BudgetScope.Key"/> are charged per value).</summary>
    public const string BudgetKeyKey = "LlmRouting.BudgetKey";

    /// <summary>The key of the routing policy name that overrides the router's policy for one request.</summary>
    public const string PolicyKey = "LlmRouting.Policy";

    /// <summary>The key of the experiment key (a string) that makes experiment assignment sticky; the user, then the tenant, are used when absent.</summary>
    public const string ExperimentKeyKey = "LlmRouting.ExperimentKey";

    /// <summary>The key of the providers allowed for this request (a <see cref="string"/> array).</summary>
    public const string AllowedProvidersKey = "LlmRouting.AllowedProviders";

    /// <summary>The key of the providers blocked for this request (a <see cref="string"/> array).</summary>
    public const string BlockedProvidersKey = "LlmRouting.BlockedProviders";

    /// <summary>The key of the models allowed for this request (a <see cref="string"/> array of model ids or catalog keys; <c>*</c> matches any characters).</summary>
    public const string AllowedModelsKey = "LlmRouting.AllowedModels";

    /// <summary>The key of the models blocked for this request (a <see cref="string"/> array; <c>*</c> matches any characters).</summary>
    public const string BlockedModelsKey = "LlmRouting.BlockedModels";

    /// <summary>The key of the deployment regions allowed for this request (a <see cref="string"/> array).</summary>
    public const string AllowedRegionsKey = "LlmRouting.AllowedRegions";

    /// <summary>The key of the deployment regions blocked for this request (a <see cref="string"/> array).</summary>
    public const string BlockedRegionsKey = "LlmRouting.BlockedRegions";

    /// <summary>The key of the flag that requires models able to emit several tool calls in one turn (a <see cref="bool"/>).</summary>
    public const string ParallelToolCallsKey = "LlmRouting.ParallelToolCalls";

    /// <summary>The key of the flag that turns the configured cascade on or off for one request (a <see cref="bool"/>).</summary>
    public const string CascadeKey = "LlmRouting.Cascade";

    /// <summary>Restricts the request to the deployments of a tier configured in <c>LlmRouting:Routing:Tiers</c>.</summary>
    /// <param name="options">The options to change.</param>
    /// <param name="tier">The tier name (e.g. <c>premium</c>).</param>
    /// <returns><paramref name="options"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="tier"/> is empty.</exception>
    public static ChatOptions WithTier(this ChatOptions options, string tier)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tier);
        return Set(options, TierKey, tier);
    }

    /// <summary>Allows only deployments whose estimated cost for this request is at most <paramref name="maxCostUsd"/>.</summary>
    /// <param name="options">The options to change.</param>
    /// <param name="maxCostUsd">The maximum estimated cost per call in US dollars (e.g. <c>0.0001m</c>).</param>
    /// <returns><paramref name="options"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxCostUsd"/> is negative.</exception>
    public static ChatOptions WithMaxCost(this ChatOptions options, decimal maxCostUsd)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxCostUsd);
        return Set(options, MaxCostKey, maxCostUsd);
    }

    /// <summary>Allows only deployments predicted (time to first token + output tokens / throughput) to answer within <paramref name="maxLatency"/>.</summary>
    /// <param name="options">The options to change.</param>
    /// <param name="maxLatency">The maximum predicted latency.</param>
    /// <returns><paramref name="options"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxLatency"/> is not positive.</exception>
    public static ChatOptions WithMaxLatency(this ChatOptions options, TimeSpan maxLatency)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(maxLatency, TimeSpan.Zero);
        return Set(options, MaxLatencyKey, maxLatency);
    }

    /// <summary>Allows only deployments whose predicted quality (0 to 1: catalog prior × observed quality score) is at least <paramref name="minQuality"/>.</summary>
    /// <param name="options">The options to change.</param>
    /// <param name="minQuality">The minimum quality, 0 to 1.</param>
    /// <returns><paramref name="options"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minQuality"/> is outside 0 to 1.</exception>
    public static ChatOptions WithMinQuality(this ChatOptions options, double minQuality)
    {
        if (!(minQuality >= 0 && minQuality <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(minQuality), minQuality, "Quality is between 0 and 1.");
        }

        return Set(options, MinQualityKey, minQuality);
    }

    /// <summary>Names the end user of the request (for per-user budgets and sticky experiment assignment). The id never appears in reports.</summary>
    /// <param name="options">The options to change.</param>
    /// <param name="user">An opaque user id.</param>
    /// <returns><paramref name="options"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="user"/> is empty.</exception>
    public static ChatOptions WithUser(this ChatOptions options, string user)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(user);
        return Set(options, LlmRoutingPropertyKeys.User, user);
    }

    /// <summary>Names the tenant of the request for routing (per-tenant budgets, experiments). Writes <see cref="LlmRoutingPropertyKeys.Tenant"/>.</summary>
    /// <param name="options">The options to change.</param>
    /// <param name="tenant">The tenant id.</param>
    /// <returns><paramref name="options"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="tenant"/> is empty.</exception>
    public static ChatOptions WithRoutingTenant(this ChatOptions options, string tenant)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tenant);
        return Set(options, LlmRoutingPropertyKeys.Tenant, tenant);
    }

    /// <summary>Tags the request (for per-tag budgets and reporting). Replaces any tags set before.</summary>
    /// <param name="options">The options to change.</param>
    /// <param name="tags">The tags.</param>
    /// <returns><paramref name="options"/>.</returns>
    /// <exception cref="ArgumentException">A tag is empty.</exception>
    public static ChatOptions WithTags(this ChatOptions options, params string[] tags) =>
        Set(options, LlmRoutingPropertyKeys.Tags, CheckList(tags, nameof(tags)));

    /// <summary>Charges the request to budgets with scope <see cref="BudgetScope.Key"/> under <paramref name="budgetKey"/> (e.g. a project or API key name).</summary>
    /// <param name="options">The options to change.</param>
    /// <param name="budgetKey">The budget key.</param>
    /// <returns><paramref name="options"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="budgetKey"/> is empty.</exception>
    public static ChatOptions WithBudgetKey(this ChatOptions options, string budgetKey)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(budgetKey);
        return Set(options, BudgetKeyKey, budgetKey);
    }

    /// <summary>Ranks this request's candidates with another registered policy (e.g. <c>fastest</c>) instead of the router's.</summary>
    /// <param name="options">The options to change.</param>
    /// <param name="policy">The policy name.</param>
    /// <returns><paramref name="options"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="policy"/> is empty.</exception>
    public static ChatOptions WithRoutingPolicy(this ChatOptions options, string policy)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(policy);
        return Set(options, PolicyKey, policy);
    }

    /// <summary>Makes experiment assignment sticky to <paramref name="key"/> (e.g. a conversation id) instead of the user or tenant.</summary>
    /// <param name="options">The options to change.</param>
    /// <param name="key">The key.</param>
    /// <returns><paramref name="options"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="key"/> is empty.</exception>
    public static ChatOptions WithExperimentKey(this ChatOptions options, string key)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        return Set(options, ExperimentKeyKey, key);
    }

    /// <summary>Allows only deployments of these providers for this request (in addition to <c>LlmRouting:Routing:AllowedProviders</c>).</summary>
    /// <param name="options">The options to change.</param>
    /// <param name="providers">The provider names.</param>
    /// <returns><paramref name="options"/>.</returns>
    public static ChatOptions WithAllowedProviders(this ChatOptions options, params string[] providers) =>
        Set(options, AllowedProvidersKey, CheckList(providers, nameof(providers)));

    /// <summary>Blocks deployments of these providers for this request.</summary>
    /// <param name="options">The options to change.</param>
    /// <param name="providers">The provider names.</param>
    /// <returns><paramref name="options"/>.</returns>
    public static ChatOptions WithBlockedProviders(this ChatOptions options, params string[] providers) =>
        Set(options, BlockedProvidersKey, CheckList(providers, nameof(providers)));

    /// <summary>Allows only these models (model ids or catalog keys, <c>*</c> as wildcard) for this request.</summary>
    /// <param name="options">The options to change.</param>
    /// <param name="models">The model patterns.</param>
    /// <returns><paramref name="options"/>.</returns>
    public static ChatOptions WithAllowedModels(this ChatOptions options, params string[] models) =>
        Set(options, AllowedModelsKey, CheckList(models, nameof(models)));

    /// <summary>Blocks these models (model ids or catalog keys, <c>*</c> as wildcard) for this request.</summary>
    /// <param name="options">The options to change.</param>
    /// <param name="models">The model patterns.</param>
    /// <returns><paramref name="options"/>.</returns>
    public static ChatOptions WithBlockedModels(this ChatOptions options, params string[] models) =>
        Set(options, BlockedModelsKey, CheckList(models, nameof(models)));

    /// <summary>Allows only deployments in these regions for this request; deployments without a region are then rejected.</summary>
    /// <param name="options">The options to change.</param>
    /// <param name="regions">The regions (e.g. <c>eu-west-1</c>, <c>eu-*</c>).</param>
    /// <returns><paramref name="options"/>.</returns>
    public static ChatOptions WithAllowedRegions(this ChatOptions options, params string[] regions) =>
        Set(options, AllowedRegionsKey, CheckList(regions, nameof(regions)));

    /// <summary>Blocks deployments in these regions for this request.</summary>
    /// <param name="options">The options to change.</param>
    /// <param name="regions">The regions.</param>
    /// <returns><paramref name="options"/>.</returns>
    public static ChatOptions WithBlockedRegions(this ChatOptions options, params string[] regions) =>
        Set(options, BlockedRegionsKey, CheckList(regions, nameof(regions)));

    /// <summary>
    /// Requires models that can emit several tool calls in one turn. Takes effect when the request has tools and
    /// <see cref="ChatOptions.AllowMultipleToolCalls"/> is not <see langword="false"/> (a conversation that already contains a turn with
    /// several tool calls requires it without this hint).
    /// </summary>
    /// <param name="options">The options to change.</param>
    /// <returns><paramref name="options"/>.</returns>
    public static ChatOptions WithParallelToolCalls(this ChatOptions options) => Set(options, ParallelToolCallsKey, true);

    /// <summary>Turns the configured cascade (<c>LlmRouting:Routing:Cascade</c>) on or off for this request.</summary>
    /// <param name="options">The options to change.</param>
    /// <param name="enabled">Whether to cascade.</param>
    /// <returns><paramref name="options"/>.</returns>
    public static ChatOptions WithCascade(this ChatOptions options, bool enabled = true) => Set(options, CascadeKey, enabled);

    /// <summary>Reads the routing hints of a request.</summary>
    /// <param name="options">The options, possibly <see langword="null"/>.</param>
    /// <returns>The hints; <see cref="RoutingHints.None"/> when there are none.</returns>
    /// <exception cref="ArgumentException">A hint has a value of the wrong type or out of range; the message names the key.</exception>
    public static RoutingHints GetRoutingHints(this ChatOptions? options) => RoutingHints.FromOptions(options);

    private static ChatOptions Set(ChatOptions options, string key, object value)
    {
        ArgumentNullException.ThrowIfNull(options);
        (options.AdditionalProperties ??= [])[key] = value;
        return options;
    }

    private static string[] CheckList(string[] values, string name)
    {
        ArgumentNullException.ThrowIfNull(values, name);
        foreach (string v in values)
        {
            if (string.IsNullOrWhiteSpace(v))
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The values of '{name}' cannot be empty."), name);
            }
        }

        return [.. values];
    }
}
