using LlmRouting.Testing;

namespace LlmRouting.Tests;

[TestFixture]
public class TimeoutTests
{
    private static SimFleet Two(Action<SimulatedProviderOptions>? a = null)
    {
        var fleet = new SimFleet();
        fleet.Add("a", a);
        fleet.Add("b");
        return fleet;
    }

    [Test]
    public async Task The_attempt_timeout_cuts_a_hanging_call_and_fails_over([Values] bool streaming)
    {
        SimFleet fleet = Two(o => o.FaultTimeout = Timeout.InfiniteTimeSpan);
        fleet.Options.Timeouts.AttemptTimeout = TimeSpan.FromSeconds(5);
        fleet.Options.Timeouts.TimeToFirstTokenTimeout = null;
        fleet.Clients["a"].InjectFaults(SimulatedFaultKind.Timeout);
        IChatClient client = fleet.Build();

        (ChatResponse response, TimeSpan elapsed) = await fleet.TimedAskAsync(client, streaming);

        Assert.That(elapsed, Is.EqualTo(TimeSpan.FromSeconds(5)));
        RoutingReport report = response.GetRoutingReport()!;
        Assert.That(SimFleet.Summary(report), Is.EqualTo(new[] { "a:Failed:timeout", "b:Succeeded" }));
        Assert.That(report.Attempts[0].Duration, Is.EqualTo(TimeSpan.FromSeconds(5)));
        Assert.That(report.Attempts[0].ErrorType, Is.EqualTo(nameof(LlmProviderException)));
    }

    [Test]
    public async Task A_slow_first_token_fails_over_after_the_time_to_first_token_timeout_or_the_attempt_timeout([Values] bool streaming)
    {
        SimFleet fleet = Two(o => o.SlowFirstTokenDelay = TimeSpan.FromSeconds(60));
        fleet.Options.Timeouts.TimeToFirstTokenTimeout = TimeSpan.FromSeconds(2);
        fleet.Options.Timeouts.AttemptTimeout = TimeSpan.FromSeconds(8);
        fleet.Clients["a"].InjectFaults(SimulatedFaultKind.SlowFirstToken);
        IChatClient client = fleet.Build();

        (ChatResponse response, TimeSpan elapsed) = await fleet.TimedAskAsync(client, streaming);

        TestContext.Out.WriteLine(string.Join(" | ", response.GetRoutingReport()!.Attempts.Select(a => $"{a.Deployment} {a.Outcome} {a.ErrorKind} {a.Duration} {a.FailoverReason}")) + " total " + response.GetRoutingReport()!.TotalLatency);
        // A stream is held to its time to first token; a non-streamed call, which has no first token, to its attempt timeout.
        Assert.That(elapsed, Is.EqualTo(TimeSpan.FromSeconds(streaming ? 2 : 8)));
        Assert.That(SimFleet.Summary(response.GetRoutingReport()!), Is.EqualTo(new[] { "a:Failed:timeout", "b:Succeeded" }));
    }

    [Test]
    public async Task A_stream_that_goes_quiet_after_the_commit_point_is_interrupted_by_the_idle_timeout([Values] bool streaming)
    {
        var fleet = new SimFleet();
        fleet.Add("a", o =>
        {
            o.StreamChunkCount = 4;
            o.ChunkDelay = TimeSpan.FromSeconds(20);
        });
        fleet.Add("b");
        fleet.Options.Timeouts.StreamIdleTimeout = TimeSpan.FromSeconds(5);
        fleet.Options.Timeouts.AttemptTimeout = TimeSpan.FromSeconds(100);
        IChatClient client = fleet.Build();

        if (streaming)
        {
            (StreamInterruptedException error, TimeSpan elapsed) = await fleet.FailAsync<StreamInterruptedException>(client, true);
            Assert.That(elapsed, Is.EqualTo(TimeSpan.FromSeconds(5)));
            Assert.That(error.UpdatesReceived, Is.EqualTo(1));
            Assert.That(error.PartialText, Is.Not.Empty.And.Length.LessThan("a says: hello".Length));
            Assert.That(error.InnerException, Is.InstanceOf<LlmProviderException>().With.Property("Kind").EqualTo(LlmErrorKind.Timeout));
            Assert.That(error.Report!.Attempts.Single().OutputCommitted, Is.True);
            Assert.That(fleet.Clients["b"].CallCount, Is.Zero, "never failed over after the commit point");
        }
        else
        {
            // A non-streamed call has no gaps to time; the same slow reply (60 s) completes within its attempt timeout.
            (ChatResponse response, TimeSpan elapsed) = await fleet.TimedAskAsync(client, false);
            Assert.That(response.Text, Is.EqualTo("a says: hello"));
            Assert.That(elapsed, Is.EqualTo(TimeSpan.FromSeconds(60)));
        }
    }

