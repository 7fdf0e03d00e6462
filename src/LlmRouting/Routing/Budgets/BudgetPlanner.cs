using System.Security.Cryptography;
using System.Text;

namespace LlmRouting;

/// <summary>Works out which budget accounts a request is counted in.</summary>
internal static class BudgetPlanner
{
    /// <summary>The accounts that do not depend on the deployment (global, user, tenant, tag, key), in rule-name order.</summary>
    public static List<(BudgetAccount Account, BudgetMode Mode)> RequestAccounts(IDictionary<string, BudgetOptions> budgets, RoutingHints hints)
    {
        var accounts = new List<(BudgetAccount, BudgetMode)>();
        foreach ((string name, BudgetOptions rule) in Ordered(budgets))
        {
            switch (rule.Scope)
            {
                case BudgetScope.Global:
                    accounts.Add((Account(name, rule, "*", null), rule.Mode));
                    break;
                case BudgetScope.User when hints.User is { } user && Matches(rule, user):
                    accounts.Add((Account(name, rule, "u:" + Hash(user), null), rule.Mode));
                    break;
                case BudgetScope.Tenant when hints.Tenant is { } tenant && Matches(rule, tenant):
                    accounts.Add((Account(name, rule, tenant, tenant), rule.Mode));
                    break;
                case BudgetScope.Key when hints.BudgetKey is { } key && Matches(rule, key):
                    accounts.Add((Account(name, rule, key, key), rule.Mode));
                    break;
                case BudgetScope.Tag:
                    foreach (string tag in hints.Tags.Distinct(StringComparer.OrdinalIgnoreCase))
                    {
                        if (Matches(rule, tag))
                        {
                            accounts.Add((Account(name, rule, tag, tag), rule.Mode));
                        }
                    }

                    break;
            }
        }

        return accounts;
    }

    /// <summary>The deployment-scoped accounts of one deployment.</summary>
    public static List<(BudgetAccount Account, BudgetMode Mode)> DeploymentAccounts(IDictionary<string, BudgetOptions> budgets, Deployment deployment)
    {
        var accounts = new List<(BudgetAccount, BudgetMode)>();
        foreach ((string name, BudgetOptions rule) in Ordered(budgets))
        {
            if (rule.Scope == BudgetScope.Deployment && Matches(rule, deployment.Name))
            {
                accounts.Add((Account(name, rule, deployment.Name, deployment.Name), rule.Mode));
            }
        }

        return accounts;
    }

    public static bool HasDeploymentRules(IDictionary<string, BudgetOptions> budgets) =>
        budgets.Values.Any(b => b is { Enabled: true, Scope: BudgetScope.Deployment });

    private static IEnumerable<KeyValuePair<string, BudgetOptions>> Ordered(IDictionary<string, BudgetOptions> budgets) =>
        budgets.Where(b => b.Value is { Enabled: true }).OrderBy(b => b.Key, StringComparer.Ordinal);

    private static bool Matches(BudgetOptions rule, string value) =>
        rule.Key is null || string.Equals(rule.Key, value, StringComparison.OrdinalIgnoreCase);

    private static BudgetAccount Account(string name, BudgetOptions rule, string idValue, string? key) =>
        new($"{name}/{rule.Scope.ToString().ToLowerInvariant()}/{idValue.ToLowerInvariant()}", name, rule.Scope, key, rule.LimitUsd, rule.Period, rule.Window);

    private static string Hash(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)).AsSpan(0, 12));
}
