using LlmRouting;
using LlmRouting.Redis;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Moves LlmRouting's shared state to Redis.</summary>
public static class LlmRoutingRedisServiceCollectionExtensions
{
    /// <summary>
    /// Moves LlmRouting's fleet-wide state to Redis with one call. The in-memory defaults are replaced; while Redis is
    /// unreachable, requests keep flowing on local state (fail-open) unless configured otherwise.
    /// </summary>
    /// <param name="services">The services (after or before <c>AddLlmRouting</c>).</param>
    /// <param name="connectionString">The StackExchange.Redis connection string.</param>
    /// <param name="configure">Adjusts the options.</param>
    /// <returns>The services.</returns>
    /// <exception cref="ArgumentException"><paramref name="connectionString"/> is empty.</exception>
    public static IServiceCollection AddLlmRoutingRedis(this IServiceCollection services, string connectionString, Action<LlmRoutingRedisOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var options = new LlmRoutingRedisOptions { ConnectionString = connectionString };
        configure?.Invoke(options);
        Validate(options);
        services.TryAddSingleton(options);
        services.TryAddSingleton(sp => new RedisConnection(options, sp.GetService<ILogger<RedisConnection>>()));
        services.Replace(ServiceDescriptor.Singleton<IBudgetStore>(static sp => new RedisBudgetStore(
            sp.GetRequiredService<RedisConnection>(), sp.GetService<TimeProvider>(), sp.GetService<ILogger<RedisBudgetStore>>())));
        services.Replace(ServiceDescriptor.Singleton<IRoutingStatisticsStore>(static sp => new RedisRoutingStatisticsStore(
            sp.GetRequiredService<RedisConnection>(),
            sp.GetService<Microsoft.Extensions.Options.IOptions<LlmRoutingOptions>>()?.Value.Routing.Statistics.HalfLife,
            sp.GetService<TimeProvider>(),
            startTimer: true,
            sp.GetService<ILogger<RedisRoutingStatisticsStore>>())));
        if (options.ResponseCache)
        {
            services.Replace(ServiceDescriptor.Singleton<IDistributedCache>(sp => new RedisResponseCache(sp.GetRequiredService<RedisConnection>(), sp.GetService<TimeProvider>())));
        }

        return services;
    }

    private static void Validate(LlmRoutingRedisOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            throw new ArgumentException($"{LlmRoutingRedisOptions.SectionName}:ConnectionString is required.", nameof(options));
        }

        if (options.OperationTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{LlmRoutingRedisOptions.SectionName}:OperationTimeout must be positive.", nameof(options));
        }

        if (options.StatisticsSyncInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{LlmRoutingRedisOptions.SectionName}:StatisticsSyncInterval must be positive.", nameof(options));
        }

        if (options.BudgetReservationTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{LlmRoutingRedisOptions.SectionName}:BudgetReservationTimeout must be positive.", nameof(options));
        }

        if (options.ResponseCacheTimeToLive <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{LlmRoutingRedisOptions.SectionName}:ResponseCacheTimeToLive must be positive.", nameof(options));
        }
    }
}
