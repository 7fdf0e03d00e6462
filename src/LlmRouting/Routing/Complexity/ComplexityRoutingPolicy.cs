using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>
/// The <c>auto</c> policy: estimates from the prompt how capable a model the request needs (<see cref="IComplexityModel"/>,
/// by default the shipped <see cref="ComplexityModel.Default"/>), turns each candidate's intelligence index — from a
/// calibrated <see cref="ModelQualityProfile"/> or the catalog's <see cref="ModelPriors.IntelligenceIndex"/> — into an
/// expected quality, and ranks candidates by the operating point in <see cref="ComplexityRoutingOptions"/>.
/// </summary>
/// <remarks>
/// <para>With <see cref="ComplexityRoutingOptions.QualityValueUsd"/> <c>V</c>, candidates are ranked by
/// <c>V × expected quality − estimated cost</c>: an easy prompt stays on a cheap model because a stronger one would add
/// little expected quality, a hard one moves up when the gain is worth the price, and a prompt no candidate is likely to
/// answer well does not buy the most expensive model in vain. With <see cref="ComplexityRoutingOptions.MinimumExpectedQuality"/>,
/// candidates expected to reach it come first (cheapest first when no value is set); when none does, the most capable
/// leads. Candidates of unknown quality (no profile, no prior, no default index) follow those of known quality, cheapest first.
/// The rest of the order is the failover order.</para>
/// <para>Thread-safe; the options are copied when the policy is created.</para>
/// </remarks>
public sealed class ComplexityRoutingPolicy : IRoutingPolicy
{
    /// <summary>The policy name, <c>auto</c>.</summary>
    public const string PolicyName = "auto";

    private const int MaxAlignedEntries = 1024;

    private readonly Lazy<Settings> _settings;
    private readonly ConcurrentDictionary<(ModelQualityProfile Profile, IReadOnlyList<string> Names), double[]> _aligned = new();

    /// <summary>Initializes a new instance of the <see cref="ComplexityRoutingPolicy"/> class.</summary>
    /// <param name="options">The operating point and profiles; defaults when <see langword="null"/>.</param>
    /// <param name="model">The complexity model; <see cref="ComplexityModel.Default"/> when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">The options are invalid (see <see cref="Validate"/>).</exception>
    public ComplexityRoutingPolicy(ComplexityRoutingOptions? options = null, IComplexityModel? model = null)
    {
        options ??= new ComplexityRoutingOptions();
        if (Validate(options, "options") is { Count: > 0 } errors)
        {
            throw new ArgumentException(string.Join(" ", errors), nameof(options));
        }

        var settings = new Settings(options, model ?? ComplexityModel.Default);
        _settings = new Lazy<Settings>(settings);
    }

    /// <summary>Initializes a new instance of the <see cref="ComplexityRoutingPolicy"/> class whose options are read on first use.</summary>
    /// <remarks>For dependency injection: the options validator enumerates the registered policies, so reading options in the constructor would recurse.</remarks>
    internal ComplexityRoutingPolicy(Func<ComplexityRoutingOptions> options, Func<IComplexityModel?> model) =>
        _settings = new Lazy<Settings>(() => new Settings(options(), model() ?? ComplexityModel.Default), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <inheritdoc/>
    public string Name => PolicyName;

    /// <summary>Gets the complexity model.</summary>
    public IComplexityModel Model => _settings.Value.Model;

    /// <summary>Checks options and returns one message per problem, each naming the setting under <paramref name="path"/>.</summary>
    /// <param name="options">The options.</param>
    /// <param name="path">The configuration path of the options, e.g. <c>LlmRouting:Routing:Complexity</c>.</param>
    /// <returns>The problems; empty when valid.</returns>
    public static IReadOnlyList<string> Validate(ComplexityRoutingOptions options, string path)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.QualityValueUsd is { } value && !(value >= 0 && double.IsFinite(value)))
        {
            errors.Add($"{path}:QualityValueUsd must be a non-negative number.");
        }

        if (options.MinimumExpectedQuality is { } minimum && !(minimum is >= 0 and <= 1))
        {
            errors.Add($"{path}:MinimumExpectedQuality must be between 0 and 1.");
        }

