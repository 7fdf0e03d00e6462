using LlmRouting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;

namespace LlmRouting.Redis.Tests;

[TestFixture]
public class RedisRoutingStatisticsStoreTests : RedisTestBase
{
    [Test]
    public async Task Instances_see_the_fleets_aggregated_statistics_after_one_exchange()
    {
        string prefix = RedisTestSupport.Prefix("stats");
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 10, 0, 0, TimeSpan.Zero));
        using RedisConnection c1 = RedisTestSupport.Connection(Redis, prefix), c2 = RedisTestSupport.Connection(Redis, prefix);
        using var a = new RedisRoutingStatisticsStore(c1, TimeSpan.FromMinutes(5), time, startTimer: false);
        using var b = new RedisRoutingStatisticsStore(c2, TimeSpan.FromMinutes(5), time, startTimer: false);

        for (int i = 0; i < 10; i++)
        {
            a.Record("gpt", DeploymentMetric.Latency, 2.0);
            b.Record("gpt", DeploymentMetric.Latency, 4.0);
        }

        b.Record("gpt", DeploymentMetric.ErrorRate, 1.0);
        Assert.That(a.GetStatistics("gpt").Latency!.Value.Mean, Is.EqualTo(2.0), "before the exchange each instance sees its own samples");
        Assert.That(a.GetStatistics("gpt").ErrorRate, Is.Null);
        Assert.That(a.GetStatistics("other").Latency, Is.Null);

        Assert.That(await a.SyncAsync(), Is.True);
        Assert.That(await b.SyncAsync(), Is.True);
        Assert.That(await a.SyncAsync(), Is.True);
        foreach (RedisRoutingStatisticsStore store in new[] { a, b })
        {
            DeploymentStatistics s = store.GetStatistics("gpt");
            Assert.That(s.Latency!.Value.Mean, Is.EqualTo(3.0).Within(1e-9));
            Assert.That(s.Latency!.Value.Count, Is.EqualTo(20));
            Assert.That(s.Latency!.Value.Weight, Is.EqualTo(20).Within(1e-9));
            Assert.That(s.ErrorRate!.Value.Mean, Is.EqualTo(1.0));
        }
    }

    [Test]
    public async Task The_decay_matches_the_in_memory_store()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 10, 0, 0, TimeSpan.Zero));
        using RedisConnection connection = RedisTestSupport.Connection(Redis, RedisTestSupport.Prefix("decay"));
        using var shared = new RedisRoutingStatisticsStore(connection, TimeSpan.FromMinutes(1), time, startTimer: false);
        var local = new InMemoryRoutingStatisticsStore(TimeSpan.FromMinutes(1), time);
        double[] samples = [1.0, 5.0, 2.0, 8.0, 3.0, 1.5];
        for (int i = 0; i < samples.Length; i++)
        {
            shared.Record("d", DeploymentMetric.TimeToFirstToken, samples[i]);
            local.Record("d", DeploymentMetric.TimeToFirstToken, samples[i]);
            time.Advance(TimeSpan.FromSeconds(40));
            if (i % 2 == 1)
            {
                Assert.That(await shared.SyncAsync(), Is.True);
            }

            StatisticEstimate expected = local.GetStatistics("d").TimeToFirstToken!.Value, actual = shared.GetStatistics("d").TimeToFirstToken!.Value;
            Assert.That(actual.Mean, Is.EqualTo(expected.Mean).Within(1e-9), $"mean after sample {i}");
            Assert.That(actual.Weight, Is.EqualTo(expected.Weight).Within(1e-9), $"weight after sample {i}");
            Assert.That(actual.Count, Is.EqualTo(expected.Count));
        }
    }

    [Test]
    public async Task While_redis_is_down_local_samples_keep_counting_and_reach_the_fleet_when_it_returns()
    {
        string prefix = RedisTestSupport.Prefix("statsdown");
        using var fallbacks = new MetricCollector<long>(null, "LlmRouting.Redis", "llm_routing.redis.fallbacks");
        using RedisConnection c1 = RedisTestSupport.Connection(Redis, prefix), c2 = RedisTestSupport.Connection(Redis, prefix);
        using var a = new RedisRoutingStatisticsStore(c1, startTimer: false);
        using var b = new RedisRoutingStatisticsStore(c2, startTimer: false);
        a.Record("d", DeploymentMetric.Quality, 1.0);
        Assert.That(await a.SyncAsync(), Is.True);

        Redis.Stop();
        a.Record("d", DeploymentMetric.Quality, 0.0);
        Assert.That(await a.SyncAsync(), Is.False);
        Assert.That(fallbacks.GetMeasurementSnapshot(), Is.Not.Empty);
        Assert.That(a.GetStatistics("d").Quality!.Value.Count, Is.EqualTo(2), "reads keep the unsent sample");

        Redis.Restart();
        bool synced = false;
        for (int i = 0; i < 100 && !synced; i++)
        {
            synced = await a.SyncAsync();
            if (!synced)
            {
                await Task.Delay(50);
            }
        }

        Assert.That(synced, Is.True);
        _ = b.GetStatistics("d");
        Assert.That(await b.SyncAsync(), Is.True);
        // The test server restarts empty (no persistence): the fleet now holds exactly the sample recorded during the outage.
        Assert.That(b.GetStatistics("d").Quality!.Value.Count, Is.EqualTo(1), "the outage's sample reached the fleet, once");
        Assert.That(b.GetStatistics("d").Quality!.Value.Mean, Is.Zero);
    }

    [Test]
    public async Task A_router_ranks_with_statistics_learned_by_another_instance([Values] bool streaming)
    {
        string prefix = RedisTestSupport.Prefix("statsrouter" + streaming);
        void Configure(LlmRoutingOptions o)
        {
            o.Deployments["mini"] = new DeploymentOptions { Provider = "simulated", Model = "gpt-4o-mini", CatalogModel = "openai/gpt-4o-mini" };
        }

        await using ServiceProvider first = RedisTestSupport.Instance(Redis, prefix, Configure, f => f.ConfigureDefaults(o => o.TimeToFirstToken = TimeSpan.FromMilliseconds(30)), r => r.StatisticsSyncInterval = TimeSpan.FromMilliseconds(100));
        await using ServiceProvider second = RedisTestSupport.Instance(Redis, prefix, Configure, redisOptions: r => r.StatisticsSyncInterval = TimeSpan.FromMilliseconds(100));
        IRoutingStatisticsStore seen = second.GetRequiredService<IRoutingStatisticsStore>();
        Assert.That(seen.GetStatistics("mini").Latency, Is.Null);

        for (int i = 0; i < 3; i++)
        {
            await first.GetRequiredService<IChatClient>().AskAsync(streaming, "hello");
        }

        StatisticEstimate? latency = null;
        for (int i = 0; i < 60 && latency is not { Count: 3 }; i++)
        {
            await Task.Delay(50);
            latency = seen.GetStatistics("mini").Latency;
        }

        Assert.That(latency?.Count, Is.EqualTo(3), "the second instance learned the first one's samples");
        Assert.That(latency!.Value.Mean, Is.GreaterThan(0.02));
    }
}
