using System.Globalization;
using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>Routing: profile, experiments, eligibility, predictions, ranking, budgets.</summary>
public sealed partial class CostRouterChatClient
{
    private const int MaxReservationRounds = 8;
    private static readonly List<CandidateFilter.Restriction> s_noRestrictions = [];

    private async ValueTask<RouteState> RouteAsync(
        IReadOnlyList<ChatMessage> messages, ChatOptions? options, bool streaming, RequestTelemetryScope? telemetry, CancellationToken cancellationToken)
    {
        RouteState state = PlanCore(messages, options, streaming, telemetry);
        await ApplyBudgetsAsync(state, cancellationToken).ConfigureAwait(false);
        Finish(state);

        ChatOptions routed = options?.Clone() ?? new ChatOptions();
        routed.AdditionalProperties = routed.AdditionalProperties is { } existing ? new AdditionalPropertiesDictionary(existing) : [];
        routed.AdditionalProperties[LlmRequestContext.OptionsKey] = state.Context;
        state.Options = routed;
        return state;
    }

    private RouteState PlanCore(IReadOnlyList<ChatMessage> messages, ChatOptions? options, bool streaming, RequestTelemetryScope? telemetry = null)
    {
        var context = new LlmRequestContext(Guid.NewGuid().ToString("N"), streaming, _timeProvider);

        // Attached before routing, so a request that routing refuses still has its policy, rejections and tenant on the span and in the log.
        telemetry?.Attach(context);
        RequestProfile profile = RequestProfile.Create(messages, options, _defaultEstimatedOutputTokens);
        RoutingOptions settings = _options;
        RoutingHints hints = profile.Hints;
        context.Hints = hints;
        context.EstimatedInputTokens = profile.EstimatedInputTokens;
        context.EstimatedOutputTokens = profile.EstimatedOutputTokens;

        List<CandidateFilter.Restriction>? restrictions = null;
        if (hints.Tier is { } tier)
        {
            if (!settings.Tiers.TryGetValue(tier, out IList<string>? members))
            {
                throw new ArgumentException(
                    $"The tier '{tier}' of ChatOptions.AdditionalProperties['{LlmRoutingHints.TierKey}'] is not configured in LlmRouting:Routing:Tiers. Known tiers: {Known(settings.Tiers.Keys)}.",
                    nameof(options));
            }

            (restrictions ??= []).Add(new CandidateFilter.Restriction(RoutingRejectionReasons.NotInTier, members, $"The request asked for tier '{tier}'."));
        }

        // A pinned request names its deployment: it is not enrolled in experiments.
        string? variantPolicy = profile.PinnedModel is null ? AssignExperiments(context, hints, settings, ref restrictions) : null;
        IRoutingPolicy policy = SelectPolicy(hints, variantPolicy);
        context.Policy = profile.PinnedModel is null ? policy.Name : "pinned";

        IReadOnlyList<Deployment> deployments = _registry.Deployments;
        var eligible = new List<RoutingCandidate>(deployments.Count);
        IRoutingStatisticsStore statistics = _statistics;
        foreach (Deployment deployment in deployments)
        {
            if (CandidateFilter.Static(deployment, profile, settings, restrictions ?? s_noRestrictions) is { } rejection)
            {
                context.Rejections.Add(rejection);
                continue;
            }

            decimal cost = deployment.ModelInfo.Pricing.Estimate(profile.EstimatedInputTokens, profile.EstimatedOutputTokens);
            RoutingCandidate candidate = RoutingPredictor.Predict(
                deployment, cost, profile.EstimatedOutputTokens, ReadStatistics(statistics, deployment, context), settings.Statistics.PriorWeight, settings.QualityPriors);
            if (CandidateFilter.Limits(candidate, hints) is { } limit)
            {
                context.Rejections.Add(limit);
                continue;
            }

            eligible.Add(candidate);
        }

        if (eligible.Count == 0)
        {
            throw NoEligible(context, string.Create(CultureInfo.InvariantCulture, $"None of the {deployments.Count} deployments can serve this request; see Rejections for each reason."));
        }

        var policyContext = new RoutingPolicyContext(eligible, profile, messages, options, context);
        IReadOnlyList<RoutingCandidate> ranked = policy.Rank(policyContext) ?? [];

        // A policy may drop candidates (or, wrongly, return unknown or repeated ones): keep the eligible ones, once each, and report the dropped.
        var kept = new List<RoutingCandidate>(ranked.Count);
        foreach (RoutingCandidate c in ranked)
        {
            if (c is not null && IndexOf(eligible, c.Deployment.Name) is int i && IndexOf(kept, c.Deployment.Name) is null)
            {
                kept.Add(eligible[i]);
            }
        }

        if (kept.Count < eligible.Count)
        {
            foreach (RoutingCandidate c in eligible)
            {
                if (IndexOf(kept, c.Deployment.Name) is null)
                {
                    context.Rejections.Add(CandidateFilter.Rejection(c.Deployment, RoutingRejectionReasons.PolicyExcluded, $"The '{policy.Name}' policy left the deployment out of its ranking."));
                }
            }
        }

        if (kept.Count == 0)
        {
            throw NoEligible(context, $"The '{policy.Name}' policy accepted none of the {eligible.Count} eligible deployments.");
        }

        // Resilience: open circuits and saturated client-side limits go behind the available candidates (Resilience/DeploymentHealthFilter).
        DeploymentHealthFilter.Apply(InnerClient.GetService<IDeploymentHealth>(), kept, context.Rejections, profile.EstimatedInputTokens + profile.EstimatedOutputTokens);

        return new RouteState
        {
            Context = context,
            Messages = messages,
            CallerOptions = options,
            Profile = profile,
            PolicyRanked = kept,
            Ranked = kept,
            PolicyName = policy.Name,
            PolicyReason = policyContext.Reason,
            StatisticsStore = statistics,
        };
    }

