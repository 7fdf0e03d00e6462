using Microsoft.Extensions.DependencyInjection;

namespace LlmRouting.Redis.Tests;

/// <summary>The fleet guarantee of budgets: independent instances sharing one budget through Redis overspend by at most one request's cost.</summary>
[TestFixture]
public class FleetBudgetTests : RedisTestBase
{
    private const int Instances = 4;
    private const int ConcurrentPerInstance = 64;
    private static void Configure(LlmRoutingOptions o, decimal limit)
    {
        o.Deployments["mini"] = new DeploymentOptions { Provider = "simulated", Model = "gpt-4o-mini", CatalogModel = "openai/gpt-4o-mini" };
        o.Budgets["fleet"] = new BudgetOptions { Scope = BudgetScope.Global, LimitUsd = limit, Period = BudgetPeriod.Day };
    }

    private static void Providers(LlmRouting.Testing.SimulatedProviderFactory f) => f.ConfigureDefaults(o =>
    {
        o.ReplyFunction = (_, _) => new string('x', 200); // about 50 output tokens, the request's maximum
        o.TimeToFirstToken = TimeSpan.FromMilliseconds(5);
    });

    [Test]
    public async Task Independent_instances_with_64_concurrent_requests_each_overspend_one_budget_by_at_most_one_request([Values] bool streaming, [Values] bool leases)
    {
        string prefix = RedisTestSupport.Prefix("fleet" + streaming + leases);
        var options = new ChatOptions { MaxOutputTokens = 50 };
        using var fallbacks = new Microsoft.Extensions.Diagnostics.Metrics.Testing.MetricCollector<long>(null, "LlmRouting.Redis", "llm_routing.redis.fallbacks");

        // Price one request first (on an unlimited instance), then give the fleet room for about 20.
        decimal one;
        using (ServiceProvider probe = RedisTestSupport.Instance(Redis, RedisTestSupport.Prefix("probe"), o => Configure(o, 1000m), Providers))
        {
            one = (await probe.GetRequiredService<IChatClient>().AskAsync(streaming, "How far is the moon?", options)).CostUsd;
        }

        Assert.That(one, Is.GreaterThan(0m));
        decimal limit = one * 20.5m;
        ServiceProvider[] fleet = Enumerable.Range(0, Instances).Select(_ => RedisTestSupport.Instance(Redis, prefix, o => Configure(o, limit), Providers, r =>
        {
            // Leases sized for this tiny budget: none when fewer than 4 requests' worth is left, at most 1/8 of what is left.
            r.BudgetLeases = leases;
            r.BudgetLeaseMinRemainingUsd = one * 4;
        })).ToArray();
        try
        {
            var calls = new List<Task<RoutingReport>>();
            if (leases)
            {
                // One request per instance first, then a few sync intervals, so each instance holds a lease when the burst starts.
                foreach (ServiceProvider instance in fleet)
                {
                    calls.Add(Task.FromResult(await instance.GetRequiredService<IChatClient>().AskAsync(streaming, "How far is the moon?", options)));
                }

                await Task.Delay(400);
            }

            foreach (ServiceProvider instance in fleet)
            {
                IChatClient client = instance.GetRequiredService<IChatClient>();
                calls.AddRange(Enumerable.Range(0, ConcurrentPerInstance).Select(_ => Task.Run(() => client.AskAsync(streaming, "How far is the moon?", options))));
            }

            try
            {
                await Task.WhenAll(calls);
            }
            catch (BudgetExceededException)
            {
                // expected for most of them
            }

            RoutingReport[] served = calls.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result).ToArray();
            int rejected = calls.Count(t => t.Exception?.InnerException is BudgetExceededException);
            Assert.That(served.Length + rejected, Is.EqualTo((Instances * ConcurrentPerInstance) + (leases ? Instances : 0)), "every request was served or rejected by the budget");
            decimal spent = served.Sum(r => r.CostUsd);
            decimal maxCost = served.Max(r => r.CostUsd);
            Assert.That(fallbacks.GetMeasurementSnapshot(), Is.Empty, "Redis answered every operation");
            Assert.That(spent, Is.LessThanOrEqualTo(limit + maxCost), $"overspend at most one request: {served.Length} served, costs {string.Join(", ", served.Select(r => r.CostUsd).Distinct())}, estimate {served[0].EstimatedCostUsd}");
            Assert.That(spent, Is.GreaterThan(limit / 2), "the shared budget is used, not starved");
            Assert.That(served.Select(r => r.Deployment).Distinct(), Is.EqualTo(new[] { "mini" }));

            var stores = fleet.Select(sp => (RedisBudgetStore)sp.GetRequiredService<IBudgetStore>()).ToArray();
            foreach (RedisBudgetStore store in stores)
            {
                await store.FlushAsync();
            }

            if (leases)
            {
                Assert.That(stores.Sum(s => s.LocalReservations), Is.GreaterThan(0), "some reservations were served from leases");
                foreach (ServiceProvider sp in fleet)
                {
                    await sp.DisposeAsync(); // returns the leases and records their spend
                }
            }

            using RedisConnection reader = RedisTestSupport.Connection(Redis, prefix);
            using var fresh = new RedisBudgetStore(reader);
            BudgetUsage usage = await fresh.GetUsageAsync(
                new BudgetAccount("fleet/global/*", "fleet", BudgetScope.Global, null, limit, BudgetPeriod.Day, BudgetWindow.Calendar));
            Assert.That(usage.SpentUsd, Is.InRange(spent, spent + (served.Length * 0.000000001m)), "Redis holds the fleet's spend (nano-dollar rounding up)");
            Assert.That(usage.ReservedUsd, Is.Zero, "every reservation was settled");
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
    public async Task Fail_closed_budgets_refuse_requests_with_a_typed_error_while_redis_is_down_and_recover([Values] bool streaming)
    {
        await using ServiceProvider instance = RedisTestSupport.Instance(
            Redis, RedisTestSupport.Prefix("closed" + streaming), o => Configure(o, 1m), Providers, r => r.BudgetFailureMode = RedisFailureMode.FailClosed);
        IChatClient client = instance.GetRequiredService<IChatClient>();
        await client.AskAsync(streaming, "hi");

        Redis.Stop();
        var ex = await Assert.ThrowsAsync<SharedStateUnavailableException>(() => client.AskAsync(streaming, "hi"));
        Assert.That(ex!.Message, Does.Contain("FailClosed"));

        Redis.Restart();
        RoutingReport? report = null;
        for (int i = 0; i < 100 && report is null; i++)
        {
            try
            {
                report = await client.AskAsync(streaming, "hi");
            }
            catch (SharedStateUnavailableException)
            {
                await Task.Delay(50);
            }
        }

        Assert.That(report?.Budgets.Single().Budget, Is.EqualTo("fleet"));
    }

    [Test]
    public async Task Fail_open_budgets_keep_requests_flowing_while_redis_is_down([Values] bool streaming)
    {
        await using ServiceProvider instance = RedisTestSupport.Instance(Redis, RedisTestSupport.Prefix("open" + streaming), o => Configure(o, 1m), Providers);
        IChatClient client = instance.GetRequiredService<IChatClient>();
        Redis.Stop();

        RoutingReport report = await client.AskAsync(streaming, "hi");
        Assert.That(report.Budgets.Single().ChargedUsd, Is.GreaterThan(0m));
    }
}
