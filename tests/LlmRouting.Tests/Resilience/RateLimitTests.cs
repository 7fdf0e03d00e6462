using System.Threading.RateLimiting;
using LlmRouting.Chaos;
using LlmRouting.Testing;
using Microsoft.Extensions.Time.Testing;

namespace LlmRouting.Tests;

[TestFixture]
public class RateLimitTests
{
    private static SimFleet Fleet()
    {
        var fleet = new SimFleet();
        fleet.Add("a", o => o.TimeToFirstToken = TimeSpan.FromSeconds(1));
        fleet.Add("b", o => o.TimeToFirstToken = TimeSpan.FromSeconds(1));
        return fleet;
    }

    [Test]
    public async Task A_deployment_at_its_requests_per_minute_is_skipped_by_routing_until_the_window_moves([Values] bool streaming)
    {
        SimFleet fleet = Fleet();
        fleet.Options.Deployments["a"] = new DeploymentResilienceOptions { RequestsPerMinute = 2 };
        IChatClient client = fleet.Build();

        Assert.That((await fleet.AskAsync(client, streaming)).Text, Is.EqualTo("a says: hello"));
        Assert.That((await fleet.AskAsync(client, streaming)).Text, Is.EqualTo("a says: hello"));
        ChatResponse third = await fleet.AskAsync(client, streaming);

        Assert.That(third.Text, Is.EqualTo("b says: hello"));
        RoutingReport report = third.GetRoutingReport()!;
        CandidateRejection skipped = report.RejectedCandidates.Single();
        Assert.That((skipped.Deployment, skipped.Reason), Is.EqualTo(("a", "rate_limited_locally")));
        Assert.That(skipped.Detail, Does.Contain("requests_per_minute"));
        Assert.That(fleet.Health.GetState("a").SaturationReason, Is.EqualTo("requests_per_minute"));

        fleet.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.That((await fleet.AskAsync(client, streaming)).Text, Is.EqualTo("a says: hello"));
    }

    [Test]
    public async Task A_stream_holds_its_concurrency_slot_until_it_ends_and_a_saturated_deployment_is_skipped([Values] bool streaming)
    {
        SimFleet fleet = Fleet();
        fleet.Clients["a"].Options.StreamChunkCount = 4;
        fleet.Clients["a"].Options.ChunkDelay = TimeSpan.FromSeconds(1);
        fleet.Options.RateLimits.MaxConcurrency = 1;
        IChatClient client = fleet.Build();

        ChatResponse[] responses = fleet.Clock.Run(() => Task.WhenAll(
            client.AskAsync(streaming, "one"),
            client.AskAsync(streaming, "two")));

        Assert.That(responses.Select(r => r.Text), Is.EqualTo(new[] { "a says: one", "b says: two" }));
        Assert.That(fleet.Health.GetState("a").InFlight, Is.Zero, "the slot is freed when the attempt ends");
        Assert.That((await fleet.AskAsync(client, streaming, "three")).Text, Is.EqualTo("a says: three"));
    }

    [Test]
    public async Task When_every_candidate_is_saturated_the_request_waits_for_the_limit_and_the_wait_is_reported([Values] bool streaming)
    {
        SimFleet fleet = Fleet();
        fleet.Options.RateLimits.RequestsPerMinute = 1;
        IChatClient client = fleet.Build();
        await fleet.AskAsync(client, streaming);
        fleet.Clock.Advance(TimeSpan.FromSeconds(10));
        await fleet.AskAsync(client, streaming);

        (ChatResponse response, TimeSpan elapsed) = await fleet.TimedAskAsync(client, streaming);

        // a's first request started at 0 s and b's at 11 s; now is 12 s: a's window frees at 60 s (48 s from now), then the call takes 1 s.
        Assert.That(elapsed, Is.EqualTo(TimeSpan.FromSeconds(48 + 1)));
        Assert.That(response.Text, Is.EqualTo("a says: hello"));
        Assert.That(response.GetRoutingReport()!.LimitWaitDuration, Is.EqualTo(TimeSpan.FromSeconds(48)));
    }

    [Test]
    public async Task Tokens_per_minute_admit_the_next_request_once_the_estimate_is_settled_to_the_actual_usage([Values] bool streaming)
    {
        // The router's token estimate of the request (prompt plus expected output), from a fleet of the same shape.
        SimFleet probe = Fleet();
        LlmRequestContext planned = probe.Build().GetService<CostRouterChatClient>()!.Plan([new ChatMessage(ChatRole.User, "hello")]);
        long estimate = planned.EstimatedInputTokens + planned.EstimatedOutputTokens;
        Assert.That(estimate, Is.GreaterThan(100), "the expected output dominates the estimate");

        // Room for one estimate plus a little: two estimates do not fit, one estimate plus the few tokens actually used does.
        SimFleet fleet = Fleet();
        fleet.Options.Deployments["a"] = new DeploymentResilienceOptions { TokensPerMinute = estimate + 20 };
        IChatClient client = fleet.Build();

        ChatResponse first = await fleet.AskAsync(client, streaming);
        Assert.That(first.Text, Is.EqualTo("a says: hello"));
        Assert.That(first.Usage!.TotalTokenCount, Is.LessThan(20));

        Assert.That((await fleet.AskAsync(client, streaming)).Text, Is.EqualTo("a says: hello"), "settled to the actual usage, a has room again");
        DeploymentHealthState a = fleet.Health.GetState("a", estimate + 20);
        Assert.That(a.SaturationReason, Is.EqualTo("tokens_per_minute"), "the settled usage of both requests still counts in the window");
    }

