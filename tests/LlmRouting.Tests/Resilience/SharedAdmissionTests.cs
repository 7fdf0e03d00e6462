using System.Collections.Concurrent;
using LlmRouting.Chaos;
using LlmRouting.Testing;

namespace LlmRouting.Tests;

/// <summary>The fleet's admission seam (<see cref="ISharedRateLimitGate"/>) in the resilience layer, with a fake asynchronous gate.</summary>
[TestFixture]
public class SharedAdmissionTests
{
    private static (SimFleet Fleet, IChatClient Client, FakeGate Gate) Build(Func<string, SharedAdmission>? decide = null, Action<ResilienceOptions>? configure = null)
    {
        var fleet = new SimFleet();
        fleet.Add("a");
        fleet.Add("b");
        fleet.Options.Deployments["a"] = new DeploymentResilienceOptions { RequestsPerMinute = 100, MaxConcurrency = 1 };
        configure?.Invoke(fleet.Options);
        var gate = new FakeGate(decide ?? (_ => SharedAdmission.Admitted(0)));
        IChatClient client = fleet.Build(null, gate);
        return (fleet, client, gate);
    }

    [Test]
    public async Task A_fleet_refusal_skips_the_candidate_for_the_next_frees_the_local_lease_and_is_reported([Values] bool streaming)
    {
        bool refuse = true;
        (SimFleet fleet, IChatClient client, FakeGate gate) = Build(d => refuse
            ? SharedAdmission.Refused("requests_per_minute", TimeSpan.FromSeconds(20))
            : SharedAdmission.Admitted(0, ticket: 7));

        ChatResponse served = await fleet.AskAsync(client, streaming);

        Assert.That(served.Text, Is.EqualTo("b says: hello"));
        Assert.That(fleet.Clients["a"].CallCount, Is.Zero, "the provider was never called");
        Assert.That(gate.Calls.Select(c => c.Deployment), Is.EqualTo(new[] { "a" }), "asked once, only for the deployment with a per-minute limit");
        RoutingReport report = served.GetRoutingReport()!;
        CandidateRejection skipped = report.RejectedCandidates.Single();
        Assert.That((skipped.Deployment, skipped.Reason), Is.EqualTo(("a", "rate_limited_locally")));
        Assert.That(skipped.Detail, Does.Contain("fleet_requests_per_minute").And.Contain("20 s"));
        Assert.That(report.Attempts.Select(a => a.Deployment), Is.EqualTo(new[] { "b" }), "no attempt is recorded for the refused candidate");

        DeploymentHealthState a = fleet.Health.GetState("a");
        Assert.That((a.InFlight, a.IsSaturated), Is.EqualTo((0, false)), "the lease (concurrency slot, request count) was given back");
        Assert.That(gate.Counts.Get("a", fleet.Clock.GetUtcNow()).Requests, Is.Zero, "a gate counts admissions itself: the layer adds nothing");

        refuse = false;
        Assert.That((await fleet.AskAsync(client, streaming)).Text, Is.EqualTo("a says: hello"), "the freed slot takes the next request");
    }

    [Test]
    public async Task An_admitted_attempt_settles_its_actual_usage_with_the_gate_off_the_request_path([Values] bool streaming)
    {
        (SimFleet fleet, IChatClient client, FakeGate gate) = Build(configure: o => o.Deployments["a"].TokensPerMinute = 1_000_000);

        ChatResponse served = await fleet.AskAsync(client, streaming, "how far is the moon?");

        Assert.That(served.Text, Is.EqualTo("a says: how far is the moon?"));
        (string deployment, long? rpm, long? tpm, long estimate) = gate.Calls.Single();
        Assert.That((deployment, rpm, tpm), Is.EqualTo(("a", (long?)100, (long?)1_000_000)));
        Assert.That(estimate, Is.GreaterThan(0), "the router's token estimate");
        TokenUsage usage = served.GetRoutingReport()!.Usage;
        Assert.That(usage.InputTokens + usage.OutputTokens, Is.Not.EqualTo(estimate), "the test needs an estimate that differs from the usage");
        Assert.That(SpinWait.SpinUntil(() => !gate.Settled.IsEmpty, TimeSpan.FromSeconds(5)), Is.True, "settled (fire-and-forget)");
        (string settled, SharedAdmission admission, long actual) = gate.Settled.Single();
        Assert.That((settled, admission.Tokens, admission.Ticket, actual), Is.EqualTo(("a", estimate, 42L, usage.InputTokens + usage.OutputTokens)));
    }

