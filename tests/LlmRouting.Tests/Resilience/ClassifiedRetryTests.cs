using LlmRouting.Testing;

namespace LlmRouting.Tests;

[TestFixture]
public class ClassifiedRetryTests
{
    private static SimFleet Two(Action<SimulatedProviderOptions>? a = null)
    {
        var fleet = new SimFleet();
        fleet.Add("a", a);
        fleet.Add("b");
        return fleet;
    }

    [Test]
    public async Task Retryable_failures_fail_over_at_once_to_the_next_candidate(
        [Values] bool streaming,
        [Values(SimulatedFaultKind.RateLimited, SimulatedFaultKind.ServerError, SimulatedFaultKind.Overloaded, SimulatedFaultKind.ConnectionReset,
            SimulatedFaultKind.MalformedResponse, SimulatedFaultKind.InStreamError, SimulatedFaultKind.TruncatedStream)] SimulatedFaultKind fault)
    {
        SimFleet fleet = Two(o =>
        {
            o.RetryAfter = TimeSpan.FromSeconds(1);
            o.TruncatedStreamUpdates = 0; // cut before the first update: before the commit point
        });
        fleet.Clients["a"].InjectFaults(fault);
        IChatClient client = fleet.Build();

        (ChatResponse response, TimeSpan elapsed) = await fleet.TimedAskAsync(client, streaming);

        Assert.That(response.Text, Is.EqualTo("b says: hello"));
        RoutingReport report = response.GetRoutingReport()!;
        LlmErrorKind expected = fault switch
        {
            SimulatedFaultKind.RateLimited => LlmErrorKind.RateLimited,
            SimulatedFaultKind.ServerError => LlmErrorKind.ServerError,
            SimulatedFaultKind.Overloaded or SimulatedFaultKind.InStreamError => LlmErrorKind.Overloaded,
            SimulatedFaultKind.ConnectionReset => LlmErrorKind.Network,
            SimulatedFaultKind.MalformedResponse => LlmErrorKind.InvalidResponse,
            _ => streaming ? LlmErrorKind.StreamInterrupted : LlmErrorKind.Network,
        };
        Assert.That(SimFleet.Summary(report), Is.EqualTo(new[] { $"a:Failed:{expected.ToTelemetryName()}", "b:Succeeded" }));
        Assert.That(report.Attempts[0].FailoverReason, Is.EqualTo("failover:" + expected.ToTelemetryName()));
        Assert.That(report.Attempts[0].OutputCommitted, Is.False);
        Assert.That(elapsed, Is.EqualTo(TimeSpan.Zero), "failing over does not wait for a backoff");
    }

    [Test]
    public async Task A_lone_deployment_is_retried_after_an_exponential_backoff_with_injected_jitter([Values] bool streaming)
    {
        var fleet = new SimFleet();
        fleet.Add("a").InjectFaultSequence(SimulatedFaultKind.ServerError, SimulatedFaultKind.Overloaded);
        fleet.Options.Retry.BaseDelay = TimeSpan.FromSeconds(1);
        IChatClient client = fleet.Build(r => r.Randomizer = () => 0.5);

        (ChatResponse response, TimeSpan elapsed) = await fleet.TimedAskAsync(client, streaming);

        RoutingReport report = response.GetRoutingReport()!;
        Assert.That(SimFleet.Summary(report), Is.EqualTo(new[] { "a:Failed:server_error", "a:Failed:overloaded", "a:Succeeded" }));
        Assert.That(report.Attempts.Select(a => a.FailoverReason), Is.EqualTo(new[] { "retry:server_error", "retry:overloaded", null }));

        // Equal jitter with u = 0.5: 3/4 of 1 s, then 3/4 of 2 s.
        Assert.That(elapsed, Is.EqualTo(TimeSpan.FromMilliseconds(750 + 1500)));
    }

