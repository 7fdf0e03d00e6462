using LlmRouting.Testing;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace LlmRouting.Tests;

[TestFixture]
public class CircuitBreakerTests
{
    private static SimFleet Fleet(int minimumThroughput = 4)
    {
        var fleet = new SimFleet();
        fleet.Add("a");
        fleet.Add("b");
        fleet.Options.CircuitBreaker.MinimumThroughput = minimumThroughput;
        fleet.Options.CircuitBreaker.FailureRatio = 0.5;
        fleet.Options.CircuitBreaker.BreakDuration = TimeSpan.FromSeconds(10);
        return fleet;
    }

    [Test]
    public async Task The_circuit_opens_at_the_failure_ratio_once_the_minimum_throughput_is_reached_and_routing_skips_it([Values] bool streaming)
    {
        SimFleet fleet = Fleet();
        fleet.Clients["a"].SetOutage(SimulatedFaultKind.ServerError);
        IChatClient client = fleet.Build();
        using var transitions = new MetricCollector<long>(null, LlmRoutingDiagnostics.SourceName, "llm_routing.circuit.transitions");

        for (int i = 0; i < 3; i++)
        {
            await fleet.AskAsync(client, streaming);
            Assert.That(fleet.Health.GetState("a").Circuit, Is.EqualTo(DeploymentCircuitState.Closed), "below the minimum throughput");
        }

        await fleet.AskAsync(client, streaming);
        DeploymentHealthState a = fleet.Health.GetState("a");
        Assert.That(a.Circuit, Is.EqualTo(DeploymentCircuitState.Open));
        Assert.That(a.CircuitAcceptsRequests, Is.False);
        Assert.That(a.AvailableIn, Is.EqualTo(TimeSpan.FromSeconds(10)));
        Assert.That(fleet.Clients["a"].CallCount, Is.EqualTo(4));

        ChatResponse skipped = await fleet.AskAsync(client, streaming);
        RoutingReport report = skipped.GetRoutingReport()!;
        Assert.That(SimFleet.Summary(report), Is.EqualTo(new[] { "b:Succeeded" }));
        CandidateRejection rejection = report.RejectedCandidates.Single();
        Assert.That((rejection.Deployment, rejection.Reason), Is.EqualTo(("a", "circuit_open")));
        Assert.That(fleet.Clients["a"].CallCount, Is.EqualTo(4), "an open circuit is not called");

        Assert.That(transitions.GetMeasurementSnapshot().Where(m => Equals(m.Tags["llm_routing.deployment"], "a")).Select(m => m.Tags["llm_routing.circuit.state"]),
            Is.EqualTo(new[] { "open" }));
    }

    [Test]
    public async Task Below_the_failure_ratio_the_circuit_stays_closed([Values] bool streaming)
    {
        SimFleet fleet = Fleet();
        fleet.Clients["a"].InjectFaultSequence(
            SimulatedFaultKind.ServerError, SimulatedFaultKind.None, SimulatedFaultKind.None, SimulatedFaultKind.None, SimulatedFaultKind.None);
        IChatClient client = fleet.Build();
        for (int i = 0; i < 5; i++)
        {
            await fleet.AskAsync(client, streaming);
        }

        DeploymentHealthState a = fleet.Health.GetState("a");
        Assert.That(a.Circuit, Is.EqualTo(DeploymentCircuitState.Closed));
        Assert.That(a.SampleCount, Is.EqualTo(5));
        Assert.That(a.FailureRatio, Is.EqualTo(0.2));
    }

