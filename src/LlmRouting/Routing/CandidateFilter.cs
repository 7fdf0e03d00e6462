using System.Globalization;

namespace LlmRouting;

/// <summary>The router's eligibility rules: pinning, provider/model/region policy, tier, experiment variant, capabilities, context window, and the hinted limits.</summary>
internal static class CandidateFilter
{
    /// <summary>A restriction of the deployments a request may use (a tier or an experiment variant).</summary>
    public sealed record Restriction(string Code, IList<string> Patterns, string Detail);

    /// <summary>Checks everything that does not need predictions.</summary>
    public static CandidateRejection? Static(Deployment d, RequestProfile profile, RoutingOptions options, IReadOnlyList<Restriction> restrictions)
    {
        if (profile.PinnedModel is { } pinned
            && !string.Equals(pinned, d.Name, StringComparison.OrdinalIgnoreCase)
            && !string.Equals(pinned, d.Model, StringComparison.OrdinalIgnoreCase)
            && !string.Equals(pinned, d.ModelInfo.Key, StringComparison.OrdinalIgnoreCase))
        {
            return Rejection(d, RoutingRejectionReasons.NotPinned, "The request pinned another model with ChatOptions.ModelId.");
        }

        RoutingHints hints = profile.Hints;
        if (Blocked(options.BlockedProviders, hints.BlockedProviders, d.Provider) is { } blockedBy)
        {
            return Rejection(d, RoutingRejectionReasons.ProviderBlocked, $"Provider '{d.Provider}' is blocked by {blockedBy}.");
        }

        if (NotAllowed(options.AllowedProviders, hints.AllowedProviders, d.Provider) is { } providerList)
        {
            return Rejection(d, RoutingRejectionReasons.ProviderNotAllowed, $"Provider '{d.Provider}' is not in {providerList}.");
        }

        if (BlockedModel(options.BlockedModels, hints.BlockedModels, d) is { } modelBlockedBy)
        {
            return Rejection(d, RoutingRejectionReasons.ModelBlocked, $"Model '{d.ModelInfo.Key}' is blocked by {modelBlockedBy}.");
        }

        if (ModelNotAllowed(options.AllowedModels, hints.AllowedModels, d) is { } modelList)
        {
            return Rejection(d, RoutingRejectionReasons.ModelNotAllowed, $"Model '{d.ModelInfo.Key}' is not in {modelList}.");
        }

        if (d.Region is { } region && Blocked(options.BlockedRegions, hints.BlockedRegions, region) is { } regionBlockedBy)
        {
            return Rejection(d, RoutingRejectionReasons.RegionBlocked, $"Region '{region}' is blocked by {regionBlockedBy}.");
        }

        if (NotAllowed(options.AllowedRegions, hints.AllowedRegions, d.Region) is { } regionList)
        {
            return Rejection(d, RoutingRejectionReasons.RegionNotAllowed, d.Region is null
                ? $"The deployment has no region, and regions are restricted to {regionList}."
                : $"Region '{d.Region}' is not in {regionList}.");
        }

        foreach (Restriction r in restrictions)
        {
            if (!(WildcardPattern.Any(r.Patterns, d.Name) || WildcardPattern.Any(r.Patterns, d.Model) || WildcardPattern.Any(r.Patterns, d.ModelInfo.Key)))
            {
                return Rejection(d, r.Code, r.Detail);
            }
        }

        ModelCapabilities missing = profile.RequiredCapabilities & ~d.ModelInfo.Capabilities;
        if (missing != ModelCapabilities.None)
        {
            string code = missing.HasFlag(ModelCapabilities.Vision) ? RoutingRejectionReasons.NoVision
                : missing.HasFlag(ModelCapabilities.Tools) ? RoutingRejectionReasons.NoTools
                : missing.HasFlag(ModelCapabilities.ParallelToolCalls) ? RoutingRejectionReasons.NoParallelTools
                : missing.HasFlag(ModelCapabilities.JsonSchema) ? RoutingRejectionReasons.NoJsonSchema
                : missing.HasFlag(ModelCapabilities.Reasoning) ? RoutingRejectionReasons.NoReasoning
                : RoutingRejectionReasons.MissingCapability;
            return Rejection(d, code, $"The model lacks capabilities the request needs: {missing}.");
        }

        if (d.ModelInfo.ContextWindow is int window && profile.EstimatedInputTokens + profile.EstimatedOutputTokens > window)
        {
            return Rejection(d, RoutingRejectionReasons.ContextWindow, string.Create(
                CultureInfo.InvariantCulture,
                $"Estimated {profile.EstimatedInputTokens} prompt + {profile.EstimatedOutputTokens} output tokens exceed the {window}-token context window."));
        }

        return null;
    }

