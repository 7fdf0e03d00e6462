using LlmRouting.Chaos;

namespace LlmRouting.Tests;

/// <summary>
/// The chaos suite: 10,000 requests (half streamed) through the full chain over 3 simulated deployments with 30% injected faults of
/// every kind (429 with Retry-After, 500, 503, hanging calls cut by the attempt timeout, connection resets, malformed JSON,
/// truncated streams, error events inside 200 streams, slow first tokens), on a virtual clock.
/// </summary>
[TestFixture]
[NonParallelizable]
public class ChaosTests
{
    [Test]
    public void Ten_thousand_requests_under_thirty_percent_faults_all_succeed_without_duplicated_or_interleaved_output()
    {
        var settings = new ChaosSettings();
        // Outages on top of the random faults: one deployment at a time is down for a while; the others stay up.
        settings.Outages.Add((2_000, 3_500, 0));
        settings.Outages.Add((6_000, 7_000, 1));

        ChaosResult result = ChaosScenario.Run(settings);
        TestContext.Out.WriteLine(Describe(result));

        Assert.Multiple(() =>
        {
            Assert.That(result.Succeeded, Is.EqualTo(10_000), string.Join(Environment.NewLine, result.FailureSamples));
            Assert.That(result.Failed, Is.Zero);
            Assert.That(result.InterruptedAfterCommit, Is.Zero, "every truncation happened before the commit point and was failed over");
            Assert.That(result.DuplicatedOutputs + result.InterleavedOutputs, Is.Zero);

            // Every kind was injected, about 30% of the calls failed (outages add more), and the layer retried, failed over and hedged.
            Assert.That(result.FaultsByKind.Keys, Is.SupersetOf(ChaosScenario.FaultKinds.Select(ChaosScenario.JsonName)));
            Assert.That(result.FaultsByKind.Values, Has.All.GreaterThan(100));
            Assert.That(result.Faults, Is.GreaterThan(0.25 * result.Attempts));
            Assert.That(result.Failovers, Is.GreaterThan(1_000));
            Assert.That(result.Retries, Is.GreaterThan(0));
            Assert.That(result.Hedges, Is.GreaterThan(100));

            // With every deployment down, each request fails with a typed error listing every attempt made.
            Assert.That(result.AllDownTypedAndComplete, Is.EqualTo(result.AllDownRequests), string.Join(Environment.NewLine, result.FailureSamples));
            Assert.That(result.P50AddedMs, Is.LessThan(result.P99AddedMs));
        });
    }

    [Test]
    public void Streams_cut_after_the_commit_point_surface_typed_with_exactly_the_output_the_caller_received()
    {
        var settings = new ChaosSettings { Requests = 2_000, TruncatedStreamUpdates = 2, Seed = 7 };

        ChaosResult result = ChaosScenario.Run(settings);
        TestContext.Out.WriteLine(Describe(result));

        Assert.Multiple(() =>
        {
            // A cut after output reached the caller cannot be failed over: it is a typed interruption, never a truncated success.
            Assert.That(result.InterruptedAfterCommit, Is.GreaterThan(10));
            Assert.That(result.BadPartialOutputs, Is.Zero, string.Join(Environment.NewLine, result.FailureSamples));
            Assert.That(result.Succeeded + result.InterruptedAfterCommit, Is.EqualTo(settings.Requests), string.Join(Environment.NewLine, result.FailureSamples));
            Assert.That(result.Failed, Is.Zero);
            Assert.That(result.DuplicatedOutputs + result.InterleavedOutputs, Is.Zero);
        });
    }

    [Test]
    public void The_run_is_deterministic_under_a_seed()
    {
        var settings = new ChaosSettings { Requests = 600, Seed = 99 };
        ChaosResult first = ChaosScenario.Run(settings);
        ChaosResult second = ChaosScenario.Run(settings);
        Assert.That(
            (second.Succeeded, second.Retries, second.Failovers, second.Hedges, second.Faults, second.P99AddedMs, second.VirtualDuration),
            Is.EqualTo((first.Succeeded, first.Retries, first.Failovers, first.Hedges, first.Faults, first.P99AddedMs, first.VirtualDuration)));
    }

    private static string Describe(ChaosResult r) =>
        $"requests {r.Requests}, succeeded {r.Succeeded}, failed {r.Failed}, interrupted {r.InterruptedAfterCommit}, attempts {r.Attempts}, "
        + $"faults {r.Faults} ({string.Join(", ", r.FaultsByKind.Select(k => $"{k.Key} {k.Value}"))}), retries {r.Retries}, failovers {r.Failovers}, "
        + $"hedges {r.Hedges}, p50 +{r.P50AddedMs} ms, p99 +{r.P99AddedMs} ms, virtual {r.VirtualDuration}, wall {r.WallDuration}";
}
