namespace LlmRouting.Tests.Routing;

[TestFixture]
public class PolicyTests
{
    // cheap: slow and weak; fast: quick, mid-priced; strong: best quality, dearest.
    private static RouterKit Fleet()
    {
        var kit = new RouterKit();
        kit.Add("cheap", RouterKit.Model("groq", "small", 0.1m, 0.1m, ttftSeconds: 2.0, tokensPerSecond: 20), weight: 1);
        kit.Add("fast", RouterKit.Model("cerebras", "quick", 1m, 1m, ttftSeconds: 0.1, tokensPerSecond: 1000), weight: 3);
        kit.Add("strong", RouterKit.Model("openai", "big", 10m, 30m, ttftSeconds: 0.6, tokensPerSecond: 80), weight: 6);
        return kit;
    }

    private static void Qualities(CostRouterChatClient r)
    {
        r.Options.QualityPriors["cheap"] = 0.3;
        r.Options.QualityPriors["fast"] = 0.6;
        r.Options.QualityPriors["strong"] = 0.95;
    }

    private static ChatOptions Output(int tokens) => new() { MaxOutputTokens = tokens };

    [Test]
    public async Task Fastest_ranks_by_predicted_latency([Values] bool streaming)
    {
        IChatClient client = Fleet().Build(r => r.Policy = new FastestRoutingPolicy());
        RoutingReport report = (await client.AskAsync(streaming, "hi", Output(100))).GetRoutingReport()!;
        // fast 0.1 + 0.1 = 0.2 s; strong 0.6 + 1.25 = 1.85 s; cheap 2 + 5 = 7 s
        Assert.That(report.Candidates, Is.EqualTo(new[] { "fast", "strong", "cheap" }));
        Assert.That(report.Policy, Is.EqualTo("fastest"));
        Assert.That(report.PredictedLatency!.Value.TotalSeconds, Is.EqualTo(0.2).Within(1e-9));
    }

    [Test]
    public async Task Weighted_is_deterministic_with_a_seeded_random_and_follows_the_weights([Values] bool streaming)
    {
        async Task<List<string>> Run()
        {
            RouterKit kit = Fleet();
            IChatClient client = kit.Build(r => r.Policy = new WeightedRoutingPolicy(new Random(1234)));
            var firsts = new List<string>();
            for (int i = 0; i < 300; i++)
            {
                firsts.Add((await client.AskAsync(streaming, "hi")).GetRoutingReport()!.Deployment!);
            }

            return firsts;
        }

        List<string> a = await Run();
        List<string> b = await Run();
        Assert.That(a, Is.EqualTo(b), "same seed, same choices");
        double strongShare = a.Count(d => d == "strong") / 300.0;
        double cheapShare = a.Count(d => d == "cheap") / 300.0;
        Assert.That(strongShare, Is.EqualTo(0.6).Within(0.08), "weight 6 of 10");
        Assert.That(cheapShare, Is.EqualTo(0.1).Within(0.06), "weight 1 of 10");
    }

    [Test]
    public void Weighted_failover_order_contains_every_candidate_once()
    {
        var policy = new WeightedRoutingPolicy(new Random(7));
        RoutingCandidate[] candidates = new[] { "a", "b", "c", "d" }.Select(n => new RoutingCandidate(new Deployment(n, "p", n) { Weight = 2 }, 0m)).ToArray();
        for (int i = 0; i < 50; i++)
        {
            IReadOnlyList<RoutingCandidate> ranked = policy.Rank(candidates, new RequestProfile());
            Assert.That(ranked.Select(c => c.Deployment.Name), Is.EquivalentTo(new[] { "a", "b", "c", "d" }));
        }
    }

    [Test]
    public async Task Balanced_trades_cost_latency_and_quality_by_weight([Values] bool streaming)
    {
        RouterKit kit = Fleet();
        IChatClient costly = kit.Build(r =>
        {
            Qualities(r);
            r.Policy = new BalancedRoutingPolicy(new BalancedRoutingPolicyOptions { CostWeight = 0, LatencyWeight = 0, QualityWeight = 1 });
        });
        RoutingReport report = (await costly.AskAsync(streaming, "hi", Output(100))).GetRoutingReport()!;
        Assert.That(report.Deployment, Is.EqualTo("strong"));
        Assert.That(report.Reason, Does.StartWith("balanced:"));

        IChatClient thrifty = Fleet().Build(r =>
        {
            Qualities(r);
            r.Policy = new BalancedRoutingPolicy(new BalancedRoutingPolicyOptions { CostWeight = 1, LatencyWeight = 0, QualityWeight = 0 });
        });
        Assert.That((await thrifty.AskAsync(streaming, "hi", Output(100))).GetRoutingReport()!.Deployment, Is.EqualTo("cheap"));

        IChatClient even = Fleet().Build(r =>
        {
            Qualities(r);
            r.Policy = new BalancedRoutingPolicy();
        });
        // fast: middling cost (0.41 on the log scale), best latency (0), quality 0.6 → 0.41 + 0 + 0.4 beats cheap (0 + 1 + 0.7) and strong (1 + 0.63 + 0.05).
        Assert.That((await even.AskAsync(streaming, "hi", Output(100))).GetRoutingReport()!.Deployment, Is.EqualTo("fast"));
    }

    [Test]
    public void Balanced_rejects_invalid_weights()
    {
        Assert.Throws<ArgumentException>(() => new BalancedRoutingPolicy(new BalancedRoutingPolicyOptions { CostWeight = -1 }));
        Assert.Throws<ArgumentException>(() => new BalancedRoutingPolicy(new BalancedRoutingPolicyOptions { CostWeight = 0, LatencyWeight = 0, QualityWeight = 0 }));
    }

