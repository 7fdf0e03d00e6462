using System.Diagnostics;
using LlmRouting.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace LlmRouting.Redis.Tests;

/// <summary>The resilience layer's shared state wired to Redis through <c>AddLlmRoutingRedis</c>.</summary>
[TestFixture]
public class FleetResilienceTests : RedisTestBase
{
    private static void Configure(LlmRoutingOptions o)
    {
        o.Routing.Policy = "priority";
        o.Deployments["bad"] = new DeploymentOptions { Provider = "simulated", Model = "gpt-4o", CatalogModel = "openai/gpt-4o", Priority = 0 };
        o.Deployments["good"] = new DeploymentOptions { Provider = "simulated", Model = "gpt-4o-mini", CatalogModel = "openai/gpt-4o-mini", Priority = 1 };
        o.Resilience.CircuitBreaker.MinimumThroughput = 2;
        o.Resilience.CircuitBreaker.FailureRatio = 0.5;
        o.Resilience.CircuitBreaker.BreakDuration = TimeSpan.FromSeconds(30);
    }

    [Test]
    public async Task A_deployment_opened_by_one_instance_is_avoided_by_the_others_within_one_second([Values] bool streaming)
    {
        string prefix = RedisTestSupport.Prefix("fleetcircuit" + streaming);
        await using ServiceProvider first = RedisTestSupport.Instance(Redis, prefix, Configure, f => f.Configure("bad", o => o.FaultRates[SimulatedFaultKind.ServerError] = 1.0));
        await using ServiceProvider second = RedisTestSupport.Instance(Redis, prefix, Configure, f => f.Configure("bad", o => o.FaultRates[SimulatedFaultKind.ServerError] = 1.0));
        _ = second.GetRequiredService<IChatClient>(); // the second instance is up (and subscribed) before the first one fails
        await Task.Delay(300);

        var watch = Stopwatch.StartNew();
        for (int i = 0; i < 4; i++)
        {
            RoutingReport served = await first.GetRequiredService<IChatClient>().AskAsync(streaming, "hi");
            Assert.That(served.Deployment, Is.EqualTo("good"), "the first instance fails over");
        }

        Assert.That(first.GetRequiredService<IDeploymentHealth>().GetState("bad").Circuit, Is.EqualTo(DeploymentCircuitState.Open));
        watch.Restart(); // the first instance opened the circuit by now
        DeploymentHealthState seen;
        do
        {
            await Task.Delay(20);
            seen = second.GetRequiredService<IDeploymentHealth>().GetState("bad");
        }
        while (seen.CircuitAcceptsRequests && watch.Elapsed < TimeSpan.FromSeconds(3));

        Assert.That(seen.CircuitAcceptsRequests, Is.False, "the second instance holds the circuit open");
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(1)), "seen within one second");

        RoutingReport report = await second.GetRequiredService<IChatClient>().AskAsync(streaming, "hi");
        Assert.That(report.Deployment, Is.EqualTo("good"));
        Assert.That(report.RejectedCandidates.Select(r => r.Deployment), Does.Contain("bad"), "routing skipped the open deployment");
        SimulatedProviderFactory secondProviders = second.GetRequiredService<SimulatedProviderFactory>();
        Assert.That(secondProviders.TryGetClient("bad", out SimulatedChatClient? bad) ? bad.CallCount : 0, Is.Zero, "the second instance never called it");
    }
}
