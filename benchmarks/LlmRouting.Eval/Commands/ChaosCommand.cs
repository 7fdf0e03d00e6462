using System.Globalization;
using System.Text;
using System.Text.Json;
using LlmRouting.Chaos;

namespace LlmRouting.Eval.Commands;

/// <summary>
/// <c>chaos [--requests N] [--seed N] [--fault-rate R] [--concurrency N]</c>: the chaos scenario of the test suite
/// (tests/LlmRouting.Tests/Resilience/Chaos, compiled into this tool): requests through the full chain over 3 simulated deployments
/// with injected faults of every kind and two outages, on a virtual clock; prints the counts and the latency the faults added.
/// </summary>
internal sealed class ChaosCommand : IEvalCommand
{
    /// <inheritdoc/>
    public string Name => "chaos";

    /// <inheritdoc/>
    public string Description => "failover under injected faults: 10,000 requests, 3 simulated deployments, 30% faults (virtual time)";

    /// <inheritdoc/>
    public async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var settings = new ChaosSettings();
        for (int i = 0; i < args.Count; i++)
        {
            string? value = i + 1 < args.Count ? args[i + 1] : null;
            bool ok = args[i] switch
            {
                "--requests" => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0 && Set(() => settings.Requests = n),
                "--seed" => int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int s) && Set(() => settings.Seed = s),
                "--fault-rate" => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double rate) && rate is >= 0 and <= 1 && Set(() => settings.FaultRate = rate),
                "--concurrency" => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int c) && c > 0 && Set(() => settings.Concurrency = c),
                _ => false,
            };
            if (!ok)
            {
                await error.WriteLineAsync($"chaos: bad argument '{args[i]}'{(value is null ? string.Empty : $" '{value}'")}").ConfigureAwait(false);
                await error.WriteLineAsync("usage: chaos [--requests N] [--seed N] [--fault-rate 0..1] [--concurrency N]").ConfigureAwait(false);
                return Program.UsageExitCode;
            }

            i++;
        }

        // The same outages as the chaos test, scaled to the number of requests: one deployment at a time is down for a while.
        settings.Outages.Add((settings.Requests / 5, settings.Requests * 35 / 100, 0));
        settings.Outages.Add((settings.Requests * 6 / 10, settings.Requests * 7 / 10, 1));

        cancellationToken.ThrowIfCancellationRequested();
        ChaosResult r = await Task.Run(() => ChaosScenario.Run(settings), cancellationToken).ConfigureAwait(false);

        await output.WriteLineAsync(string.Create(
            CultureInfo.InvariantCulture,
            $"{r.Requests} requests, {r.Attempts} attempts, {r.Faults} injected faults; {r.Succeeded} succeeded, {r.Failed} failed; {r.Retries} retries, {r.Failovers} failovers, {r.Hedges} hedges")).ConfigureAwait(false);
        await output.WriteLineAsync(string.Create(
            CultureInfo.InvariantCulture,
            $"added latency p50 {r.P50AddedMs:0} ms, p99 {r.P99AddedMs:0} ms (virtual); {r.VirtualDuration.TotalHours:0.0} h of virtual time in {r.WallDuration.TotalSeconds:0.0} s; all-down phase: {r.AllDownTypedAndComplete}/{r.AllDownRequests} typed and complete")).ConfigureAwait(false);
        foreach (string sample in r.FailureSamples)
        {
            await error.WriteLineAsync("  " + sample).ConfigureAwait(false);
        }

        await output.WriteLineAsync(ToJson(r, settings)).ConfigureAwait(false);
        return r.Failed == 0 && r.DuplicatedOutputs == 0 && r.InterleavedOutputs == 0 && r.AllDownTypedAndComplete == r.AllDownRequests ? 0 : 1;
    }

    private static bool Set(Action set)
    {
        set();
        return true;
    }

    private static string ToJson(ChaosResult r, ChaosSettings settings)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("requests", r.Requests);
            json.WriteNumber("deployments", settings.Deployments);
            json.WriteNumber("fault_rate", settings.FaultRate);
            json.WriteNumber("attempts", r.Attempts);
            json.WriteStartObject("faults_by_kind");
            foreach ((string kind, int count) in r.FaultsByKind)
            {
                json.WriteNumber(kind, count);
            }

            json.WriteEndObject();
            json.WriteNumber("retries", r.Retries);
            json.WriteNumber("failovers", r.Failovers);
            json.WriteNumber("hedges", r.Hedges);
            json.WriteNumber("succeeded", r.Succeeded);
            json.WriteNumber("failed", r.Failed);
            json.WriteNumber("interrupted_after_commit", r.InterruptedAfterCommit);
            json.WriteNumber("duplicated_outputs", r.DuplicatedOutputs);
            json.WriteNumber("interleaved_outputs", r.InterleavedOutputs);
            json.WriteNumber("p50_added_ms", Math.Round(r.P50AddedMs, 1));
            json.WriteNumber("p99_added_ms", Math.Round(r.P99AddedMs, 1));
            json.WriteNumber("all_down_requests", r.AllDownRequests);
            json.WriteNumber("all_down_typed_and_complete", r.AllDownTypedAndComplete);
            json.WriteNumber("virtual_seconds", Math.Round(r.VirtualDuration.TotalSeconds, 1));
            json.WriteNumber("wall_seconds", Math.Round(r.WallDuration.TotalSeconds, 2));
            json.WriteNumber("seed", settings.Seed);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
