using LlmRouting.Chaos;
using LlmRouting.Testing;

namespace LlmRouting.Tests;

/// <summary>The seams for shared state (a distributed store plugs in here): two instances sharing circuit states and request counts.</summary>
[TestFixture]
public class SharedStateTests
{
    private static (IChatClient Client, Dictionary<string, SimulatedChatClient> Clients, ResilienceChatClient Resilience) Instance(
        VirtualClock clock, ICircuitStateStore circuits, IRateLimitCounterStore counters, Action<ResilienceOptions> configure)
    {
        var fleet = new SimFleet(clock);
        fleet.Add("a");
        fleet.Add("b");
        configure(fleet.Options);
        IChatClient client = fleet.Build(circuits, counters);
        return (client, fleet.Clients, fleet.Resilience!);
    }

    [Test]
    public void A_circuit_one_instance_opens_is_open_for_the_other_until_its_break_ends([Values] bool streaming)
    {
        var clock = new VirtualClock();
        var circuits = new InMemoryCircuitStateStore();
        var counters = new InMemoryRateLimitCounterStore();
        void Configure(ResilienceOptions o)
        {
            o.CircuitBreaker.MinimumThroughput = 2;
            o.CircuitBreaker.BreakDuration = TimeSpan.FromSeconds(10);
        }

        var one = Instance(clock, circuits, counters, Configure);
        var two = Instance(clock, circuits, counters, Configure);
        one.Clients["a"].SetOutage(SimulatedFaultKind.ServerError);
        clock.Run(() => one.Client.AskAsync(streaming, "x"));
        clock.Run(() => one.Client.AskAsync(streaming, "x"));
        Assert.That(one.Resilience.Health.GetState("a").Circuit, Is.EqualTo(DeploymentCircuitState.Open));
        Assert.That(circuits.Get("a")!.State, Is.EqualTo(DeploymentCircuitState.Open));

        // The other instance never saw a's failures, but skips it.
        ChatResponse response = clock.Run(() => two.Client.AskAsync(streaming, "x"));
        Assert.That(response.Text, Is.EqualTo("b says: x"));
        Assert.That(two.Clients["a"].CallCount, Is.Zero);
        Assert.That(two.Resilience.Health.GetState("a").AvailableIn, Is.EqualTo(TimeSpan.FromSeconds(10)));

        // After the break, the other instance's probe succeeds and closes the circuit for both.
        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.That(clock.Run(() => two.Client.AskAsync(streaming, "x")).Text, Is.EqualTo("a says: x"));
        Assert.That(circuits.Get("a")!.State, Is.EqualTo(DeploymentCircuitState.Closed));
        Assert.That(one.Resilience.Health.GetState("a").Circuit, Is.EqualTo(DeploymentCircuitState.Closed));
    }

    [Test]
    public void Requests_per_minute_hold_for_every_instance_together([Values] bool streaming)
    {
        var clock = new VirtualClock();
        var circuits = new InMemoryCircuitStateStore();
        var counters = new InMemoryRateLimitCounterStore();
        void Configure(ResilienceOptions o) => o.Deployments["a"] = new DeploymentResilienceOptions { RequestsPerMinute = 2 };

        var one = Instance(clock, circuits, counters, Configure);
        var two = Instance(clock, circuits, counters, Configure);
        Assert.That(clock.Run(() => one.Client.AskAsync(streaming, "1")).Text, Is.EqualTo("a says: 1"));
        Assert.That(clock.Run(() => two.Client.AskAsync(streaming, "2")).Text, Is.EqualTo("a says: 2"));

        Assert.That(clock.Run(() => one.Client.AskAsync(streaming, "3")).Text, Is.EqualTo("b says: 3"), "a's 2 requests per minute are used up by both instances");
        Assert.That(two.Resilience.Health.GetState("a").SaturationReason, Is.EqualTo("requests_per_minute"));
        Assert.That(counters.Get("a", clock.GetUtcNow()).Requests, Is.EqualTo(2));

        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.That(clock.Run(() => two.Client.AskAsync(streaming, "4")).Text, Is.EqualTo("a says: 4"));
    }

    [Test]
    public void The_in_memory_counter_store_settles_tokens_and_forgets_the_old_window()
    {
        var store = new InMemoryRateLimitCounterStore();
        var t0 = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        store.Add("a", t0, 1, 500);
        store.Add("a", t0.AddSeconds(30), 1, 500);
        store.Add("a", t0, 0, -400); // the first request used 100 tokens, not 500

        Assert.That(store.Get("a", t0.AddSeconds(59)), Is.EqualTo(new RateLimitCounts(2, 600, t0)));
        Assert.That(store.Get("a", t0.AddSeconds(60)), Is.EqualTo(new RateLimitCounts(1, 500, t0.AddSeconds(30))));
        Assert.That(store.Get("b", t0), Is.EqualTo(default(RateLimitCounts)));
    }
}
