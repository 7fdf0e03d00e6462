using System.Globalization;

namespace LlmRouting;

/// <summary>Start-up validation of <c>LlmRouting:Routing</c> and <c>LlmRouting:Budgets</c>; every message names the setting.</summary>
internal static class RoutingOptionsValidation
{
    private const string S = LlmRoutingOptions.SectionName;

    public static void Check(LlmRoutingOptions options, IEnumerable<IRoutingPolicy> policies, List<string> errors)
    {
        RoutingOptions routing = options.Routing;
        var deployments = new HashSet<string>(options.Deployments?.Keys ?? [], StringComparer.OrdinalIgnoreCase);
        var policyNames = new HashSet<string>(policies.Select(p => p.Name), StringComparer.OrdinalIgnoreCase);

        CheckList(routing.AllowedProviders, $"{S}:Routing:AllowedProviders", errors);
        CheckList(routing.BlockedProviders, $"{S}:Routing:BlockedProviders", errors);
        CheckList(routing.AllowedModels, $"{S}:Routing:AllowedModels", errors);
        CheckList(routing.BlockedModels, $"{S}:Routing:BlockedModels", errors);
        CheckList(routing.AllowedRegions, $"{S}:Routing:AllowedRegions", errors);
        CheckList(routing.BlockedRegions, $"{S}:Routing:BlockedRegions", errors);

        foreach ((string tier, IList<string>? members) in routing.Tiers)
        {
            if (members is not { Count: > 0 })
            {
                errors.Add($"{S}:Routing:Tiers:{tier} must list at least one deployment, model id or catalog key.");
            }
            else
            {
                CheckList(members, $"{S}:Routing:Tiers:{tier}", errors);
            }
        }

        foreach ((string key, double q) in routing.QualityPriors)
        {
            if (!(q >= 0 && q <= 1))
            {
                errors.Add(Invariant($"{S}:Routing:QualityPriors:{key} must be between 0 and 1 (was {q})."));
            }
        }

        BalancedRoutingPolicyOptions balanced = routing.Balanced;
        foreach ((string name, double w) in new[] { ("CostWeight", balanced.CostWeight), ("LatencyWeight", balanced.LatencyWeight), ("QualityWeight", balanced.QualityWeight) })
        {
            if (!(w >= 0) || !double.IsFinite(w))
            {
                errors.Add(Invariant($"{S}:Routing:Balanced:{name} must be a finite number of at least 0 (was {w})."));
            }
        }

        if (balanced.CostWeight + balanced.LatencyWeight + balanced.QualityWeight <= 0)
        {
            errors.Add($"{S}:Routing:Balanced needs at least one positive weight (CostWeight, LatencyWeight, QualityWeight).");
        }

        if (routing.Slo.MaxLatency is { } maxLatency && maxLatency <= TimeSpan.Zero)
        {
            errors.Add(Invariant($"{S}:Routing:Slo:MaxLatency must be positive (was {maxLatency})."));
        }

        if (routing.Slo.MaxCostUsd is decimal maxCost && maxCost < 0)
        {
            errors.Add(Invariant($"{S}:Routing:Slo:MaxCostUsd cannot be negative (was {maxCost})."));
        }

        if (routing.Slo.MinQuality is double minQuality && !(minQuality >= 0 && minQuality <= 1))
        {
            errors.Add(Invariant($"{S}:Routing:Slo:MinQuality must be between 0 and 1 (was {minQuality})."));
        }

        if (routing.Statistics.HalfLife <= TimeSpan.Zero)
        {
            errors.Add(Invariant($"{S}:Routing:Statistics:HalfLife must be positive (was {routing.Statistics.HalfLife})."));
        }

        if (!(routing.Statistics.PriorWeight >= 0) || !double.IsFinite(routing.Statistics.PriorWeight))
        {
            errors.Add(Invariant($"{S}:Routing:Statistics:PriorWeight must be a finite number of at least 0 (was {routing.Statistics.PriorWeight})."));
        }

        foreach ((string name, ExperimentOptions? experiment) in routing.Experiments)
        {
            string path = $"{S}:Routing:Experiments:{name}";
            if (experiment is null || experiment.Variants.Count == 0)
            {
                errors.Add($"{path}:Variants must contain at least one variant.");
                continue;
            }

            double total = 0;
            foreach ((string variantName, ExperimentVariantOptions? variant) in experiment.Variants)
            {
                string vpath = $"{path}:Variants:{variantName}";
                if (variant is null)
                {
                    errors.Add($"{vpath} is empty.");
                    continue;
                }

                if (!(variant.Percent >= 0 && variant.Percent <= 100))
                {
                    errors.Add(Invariant($"{vpath}:Percent must be between 0 and 100 (was {variant.Percent})."));
                }
                else
                {
                    total += variant.Percent;
                }

                if (variant.Policy is { } policy && !policyNames.Contains(policy))
                {
                    errors.Add($"{vpath}:Policy '{policy}' is not a registered routing policy. Known policies: {string.Join(", ", policyNames.Order(StringComparer.Ordinal))}.");
                }

                foreach (string deployment in variant.Deployments)
                {
                    if (!deployments.Contains(deployment))
                    {
                        errors.Add($"{vpath}:Deployments names '{deployment}', which is not a configured deployment.");
                    }
                }
            }

            if (total <= 0 || total > 100 + 1e-9)
            {
                errors.Add(Invariant($"{path}:Variants percentages must add up to more than 0 and at most 100 (was {total})."));
            }
        }

        CascadeOptions cascade = routing.Cascade;
        if (!(cascade.MinConfidence >= 0 && cascade.MinConfidence <= 1))
        {
            errors.Add(Invariant($"{S}:Routing:Cascade:MinConfidence must be between 0 and 1 (was {cascade.MinConfidence})."));
        }

        for (int i = 0; i < cascade.Steps.Count; i++)
        {
            if (!deployments.Contains(cascade.Steps[i]))
            {
                errors.Add(Invariant($"{S}:Routing:Cascade:Steps:{i} names '{cascade.Steps[i]}', which is not a configured deployment."));
            }
        }

        if (cascade.Steps.Count == 1)
        {
            errors.Add($"{S}:Routing:Cascade:Steps needs at least two deployments (or none, to cascade from the cheapest to the best candidate).");
        }

        foreach ((string name, BudgetOptions? budget) in options.Budgets)
        {
            string path = $"{S}:Budgets:{name}";
            if (budget is null)
            {
                errors.Add($"{path} is empty.");
                continue;
            }

            if (budget.LimitUsd <= 0)
            {
                errors.Add(Invariant($"{path}:LimitUsd must be positive (was {budget.LimitUsd})."));
            }

            if (!Enum.IsDefined(budget.Scope))
            {
                errors.Add($"{path}:Scope must be one of {string.Join(", ", Enum.GetNames<BudgetScope>())}.");
            }

            if (!Enum.IsDefined(budget.Period))
            {
                errors.Add($"{path}:Period must be one of {string.Join(", ", Enum.GetNames<BudgetPeriod>())}.");
            }

            if (!Enum.IsDefined(budget.Window))
            {
                errors.Add($"{path}:Window must be one of {string.Join(", ", Enum.GetNames<BudgetWindow>())}.");
            }

            if (!Enum.IsDefined(budget.Mode))
            {
                errors.Add($"{path}:Mode must be one of {string.Join(", ", Enum.GetNames<BudgetMode>())}.");
            }

            if (budget.Key is { } key)
            {
                if (string.IsNullOrWhiteSpace(key))
                {
                    errors.Add($"{path}:Key cannot be empty (leave it out to count every value separately).");
                }
                else if (budget.Scope == BudgetScope.Global)
                {
                    errors.Add($"{path}:Key does not apply to a Global budget.");
                }
                else if (budget.Scope == BudgetScope.Deployment && !deployments.Contains(key))
                {
                    errors.Add($"{path}:Key names '{key}', which is not a configured deployment.");
                }
            }
        }
    }

    private static void CheckList(IList<string>? values, string path, List<string> errors)
    {
        if (values is null)
        {
            return;
        }

        for (int i = 0; i < values.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(values[i]))
            {
                errors.Add(Invariant($"{path}:{i} cannot be empty."));
            }
        }
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
