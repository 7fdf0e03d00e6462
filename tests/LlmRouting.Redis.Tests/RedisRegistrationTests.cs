using LlmRouting.Testing;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace LlmRouting.Redis.Tests;

[TestFixture]
public class RedisRegistrationTests : RedisTestBase
{
    private static void Deployments(LlmRoutingOptions o) =>
        o.Deployments["mini"] = new DeploymentOptions { Provider = "simulated", Model = "gpt-4o-mini", CatalogModel = "openai/gpt-4o-mini" };

    [Test]
    public void Without_redis_the_in_memory_stores_stay_the_default()
    {
        var services = new ServiceCollection();
        services.AddSimulatedProviders();
        services.AddLlmRouting(Deployments);
        using ServiceProvider sp = services.BuildServiceProvider();
        Assert.That(sp.GetRequiredService<IBudgetStore>(), Is.InstanceOf<InMemoryBudgetStore>());
        Assert.That(sp.GetRequiredService<IRoutingStatisticsStore>(), Is.InstanceOf<InMemoryRoutingStatisticsStore>());
    }

    [Test]
    public void One_call_moves_the_shared_state_to_redis_before_or_after_AddLlmRouting([Values] bool redisFirst)
    {
        var services = new ServiceCollection();
        services.AddSimulatedProviders();
        if (redisFirst)
        {
            services.AddLlmRoutingRedis(Redis.ConnectionString);
        }

        services.AddLlmRouting(Deployments);
        if (!redisFirst)
        {
            services.AddLlmRoutingRedis(Redis.ConnectionString);
        }

        using ServiceProvider sp = services.BuildServiceProvider();
        Assert.That(sp.GetRequiredService<IBudgetStore>(), Is.InstanceOf<RedisBudgetStore>());
        Assert.That(sp.GetRequiredService<IRoutingStatisticsStore>(), Is.InstanceOf<RedisRoutingStatisticsStore>());
        Assert.That(sp.GetService<IDistributedCache>(), Is.Null, "the response cache is opt-in");
    }

    [Test]
    public async Task Settings_bind_from_configuration([Values] bool streaming)
    {
        string prefix = RedisTestSupport.Prefix("config");
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LlmRouting:Redis:ConnectionString"] = Redis.ConnectionString,
            ["LlmRouting:Redis:KeyPrefix"] = prefix,
            ["LlmRouting:Redis:BudgetFailureMode"] = "FailClosed",
            ["LlmRouting:Redis:OperationTimeout"] = "00:00:00.400",
            ["LlmRouting:Redis:StatisticsSyncInterval"] = "00:00:02",
            ["LlmRouting:Redis:ResponseCache"] = "true",
            ["LlmRouting:Budgets:daily:LimitUsd"] = "5",
        }).Build();
        var services = new ServiceCollection();
        services.AddSimulatedProviders();
        services.AddLlmRouting(configuration, Deployments);
        services.AddLlmRoutingRedis(configuration);
        using ServiceProvider sp = services.BuildServiceProvider();

        LlmRoutingRedisOptions options = sp.GetRequiredService<LlmRoutingRedisOptions>();
        Assert.That((options.KeyPrefix, options.BudgetFailureMode, options.OperationTimeout, options.StatisticsSyncInterval, options.ResponseCache),
            Is.EqualTo((prefix, RedisFailureMode.FailClosed, TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(2), true)));
        Assert.That(sp.GetService<IDistributedCache>(), Is.InstanceOf<RedisResponseCache>());

        // The configured budget is counted in Redis under the configured prefix.
        RoutingReport report = await sp.GetRequiredService<IChatClient>().AskAsync(streaming, "hi");
        BudgetUsage usage = await sp.GetRequiredService<IBudgetStore>().GetUsageAsync(new BudgetAccount("daily/global/*", "daily", BudgetScope.Global, null, 5m, BudgetPeriod.Day, BudgetWindow.Calendar));
        Assert.That(usage.SpentUsd, Is.InRange(report.CostUsd, report.CostUsd + 0.000000001m));
        Assert.That(report.CostUsd, Is.GreaterThan(0m));
    }

    [TestCase(null, "LlmRouting:Redis:ConnectionString is required.")]
    [TestCase("OperationTimeout=00:00:00", "LlmRouting:Redis:OperationTimeout must be positive.")]
    [TestCase("StatisticsSyncInterval=-00:00:01", "LlmRouting:Redis:StatisticsSyncInterval must be positive.")]
    [TestCase("HealthRefreshInterval=00:00:00", "LlmRouting:Redis:HealthRefreshInterval must be positive.")]
    [TestCase("BudgetReservationTimeout=00:00:00", "LlmRouting:Redis:BudgetReservationTimeout must be positive.")]
    [TestCase("BudgetFailureMode=Sometimes", "LlmRouting:Redis")]
    [TestCase("BudgetLeaseMaxUsd=0", "LlmRouting:Redis:BudgetLeaseMaxUsd must be positive.")]
    [TestCase("BudgetLeaseDivisor=1", "LlmRouting:Redis:BudgetLeaseDivisor must be at least 2.")]
    [TestCase("BudgetLeaseMinRemainingUsd=-1", "LlmRouting:Redis:BudgetLeaseMinRemainingUsd cannot be negative.")]
    [TestCase("BudgetLeaseTimeToLive=00:00:00", "LlmRouting:Redis:BudgetLeaseTimeToLive must be positive.")]
    [TestCase("BudgetLeaseSyncInterval=00:00:10", "LlmRouting:Redis:BudgetLeaseSyncInterval must be positive and at most a quarter of BudgetLeaseTimeToLive.")]
    public void Invalid_settings_fail_at_start_up_naming_the_setting(string? setting, string message)
    {
        var values = new Dictionary<string, string?>();
        if (setting is not null)
        {
            values["LlmRouting:Redis:ConnectionString"] = "127.0.0.1:1";
            string[] kv = setting.Split('=');
            values["LlmRouting:Redis:" + kv[0]] = kv[1];
        }

        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var ex = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddLlmRoutingRedis(configuration));
        Assert.That(ex!.Message, Does.StartWith(message));
        Assert.That(ex.Message, Does.Not.Contain("127.0.0.1"), "the connection string never appears in errors");
    }
}
