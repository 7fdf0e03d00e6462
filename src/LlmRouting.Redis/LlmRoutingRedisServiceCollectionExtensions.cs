using LlmRouting;
using LlmRouting.Redis;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Configuration;
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
    /// <returns>The services.</returns>
    /// <exception cref="ArgumentException"><paramref name="connectionString"/> is empty.</exception>
    public static IServiceCollection AddLlmRoutingRedis(this IServiceCollection services, string connectionString) =>
        AddLlmRoutingRedis(services, connectionString, static _ => { });

    /// <summary>Moves LlmRouting's fleet-wide state to Redis, with options adjusted in code.</summary>
    /// <param name="services">The services (after or before <c>AddLlmRouting</c>).</param>
    /// <param name="connectionString">The StackExchange.Redis connection string.</param>
    /// <param name="configure">Adjusts the options.</param>
    /// <returns>The services.</returns>
    /// <exception cref="ArgumentException"><paramref name="connectionString"/> is empty or a setting is invalid.</exception>
    public static IServiceCollection AddLlmRoutingRedis(this IServiceCollection services, string connectionString, Action<LlmRoutingRedisOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new LlmRoutingRedisOptions { ConnectionString = connectionString };
        configure(options);
        return AddCore(services, options);
    }

    /// <summary>
    /// Moves LlmRouting's fleet-wide state to Redis with settings bound from configuration (<c>LlmRouting:Redis</c>, e.g.
    /// <c>LlmRouting:Redis:ConnectionString</c>). The settings are validated here, at start-up; errors name the setting.
    /// </summary>
    /// <param name="services">The services (after or before <c>AddLlmRouting</c>).</param>
    /// <param name="configuration">The application's configuration root (its <c>LlmRouting:Redis</c> section is used) or that section itself.</param>
    /// <returns>The services.</returns>
    /// <exception cref="ArgumentException">A setting is missing or invalid, e.g. <c>LlmRouting:Redis:ConnectionString is required.</c></exception>
    public static IServiceCollection AddLlmRoutingRedis(this IServiceCollection services, IConfiguration configuration) =>
        AddLlmRoutingRedis(services, configuration, static _ => { });

    /// <summary>Moves LlmRouting's fleet-wide state to Redis with settings bound from configuration (<c>LlmRouting:Redis</c>), then adjusted in code.</summary>
    /// <param name="services">The services (after or before <c>AddLlmRouting</c>).</param>
    /// <param name="configuration">The application's configuration root (its <c>LlmRouting:Redis</c> section is used) or that section itself.</param>
    /// <param name="configure">Adjusts the options after binding.</param>
    /// <returns>The services.</returns>
    /// <exception cref="ArgumentException">A setting is missing or invalid, e.g. <c>LlmRouting:Redis:ConnectionString is required.</c></exception>
    public static IServiceCollection AddLlmRoutingRedis(this IServiceCollection services, IConfiguration configuration, Action<LlmRoutingRedisOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        IConfiguration section = configuration is IConfigurationSection { Path: LlmRoutingRedisOptions.SectionName }
            ? configuration
            : configuration.GetSection(LlmRoutingRedisOptions.SectionName);
        var options = new LlmRoutingRedisOptions();
        try
        {
            section.Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            throw new ArgumentException($"{LlmRoutingRedisOptions.SectionName} has a value that cannot be read: {ex.Message}", nameof(configuration), ex);
        }

        configure?.Invoke(options);
        return AddCore(services, options);
    }

    private static IServiceCollection AddCore(IServiceCollection services, LlmRoutingRedisOptions options)
    {
        Validate(options);
        services.TryAddSingleton(options);
        services.TryAddSingleton(sp =>
        {
            var connection = new RedisConnection(options, sp.GetService<ILogger<RedisConnection>>());
            connection.Warm(); // connect now, not on the first request
            return connection;
        });
        services.Replace(ServiceDescriptor.Singleton<IBudgetStore>(static sp => new RedisBudgetStore(
            sp.GetRequiredService<RedisConnection>(), sp.GetService<TimeProvider>(), sp.GetService<ILogger<RedisBudgetStore>>())));
        services.Replace(ServiceDescriptor.Singleton<IRoutingStatisticsStore>(static sp => new RedisRoutingStatisticsStore(
            sp.GetRequiredService<RedisConnection>(),
            sp.GetService<Microsoft.Extensions.Options.IOptions<LlmRoutingOptions>>()?.Value.Routing.Statistics.HalfLife,
            sp.GetService<TimeProvider>(),
            startTimer: true,
            sp.GetService<ILogger<RedisRoutingStatisticsStore>>())));
        services.TryAddSingleton(static sp => new RedisCircuitStateStore(
            sp.GetRequiredService<RedisConnection>(), sp.GetService<TimeProvider>(), startTimer: true, sp.GetService<ILogger<RedisCircuitStateStore>>()));
        services.Replace(ServiceDescriptor.Singleton<ICircuitStateStore>(static sp => new RedisCircuitStateStoreAdapter(sp.GetRequiredService<RedisCircuitStateStore>())));
        services.Replace(ServiceDescriptor.Singleton<IRateLimitCounterStore>(static sp => new RedisRateLimitCounterStore(
            sp.GetRequiredService<RedisConnection>(), sp.GetService<TimeProvider>(), startTimer: true, sp.GetService<ILogger<RedisRateLimitCounterStore>>())));
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

        if (string.IsNullOrEmpty(options.KeyPrefix))
        {
            throw new ArgumentException($"{LlmRoutingRedisOptions.SectionName}:KeyPrefix is required (e.g. 'llmrouting:').", nameof(options));
        }

        if (options.OperationTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{LlmRoutingRedisOptions.SectionName}:OperationTimeout must be positive.", nameof(options));
        }

        if (options.StatisticsSyncInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{LlmRoutingRedisOptions.SectionName}:StatisticsSyncInterval must be positive.", nameof(options));
        }

        if (options.RateLimitSyncInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{LlmRoutingRedisOptions.SectionName}:RateLimitSyncInterval must be positive.", nameof(options));
        }

        if (options.HealthRefreshInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{LlmRoutingRedisOptions.SectionName}:HealthRefreshInterval must be positive.", nameof(options));
        }

        if (options.BudgetReservationTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{LlmRoutingRedisOptions.SectionName}:BudgetReservationTimeout must be positive.", nameof(options));
        }

        if (options.BudgetLeaseMaxUsd <= 0m)
        {
            throw new ArgumentException($"{LlmRoutingRedisOptions.SectionName}:BudgetLeaseMaxUsd must be positive.", nameof(options));
        }

        if (options.BudgetLeaseDivisor < 2)
        {
            throw new ArgumentException($"{LlmRoutingRedisOptions.SectionName}:BudgetLeaseDivisor must be at least 2.", nameof(options));
        }

        if (options.BudgetLeaseMinRemainingUsd < 0m)
        {
            throw new ArgumentException($"{LlmRoutingRedisOptions.SectionName}:BudgetLeaseMinRemainingUsd cannot be negative.", nameof(options));
        }

        if (options.BudgetLeaseTimeToLive <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{LlmRoutingRedisOptions.SectionName}:BudgetLeaseTimeToLive must be positive.", nameof(options));
        }

        if (options.BudgetLeaseSyncInterval <= TimeSpan.Zero || options.BudgetLeaseSyncInterval * 4 > options.BudgetLeaseTimeToLive)
        {
            throw new ArgumentException($"{LlmRoutingRedisOptions.SectionName}:BudgetLeaseSyncInterval must be positive and at most a quarter of BudgetLeaseTimeToLive.", nameof(options));
        }

        if (options.ResponseCacheTimeToLive <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{LlmRoutingRedisOptions.SectionName}:ResponseCacheTimeToLive must be positive.", nameof(options));
        }
    }
}
