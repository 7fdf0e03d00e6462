using System.Collections.Concurrent;
using LlmRouting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace LlmRouting.Redis.Tests;

/// <summary>
/// The fleet guarantee of client-side per-minute limits on the request path: independent instances (own service provider, Redis
/// connection and resilience layer) push requests concurrently through the full chain; the calls that reach the limited
/// deployment's provider stay within 5% of its shared limit, and the rest fail over to a second deployment.
/// </summary>
[TestFixture]
public class FleetRateLimitTests : RedisTestBase
{
    private const int Instances = 4;
    private const int ConcurrentPerInstance = 64;

    private static void Configure(LlmRoutingOptions o, int? requestsPerMinute, long? tokensPerMinute)
    {
        o.Routing.Policy = "priority";
        o.Deployments["limited"] = new DeploymentOptions { Provider = "simulated", Model = "gpt-4o-mini", CatalogModel = "openai/gpt-4o-mini", Priority = 0 };
        o.Deployments["fallback"] = new DeploymentOptions { Provider = "simulated", Model = "gpt-4o", CatalogModel = "openai/gpt-4o", Priority = 1 };
        o.Resilience.Deployments["limited"] = new DeploymentResilienceOptions { RequestsPerMinute = requestsPerMinute, TokensPerMinute = tokensPerMinute };
    }

    private static void Providers(SimulatedProviderFactory f) => f.ConfigureDefaults(o =>
    {
        o.ReplyFunction = (_, _) => new string('x', 120); // about 30 output tokens
        o.TimeToFirstToken = TimeSpan.FromMilliseconds(3);
    });

    private static long Calls(ServiceProvider instance, string deployment) =>
        instance.GetRequiredService<SimulatedProviderFactory>().TryGetClient(deployment, out SimulatedChatClient? client) ? client.CallCount : 0;

    /// <summary>Runs <paramref name="perInstance"/> requests on each instance, <see cref="ConcurrentPerInstance"/> at a time, all instances at once.</summary>
    private static async Task<RoutingReport[]> BurstAsync(ServiceProvider[] fleet, bool streaming, int perInstance, ChatOptions? options = null)
    {
        var reports = new ConcurrentBag<RoutingReport>();
        var workers = new List<Task>();
        foreach (ServiceProvider instance in fleet)
        {
            IChatClient client = instance.GetRequiredService<IChatClient>();
            int left = perInstance;
            workers.AddRange(Enumerable.Range(0, ConcurrentPerInstance).Select(_ => Task.Run(async () =>
            {
                while (Interlocked.Decrement(ref left) >= 0)
                {
                    reports.Add(await client.AskAsync(streaming, "How far is the moon?", options));
                }
            })));
        }

        await Task.WhenAll(workers);
        return [.. reports];
    }

    [Test]
    public async Task A_shared_requests_per_minute_limit_holds_across_instances_within_five_percent_on_the_request_path([Values] bool streaming)
    {
        const int Limit = 200;
        string prefix = RedisTestSupport.Prefix("fleetrpm" + streaming);
        using var fallbacks = new MetricCollector<long>(null, "LlmRouting.Redis", "llm_routing.redis.fallbacks");
        ServiceProvider[] fleet = Enumerable.Range(0, Instances).Select(_ => RedisTestSupport.Instance(Redis, prefix, o => Configure(o, Limit, null), Providers)).ToArray();
        try
        {
            RoutingReport[] reports = await BurstAsync(fleet, streaming, perInstance: 160); // 640 requests, 3.2 times the limit

            long limited = fleet.Sum(i => Calls(i, "limited"));
            long fallback = fleet.Sum(i => Calls(i, "fallback"));
            Assert.That(fallbacks.GetMeasurementSnapshot(), Is.Empty, "Redis answered every operation");
            Assert.That(reports, Has.Length.EqualTo(Instances * 160), "every request was served");
            Assert.That(limited + fallback, Is.EqualTo(reports.Length), "one provider call per request");
            TestContext.Out.WriteLine($"{limited} of {reports.Length} requests reached the limited deployment (limit {Limit})");
            Assert.That(limited, Is.InRange(Limit * 0.95, Limit * 1.05), $"calls that reached the limited deployment: {limited} (per instance {string.Join(", ", fleet.Select(i => Calls(i, "limited")))})");
            Assert.That(reports.Count(r => r.Deployment == "limited"), Is.EqualTo(limited));
            Assert.That(
                reports.Where(r => r.Deployment == "fallback").SelectMany(r => r.RejectedCandidates).Where(c => c.Deployment == "limited").Select(c => c.Reason).Distinct(),
                Is.EqualTo(new[] { "rate_limited_locally" }),
                "requests over the limit name why the limited deployment was skipped");
            Assert.That(
                reports.SelectMany(r => r.RejectedCandidates).Any(c => c.Detail?.Contains("fleet_requests_per_minute", StringComparison.Ordinal) == true),
                Is.True,
                "some were refused by the fleet's gate on the request path (the others by the mirror, before trying)");
        }
        finally
        {
            foreach (ServiceProvider sp in fleet)
            {
                await sp.DisposeAsync();
            }
        }
    }