    private static string? AssignExperiments(LlmRequestContext context, RoutingHints hints, RoutingOptions settings, ref List<CandidateFilter.Restriction>? restrictions)
    {
        if (settings.Experiments.Count == 0)
        {
            return null;
        }

        string? policy = null;
        string key = hints.ExperimentKey ?? hints.User ?? hints.Tenant ?? context.RequestId;
        foreach ((string name, ExperimentOptions experiment) in settings.Experiments.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            if (experiment is not { Enabled: true } || experiment.Variants.Count == 0 || ExperimentAssigner.Assign(name, experiment, key) is not { } variant)
            {
                continue;
            }

            context.SetExperimentVariant(name, variant);
            ExperimentVariantOptions options = experiment.Variants[variant];
            policy = options.Policy ?? policy;
            if (options.Deployments is { Count: > 0 } deployments)
            {
                (restrictions ??= []).Add(new CandidateFilter.Restriction(
                    RoutingRejectionReasons.ExperimentVariant, deployments, $"Variant '{variant}' of experiment '{name}' routes to: {string.Join(", ", deployments)}."));
            }
        }

        return policy;
    }

    private IRoutingPolicy SelectPolicy(RoutingHints hints, string? variantPolicy)
    {
        if (hints.Policy is { } requested)
        {
            return FindPolicy(requested) ?? throw new ArgumentException(
                $"The routing policy '{requested}' of ChatOptions.AdditionalProperties['{LlmRoutingHints.PolicyKey}'] is not registered. Known policies: {Known(PolicyNames())}.",
                nameof(hints));
        }

        if (variantPolicy is not null)
        {
            return FindPolicy(variantPolicy) ?? throw new InvalidOperationException(
                $"An experiment variant in LlmRouting:Routing:Experiments uses the routing policy '{variantPolicy}', which is not registered. Known policies: {Known(PolicyNames())}.");
        }

        return _policy;
    }

    private IRoutingPolicy? FindPolicy(string name)
    {
        if (string.Equals(_policy.Name, name, StringComparison.OrdinalIgnoreCase))
        {
            return _policy;
        }

        for (int i = Policies.Count - 1; i >= 0; i--)
        {
            if (string.Equals(Policies[i].Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return Policies[i];
            }
        }

        return null;
    }

    private IEnumerable<string> PolicyNames() => Policies.Select(p => p.Name).Append(_policy.Name);

    /// <summary>Reads a deployment's statistics; a failing store means "nothing observed" (priors only), not a failed request.</summary>
    private DeploymentStatistics? ReadStatistics(IRoutingStatisticsStore store, Deployment deployment, LlmRequestContext context)
    {
        try
        {
            return store.GetStatistics(deployment.Name);
        }
#pragma warning disable CA1031 // Routing falls back to the catalog priors; the failure is logged.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.StatisticsFailed(_logger, ex, context.RequestId);
            return null;
        }
    }