    [Test]
    public void Tokens_per_minute_count_the_estimate_and_settle_to_the_actual_usage()
    {
        var time = new FakeTimeProvider();
        var limiter = new DeploymentRateLimiter(requestsPerMinute: null, tokensPerMinute: 1_000, maxConcurrency: null, honorProviderHeaders: true, time);

        using var first = (DeploymentLease)limiter.AttemptAcquire(600);
        Assert.That(first.IsAcquired, Is.True);
        Assert.That(limiter.Check(600), Is.EqualTo((false, "tokens_per_minute", (TimeSpan?)TimeSpan.FromMinutes(1))));

        first.Settle(150);
        Assert.That(limiter.Check(600).Available, Is.True, "the estimate of 600 was replaced by the 150 tokens actually used");
        using RateLimitLease second = limiter.AttemptAcquire(600);
        Assert.That(second.IsAcquired, Is.True);
        Assert.That(limiter.Check(300).Available, Is.False);

        time.Advance(TimeSpan.FromMinutes(1));
        Assert.That(limiter.Check(1_000).Available, Is.True, "the window moved on");
    }

    [Test]
    public void Provider_rate_limit_headers_tighten_the_limits()
    {
        var time = new FakeTimeProvider();
        var limiter = new DeploymentRateLimiter(requestsPerMinute: 100, tokensPerMinute: null, maxConcurrency: null, honorProviderHeaders: true, time);

        // The provider says only 2 requests per minute are allowed, and none remain for 20 s.
        limiter.Observe(new RateLimitInfo { LimitRequests = 2, RemainingRequests = 0, ResetRequests = TimeSpan.FromSeconds(20) }, null);
        Assert.That(limiter.Check(0), Is.EqualTo((false, "provider_requests", (TimeSpan?)TimeSpan.FromSeconds(20))));

        time.Advance(TimeSpan.FromSeconds(20));
        using RateLimitLease one = limiter.AttemptAcquire(0);
        using RateLimitLease two = limiter.AttemptAcquire(0);
        Assert.That((one.IsAcquired, two.IsAcquired), Is.EqualTo((true, true)));
        Assert.That(limiter.Check(0).Reason, Is.EqualTo("requests_per_minute"), "the provider's limit of 2 replaced the configured 100");

        limiter.Observe(null, TimeSpan.FromSeconds(30));
        Assert.That(limiter.Check(0).Reason, Is.EqualTo("retry_after"));
    }

    [Test]
    public async Task Rate_limit_headers_of_a_reply_make_routing_skip_the_deployment_until_their_reset([Values] bool streaming)
    {
        var registry = new ProviderRegistry();
        var calls = new List<string>();
        foreach (string name in new[] { "a", "b" })
        {
            var info = new ModelInfo
            {
                Provider = "simulated",
                ModelId = "model-" + name,
                Pricing = new ModelPricing { InputPerToken = (name == "a" ? 1 : 2) / 1_000_000m, OutputPerToken = 0.000002m },
                Capabilities = ModelCapabilities.Streaming,
            };
            // Each reply says: no requests left for 30 s (as x-ratelimit-remaining-requests: 0, x-ratelimit-reset-requests: 30s).
            var headers = new AdditionalPropertiesDictionary
            {
                [LlmResponsePropertyKeys.RateLimits] = new RateLimitInfo { RemainingRequests = 0, ResetRequests = TimeSpan.FromSeconds(30) },
            };
            registry.Add(new Deployment(name, "simulated", "model-" + name, info), new TestChatClient
            {
                GetResponseAsyncCallback = (_, _, _) =>
                {
                    calls.Add(name);
                    return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, name)) { AdditionalProperties = headers });
                },
                GetStreamingResponseAsyncCallback = (_, _, _) =>
                {
                    calls.Add(name);
                    return new[] { new ChatResponseUpdate(ChatRole.Assistant, name) { AdditionalProperties = headers } }.ToAsyncEnumerable();
                },
            });
        }

        var time = new FakeTimeProvider();
        IChatClient client = new ChatClientBuilder(new DeploymentDispatcherChatClient(registry))
            .UseCostRouter(registry)
            .Use(inner => new ResilienceChatClient(inner, new ResilienceOptions(), time))
            .Build();

        Assert.That((await client.AskAsync(streaming, "1")).Text, Is.EqualTo("a"));
        ChatResponse second = await client.AskAsync(streaming, "2");
        Assert.That(second.Text, Is.EqualTo("b"), "a said it has no requests left");
        Assert.That(second.GetRoutingReport()!.RejectedCandidates.Single().Detail, Does.Contain("provider_requests"));

        time.Advance(TimeSpan.FromSeconds(30));
        Assert.That((await client.AskAsync(streaming, "3")).Text, Is.EqualTo("a"));
        Assert.That(calls, Is.EqualTo(new[] { "a", "b", "a" }));
    }

    [Test]
    public void Provider_headers_are_ignored_when_turned_off()
    {
        var limiter = new DeploymentRateLimiter(null, null, null, honorProviderHeaders: false, new VirtualClock());
        limiter.Observe(new RateLimitInfo { RemainingRequests = 0, ResetRequests = TimeSpan.FromSeconds(20) }, TimeSpan.FromSeconds(5));
        Assert.That(limiter.Check(0).Available, Is.True);
    }
}