    [Test]
    public async Task A_shared_tokens_per_minute_limit_holds_across_instances_on_the_request_path([Values] bool streaming)
    {
        string prefix = RedisTestSupport.Prefix("fleettpm" + streaming);
        var options = new ChatOptions { MaxOutputTokens = 30 };

        // Measure one request's usage first (its own prefix), then give the fleet room for about 100 requests.
        RoutingReport probe;
        await using (ServiceProvider one = RedisTestSupport.Instance(Redis, RedisTestSupport.Prefix("probe"), o => Configure(o, null, null), Providers))
        {
            probe = await one.GetRequiredService<IChatClient>().AskAsync(streaming, "How far is the moon?", options);
        }

        long actual = probe.Usage.InputTokens + probe.Usage.OutputTokens;
        Assert.That(actual, Is.GreaterThan(0));
        long limit = actual * 100;

        using var fallbacks = new MetricCollector<long>(null, "LlmRouting.Redis", "llm_routing.redis.fallbacks");
        ServiceProvider[] fleet = Enumerable.Range(0, Instances).Select(_ => RedisTestSupport.Instance(Redis, prefix, o => Configure(o, null, limit), Providers)).ToArray();
        try
        {
            RoutingReport[] reports = await BurstAsync(fleet, streaming, perInstance: 100, options);

            long limited = fleet.Sum(i => Calls(i, "limited"));
            long tokens = reports.Where(r => r.Deployment == "limited").Sum(r => r.Usage.InputTokens + r.Usage.OutputTokens);
            Assert.That(fallbacks.GetMeasurementSnapshot(), Is.Empty, "Redis answered every operation");
            Assert.That(reports.Count(r => r.Deployment == "limited"), Is.EqualTo(limited));
            TestContext.Out.WriteLine($"{tokens} tokens in {limited} calls (each {actual}) against {limit} per minute");
            Assert.That(tokens, Is.LessThanOrEqualTo(limit * 1.05), $"{tokens} tokens in {limited} calls against {limit} per minute");
            Assert.That(tokens, Is.GreaterThanOrEqualTo(limit * 0.75), $"the window is used, not starved: {tokens} tokens in {limited} calls (each {actual})");
            Assert.That(reports.Count(r => r.Deployment == "fallback"), Is.GreaterThan(0), "the rest failed over");
        }
        finally
        {
            foreach (ServiceProvider sp in fleet)
            {
                await sp.DisposeAsync();
            }
        }
    }

    [Test]
    public async Task When_redis_is_down_requests_flow_on_local_limits_with_a_warning_and_a_metric([Values] bool streaming)
    {
        var logs = new FakeLogCollector();
        using var fallbacks = new MetricCollector<long>(null, "LlmRouting.Redis", "llm_routing.redis.fallbacks");
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(new FakeLoggerProvider(logs)));
        services.AddSimulatedProviders(Providers);
        services.AddLlmRouting(o => Configure(o, 3, null));
        services.AddLlmRoutingRedis(Redis.ConnectionString, o =>
        {
            o.KeyPrefix = RedisTestSupport.Prefix("limitsdown" + streaming);
            o.OperationTimeout = TimeSpan.FromMilliseconds(500);
        });
        await using ServiceProvider instance = services.BuildServiceProvider();
        IChatClient client = instance.GetRequiredService<IChatClient>();
        Assert.That((await client.AskAsync(streaming, "hi")).Deployment, Is.EqualTo("limited"));

        Redis.Stop();
        Assert.That((await client.AskAsync(streaming, "hi")).Deployment, Is.EqualTo("limited"), "fail-open: admitted on local limits");
        Assert.That((await client.AskAsync(streaming, "hi")).Deployment, Is.EqualTo("limited"));
        RoutingReport over = await client.AskAsync(streaming, "hi");
        Assert.That(over.Deployment, Is.EqualTo("fallback"), "the instance's own count still holds the limit of 3");

        Assert.That(fallbacks.GetMeasurementSnapshot().Select(m => m.Tags["llm_routing.redis.operation"]), Does.Contain("ratelimit.acquire"));
        Assert.That(logs.GetSnapshot().Where(l => l.Level == LogLevel.Warning).Select(l => l.Message), Has.Some.Contains("Redis is unreachable"));

        Redis.Restart();
        await WaitForAsync(async () => await ((RedisRateLimitCounterStore)instance.GetRequiredService<IRateLimitCounterStore>()).SyncAsync());
        using RedisConnection reader = RedisTestSupport.Connection(Redis, instance.GetRequiredService<LlmRoutingRedisOptions>().KeyPrefix);
        var other = new RedisRateLimitCounter(reader);
        SharedAdmission next = await other.TryAcquireAsync("limited", 2, null, 0); // the restarted test server kept no data
        Assert.That((next.IsAcquired, next.Reason), Is.EqualTo((false, "requests_per_minute")), "the two requests admitted during the outage reached the fleet's count when Redis returned");
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        for (int i = 0; i < 100; i++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail("The condition did not hold within 5 s.");
    }
}