    [Test]
    public async Task The_total_deadline_bounds_retries_and_waits([Values] bool streaming)
    {
        var fleet = new SimFleet();
        fleet.Add("a").SetOutage(SimulatedFaultKind.ServerError);
        fleet.Options.MaxAttempts = 50;
        fleet.Options.Retry.MaxRetryAttempts = 50;
        fleet.Options.Retry.BaseDelay = TimeSpan.FromSeconds(1);
        fleet.Options.Timeouts.TotalRequestTimeout = TimeSpan.FromSeconds(6);
        IChatClient client = fleet.Build();

        (AllAttemptsFailedException error, TimeSpan elapsed) = await fleet.FailAsync<AllAttemptsFailedException>(client, streaming);

        // Attempts at 0, 0.75, 2.25 and 5.25 s (backoffs of 3/4 of 1, 2 and 4 s); the next backoff (6 s) would end past the
        // 6 s deadline, so the request fails at once instead of waiting for it.
        Assert.That(error.Attempts, Has.Count.EqualTo(4));
        Assert.That(error.Attempts.All(a => a.ErrorKind == LlmErrorKind.ServerError), Is.True);
        Assert.That(error.Message, Does.Contain("before the request's deadline"));
        Assert.That(elapsed, Is.EqualTo(TimeSpan.FromSeconds(5.25)));
    }

    [Test]
    public async Task The_deadline_cuts_a_running_attempt_and_the_error_is_typed([Values] bool streaming)
    {
        var fleet = new SimFleet();
        fleet.Add("a", o => o.TimeToFirstToken = TimeSpan.FromSeconds(30));
        fleet.Options.Timeouts.TotalRequestTimeout = TimeSpan.FromSeconds(3);
        fleet.Options.Timeouts.TimeToFirstTokenTimeout = null;
        IChatClient client = fleet.Build();

        (AllAttemptsFailedException error, TimeSpan elapsed) = await fleet.FailAsync<AllAttemptsFailedException>(client, streaming);
        Assert.That(elapsed, Is.EqualTo(TimeSpan.FromSeconds(3)));
        Assert.That(error.Attempts.Single().ErrorKind, Is.EqualTo(LlmErrorKind.Timeout));
        Assert.That(error.InnerException!.Message, Does.Contain("deadline"));
        Assert.That(fleet.Health.GetState("a").SampleCount, Is.Zero, "the deadline is the request's, not the deployment's fault");
    }

    [Test]
    public async Task Per_deployment_timeouts_override_the_global_ones([Values] bool streaming)
    {
        SimFleet fleet = Two(o => o.FaultTimeout = Timeout.InfiniteTimeSpan);
        fleet.Options.Timeouts.AttemptTimeout = TimeSpan.FromSeconds(30);
        fleet.Options.Timeouts.TimeToFirstTokenTimeout = TimeSpan.FromSeconds(30);
        fleet.Options.Deployments["a"] = new DeploymentResilienceOptions { AttemptTimeout = TimeSpan.FromSeconds(3), TimeToFirstTokenTimeout = TimeSpan.FromSeconds(3) };
        fleet.Clients["a"].InjectFaults(SimulatedFaultKind.Timeout);
        (_, TimeSpan elapsed) = await fleet.TimedAskAsync(fleet.Build(), streaming);
        Assert.That(elapsed, Is.EqualTo(TimeSpan.FromSeconds(3)));
    }

    [Test]
    public async Task Per_request_hints_override_deployment_and_global_timeouts([Values] bool streaming)
    {
        SimFleet fleet = Two(o => o.FaultTimeout = Timeout.InfiniteTimeSpan);
        fleet.Options.Deployments["a"] = new DeploymentResilienceOptions { AttemptTimeout = TimeSpan.FromSeconds(3), TimeToFirstTokenTimeout = TimeSpan.FromSeconds(3) };
        fleet.Clients["a"].InjectFaults(SimulatedFaultKind.Timeout);
        var options = new ChatOptions().WithResilience(new ResilienceRequestOptions
        {
            AttemptTimeout = TimeSpan.FromMilliseconds(700),
            TimeToFirstTokenTimeout = TimeSpan.FromMilliseconds(700),
        });

        (ChatResponse response, TimeSpan elapsed) = await fleet.TimedAskAsync(fleet.Build(), streaming, options: options);
        Assert.That(elapsed, Is.EqualTo(TimeSpan.FromMilliseconds(700)));
        Assert.That(response.GetRoutingReport()!.Deployment, Is.EqualTo("b"));
        Assert.That(fleet.Clients["b"].LastCall!.Options!.AdditionalProperties?.ContainsKey(ResilienceHints.OptionsKey) ?? false, Is.False,
            "LlmRouting keys never reach the provider");
    }
}