    [Test]
    public async Task After_the_break_one_probe_goes_through_and_its_success_closes_the_circuit([Values] bool streaming)
    {
        SimFleet fleet = Fleet();
        fleet.Clients["a"].SetOutage(SimulatedFaultKind.Overloaded);
        IChatClient client = fleet.Build();
        for (int i = 0; i < 4; i++)
        {
            await fleet.AskAsync(client, streaming);
        }

        Assert.That(fleet.Health.GetState("a").Circuit, Is.EqualTo(DeploymentCircuitState.Open));
        fleet.Clients["a"].ClearOutage();
        fleet.Clock.Advance(TimeSpan.FromSeconds(10));
        Assert.That(fleet.Health.GetState("a").CircuitAcceptsRequests, Is.True, "the break is over: a probe may go");

        ChatResponse probe = await fleet.AskAsync(client, streaming);
        RoutingAttempt attempt = probe.GetRoutingReport()!.Attempts.Single();
        Assert.That((attempt.Deployment, attempt.Outcome, attempt.CircuitState), Is.EqualTo(("a", AttemptOutcome.Succeeded, "half_open")));
        Assert.That(fleet.Health.GetState("a").Circuit, Is.EqualTo(DeploymentCircuitState.Closed));

        ChatResponse next = await fleet.AskAsync(client, streaming);
        Assert.That(next.GetRoutingReport()!.Attempts.Single().CircuitState, Is.EqualTo("closed"));
    }

    [Test]
    public async Task A_failed_probe_opens_the_circuit_for_another_break([Values] bool streaming)
    {
        SimFleet fleet = Fleet();
        fleet.Clients["a"].SetOutage(SimulatedFaultKind.ServerError);
        IChatClient client = fleet.Build();
        for (int i = 0; i < 4; i++)
        {
            await fleet.AskAsync(client, streaming);
        }

        fleet.Clock.Advance(TimeSpan.FromSeconds(10));
        ChatResponse response = await fleet.AskAsync(client, streaming);
        RoutingReport report = response.GetRoutingReport()!;
        Assert.That(SimFleet.Summary(report), Is.EqualTo(new[] { "a:Failed:server_error", "b:Succeeded" }));
        Assert.That(report.Attempts[0].CircuitState, Is.EqualTo("half_open"));
        DeploymentHealthState a = fleet.Health.GetState("a");
        Assert.That(a.Circuit, Is.EqualTo(DeploymentCircuitState.Open));
        Assert.That(a.AvailableIn, Is.EqualTo(TimeSpan.FromSeconds(10)));
    }

    [Test]
    public async Task Request_errors_rate_limits_and_cancellations_do_not_count_against_the_circuit([Values] bool streaming)
    {
        var fleet = new SimFleet();
        fleet.Add("a", o => o.FaultTimeout = Timeout.InfiniteTimeSpan);
        fleet.Options.CircuitBreaker.MinimumThroughput = 2;
        IChatClient client = fleet.Build();

        fleet.Clients["a"].InjectFaults(SimulatedFaultKind.BadRequest, 3);
        for (int i = 0; i < 3; i++)
        {
            await fleet.FailAsync<LlmProviderException>(client, streaming);
        }

        fleet.Clients["a"].InjectFaults(SimulatedFaultKind.Timeout, 3);
        for (int i = 0; i < 3; i++)
        {
            using var cts = new CancellationTokenSource();
            Task<ChatResponse> pending = client.AskAsync(streaming, "hi", ct: cts.Token);
            await Task.Yield();
            await cts.CancelAsync();
            Assert.That(async () => await pending, Throws.InstanceOf<OperationCanceledException>());
        }

        DeploymentHealthState a = fleet.Health.GetState("a");
        Assert.That(a.Circuit, Is.EqualTo(DeploymentCircuitState.Closed));
        Assert.That(a.SampleCount, Is.Zero);
        Assert.That(a.InFlight, Is.Zero);
    }

    [Test]
    public async Task A_stream_that_breaks_after_the_commit_point_counts_as_a_failure()
    {
        var fleet = new SimFleet();
        fleet.Add("a", o => o.TruncatedStreamUpdates = 1).InjectFaults(SimulatedFaultKind.TruncatedStream);
        IChatClient client = fleet.Build();
        await fleet.FailAsync<StreamInterruptedException>(client, streaming: true);

        DeploymentHealthState a = fleet.Health.GetState("a");
        Assert.That((a.SampleCount, a.FailureRatio, a.InFlight), Is.EqualTo((1, 1.0, 0)));
    }

