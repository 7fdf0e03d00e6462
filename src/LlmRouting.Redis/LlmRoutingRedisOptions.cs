namespace LlmRouting.Redis;

/// <summary>Settings of LlmRouting's Redis state (<c>LlmRouting:Redis</c>).</summary>
public sealed class LlmRoutingRedisOptions
{
    /// <summary>The configuration section name, <c>LlmRouting:Redis</c>.</summary>
    public const string SectionName = "LlmRouting:Redis";

    /// <summary>Gets or sets the StackExchange.Redis connection string (e.g. <c>redis.internal:6379,password=…</c>). Required.</summary>
    public string ConnectionString { get; set; } = string.Empty;

    /// <summary>Gets or sets the prefix of every key LlmRouting writes. The default is <c>llmrouting:</c>.</summary>
    public string KeyPrefix { get; set; } = "llmrouting:";

    /// <summary>Gets or sets how long one Redis operation may take before LlmRouting falls back to local state. The default is 250 ms.</summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Gets or sets what budgets do while Redis is unavailable. The default is <see cref="RedisFailureMode.FailOpen"/>.</summary>
    public RedisFailureMode BudgetFailureMode { get; set; } = RedisFailureMode.FailOpen;

    /// <summary>
    /// Gets or sets how long a budget reservation may stay open before Redis frees it (a crashed instance's requests). Longer than
    /// your longest request. The default is 10 minutes.
    /// </summary>
    public TimeSpan BudgetReservationTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Gets or sets how often each instance exchanges routing statistics with Redis (one round trip, off the request path).
    /// The default is 1 second.
    /// </summary>
    public TimeSpan StatisticsSyncInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Gets or sets how often each instance re-reads the fleet's open circuits (changes also arrive at once by publish/subscribe; this
    /// bounds how late a missed message is noticed). The default is 500 ms.
    /// </summary>
    public TimeSpan HealthRefreshInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Gets or sets how often each instance exchanges client-side rate-limit counts (<c>LlmRouting:Resilience:RateLimits</c>) with Redis.
    /// This only refreshes the router's fast saturation check (which deployments look full before one is tried); each attempt is
    /// admitted against the fleet's counts in Redis on the request path. The default is 100 ms.
    /// </summary>
    public TimeSpan RateLimitSyncInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Gets or sets a value indicating whether an exact-match response cache is registered as the application's <c>IDistributedCache</c>.</summary>
    public bool ResponseCache { get; set; }

    /// <summary>Gets or sets how long cached responses live. The default is one hour.</summary>
    public TimeSpan ResponseCacheTimeToLive { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Gets or sets a value indicating whether each instance holds budget leases: amounts reserved in Redis that it hands out locally, so
    /// most budget reservations take no round trip. Leases shrink as the limit nears and are not taken when little is left (every
    /// reservation then goes to Redis), so the fleet's overspend bound is unchanged. The default is <see langword="false"/>.
    /// </summary>
    public bool BudgetLeases { get; set; }

    /// <summary>Gets or sets the largest lease one instance holds per budget account. The default is 1 USD.</summary>
    public decimal BudgetLeaseMaxUsd { get; set; } = 1m;

    /// <summary>Gets or sets the share of an account's remaining amount one lease may take (remaining / divisor). At least 2; the default is 8.</summary>
    public int BudgetLeaseDivisor { get; set; } = 8;

    /// <summary>
    /// Gets or sets the remaining amount below which no lease is held and every reservation is checked in Redis (exact). Set it to a few
    /// of your largest requests' cost. The default is 0.10 USD.
    /// </summary>
    public decimal BudgetLeaseMinRemainingUsd { get; set; } = 0.10m;

    /// <summary>Gets or sets how long a lease lives in Redis unless renewed (a crashed instance's lease frees after this). The default is 30 seconds.</summary>
    public TimeSpan BudgetLeaseTimeToLive { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how often each instance records locally settled spend in Redis and resizes its leases (off the request path). The default is 100 ms.</summary>
    public TimeSpan BudgetLeaseSyncInterval { get; set; } = TimeSpan.FromMilliseconds(100);
}