    private static int? IndexOf(List<RoutingCandidate> candidates, string deployment)
    {
        for (int i = 0; i < candidates.Count; i++)
        {
            if (string.Equals(candidates[i].Deployment.Name, deployment, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return null;
    }

    private static string Known(IEnumerable<string> names)
    {
        string list = string.Join(", ", names.Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal));
        return list.Length == 0 ? "(none)" : list;
    }

    /// <summary>Writes the decision into the context: candidate order, first candidate's estimates, reason.</summary>
    private static void Finish(RouteState state)
    {
        LlmRequestContext context = state.Context;
        RoutingCandidate first = state.CascadeSteps is { } steps ? steps[0] : state.Ranked[0];
        context.Candidates = state.Ranked.Select(c => c.Deployment).ToArray();
        context.EstimatedCostUsd = first.EstimatedCostUsd;
        context.PredictedLatency = first.PredictedLatency;
        context.PredictedTimeToFirstToken = first.PredictedTimeToFirstToken;
        context.PredictedQuality = first.PredictedQuality;

        string reason;
        if (state.Profile.PinnedModel is not null)
        {
            reason = "pinned by ChatOptions.ModelId";
        }
        else if (state.PolicyReason is { } explained && ReferenceEquals(state.Ranked[0], state.PolicyRanked[0]))
        {
            reason = explained;
        }
        else
        {
            reason = string.Create(CultureInfo.InvariantCulture, $"{state.PolicyName}: ranked first of {state.Ranked.Count} eligible, estimated ${state.Ranked[0].EstimatedCostUsd:0.########}");
        }

        if (context.BudgetDowngraded)
        {
            reason += string.Create(CultureInfo.InvariantCulture, $"; downgraded by budget: {state.PolicyRanked.Count - state.Ranked.Count} preferred candidates do not fit what is left");
        }

        if (state.CascadeSteps is { } cascade)
        {
            reason += "; cascade: " + string.Join(" → ", cascade.Select(c => c.Deployment.Name));
        }

        context.Reason = reason;
    }

    private static NoEligibleDeploymentException NoEligible(LlmRequestContext context, string message) =>
        new(message, context.Rejections.ToArray()) { Report = context.BuildRoutingReport() };

    // ---- Budgets ----

    private async ValueTask ApplyBudgetsAsync(RouteState state, CancellationToken cancellationToken)
    {
        IDictionary<string, BudgetOptions> budgets = _budgets;
        List<(BudgetAccount Account, BudgetMode Mode)> requestAccounts = budgets.Count == 0 ? [] : BudgetPlanner.RequestAccounts(budgets, state.Profile.Hints);
        bool deploymentRules = budgets.Count > 0 && BudgetPlanner.HasDeploymentRules(budgets);
        if (requestAccounts.Count == 0 && !deploymentRules)
        {
            state.CascadeSteps = PlanCascade(state, state.Ranked);
            return;
        }

        IBudgetStore store = _budgetStore;
        IReadOnlyList<RoutingCandidate> ranked = state.PolicyRanked;
        var deploymentAccounts = new Dictionary<string, List<(BudgetAccount Account, BudgetMode Mode)>>(StringComparer.OrdinalIgnoreCase);
        if (deploymentRules)
        {
            foreach (RoutingCandidate c in ranked)
            {
                deploymentAccounts[c.Deployment.Name] = BudgetPlanner.DeploymentAccounts(budgets, c.Deployment);
            }
        }

        for (int round = 0; round < MaxReservationRounds; round++)
        {
            var usage = new Dictionary<string, BudgetUsage>(StringComparer.Ordinal);
            foreach ((BudgetAccount account, _) in requestAccounts.Concat(deploymentAccounts.Values.SelectMany(a => a)))
            {
                if (!usage.ContainsKey(account.Id))
                {
                    usage[account.Id] = await store.GetUsageAsync(account, cancellationToken).ConfigureAwait(false);
                }
            }

            (BudgetAccount Account, BudgetMode Mode)? binding = null;
            decimal requestRemaining = decimal.MaxValue;
            foreach ((BudgetAccount account, BudgetMode mode) in requestAccounts)
            {
                decimal remaining = usage[account.Id].RemainingUsd;
                if (remaining < requestRemaining)
                {
                    requestRemaining = remaining;
                    binding = (account, mode);
                }
            }

            var kept = new List<RoutingCandidate>(ranked.Count);
            var excluded = new List<(RoutingCandidate Candidate, BudgetAccount Account, BudgetMode Mode, decimal Remaining)>();
            foreach (RoutingCandidate c in ranked)
            {
                List<(BudgetAccount Account, BudgetMode Mode)> own = deploymentAccounts.GetValueOrDefault(c.Deployment.Name) ?? [];
                if (requestAccounts.Count == 0 && own.Count == 0)
                {
                    kept.Add(c);
                    continue;
                }

                (BudgetAccount Account, BudgetMode Mode)? blocking = null;
                decimal left = 0m;
                if (!c.IsCostKnown)
                {
                    blocking = binding ?? own[0];
                    left = usage[blocking.Value.Account.Id].RemainingUsd;
                }
                else if (binding is not null && c.EstimatedCostUsd > requestRemaining)
                {
                    blocking = binding;
                    left = requestRemaining;
                }
                else
                {
                    foreach ((BudgetAccount account, BudgetMode mode) in own)
                    {
                        decimal remaining = usage[account.Id].RemainingUsd;
                        if (c.EstimatedCostUsd > remaining)
                        {
                            blocking = (account, mode);
                            left = remaining;
                            break;
                        }
                    }
                }

                if (blocking is { } b)
                {
                    excluded.Add((c, b.Account, b.Mode, left));
                }
                else
                {
                    kept.Add(c);
                }
            }

            if (excluded.Count > 0 && ReferenceEquals(excluded[0].Candidate, ranked[0]) && excluded[0].Mode == BudgetMode.Reject)
            {
                throw BudgetExceeded(state, excluded, excluded[0]);
            }

            if (kept.Count == 0)
            {
                throw BudgetExceeded(state, excluded, excluded[0]);
            }

            IReadOnlyList<RoutingCandidate>? steps = PlanCascade(state, kept);
            decimal amount = kept.Max(c => c.EstimatedCostUsd);
            if (steps is not null)
            {
                decimal cascadeAmount = steps.Take(steps.Count - 1).Sum(c => c.EstimatedCostUsd)
                    + FinalStepCandidates(steps, kept).Max(c => c.EstimatedCostUsd);
                if (cascadeAmount <= requestRemaining)
                {
                    amount = cascadeAmount;
                }
                else
                {
                    steps = null; // both steps do not fit what is left: serve without the cascade
                }
            }

            var charges = new List<BudgetCharge>();
            var lines = new List<(BudgetAccount Account, BudgetMode Mode, decimal Reserved, decimal Remaining, string? Deployment)>();
            foreach ((BudgetAccount account, BudgetMode mode) in requestAccounts)
            {
                charges.Add(new BudgetCharge(account, amount));
                lines.Add((account, mode, amount, usage[account.Id].RemainingUsd, null));
            }

            foreach (RoutingCandidate c in kept)
            {
                foreach ((BudgetAccount account, BudgetMode mode) in deploymentAccounts.GetValueOrDefault(c.Deployment.Name) ?? [])
                {
                    charges.Add(new BudgetCharge(account, c.EstimatedCostUsd));
                    lines.Add((account, mode, c.EstimatedCostUsd, usage[account.Id].RemainingUsd, c.Deployment.Name));
                }
            }

            BudgetReservation? reservation = await store.TryReserveAsync(charges, cancellationToken).ConfigureAwait(false);
            if (reservation is null)
            {
                continue; // another request reserved in between: look again
            }

            state.Reservation = reservation;
            state.BudgetLines = lines;
            state.Ranked = kept;
            state.CascadeSteps = steps;
            state.Context.BudgetDowngraded = !ReferenceEquals(kept[0], ranked[0]);
            state.Context.SetBudgets(lines.Select(l => new BudgetStatus(l.Account.Budget, l.Account.Scope, l.Account.Key, l.Mode, l.Account.LimitUsd, l.Reserved, l.Remaining, null)).ToList());
            foreach ((RoutingCandidate c, BudgetAccount account, BudgetMode _, decimal left) in excluded)
            {
                state.Context.Rejections.Add(OverBudget(c, account, left));
            }

            if (state.Context.BudgetDowngraded)
            {
                Log.BudgetDowngrade(_logger, state.Context.RequestId, excluded[0].Account.Budget, kept[0].Deployment.Name);
            }

            return;
        }

        // Every round lost a race for the last of the budget: treat it as spent.
        (BudgetAccount Account, BudgetMode Mode) last = requestAccounts.Count > 0 ? requestAccounts[0] : deploymentAccounts.Values.First(a => a.Count > 0)[0];
        BudgetUsage now = await store.GetUsageAsync(last.Account, cancellationToken).ConfigureAwait(false);
        throw BudgetExceeded(state, [], (ranked[0], last.Account, last.Mode, now.RemainingUsd));
    }

    private BudgetExceededException BudgetExceeded(
        RouteState state,
        List<(RoutingCandidate Candidate, BudgetAccount Account, BudgetMode Mode, decimal Remaining)> excluded,
        (RoutingCandidate Candidate, BudgetAccount Account, BudgetMode Mode, decimal Remaining) cause)
    {
        foreach ((RoutingCandidate c, BudgetAccount account, BudgetMode _, decimal left) in excluded)
        {
            state.Context.Rejections.Add(OverBudget(c, account, left));
        }

        state.Context.Candidates = [];
        state.Context.Reason = $"budget '{cause.Account.Budget}' exceeded";
        DateTimeOffset? resetsAt = cause.Account.Window == BudgetWindow.Calendar
            ? BudgetPeriods.CalendarEnd(BudgetPeriods.CalendarStart(_timeProvider.GetUtcNow(), cause.Account.Period), cause.Account.Period)
            : null;
        Log.BudgetExceeded(_logger, state.Context.RequestId, cause.Account.Budget, cause.Mode);
        return new BudgetExceededException(cause.Account, cause.Mode, cause.Remaining, cause.Candidate.EstimatedCostUsd, resetsAt)
        {
            Report = state.Context.BuildRoutingReport(),
        };
    }

    private static CandidateRejection OverBudget(RoutingCandidate c, BudgetAccount account, decimal left) =>
        CandidateFilter.Rejection(c.Deployment, RoutingRejectionReasons.OverBudget, c.IsCostKnown
            ? string.Create(CultureInfo.InvariantCulture, $"Estimated ${c.EstimatedCostUsd:0.##########} exceeds the ${left:0.##########} left of budget '{account.Budget}' ({account.Scope.ToString().ToLowerInvariant()}).")
            : $"The deployment's price is unknown, so it cannot be charged to budget '{account.Budget}'.");

    // ---- State ----

    private sealed class RouteState
    {
        public required LlmRequestContext Context { get; init; }

        public required IReadOnlyList<ChatMessage> Messages { get; init; }

        public required ChatOptions? CallerOptions { get; init; }

        public required RequestProfile Profile { get; init; }

        /// <summary>The policy's ranking of the eligible candidates.</summary>
        public required IReadOnlyList<RoutingCandidate> PolicyRanked { get; init; }

        public required string PolicyName { get; init; }

        public required string? PolicyReason { get; init; }

        public required IRoutingStatisticsStore StatisticsStore { get; init; }

        /// <summary>The candidates the request may use, in order (after budgets).</summary>
        public required IReadOnlyList<RoutingCandidate> Ranked { get; set; }

        public ChatOptions Options { get; set; } = null!;

        public IReadOnlyList<RoutingCandidate>? CascadeSteps { get; set; }

        public BudgetReservation? Reservation { get; set; }

        public List<(BudgetAccount Account, BudgetMode Mode, decimal Reserved, decimal Remaining, string? Deployment)>? BudgetLines { get; set; }

        /// <summary>How many of the context's attempts the statistics have seen.</summary>
        public int RecordedAttempts { get; set; }

        /// <summary>The number of attempts made before the last cascade step started.</summary>
        public int FinalStepFirstAttempt { get; set; }

        public bool Completed { get; set; }

        public RoutingCandidate? Find(string deployment)
        {
            foreach (RoutingCandidate c in PolicyRanked)
            {
                if (string.Equals(c.Deployment.Name, deployment, StringComparison.OrdinalIgnoreCase))
                {
                    return c;
                }
            }

            return null;
        }
    }
}