    [Test]
    public async Task When_every_candidate_is_open_the_request_waits_for_the_earliest_recovery_within_its_deadline([Values] bool streaming)
    {
        SimFleet fleet = Fleet(minimumThroughput: 1);
        fleet.Options.Deployments["b"] = new DeploymentResilienceOptions { BreakDuration = TimeSpan.FromSeconds(20) };
        fleet.Clients["a"].InjectFaults(SimulatedFaultKind.ServerError);
        fleet.Clients["b"].InjectFaults(SimulatedFaultKind.ServerError);
        fleet.Options.MaxAttempts = 2;
        IChatClient client = fleet.Build();
        await fleet.FailAsync<AllAttemptsFailedException>(client, streaming);
        Assert.That(fleet.Health.GetStates().Select(s => s.Circuit), Is.EqualTo(new[] { DeploymentCircuitState.Open, DeploymentCircuitState.Open }));

        (ChatResponse response, TimeSpan elapsed) = await fleet.TimedAskAsync(client, streaming);

        Assert.That(elapsed, Is.EqualTo(TimeSpan.FromSeconds(10)), "waited for a's break, the earlier of the two");
        RoutingReport report = response.GetRoutingReport()!;
        Assert.That(SimFleet.Summary(report), Is.EqualTo(new[] { "a:Succeeded" }));
        Assert.That(report.Attempts[0].CircuitState, Is.EqualTo("half_open"));
        Assert.That(report.RejectedCandidates.Select(r => (r.Deployment, r.Reason)), Is.EqualTo(new[] { ("a", "circuit_open"), ("b", "circuit_open") }));
    }

    [Test]
    public async Task When_no_candidate_recovers_before_the_deadline_the_request_fails_at_once_with_a_typed_error([Values] bool streaming)
    {
        SimFleet fleet = Fleet(minimumThroughput: 1);
        fleet.Clients["a"].InjectFaults(SimulatedFaultKind.ServerError);
        fleet.Clients["b"].InjectFaults(SimulatedFaultKind.ServerError);
        fleet.Options.MaxAttempts = 2;
        IChatClient client = fleet.Build();
        await fleet.FailAsync<AllAttemptsFailedException>(client, streaming);

        var options = new ChatOptions().WithResilience(new ResilienceRequestOptions { TotalRequestTimeout = TimeSpan.FromSeconds(5) });
        (AllAttemptsFailedException error, TimeSpan elapsed) = await fleet.FailAsync<AllAttemptsFailedException>(client, streaming, options: options);

        Assert.That(elapsed, Is.EqualTo(TimeSpan.Zero));
        Assert.That(error.Attempts, Is.Empty);
        Assert.That(error.Message, Does.Contain("No attempt could be made").And.Contain("a: circuit_open").And.Contain("b: circuit_open").And.Contain("deadline"));
        Assert.That(error.Report!.RejectedCandidates.Select(r => r.Reason), Is.EqualTo(new[] { "circuit_open", "circuit_open" }));
    }

    [Test]
    public async Task The_state_gauge_reports_every_circuit()
    {
        string a = "gauge-a-" + Guid.NewGuid().ToString("N"), b = "gauge-b-" + Guid.NewGuid().ToString("N");
        var fleet = new SimFleet();
        fleet.Add(a).InjectFaults(SimulatedFaultKind.ServerError);
        fleet.Add(b);
        fleet.Options.CircuitBreaker.MinimumThroughput = 1;
        IChatClient client = fleet.Build();
        await fleet.AskAsync(client, streaming: false);

        using var gauge = new MetricCollector<int>(null, LlmRoutingDiagnostics.SourceName, "llm_routing.circuit.state");
        gauge.RecordObservableInstruments();
        var states = gauge.GetMeasurementSnapshot()
            .Where(m => Equals(m.Tags["llm_routing.deployment"], a) || Equals(m.Tags["llm_routing.deployment"], b))
            .ToDictionary(m => (string)m.Tags["llm_routing.deployment"]!, m => m.Value);
        Assert.That(states[a], Is.EqualTo(2), "open");
        Assert.That(states[b], Is.EqualTo(0), "closed");
    }
}
