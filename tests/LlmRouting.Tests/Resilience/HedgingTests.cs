using LlmRouting.Testing;

namespace LlmRouting.Tests;

[TestFixture]
public class HedgingTests
{
    private static SimFleet Fleet(params double[] firstTokenSeconds)
    {
        var fleet = new SimFleet();
        for (int i = 0; i < firstTokenSeconds.Length; i++)
        {
            double seconds = firstTokenSeconds[i];
            fleet.Add(((char)('a' + i)).ToString(), o =>
            {
                o.TimeToFirstToken = TimeSpan.FromSeconds(seconds);
                o.StreamChunkCount = 4;
                o.ChunkDelay = TimeSpan.FromMilliseconds(100);
            });
        }

        fleet.Options.Hedging.Enabled = true;
        fleet.Options.Hedging.Delay = TimeSpan.FromSeconds(1);
        fleet.Options.Hedging.UseObservedLatency = false;
        fleet.Options.Timeouts.TimeToFirstTokenTimeout = null;
        return fleet;
    }

    [Test]
    public async Task A_slow_first_attempt_is_hedged_after_the_delay_the_first_to_produce_wins_and_the_loser_still_counts_in_the_cost([Values] bool streaming)
    {
        // a answers its first token at 1.5 s; b, started at 1 s, at 1.3 s: b wins, a is cancelled before any of its output is used.
        SimFleet fleet = Fleet(1.5, 0.3);
        IChatClient client = fleet.Build();

        (ChatResponse response, TimeSpan elapsed) = await fleet.TimedAskAsync(client, streaming);

        Assert.That(response.Text, Is.EqualTo("b says: hello"), "never output of two deployments interleaved");
        RoutingReport report = response.GetRoutingReport()!;
        Assert.That(SimFleet.Summary(report), Is.EqualTo(new[] { "a:Cancelled", "b:Succeeded" }));
        Assert.That(report.Attempts[0].FailoverReason, Is.EqualTo("hedge:slow_first_token"));
        Assert.That((report.Attempts[0].Hedged, report.Attempts[1].Hedged), Is.EqualTo((false, true)));
        Assert.That(report.Attempts[1].OutputCommitted, Is.EqualTo(streaming));
        Assert.That(report.Attempts[0].OutputCommitted, Is.False);
        Assert.That(report.Attempts[0].CostUsd, Is.GreaterThan(0m), "the cancelled attempt's prompt tokens are counted");
        Assert.That(report.Attempts[0].UsageEstimated, Is.True);
        Assert.That(report.CostUsd, Is.EqualTo(report.Attempts.Sum(a => a.CostUsd)));
        TimeSpan bDone = streaming ? TimeSpan.FromSeconds(1.3 + 0.3) : TimeSpan.FromSeconds(1.3 + 0.3);
        Assert.That(elapsed, Is.EqualTo(bDone));
    }

    [Test]
    public async Task A_fast_first_attempt_is_not_hedged([Values] bool streaming)
    {
        SimFleet fleet = Fleet(0.5, 0.1);
        IChatClient client = fleet.Build();

        ChatResponse response = await fleet.AskAsync(client, streaming);

        Assert.That(SimFleet.Summary(response.GetRoutingReport()!), Is.EqualTo(new[] { "a:Succeeded" }));
        Assert.That(fleet.Clients["b"].CallCount, Is.Zero);
    }

    [Test]
    public async Task Requests_offering_a_non_idempotent_tool_are_never_hedged([Values] bool streaming)
    {
        SimFleet fleet = Fleet(5, 0.1);
        IChatClient client = fleet.Build();
        AIFunction pay = AIFunctionFactory.Create(() => "paid", new AIFunctionFactoryOptions
        {
            Name = "pay",
            AdditionalProperties = new Dictionary<string, object?> { [ResilienceHints.NonIdempotentToolKey] = true },
        });

        (ChatResponse response, TimeSpan elapsed) = await fleet.TimedAskAsync(client, streaming, options: new ChatOptions { Tools = [pay] });

        Assert.That(response.Text, Is.EqualTo("a says: hello"));
        Assert.That(fleet.Clients["b"].CallCount, Is.Zero);
        Assert.That(elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(5)));
    }

    [Test]
    public async Task The_number_of_hedged_attempts_is_capped([Values] bool streaming, [Values(1, 2)] int cap)
    {
        SimFleet fleet = Fleet(10, 10, 0.2);
        fleet.Options.Hedging.MaxHedgedAttempts = cap;
        fleet.Options.Timeouts.AttemptTimeout = TimeSpan.FromSeconds(60);
        IChatClient client = fleet.Build();

        ChatResponse response = await fleet.AskAsync(client, streaming);

        RoutingReport report = response.GetRoutingReport()!;
        Assert.That(report.Attempts.Count(a => a.Hedged), Is.EqualTo(cap));
        Assert.That(fleet.Clients["c"].CallCount, Is.EqualTo(cap == 2 ? 1 : 0));
        Assert.That(response.Text, Is.EqualTo(cap == 2 ? "c says: hello" : "a says: hello"));
    }

    [Test]
    public async Task A_request_can_turn_hedging_on_with_its_own_delay([Values] bool streaming)
    {
        SimFleet fleet = Fleet(3, 0.1);
        fleet.Options.Hedging.Enabled = false;
        IChatClient client = fleet.Build();

        (ChatResponse response, TimeSpan elapsed) = await fleet.TimedAskAsync(
            client, streaming, options: new ChatOptions().WithResilience(new ResilienceRequestOptions { Hedging = true, HedgingDelay = TimeSpan.FromMilliseconds(500) }));

        Assert.That(response.Text, Is.EqualTo("b says: hello"));
        Assert.That(elapsed, Is.EqualTo(TimeSpan.FromSeconds(0.5 + 0.1 + 0.3)));
    }

    [Test]
    public async Task The_observed_p90_time_to_first_token_becomes_the_hedging_delay()
    {
        SimFleet fleet = Fleet(0.4, 0.1);
        fleet.Options.Hedging.UseObservedLatency = true;
        fleet.Options.Hedging.Delay = TimeSpan.FromSeconds(30);
        IChatClient client = fleet.Build();
        for (int i = 0; i < 20; i++)
        {
            await fleet.AskAsync(client, streaming: true);
        }

        Assert.That(fleet.Health.GetState("a").TimeToFirstTokenP90, Is.EqualTo(TimeSpan.FromSeconds(0.4)));
        fleet.Clients["a"].Options.TimeToFirstToken = TimeSpan.FromSeconds(20);

        (ChatResponse response, TimeSpan elapsed) = await fleet.TimedAskAsync(client, streaming: true);

        Assert.That(response.Text, Is.EqualTo("b says: hello"));
        Assert.That(elapsed, Is.EqualTo(TimeSpan.FromSeconds(0.4 + 0.1 + 0.3)), "hedged after the observed 0.4 s, not the configured 30 s");
    }
}