    /// <summary>Checks the hinted hard limits against a candidate's estimates and predictions.</summary>
    public static CandidateRejection? Limits(RoutingCandidate c, RoutingHints hints)
    {
        Deployment d = c.Deployment;
        if (hints.MaxCostUsd is decimal maxCost)
        {
            if (!c.IsCostKnown)
            {
                return Rejection(d, RoutingRejectionReasons.CostUnknown, "The request has a maximum cost and the deployment's price is unknown.");
            }

            if (c.EstimatedCostUsd > maxCost)
            {
                return Rejection(d, RoutingRejectionReasons.OverMaxCost, string.Create(
                    CultureInfo.InvariantCulture, $"Estimated ${c.EstimatedCostUsd:0.##########} exceeds the maximum of ${maxCost:0.##########} per call."));
            }
        }

        if (hints.MaxLatency is TimeSpan maxLatency)
        {
            if (c.PredictedLatency is not TimeSpan predicted)
            {
                return Rejection(d, RoutingRejectionReasons.LatencyUnknown, "The request has a maximum latency and nothing predicts the deployment's latency yet (no statistics, no catalog prior).");
            }

            if (predicted > maxLatency)
            {
                return Rejection(d, RoutingRejectionReasons.OverMaxLatency, string.Create(
                    CultureInfo.InvariantCulture, $"Predicted {predicted.TotalMilliseconds:0} ms exceeds the maximum of {maxLatency.TotalMilliseconds:0} ms."));
            }
        }

        if (hints.MinQuality is double minQuality)
        {
            if (c.PredictedQuality is not double quality)
            {
                return Rejection(d, RoutingRejectionReasons.QualityUnknown, "The request has a minimum quality and nothing predicts the deployment's quality (no catalog prior, no configured prior, no feedback).");
            }

            if (quality < minQuality)
            {
                return Rejection(d, RoutingRejectionReasons.UnderMinQuality, string.Create(
                    CultureInfo.InvariantCulture, $"Predicted quality {quality:0.00} is below the minimum of {minQuality:0.00}."));
            }
        }

        return null;
    }

    public static CandidateRejection Rejection(Deployment d, string reason, string detail) => new(d.Name, d.Provider, d.Model, reason, detail);

    private static string? Blocked(IList<string> configured, IReadOnlyList<string> requested, string value) =>
        WildcardPattern.Any(configured, value) ? "LlmRouting:Routing configuration"
        : WildcardPattern.Any(requested, value) ? "the request" : null;

    private static string? NotAllowed(IList<string> configured, IReadOnlyList<string> requested, string? value) =>
        configured.Count > 0 && !WildcardPattern.Any(configured, value) ? "the allowed list of LlmRouting:Routing configuration"
        : requested.Count > 0 && !WildcardPattern.Any(requested, value) ? "the request's allowed list" : null;

    private static bool MatchesModel(IEnumerable<string> patterns, Deployment d) =>
        WildcardPattern.Any(patterns, d.Model) || WildcardPattern.Any(patterns, d.ModelInfo.Key);

    private static string? BlockedModel(IList<string> configured, IReadOnlyList<string> requested, Deployment d) =>
        MatchesModel(configured, d) ? "LlmRouting:Routing configuration" : MatchesModel(requested, d) ? "the request" : null;

    private static string? ModelNotAllowed(IList<string> configured, IReadOnlyList<string> requested, Deployment d) =>
        configured.Count > 0 && !MatchesModel(configured, d) ? "the allowed list of LlmRouting:Routing configuration"
        : requested.Count > 0 && !MatchesModel(requested, d) ? "the request's allowed list" : null;
}
