using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace LlmRouting.Tests.Routing;

[TestFixture]
public class ExperimentTests
{
    private static RouterKit Fleet()
    {
        var kit = new RouterKit();
        kit.Add("mini", RouterKit.Model("openai", "mini", 0.15m, 0.6m, ttftSeconds: 0.5, tokensPerSecond: 80));
        kit.Add("new", RouterKit.Model("openai", "new-mini", 0.3m, 1.2m, ttftSeconds: 0.3, tokensPerSecond: 150));
        kit.Add("large", RouterKit.Model("openai", "large", 2.5m, 10m, ttftSeconds: 0.4, tokensPerSecond: 100));
        return kit;
    }

    private static ExperimentOptions Canary(double canaryPercent = 10) => new()
    {
        Variants =
        {
            ["control"] = new ExperimentVariantOptions { Percent = 100 - canaryPercent },
            ["canary"] = new ExperimentVariantOptions { Percent = canaryPercent, Deployments = ["new"] },
        },
    };

    [Test]
    public void Assignment_hashes_the_experiment_and_key_with_sha256_so_it_is_stable_everywhere()
    {
        // Pinned values (SHA-256 of "experiment\u001Fkey", first 8 bytes big-endian, mod 10,000): independent of process, platform and runtime.
        Assert.That(ExperimentAssigner.Bucket("new-mini", "user-1"), Is.EqualTo(9867));
        Assert.That(ExperimentAssigner.Bucket("new-mini", "user-2"), Is.EqualTo(8212));
        Assert.That(ExperimentAssigner.Bucket("ab", "é-ü"), Is.EqualTo(147));
        Assert.That(ExperimentAssigner.Assign("new-mini", Canary(), "user-1"), Is.EqualTo("control"), "variants are taken in name order: canary [0, 1000), control [1000, 10000)");
    }

    [Test]
    public void Splits_follow_the_percentages_and_the_rest_is_not_enrolled()
    {
        RouterKit kit = Fleet();
        kit.Build(r =>
        {
            r.Options.Experiments["new-mini"] = Canary(10);
            r.Options.Experiments["half"] = new ExperimentOptions { Variants = { ["a"] = new() { Percent = 25 }, ["b"] = new() { Percent = 25 } } };
        });

        var counts = new Dictionary<string, int>();
        int halfEnrolled = 0;
        for (int i = 0; i < 4000; i++)
        {
            LlmRequestContext plan = kit.Router.Plan([new ChatMessage(ChatRole.User, "hi")], new ChatOptions().WithUser("user-" + i));
            string variant = plan.ExperimentVariants["new-mini"];
            counts[variant] = counts.GetValueOrDefault(variant) + 1;
            halfEnrolled += plan.ExperimentVariants.ContainsKey("half") ? 1 : 0;
        }

        Assert.That(counts["canary"] / 4000.0, Is.EqualTo(0.10).Within(0.015));
        Assert.That(halfEnrolled / 4000.0, Is.EqualTo(0.50).Within(0.03));
    }

    [Test]
    public async Task Assignment_is_sticky_per_user_and_the_variant_routes_the_request([Values] bool streaming)
    {
        RouterKit kit = Fleet();
        IChatClient client = kit.Build(r => r.Options.Experiments["new-mini"] = Canary(50));

        // Find one user of each variant, then check they keep it.
        string? canaryUser = null, controlUser = null;
        for (int i = 0; canaryUser is null || controlUser is null; i++)
        {
            string v = ExperimentAssigner.Assign("new-mini", Canary(50), "u" + i)!;
            if (v == "canary")
            {
                canaryUser ??= "u" + i;
            }
            else
            {
                controlUser ??= "u" + i;
            }
        }

        for (int i = 0; i < 5; i++)
        {
            RoutingReport canary = (await client.AskAsync(streaming, "hi", new ChatOptions().WithUser(canaryUser))).GetRoutingReport()!;
            Assert.That(canary.ExperimentVariants["new-mini"], Is.EqualTo("canary"));
            Assert.That(canary.Deployment, Is.EqualTo("new"));
            Assert.That(canary.RejectedCandidates.Select(r => r.Reason), Is.All.EqualTo(RoutingRejectionReasons.ExperimentVariant));

            RoutingReport control = (await client.AskAsync(streaming, "hi", new ChatOptions().WithUser(controlUser))).GetRoutingReport()!;
            Assert.That(control.ExperimentVariants["new-mini"], Is.EqualTo("control"));
            Assert.That(control.Deployment, Is.EqualTo("mini"));
        }

        // An explicit experiment key wins over the user.
        RoutingReport keyed = (await client.AskAsync(streaming, "hi", new ChatOptions().WithUser(controlUser).WithExperimentKey(canaryUser))).GetRoutingReport()!;
        Assert.That(keyed.ExperimentVariants["new-mini"], Is.EqualTo("canary"));
    }