    [Test]
    public async Task Slo_picks_the_cheapest_candidate_predicted_to_meet_every_target([Values] bool streaming)
    {
        // ≤ 500 ms and ≤ $0.0001 per call: 5 prompt + 50 output tokens.
        IChatClient client = Fleet().Build(r =>
        {
            Qualities(r);
            r.Policy = new SloRoutingPolicy(new SloRoutingPolicyOptions { MaxLatency = TimeSpan.FromMilliseconds(500), MaxCostUsd = 0.0001m });
        });

        RoutingReport report = (await client.AskAsync(streaming, "hi", Output(50))).GetRoutingReport()!;

        // cheap is cheapest but takes 4.5 s; fast takes 0.15 s for $0.000055; strong costs $0.0015.
        Assert.That(report.Candidates, Is.EqualTo(new[] { "fast", "cheap", "strong" }));
        Assert.That(report.Reason, Does.StartWith("slo: cheapest of 1 predicted to meet latency ≤ 500 ms, cost ≤ $0.0001"));
        Assert.That(report.EstimatedCostUsd, Is.LessThanOrEqualTo(0.0001m));
        Assert.That(report.PredictedLatency, Is.LessThanOrEqualTo(TimeSpan.FromMilliseconds(500)));
    }

    [Test]
    public async Task Slo_targets_from_hints_replace_configured_ones_and_the_closest_candidate_serves_when_none_meets_them([Values] bool streaming)
    {
        IChatClient client = Fleet().Build(r =>
        {
            Qualities(r);
            r.Policy = new SloRoutingPolicy(new SloRoutingPolicyOptions { MinQuality = 0.99 });
        });

        RoutingReport report = (await client.AskAsync(streaming, "hi", Output(50))).GetRoutingReport()!;
        Assert.That(report.Deployment, Is.EqualTo("strong"), "closest to the quality target");
        Assert.That(report.Reason, Does.StartWith("slo: no candidate is predicted to meet quality ≥ 0.99; closest first"));

        // The hint is a hard limit as well as the target.
        report = (await client.AskAsync(streaming, "hi", Output(50).WithMinQuality(0.5))).GetRoutingReport()!;
        Assert.That(report.Deployment, Is.EqualTo("fast"));
        Assert.That(report.RejectedCandidates.Single().Reason, Is.EqualTo(RoutingRejectionReasons.UnderMinQuality));
    }

    [Test]
    public async Task A_request_can_choose_another_registered_policy_by_name([Values] bool streaming)
    {
        IChatClient client = Fleet().Build();
        RoutingReport report = (await client.AskAsync(streaming, "hi", Output(100).WithRoutingPolicy("fastest"))).GetRoutingReport()!;
        Assert.That(report.Policy, Is.EqualTo("fastest"));
        Assert.That(report.Deployment, Is.EqualTo("fast"));

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => client.AskAsync(streaming, "hi", new ChatOptions().WithRoutingPolicy("nope")));
        Assert.That(ex!.Message, Does.Contain("'nope'").And.Contain("fastest").And.Contain("slo"));
    }

    [Test]
    public async Task A_policy_sees_the_messages_and_explains_itself_and_dropped_candidates_are_reported([Values] bool streaming)
    {
        var policy = new KeywordPolicy();
        IChatClient client = Fleet().Build(r => r.Policy = policy);

        RoutingReport report = (await client.AskAsync(streaming, "please think hard")).GetRoutingReport()!;

        Assert.That(policy.SawText, Is.EqualTo("please think hard"));
        Assert.That(report.Candidates, Is.EqualTo(new[] { "strong" }));
        Assert.That(report.Reason, Is.EqualTo("keyword: hard"));
        Assert.That(report.RejectedCandidates.Select(r => r.Reason), Is.All.EqualTo(RoutingRejectionReasons.PolicyExcluded));
        Assert.That(report.RejectedCandidates, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task A_policy_written_against_the_two_argument_rank_still_works([Values] bool streaming)
    {
        IChatClient client = Fleet().Build(r => r.Policy = new ReverseNamePolicy());
        RoutingReport report = (await client.AskAsync(streaming, "hi")).GetRoutingReport()!;
        Assert.That(report.Candidates, Is.EqualTo(new[] { "strong", "fast", "cheap" }));
        Assert.That(report.Reason, Does.StartWith("reverse: ranked first of 3 eligible"));
    }

    private sealed class KeywordPolicy : IRoutingPolicy
    {
        public string? SawText { get; private set; }

        public string Name => "keyword";

        public IReadOnlyList<RoutingCandidate> Rank(IReadOnlyList<RoutingCandidate> candidates, RequestProfile profile) => candidates;

        public IReadOnlyList<RoutingCandidate> Rank(RoutingPolicyContext context)
        {
            SawText = context.Messages[^1].Text;
            context.Reason = "keyword: hard";
            return SawText.Contains("hard", StringComparison.Ordinal) ? context.Candidates.Where(c => c.Deployment.Name == "strong").ToArray() : context.Candidates;
        }
    }

    private sealed class ReverseNamePolicy : IRoutingPolicy
    {
        public string Name => "reverse";

        public IReadOnlyList<RoutingCandidate> Rank(IReadOnlyList<RoutingCandidate> candidates, RequestProfile profile) =>
            candidates.OrderByDescending(c => c.Deployment.Name, StringComparer.Ordinal).ToArray();
    }
}