        if (options.QualityValueUsd is null && options.MinimumExpectedQuality is null)
        {
            errors.Add($"{path}: set QualityValueUsd, MinimumExpectedQuality or both.");
        }

        if (options.DefaultIntelligenceIndex is { } index && !double.IsFinite(index))
        {
            errors.Add($"{path}:DefaultIntelligenceIndex must be a finite number.");
        }

        foreach ((string key, ModelQualityProfile? profile) in options.Profiles ?? new Dictionary<string, ModelQualityProfile>())
        {
            if (profile is null)
            {
                errors.Add($"{path}:Profiles:{key} is empty.");
                continue;
            }

            if (profile.IntelligenceIndex is { } i && !double.IsFinite(i))
            {
                errors.Add($"{path}:Profiles:{key}:IntelligenceIndex must be a finite number.");
            }

            foreach ((string trait, double loading) in profile.TraitLoadings ?? new Dictionary<string, double>())
            {
                if (!double.IsFinite(loading))
                {
                    errors.Add($"{path}:Profiles:{key}:TraitLoadings:{trait} must be a finite number.");
                }
            }
        }

        return errors;
    }

    /// <summary>Estimates the request's complexity and each candidate's expected quality (<see langword="null"/> when unknown), without ranking.</summary>
    internal (ComplexityEstimate Estimate, double?[] ExpectedQuality) Assess(IReadOnlyList<RoutingCandidate> candidates, IEnumerable<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(messages);
        ComplexityEstimate estimate = _settings.Value.Model.Estimate(messages);
        var quality = new double?[candidates.Count];
        for (int i = 0; i < candidates.Count; i++)
        {
            quality[i] = ExpectedQuality(estimate, candidates[i]);
        }

        return (estimate, quality);
    }

    /// <inheritdoc/>
    /// <remarks>Without the messages the prompt is unknown, so every request is ranked as an empty prompt would be; the router calls <see cref="Rank(RoutingPolicyContext)"/>.</remarks>
    public IReadOnlyList<RoutingCandidate> Rank(IReadOnlyList<RoutingCandidate> candidates, RequestProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        (_, double?[] quality) = Assess(candidates, []);
        return Order(candidates, quality);
    }

    /// <inheritdoc/>
    public IReadOnlyList<RoutingCandidate> Rank(RoutingPolicyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        (ComplexityEstimate estimate, double?[] quality) = Assess(context.Candidates, context.Messages);
        IReadOnlyList<RoutingCandidate> ranked = Order(context.Candidates, quality);
        int first = -1;
        for (int i = 0; i < context.Candidates.Count; i++)
        {
            if (ReferenceEquals(context.Candidates[i], ranked[0]))
            {
                first = i;
                break;
            }
        }

        double? q = first >= 0 ? quality[first] : null;
        context.Reason = string.Create(
            CultureInfo.InvariantCulture,
            $"auto: complexity {estimate.Score:0.00} (needs intelligence index ~{estimate.RequiredIntelligenceIndex:0.0}); expected quality {(q is { } x ? x.ToString("0.00", CultureInfo.InvariantCulture) : "unknown")} at ${ranked[0].EstimatedCostUsd:0.########}");
        return ranked;
    }

    private RoutingCandidate[] Order(IReadOnlyList<RoutingCandidate> candidates, double?[] quality)
    {
        var order = new int[candidates.Count];
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        Array.Sort(order, (a, b) => Compare(candidates[a], quality[a], candidates[b], quality[b]));
        var ranked = new RoutingCandidate[order.Length];
        for (int i = 0; i < order.Length; i++)
        {
            ranked[i] = candidates[order[i]];
        }

        return ranked;
    }

    private int Compare(RoutingCandidate a, double? qa, RoutingCandidate b, double? qb)
    {
        double? value = _settings.Value.QualityValueUsd;
        int c = Group(qa).CompareTo(Group(qb));
        if (c == 0 && qa is { } x && qb is { } y)
        {
            if (Group(qa) == 0)
            {
                c = value is { } v
                    ? ((v * y) - (double)b.EstimatedCostUsd).CompareTo((v * x) - (double)a.EstimatedCostUsd)
                    : a.EstimatedCostUsd.CompareTo(b.EstimatedCostUsd) is var cost and not 0 ? cost : y.CompareTo(x);
            }
            else
            {
                c = y.CompareTo(x);
            }
        }

        if (c == 0)
        {
            c = a.EstimatedCostUsd.CompareTo(b.EstimatedCostUsd);
        }

        if (c == 0)
        {
            c = a.Deployment.Priority.CompareTo(b.Deployment.Priority);
        }

        return c != 0 ? c : string.CompareOrdinal(a.Deployment.Name, b.Deployment.Name);
    }

    // 0: known quality reaching the minimum (or no minimum); 1: known, below the minimum; 2: unknown quality.
    private int Group(double? quality) => quality is not { } q ? 2 : _settings.Value.MinimumExpectedQuality is { } m && q < m ? 1 : 0;

    private double? ExpectedQuality(in ComplexityEstimate estimate, RoutingCandidate candidate)
    {
        Deployment deployment = candidate.Deployment;
        ModelQualityProfile? profile = FindProfile(deployment);
        double? index = profile?.IntelligenceIndex ?? IndexOf(candidate) ?? _settings.Value.DefaultIntelligenceIndex;
        if (index is not { } i)
        {
            return null;
        }

        double[]? loadings = null;
        if (profile is { TraitLoadings.Count: > 0 } && estimate.TraitNames is { } names)
        {
            // Models normally hand out one trait-name list; the bound keeps a model that does not from growing the cache.
            loadings = _aligned.TryGetValue((profile, names), out double[]? cached) ? cached : Align(profile, names);
            if (cached is null && _aligned.Count < MaxAlignedEntries)
            {
                _aligned.TryAdd((profile, names), loadings);
            }
        }

        return estimate.ExpectedQuality(i, loadings);
    }

    /// <summary>
    /// The candidate's intelligence index as the router's quality prior sees it: the catalog index when the predicted quality is
    /// the catalog prior, else the index at the predicted quality's catalog percentile (a configured <c>QualityPriors</c> entry,
    /// or a prior lowered by observed quality, moves the model along the same scale).
    /// </summary>
    private static double? IndexOf(RoutingCandidate candidate)
    {
        double? catalog = candidate.Deployment.ModelInfo.Priors?.IntelligenceIndex;
        if (candidate.PredictedQuality is not { } predicted)
        {
            return catalog;
        }

        if (catalog is { } c && QualityPriors.FromIntelligenceIndex(c) is { } prior && Math.Abs(prior - predicted) < 1e-9)
        {
            return c;
        }

        return QualityPriors.ToIntelligenceIndex(predicted) ?? catalog;
    }

    private static double[] Align(ModelQualityProfile profile, IReadOnlyList<string> names)
    {
        var aligned = new double[names.Count];
        for (int t = 0; t < aligned.Length; t++)
        {
            aligned[t] = profile.TraitLoadings.TryGetValue(names[t], out double loading) ? loading : 0;
        }

        return aligned;
    }

    private ModelQualityProfile? FindProfile(Deployment deployment)
    {
        Dictionary<string, ModelQualityProfile> profiles = _settings.Value.Profiles;
        if (profiles.Count == 0)
        {
            return null;
        }

        return profiles.TryGetValue(deployment.Name, out ModelQualityProfile? p)
            || profiles.TryGetValue(deployment.ModelInfo.Key, out p)
            || profiles.TryGetValue(deployment.Model, out p)
            ? p
            : null;
    }

    private sealed class Settings(ComplexityRoutingOptions options, IComplexityModel model)
    {
        public IComplexityModel Model { get; } = model;

        public double? QualityValueUsd { get; } = options.QualityValueUsd;

        public double? MinimumExpectedQuality { get; } = options.MinimumExpectedQuality;

        public double? DefaultIntelligenceIndex { get; } = options.DefaultIntelligenceIndex;

        public Dictionary<string, ModelQualityProfile> Profiles { get; } = new(options.Profiles ?? new Dictionary<string, ModelQualityProfile>(), StringComparer.OrdinalIgnoreCase);
    }
}