    [Test]
    public void Without_per_minute_limits_the_gate_is_never_asked([Values] bool streaming)
    {
        (SimFleet fleet, IChatClient client, FakeGate gate) = Build(configure: o => o.Deployments.Clear());

        Assert.That(fleet.Clock.Run(() => client.AskAsync(streaming, "x")).Text, Is.EqualTo("a says: x"));
        Assert.That(gate.Calls, Is.Empty);
        Assert.That(gate.Settled, Is.Empty);
    }

    [Test]
    public void Cancellation_while_the_gate_is_asked_cancels_the_request_and_frees_the_lease([Values] bool streaming)
    {
        (SimFleet fleet, IChatClient client, FakeGate gate) = Build();
        gate.Hang = true;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1), fleet.Clock);

        Assert.Throws(Is.InstanceOf<OperationCanceledException>(), () => fleet.Clock.Run(() => client.AskAsync(streaming, "x", ct: cts.Token)));

        Assert.That(gate.Calls, Has.Count.EqualTo(1), "the gate was asked");
        Assert.That(gate.CancelledCalls, Is.EqualTo(1), "the gate saw the cancellation");
        Assert.That(fleet.Clients["a"].CallCount + fleet.Clients["b"].CallCount, Is.Zero, "no provider was called");
        Assert.That(fleet.Health.GetState("a").InFlight, Is.Zero, "the lease was given back");
    }

    [Test]
    public void A_failing_gate_admits_on_local_limits([Values] bool streaming)
    {
        (SimFleet fleet, IChatClient client, FakeGate gate) = Build(_ => throw new InvalidOperationException("store broken"));

        Assert.That(fleet.Clock.Run(() => client.AskAsync(streaming, "x")).Text, Is.EqualTo("a says: x"), "fail-open");
        Assert.That(gate.Calls, Has.Count.EqualTo(1));
        Assert.That(fleet.Health.GetState("a").InFlight, Is.Zero);
    }

    /// <summary>A gate that answers after a real asynchronous hop, records its calls and settlements, and counts nothing itself.</summary>
    private sealed class FakeGate(Func<string, SharedAdmission> decide) : IRateLimitCounterStore, ISharedRateLimitGate
    {
        public InMemoryRateLimitCounterStore Counts { get; } = new();

        public ConcurrentQueue<(string Deployment, long? Rpm, long? Tpm, long Estimate)> Calls { get; } = new();

        public ConcurrentQueue<(string Deployment, SharedAdmission Admission, long Actual)> Settled { get; } = new();

        public bool Hang { get; set; }

        public int CancelledCalls;

        public void Add(string deployment, DateTimeOffset at, long requests, long tokens) => Counts.Add(deployment, at, requests, tokens);

        public RateLimitCounts Get(string deployment, DateTimeOffset now) => Counts.Get(deployment, now);

        public async ValueTask<SharedAdmission> TryAcquireAsync(string deployment, long? requestsPerMinute, long? tokensPerMinute, long estimatedTokens, CancellationToken cancellationToken)
        {
            Calls.Enqueue((deployment, requestsPerMinute, tokensPerMinute, estimatedTokens));
            await Task.Yield();
            if (Hang)
            {
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    Interlocked.Increment(ref CancelledCalls);
                    throw;
                }
            }

            SharedAdmission answer = decide(deployment);
            return answer.IsAcquired ? SharedAdmission.Admitted(estimatedTokens, answer.Ticket == 0 ? 42 : answer.Ticket) : answer;
        }

        public async ValueTask SettleAsync(string deployment, SharedAdmission admission, long actualTokens, CancellationToken cancellationToken)
        {
            await Task.Yield();
            Settled.Enqueue((deployment, admission, actualTokens));
        }
    }
}
