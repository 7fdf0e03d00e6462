using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LlmRouting;

/// <summary>DI registrations of the router's services, and how a router built from DI picks them up.</summary>
internal static class RouterServices
{
    /// <summary>Registers the statistics and budget stores, feedback, experiment results and the built-in policies (each only if absent).</summary>
    public static void Add(IServiceCollection services)
    {
        services.TryAddSingleton<IRoutingStatisticsStore>(static sp => new InMemoryRoutingStatisticsStore(
            RoutingSettings(sp)?.Statistics.HalfLife ?? TimeSpan.FromMinutes(5), sp.GetService<TimeProvider>()));
        services.TryAddSingleton<IBudgetStore>(static sp => new InMemoryBudgetStore(sp.GetService<TimeProvider>()));
        services.TryAddSingleton(static sp => new RoutingFeedback(sp.GetRequiredService<IRoutingStatisticsStore>, new ExperimentTracker()));
        services.TryAddSingleton<IRoutingFeedback>(static sp => sp.GetRequiredService<RoutingFeedback>());
        services.TryAddSingleton<IExperimentResults>(static sp => sp.GetRequiredService<RoutingFeedback>().Experiments);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRoutingPolicy, WeightedRoutingPolicy>(static _ => new WeightedRoutingPolicy()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRoutingPolicy, FastestRoutingPolicy>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRoutingPolicy, BalancedRoutingPolicy>(static sp => new BalancedRoutingPolicy(() => RoutingSettings(sp)?.Balanced)));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRoutingPolicy, SloRoutingPolicy>(static sp => new SloRoutingPolicy(() => RoutingSettings(sp)?.Slo)));
    }

    /// <summary>Gives a router built by <c>UseCostRouter</c> the registered settings, stores, policies, feedback and logger.</summary>
    public static void Configure(CostRouterChatClient router, IServiceProvider services)
    {
        if (services.GetService<IOptions<LlmRoutingOptions>>()?.Value is { } options)
        {
            router.Options = options.Routing;
            router.Budgets = options.Budgets;
        }

        if (services.GetService<IRoutingStatisticsStore>() is { } statistics)
        {
            router.Statistics = statistics;
        }

        if (services.GetService<IBudgetStore>() is { } budgets)
        {
            router.BudgetStore = budgets;
        }

        if (services.GetService<RoutingFeedback>() is { } feedback)
        {
            router.UseFeedback(feedback);
        }

        if (services.GetService<IEnumerable<IRoutingPolicy>>() is { } policies)
        {
            foreach (IRoutingPolicy policy in policies)
            {
                router.Policies.Add(policy);
            }
        }

        if (services.GetService<ILoggerFactory>() is { } loggers)
        {
            router.Logger = loggers.CreateLogger<CostRouterChatClient>();
        }
    }

    private static RoutingOptions? RoutingSettings(IServiceProvider services) => services.GetService<IOptions<LlmRoutingOptions>>()?.Value.Routing;
}