    [Test]
    public async Task A_variant_can_route_with_another_policy([Values] bool streaming)
    {
        RouterKit kit = Fleet();
        IChatClient client = kit.Build(r => r.Options.Experiments["speed"] = new ExperimentOptions { Variants = { ["fast"] = new() { Percent = 100, Policy = "fastest" } } });

        RoutingReport report = (await client.AskAsync(streaming, "hi", new ChatOptions().WithRoutingTenant("t1"))).GetRoutingReport()!;

        Assert.That(report.Policy, Is.EqualTo("fastest"));
        Assert.That(report.Deployment, Is.EqualTo("new"));
        Assert.That(report.ExperimentVariants, Is.EquivalentTo(new Dictionary<string, string> { ["speed"] = "fast" }));
    }

    [Test]
    public async Task The_summary_compares_variants_on_cost_latency_errors_and_quality([Values] bool streaming)
    {
        RouterKit kit = Fleet();
        kit.Behaviours["new"].Fail = call => call % 4 == 0 ? new LlmProviderException(LlmErrorKind.ServerError, "flaky") : null;
        kit.Behaviours["new"].TimeToFirstToken = TimeSpan.FromMilliseconds(50);
        kit.Behaviours["new"].Generation = TimeSpan.FromMilliseconds(50);
        IChatClient client = kit.Build(r => r.Options.Experiments["new-mini"] = Canary(50));
        using var requests = new MetricCollector<long>(ExperimentDiagnostics.Requests);

        for (int i = 0; i < 40; i++)
        {
            var options = new ChatOptions().WithUser("user-" + i);
            try
            {
                ChatResponse response = await client.AskAsync(streaming, "hi", options);
                RoutingReport report = response.GetRoutingReport()!;
                client.GetService<IRoutingFeedback>()!.Score(report, report.Deployment == "new" ? 0.5 : 1.0);
            }
            catch (AllAttemptsFailedException)
            {
                // the canary is flaky by design
            }
        }

        IExperimentResults results = kit.Router.Experiments;
        Assert.That(results.Experiments, Is.EqualTo(new[] { "new-mini" }));
        ExperimentSummary summary = results.GetSummary("new-mini")!;
        Assert.That(summary.Baseline, Is.EqualTo("control"));
        ExperimentVariantSummary control = summary.Variants.Single(v => v.Variant == "control");
        ExperimentVariantSummary canary = summary.Variants.Single(v => v.Variant == "canary");
        Assert.That(control.Requests + canary.Requests, Is.EqualTo(40));
        Assert.That(canary.Failures, Is.EqualTo(kit.Behaviours["new"].Calls / 4));
        Assert.That(canary.ErrorRate, Is.GreaterThan(0));
        Assert.That(control.ErrorRate, Is.Zero);
        Assert.That(canary.ErrorRateDelta, Is.EqualTo(canary.ErrorRate));
        Assert.That(canary.CostRatio, Is.EqualTo(2.0 * (1 - canary.ErrorRate)).Within(1e-9), "new-mini costs twice as much per call; failed calls cost nothing");
        Assert.That(canary.LatencyRatio, Is.LessThan(1), "and answers faster");
        Assert.That(canary.QualityScore, Is.LessThan(control.QualityScore!.Value));
        Assert.That(canary.QualityDelta, Is.LessThan(0));
        Assert.That(control.CostRatio, Is.EqualTo(1.0));
        Assert.That(results.GetSummary("unknown"), Is.Null);

        IReadOnlyList<CollectedMeasurement<long>> measured = requests.GetMeasurementSnapshot();
        Assert.That(measured.Sum(m => m.Value), Is.EqualTo(40));
        Assert.That(measured.Where(m => m.Tags["llm_routing.experiment.variant"] as string == "canary" && m.Tags["llm_routing.outcome"] as string == "error").Sum(m => m.Value), Is.EqualTo(canary.Failures));
    }

    [Test]
    public async Task A_pinned_request_is_not_enrolled([Values] bool streaming)
    {
        RouterKit kit = Fleet();
        IChatClient client = kit.Build(r => r.Options.Experiments["new-mini"] = Canary(100));
        RoutingReport report = (await client.AskAsync(streaming, "hi", new ChatOptions { ModelId = "large" }.WithUser("u1"))).GetRoutingReport()!;
        Assert.That(report.Deployment, Is.EqualTo("large"));
        Assert.That(report.ExperimentVariants, Is.Empty);
        Assert.That(kit.Router.Experiments.GetSummary("new-mini"), Is.Null);
    }
}