    [Test]
    public async Task Jitter_spreads_the_backoff_between_half_and_all_of_the_exponential_delay()
    {
        Assert.That(RetryBackoff.Compute(1, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), true, () => 0), Is.EqualTo(TimeSpan.FromMilliseconds(500)));
        Assert.That(RetryBackoff.Compute(3, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), true, () => 0.999999), Is.EqualTo(TimeSpan.FromSeconds(4)).Within(TimeSpan.FromMilliseconds(1)));
        Assert.That(RetryBackoff.Compute(10, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), false, () => 0), Is.EqualTo(TimeSpan.FromSeconds(10)), "capped");
        await Task.CompletedTask;
    }

    [Test]
    public async Task Retry_after_is_honoured_when_no_other_candidate_is_available([Values] bool streaming)
    {
        var fleet = new SimFleet();
        fleet.Add("a", o => o.RetryAfter = TimeSpan.FromSeconds(3)).InjectFaults(SimulatedFaultKind.RateLimited);
        IChatClient client = fleet.Build();

        (ChatResponse response, TimeSpan elapsed) = await fleet.TimedAskAsync(client, streaming);

        Assert.That(SimFleet.Summary(response.GetRoutingReport()!), Is.EqualTo(new[] { "a:Failed:rate_limited", "a:Succeeded" }));
        Assert.That(elapsed, Is.EqualTo(TimeSpan.FromSeconds(3)), "waited exactly the Retry-After, not a backoff");
    }

    [Test]
    public async Task A_retry_after_longer_than_the_maximum_wait_fails_over_instead_of_waiting([Values] bool streaming)
    {
        SimFleet fleet = Two(o => o.RetryAfter = TimeSpan.FromSeconds(30));
        fleet.Options.Retry.MaxRetryAfter = TimeSpan.FromSeconds(10);
        fleet.Clients["a"].InjectFaults(SimulatedFaultKind.RateLimited);
        IChatClient client = fleet.Build();

        (ChatResponse response, TimeSpan elapsed) = await fleet.TimedAskAsync(client, streaming);
        Assert.That(SimFleet.Summary(response.GetRoutingReport()!), Is.EqualTo(new[] { "a:Failed:rate_limited", "b:Succeeded" }));
        Assert.That(elapsed, Is.EqualTo(TimeSpan.Zero));

        // Alone, the deployment is not waited for either: the request fails at once, typed.
        var alone = new SimFleet();
        alone.Add("a", o => o.RetryAfter = TimeSpan.FromSeconds(30)).InjectFaults(SimulatedFaultKind.RateLimited);
        (AllAttemptsFailedException error, TimeSpan waited) = await alone.FailAsync<AllAttemptsFailedException>(alone.Build(), streaming);
        Assert.That(waited, Is.EqualTo(TimeSpan.Zero));
        Assert.That(error.Attempts.Single().ErrorKind, Is.EqualTo(LlmErrorKind.RateLimited));
        Assert.That(error.Message, Does.Contain("retry_after_exceeds_max"));
        Assert.That(alone.Clients["a"].CallCount, Is.EqualTo(1));
    }

    [Test]
    public async Task A_retry_after_cools_the_deployment_down_for_every_request([Values] bool streaming)
    {
        SimFleet fleet = Two(o => o.RetryAfter = TimeSpan.FromSeconds(5));
        fleet.Clients["a"].InjectFaults(SimulatedFaultKind.RateLimited);
        IChatClient client = fleet.Build();

        await fleet.AskAsync(client, streaming);
        ChatResponse second = await fleet.AskAsync(client, streaming);

        RoutingReport report = second.GetRoutingReport()!;
        Assert.That(SimFleet.Summary(report), Is.EqualTo(new[] { "b:Succeeded" }));
        CandidateRejection skipped = report.RejectedCandidates.Single();
        Assert.That((skipped.Deployment, skipped.Reason), Is.EqualTo(("a", "rate_limited_locally")));
        Assert.That(skipped.Detail, Does.Contain("retry_after"));
        Assert.That(fleet.Clients["a"].CallCount, Is.EqualTo(1));
        Assert.That(fleet.Health.GetState("a").SaturationReason, Is.EqualTo("retry_after"));

        fleet.Clock.Advance(TimeSpan.FromSeconds(5));
        ChatResponse third = await fleet.AskAsync(client, streaming);
        Assert.That(third.GetRoutingReport()!.Deployment, Is.EqualTo("a"));
    }

    [Test]
    public async Task Bad_requests_are_neither_retried_nor_failed_over([Values] bool streaming)
    {
        SimFleet fleet = Two();
        fleet.Clients["a"].InjectFaults(SimulatedFaultKind.BadRequest);
        IChatClient client = fleet.Build();

        (LlmProviderException error, _) = await fleet.FailAsync<LlmProviderException>(client, streaming);
        Assert.That(error.Kind, Is.EqualTo(LlmErrorKind.BadRequest));
        Assert.That(fleet.Clients["a"].CallCount, Is.EqualTo(1));
        Assert.That(fleet.Clients["b"].CallCount, Is.Zero);
    }

    [Test]
    public async Task Authentication_errors_fail_over_but_never_retry_the_same_deployment([Values] bool streaming)
    {
        SimFleet fleet = Two();
        fleet.Clients["a"].InjectFaults(SimulatedFaultKind.Authentication);
        ChatResponse response = await fleet.AskAsync(fleet.Build(), streaming);
        Assert.That(SimFleet.Summary(response.GetRoutingReport()!), Is.EqualTo(new[] { "a:Failed:authentication", "b:Succeeded" }));

        var alone = new SimFleet();
        alone.Add("a").InjectFaults(SimulatedFaultKind.Authentication, 5);
        (AllAttemptsFailedException error, TimeSpan waited) = await alone.FailAsync<AllAttemptsFailedException>(alone.Build(), streaming);
        Assert.That(error.Attempts, Has.Count.EqualTo(1), "never retried against the same deployment");
        Assert.That(error.LastErrorKind, Is.EqualTo(LlmErrorKind.Authentication));
        Assert.That(waited, Is.EqualTo(TimeSpan.Zero));
    }

    [Test]
    public async Task Content_filtered_requests_go_only_to_the_content_policy_fallbacks([Values] bool streaming)
    {
        var fleet = new SimFleet();
        fleet.Add("a").InjectFaults(SimulatedFaultKind.ContentFiltered);
        fleet.Add("b");
        fleet.Add("lenient");
        fleet.Options.ContentPolicyFallbacks = ["lenient"];
        ChatResponse response = await fleet.AskAsync(fleet.Build(), streaming);

        Assert.That(SimFleet.Summary(response.GetRoutingReport()!), Is.EqualTo(new[] { "a:Failed:content_filtered", "lenient:Succeeded" }));
        Assert.That(fleet.Clients["b"].CallCount, Is.Zero, "b is not a content-policy fallback");
        Assert.That(response.GetRoutingReport()!.Attempts[0].FailoverReason, Is.EqualTo("failover:content_filtered"));
    }

    [Test]
    public async Task Without_fallbacks_a_content_filtered_request_fails_with_that_error([Values] bool streaming)
    {
        SimFleet fleet = Two();
        fleet.Clients["a"].InjectFaults(SimulatedFaultKind.ContentFiltered);
        (LlmProviderException error, _) = await fleet.FailAsync<LlmProviderException>(fleet.Build(), streaming);
        Assert.That(error.Kind, Is.EqualTo(LlmErrorKind.ContentFiltered));
        Assert.That(fleet.Clients["b"].CallCount, Is.Zero);
    }

    [Test]
    public async Task Context_length_exceeded_fails_over_only_to_larger_context_windows([Values] bool streaming)
    {
        var fleet = new SimFleet();
        fleet.Add("mid", contextWindow: 8_000).InjectFaults(SimulatedFaultKind.ContextLengthExceeded);
        fleet.Add("small", contextWindow: 4_000);
        fleet.Add("large", contextWindow: 200_000);
        ChatResponse response = await fleet.AskAsync(fleet.Build(), streaming);

        RoutingReport report = response.GetRoutingReport()!;
        Assert.That(SimFleet.Summary(report), Is.EqualTo(new[] { "mid:Failed:context_length_exceeded", "large:Succeeded" }));
        Assert.That(fleet.Clients["small"].CallCount, Is.Zero, "never a blind retry into a smaller model");
        Assert.That(report.RejectedCandidates.Single(), Has.Property("Deployment").EqualTo("small").And.Property("Reason").EqualTo("context_window"));
    }

    [Test]
    public async Task Context_length_exceeded_with_no_larger_window_fails_with_that_error([Values] bool streaming)
    {
        var fleet = new SimFleet();
        fleet.Add("mid", contextWindow: 8_000).InjectFaults(SimulatedFaultKind.ContextLengthExceeded);
        fleet.Add("small", contextWindow: 4_000);
        (LlmProviderException error, _) = await fleet.FailAsync<LlmProviderException>(fleet.Build(), streaming);
        Assert.That(error.Kind, Is.EqualTo(LlmErrorKind.ContextLengthExceeded));
        Assert.That(fleet.Clients["small"].CallCount, Is.Zero);
    }

    [Test]
    public async Task A_fallback_whose_window_cannot_hold_the_estimate_is_never_sent_the_request([Values] bool streaming)
    {
        var fleet = new SimFleet();
        fleet.Add("a").InjectFaults(SimulatedFaultKind.ContentFiltered);
        fleet.Add("tiny", contextWindow: 300);
        fleet.Options.ContentPolicyFallbacks = ["tiny"];
        IChatClient client = fleet.Build();

        // ~250 prompt tokens + 256 expected output tokens: the router rejects "tiny" up front, so it is not a usable fallback either.
        (LlmProviderException error, _) = await fleet.FailAsync<LlmProviderException>(client, streaming, new string('x', 1000));
        Assert.That(error.Kind, Is.EqualTo(LlmErrorKind.ContentFiltered));
        Assert.That(fleet.Clients["tiny"].CallCount, Is.Zero);
    }

    [Test]
    public async Task Max_attempts_counts_retries_and_failovers_together([Values] bool streaming)
    {
        var fleet = new SimFleet();
        fleet.Add("a").SetOutage(SimulatedFaultKind.ServerError);
        fleet.Add("b").SetOutage(SimulatedFaultKind.ServerError);
        fleet.Options.MaxAttempts = 5;
        (AllAttemptsFailedException error, _) = await fleet.FailAsync<AllAttemptsFailedException>(fleet.Build(), streaming);

        Assert.That(error.Attempts.Select(a => a.Deployment), Is.EqualTo(new[] { "a", "b", "a", "b", "a" }));
        Assert.That(error.Attempts.Select(a => a.FailoverReason), Is.EqualTo(new[] { "failover:server_error", "failover:server_error", "failover:server_error", "failover:server_error", null }));
        Assert.That(error.Message, Does.Contain("limit of 5 attempts"));
        Assert.That(error.Report, Is.Not.Null);
    }
}
