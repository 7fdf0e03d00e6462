using LlmRouting.Testing;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using StackExchange.Redis;

namespace LlmRouting.Redis.Tests;

[TestFixture]
public class RedisResponseCacheTests : RedisTestBase
{
    private RedisConnection Connection(string prefix) => new(new LlmRoutingRedisOptions { ConnectionString = Redis.ConnectionString, KeyPrefix = prefix, OperationTimeout = TimeSpan.FromMilliseconds(500) });

    [Test]
    public async Task Values_round_trip_with_their_expiry()
    {
        using RedisConnection connection = Connection("t1:");
        var cache = new RedisResponseCache(connection);
        await cache.SetAsync("k", [1, 2, 3], new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(5) });

        Assert.That(await cache.GetAsync("k"), Is.EqualTo(new byte[] { 1, 2, 3 }));
        using var mux = await ConnectionMultiplexer.ConnectAsync(Redis.ConnectionString);
        TimeSpan? ttl = await mux.GetDatabase().KeyTimeToLiveAsync("t1:cache:k");
        Assert.That(ttl, Is.Not.Null.And.GreaterThan(TimeSpan.FromMinutes(4)).And.LessThanOrEqualTo(TimeSpan.FromMinutes(5)));

        await cache.RemoveAsync("k");
        Assert.That(await cache.GetAsync("k"), Is.Null);
    }

    [Test]
    public async Task Sliding_expiration_is_renewed_on_read()
    {
        using RedisConnection connection = Connection("t2:");
        var cache = new RedisResponseCache(connection);
        await cache.SetAsync("k", [7], new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromSeconds(30) });
        using var mux = await ConnectionMultiplexer.ConnectAsync(Redis.ConnectionString);
        IDatabase db = mux.GetDatabase();
        await db.KeyExpireAsync("t2:cache:k", TimeSpan.FromSeconds(2));

        Assert.That(await cache.GetAsync("k"), Is.EqualTo(new byte[] { 7 }));
        Assert.That(await db.KeyTimeToLiveAsync("t2:cache:k"), Is.GreaterThan(TimeSpan.FromSeconds(20)));
    }

    [Test]
    public async Task While_redis_is_down_reads_miss_writes_are_dropped_and_the_fallback_is_counted_then_it_recovers()
    {
        using var fallbacks = new MetricCollector<long>(null, "LlmRouting.Redis", "llm_routing.redis.fallbacks");
        using RedisConnection connection = Connection("t3:");
        var cache = new RedisResponseCache(connection);
        await cache.SetAsync("k", [1], new DistributedCacheEntryOptions());
        Assert.That(connection.IsAvailable, Is.True);

        Redis.Stop();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.That(await cache.GetAsync("k"), Is.Null);
        await cache.SetAsync("k2", [2], new DistributedCacheEntryOptions());
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(3)), "fail-open is quick");
        Assert.That(connection.IsAvailable, Is.False);
        Assert.That(fallbacks.GetMeasurementSnapshot().Sum(m => m.Value), Is.GreaterThanOrEqualTo(2));

        Redis.Restart();
        byte[]? value = null;
        for (int i = 0; i < 100 && value is null; i++)
        {
            await cache.SetAsync("k3", [3], new DistributedCacheEntryOptions());
            value = await cache.GetAsync("k3");
            if (value is null)
            {
                await Task.Delay(50);
            }
        }

        Assert.That(value, Is.EqualTo(new byte[] { 3 }), "state recovers when Redis returns");
        Assert.That(connection.IsAvailable, Is.True);
    }

    [Test]
    public async Task Identical_requests_are_served_from_the_shared_cache_across_instances([Values] bool streaming)
    {
        async Task<(IChatClient Client, SimulatedProviderFactory Factory, ServiceProvider Sp)> Instance()
        {
            var services = new ServiceCollection();
            services.AddSimulatedProviders();
            services.AddLlmRouting(o => o.Deployments["d"] = new DeploymentOptions { Provider = "simulated", Model = "gpt-4o-mini", CatalogModel = "openai/gpt-4o-mini" })
                .UseDistributedCache();
            services.AddLlmRoutingRedis(Redis.ConnectionString, o => { o.ResponseCache = true; o.KeyPrefix = "t4" + streaming + ":"; });
            ServiceProvider sp = services.BuildServiceProvider();
            await Task.Yield();
            return (sp.GetRequiredService<IChatClient>(), sp.GetRequiredService<SimulatedProviderFactory>(), sp);
        }

        var (first, firstFactory, sp1) = await Instance();
        var (second, secondFactory, sp2) = await Instance();
        using (sp1)
        using (sp2)
        {
            string a = await Ask(first, streaming);
            string b = await Ask(second, streaming);

            Assert.That(b, Is.EqualTo(a));
            Assert.That(firstFactory.GetClient("d").CallCount, Is.EqualTo(1));
            Assert.That(secondFactory.TryGetClient("d", out SimulatedChatClient? unused) ? unused.CallCount : 0, Is.EqualTo(0), "the second instance was answered from Redis");
        }

        static async Task<string> Ask(IChatClient client, bool streaming)
        {
            if (!streaming)
            {
                return (await client.GetResponseAsync("What is 2 + 2?")).Text;
            }

            var updates = new List<ChatResponseUpdate>();
            await foreach (ChatResponseUpdate u in client.GetStreamingResponseAsync("What is 2 + 2?"))
            {
                updates.Add(u);
            }

            return updates.ToChatResponse().Text;
        }
    }
}
