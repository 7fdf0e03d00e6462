using System.Globalization;
using LlmRouting.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LlmRouting.Chaos;

/// <summary>Settings of a chaos run.</summary>
internal sealed class ChaosSettings
{
    /// <summary>Gets or sets the number of requests (half streamed, half not).</summary>
    public int Requests { get; set; } = 10_000;

    /// <summary>Gets or sets the number of simulated deployments.</summary>
    public int Deployments { get; set; } = 3;

    /// <summary>Gets or sets the share of calls that get a fault, spread evenly over <see cref="ChaosScenario.FaultKinds"/>.</summary>
    public double FaultRate { get; set; } = 0.30;

    /// <summary>Gets or sets the seed of the fault draws.</summary>
    public int Seed { get; set; } = 20_260_101;

    /// <summary>Gets or sets how many requests run at the same time (in virtual time).</summary>
    public int Concurrency { get; set; } = 8;

    /// <summary>
    /// Gets or sets how many text updates a truncated stream delivers before it is cut. 0 (the default) cuts it before its first update,
    /// which the resilience layer fails over; a cut after the commit point cannot be failed over and surfaces as a
    /// <see cref="StreamInterruptedException"/> (counted in <see cref="ChaosResult.InterruptedAfterCommit"/>).
    /// </summary>
    public int? TruncatedStreamUpdates { get; set; }

    /// <summary>Gets or sets the outages: request index ranges during which one deployment fails every call (an outage of kind 503).</summary>
    public IList<(int From, int To, int Deployment)> Outages { get; } = [];
}

/// <summary>What a chaos run measured.</summary>
internal sealed class ChaosResult
{
    public int Requests { get; set; }

    public int Succeeded { get; set; }

    public int Failed { get; set; }

    public int InterruptedAfterCommit { get; set; }

    /// <summary>Gets or sets the interrupted streams whose partial output was not a prefix of one deployment's reply, or did not match what the caller received.</summary>
    public int BadPartialOutputs { get; set; }

    public int DuplicatedOutputs { get; set; }

    public int InterleavedOutputs { get; set; }

    public int Retries { get; set; }

    public int Failovers { get; set; }

    public int Hedges { get; set; }

    public int Attempts { get; set; }

    public SortedDictionary<string, int> FaultsByKind { get; } = new(StringComparer.Ordinal);

    public double P50AddedMs { get; set; }

    public double P99AddedMs { get; set; }

    public TimeSpan VirtualDuration { get; set; }

    public TimeSpan WallDuration { get; set; }

    /// <summary>Gets the first few unexpected failures, for diagnosis.</summary>
    public List<string> FailureSamples { get; } = [];

    /// <summary>Gets or sets the number of requests of the all-down phase.</summary>
    public int AllDownRequests { get; set; }

    /// <summary>Gets or sets how many of those failed with an <see cref="AllAttemptsFailedException"/> listing exactly the calls made.</summary>
    public int AllDownTypedAndComplete { get; set; }

    public int Faults => FaultsByKind.Values.Sum();
}

/// <summary>
/// The chaos scenario shared by the chaos tests and <c>LlmRouting.Eval chaos</c>: requests through the full chain (router, redactor,
/// resilience, telemetry) over simulated deployments that inject every fault kind, on a virtual clock, so hours of simulated
/// timeouts, Retry-After waits and break durations take seconds.
/// </summary>
internal static class ChaosScenario
{
    /// <summary>The fault kinds injected, each with an equal share of the fault rate.</summary>
    public static readonly SimulatedFaultKind[] FaultKinds =
    [
        SimulatedFaultKind.RateLimited, // 429 with Retry-After
        SimulatedFaultKind.ServerError, // 500
        SimulatedFaultKind.Overloaded, // 503
        SimulatedFaultKind.Timeout, // hangs: cut by the attempt timeout
        SimulatedFaultKind.ConnectionReset,
        SimulatedFaultKind.MalformedResponse,
        SimulatedFaultKind.TruncatedStream,
        SimulatedFaultKind.InStreamError,
        SimulatedFaultKind.SlowFirstToken,
    ];

    /// <summary>The fault-free latency of a deployment: first token, then <see cref="Chunks"/> updates <see cref="ChunkDelay"/> apart.</summary>
    public static TimeSpan FirstToken(int deployment) => TimeSpan.FromMilliseconds(300 + (100 * deployment));

    public const int Chunks = 4;

    public static readonly TimeSpan ChunkDelay = TimeSpan.FromMilliseconds(25);

    public static string Name(int deployment) => "chaos-" + (char)('a' + deployment);

    public static string Reply(string deployment, string prompt) => $"{deployment} says: {prompt}";

    /// <summary>The resilience settings of the scenario.</summary>
    public static void Configure(ResilienceOptions options)
    {
        options.MaxAttempts = 10;
        options.Retry.MaxRetryAttempts = 4;
        options.Retry.BaseDelay = TimeSpan.FromMilliseconds(200);
        options.Retry.MaxRetryAfter = TimeSpan.FromSeconds(5);
        options.Timeouts.AttemptTimeout = TimeSpan.FromSeconds(6);
        options.Timeouts.TimeToFirstTokenTimeout = TimeSpan.FromSeconds(3);
        options.Timeouts.StreamIdleTimeout = TimeSpan.FromSeconds(3);
        options.Timeouts.TotalRequestTimeout = TimeSpan.FromMinutes(2);
        options.Hedging.Enabled = true;
        options.Hedging.Delay = TimeSpan.FromSeconds(1.5);
        options.Hedging.UseObservedLatency = false;
        options.Hedging.MaxHedgedAttempts = 1;
        options.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(30);
        options.CircuitBreaker.MinimumThroughput = 20;
        options.CircuitBreaker.BreakDuration = TimeSpan.FromSeconds(10);
    }

    /// <summary>Runs the scenario.</summary>
    public static ChaosResult Run(ChaosSettings settings)
    {
        var wall = System.Diagnostics.Stopwatch.StartNew();
        var result = new ChaosResult { Requests = settings.Requests };
        var fleet = new Fleet(settings, faults: true);
        (TimeSpan streamedBaseline, TimeSpan baseline) = Baseline(settings);
        var added = new List<double>(settings.Requests);
        DateTimeOffset start = fleet.Clock.GetUtcNow();

        fleet.Clock.Run(async () =>
        {
            for (int first = 0; first < settings.Requests; first += settings.Concurrency)
            {
                int count = Math.Min(settings.Concurrency, settings.Requests - first);
                fleet.ApplyOutages(first);
                var wave = new Task[count];
                for (int k = 0; k < count; k++)
                {
                    int index = first + k;
                    wave[k] = OneAsync(fleet, index, result, added, streamedBaseline, baseline);
                }

                await Task.WhenAll(wave).ConfigureAwait(false);
            }

            return true;
        }, maxVirtualTime: TimeSpan.FromDays(7));

        result.VirtualDuration = fleet.LastCompletion - start;
        foreach (SimulatedChatClient client in fleet.Clients)
        {
            foreach (SimulatedCall call in client.Calls)
            {
                if (call.Fault != SimulatedFaultKind.None)
                {
                    string kind = JsonName(call.Fault);
                    result.FaultsByKind[kind] = result.FaultsByKind.GetValueOrDefault(kind) + 1;
                }
            }
        }

        added.Sort();
        result.P50AddedMs = Percentile(added, 0.50);
        result.P99AddedMs = Percentile(added, 0.99);
        AllDown(fleet, result);
        result.WallDuration = wall.Elapsed;
        return result;
    }

    /// <summary>The fault kind as a JSON field name (e.g. <c>rate_limited</c>).</summary>
    public static string JsonName(SimulatedFaultKind kind) => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(kind.ToString());

    private static async Task OneAsync(Fleet fleet, int index, ChaosResult result, List<double> added, TimeSpan streamedBaseline, TimeSpan baseline)
    {
        bool streaming = index % 2 == 0;
        string prompt = "request " + index.ToString(CultureInfo.InvariantCulture);
        var messages = new List<ChatMessage> { new(ChatRole.User, prompt) };
        DateTimeOffset started = fleet.Clock.GetUtcNow();
        var received = new System.Text.StringBuilder();
        RoutingReport? report = null;
        try
        {
            string text;
            if (streaming)
            {
                await foreach (ChatResponseUpdate update in fleet.Client.GetStreamingResponseAsync(messages).ConfigureAwait(false))
                {
                    received.Append(update.Text);
                    report = update.GetRoutingReport() ?? report;
                }

                text = received.ToString();
            }
            else
            {
                ChatResponse response = await fleet.Client.GetResponseAsync(messages).ConfigureAwait(false);
                report = response.GetRoutingReport();
                text = response.Text;
            }

            lock (result)
            {
                fleet.Completed();
                Count(result, report);
                string? winner = report?.Attempts.LastOrDefault(a => a.Outcome == AttemptOutcome.Succeeded)?.Deployment;
                if (winner is not null && text == Reply(winner, prompt))
                {
                    result.Succeeded++;
                    added.Add(((fleet.Clock.GetUtcNow() - started) - (streaming ? streamedBaseline : baseline)).TotalMilliseconds);
                }
                else
                {
                    result.Failed++;
                    Classify(result, text, prompt, fleet);
                    Sample(result, $"{prompt}: unexpected output '{text}' (winner {winner ?? "none"})");
                }
            }
        }
        catch (StreamInterruptedException interrupted)
        {
            lock (result)
            {
                fleet.Completed();
                Count(result, interrupted.Report);
                result.InterruptedAfterCommit++;
                string expected = Reply(interrupted.Deployment ?? "?", prompt);
                if (interrupted.PartialText != received.ToString() || !expected.StartsWith(interrupted.PartialText, StringComparison.Ordinal) || interrupted.PartialText.Length == 0)
                {
                    result.BadPartialOutputs++;
                    Sample(result, $"{prompt}: partial '{interrupted.PartialText}' vs received '{received}'");
                }
            }
        }
#pragma warning disable CA1031 // Counted and sampled: the assertions look at the counts.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            lock (result)
            {
                fleet.Completed();
                Count(result, (ex as AllAttemptsFailedException)?.Report);
                result.Failed++;
                Sample(result, $"{prompt} ({(streaming ? "streamed" : "not streamed")}): {ex.GetType().Name}: {ex.Message}");
            }
        }
    }

    private static void Count(ChaosResult result, RoutingReport? report)
    {
        if (report is null)
        {
            return;
        }

        foreach (RoutingAttempt attempt in report.Attempts)
        {
            result.Attempts++;
            if (attempt.Hedged)
            {
                result.Hedges++;
            }

            if (attempt.FailoverReason is { } reason)
            {
                if (reason.StartsWith("retry:", StringComparison.Ordinal))
                {
                    result.Retries++;
                }
                else if (reason.StartsWith("failover:", StringComparison.Ordinal))
                {
                    result.Failovers++;
                }
            }
        }
    }

    private static void Classify(ChaosResult result, string text, string prompt, Fleet fleet)
    {
        int matches = 0;
        foreach (SimulatedChatClient client in fleet.Clients)
        {
            string reply = Reply(client.Options.DeploymentName!, prompt);
            int at = 0;
            while ((at = text.IndexOf(reply, at, StringComparison.Ordinal)) >= 0)
            {
                matches++;
                at += reply.Length;
            }
        }

        if (matches > 1)
        {
            result.DuplicatedOutputs++;
        }
        else if (text.Length > 0)
        {
            result.InterleavedOutputs++;
        }
    }

    private static void Sample(ChaosResult result, string text)
    {
        if (result.FailureSamples.Count < 10)
        {
            result.FailureSamples.Add(text);
        }
    }

    /// <summary>Every deployment down: each request must fail with an <see cref="AllAttemptsFailedException"/> that lists every call made.</summary>
    private static void AllDown(Fleet fleet, ChaosResult result)
    {
        foreach (SimulatedChatClient client in fleet.Clients)
        {
            client.SetOutage(SimulatedFaultKind.ServerError);
        }

        const int requests = 20;
        result.AllDownRequests = requests;
        fleet.Clock.Run(async () =>
        {
            for (int i = 0; i < requests; i++)
            {
                long before = fleet.Clients.Sum(c => c.CallCount);
                var messages = new List<ChatMessage> { new(ChatRole.User, "all down " + i.ToString(CultureInfo.InvariantCulture)) };
                try
                {
                    if (i % 2 == 0)
                    {
                        await foreach (ChatResponseUpdate update in fleet.Client.GetStreamingResponseAsync(messages).ConfigureAwait(false))
                        {
                            _ = update;
                        }
                    }
                    else
                    {
                        await fleet.Client.GetResponseAsync(messages).ConfigureAwait(false);
                    }
                }
                catch (AllAttemptsFailedException ex)
                {
                    long calls = fleet.Clients.Sum(c => c.CallCount) - before;
                    bool listsAll = ex.Attempts.Count == calls
                        && ex.Report is { } report && report.Attempts.Count == calls
                        && ex.Attempts.All(a => a.Outcome == AttemptOutcome.Failed && a.ErrorKind == LlmErrorKind.ServerError && ex.Message.Contains(a.Deployment, StringComparison.Ordinal));
                    if (listsAll)
                    {
                        result.AllDownTypedAndComplete++;
                    }
                    else
                    {
                        Sample(result, $"all down {i}: {calls} calls, {ex.Attempts.Count} attempts listed: {ex.Message}");
                    }
                }
#pragma warning disable CA1031 // Sampled.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    Sample(result, $"all down {i}: {ex.GetType().Name}: {ex.Message}");
                }
            }

            return true;
        }, maxVirtualTime: TimeSpan.FromDays(1));

        foreach (SimulatedChatClient client in fleet.Clients)
        {
            client.ClearOutage();
        }
    }

    /// <summary>The latency of a fault-free request through the same chain, streamed and not.</summary>
    private static (TimeSpan Streamed, TimeSpan NotStreamed) Baseline(ChaosSettings settings)
    {
        var fleet = new Fleet(settings, faults: false);
        TimeSpan Measure(bool streaming) => fleet.Clock.Run(async () =>
        {
            DateTimeOffset t0 = fleet.Clock.GetUtcNow();
            var messages = new List<ChatMessage> { new(ChatRole.User, "baseline") };
            if (streaming)
            {
                await foreach (ChatResponseUpdate update in fleet.Client.GetStreamingResponseAsync(messages).ConfigureAwait(false))
                {
                    _ = update;
                }
            }
            else
            {
                await fleet.Client.GetResponseAsync(messages).ConfigureAwait(false);
            }

            return fleet.Clock.GetUtcNow() - t0;
        });
        return (Measure(true), Measure(false));
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    /// <summary>The simulated deployments and the chain over them.</summary>
    private sealed class Fleet
    {
        private readonly ChaosSettings _settings;

        public Fleet(ChaosSettings settings, bool faults)
        {
            _settings = settings;
            var registry = new ProviderRegistry();
            for (int i = 0; i < settings.Deployments; i++)
            {
                string name = Name(i);
                string model = "model-" + name;
                var info = new ModelInfo
                {
                    Provider = "simulated",
                    ModelId = model,
                    Pricing = new ModelPricing { InputPerToken = (i + 1) / 1_000_000m, OutputPerToken = (i + 1) * 2 / 1_000_000m },
                    Capabilities = ModelCapabilities.Tools | ModelCapabilities.Streaming,
                    ContextWindow = 128_000,
                };
                var options = new SimulatedProviderOptions
                {
                    TimeProvider = Clock,
                    DeploymentName = name,
                    ModelId = model,
                    Seed = settings.Seed + i,
                    TimeToFirstToken = FirstToken(i),
                    ChunkDelay = ChunkDelay,
                    StreamChunkCount = Chunks,
                    RetryAfter = TimeSpan.FromSeconds(1),
                    FaultTimeout = Timeout.InfiniteTimeSpan,
                    SlowFirstTokenDelay = TimeSpan.FromSeconds(10),
                    TruncatedStreamUpdates = settings.TruncatedStreamUpdates ?? 0,
                    ReplyFunction = (messages, _) => Reply(name, messages.LastOrDefault(m => m.Role == ChatRole.User)?.Text ?? string.Empty),
                };
                if (faults)
                {
                    foreach (SimulatedFaultKind kind in FaultKinds)
                    {
                        options.FaultRates[kind] = settings.FaultRate / FaultKinds.Length;
                    }
                }

                var client = new SimulatedChatClient(options);
                registry.Add(new Deployment(name, "simulated", model, info), client);
                Clients.Add(client);
            }

            var resilience = new ResilienceOptions();
            Configure(resilience);
            ServiceProvider services = new ServiceCollection().AddSingleton<TimeProvider>(Clock).BuildServiceProvider();
            Client = new ChatClientBuilder(new DeploymentDispatcherChatClient(registry))
                .UseCostRouter(registry)
                .UseRedaction()
                .Use(inner => new ResilienceChatClient(inner, resilience, Clock) { Randomizer = new Random(settings.Seed).NextDouble })
                .UseRoutingTelemetry()
                .Build(services);
        }

        public VirtualClock Clock { get; } = new();

        public List<SimulatedChatClient> Clients { get; } = [];

        public IChatClient Client { get; }

        /// <summary>Gets when the last request completed (virtual time).</summary>
        public DateTimeOffset LastCompletion { get; private set; }

        public void Completed() => LastCompletion = Clock.GetUtcNow() > LastCompletion ? Clock.GetUtcNow() : LastCompletion;

        /// <summary>Starts and ends the outages scheduled around request <paramref name="index"/>.</summary>
        public void ApplyOutages(int index)
        {
            for (int d = 0; d < Clients.Count; d++)
            {
                bool down = _settings.Outages.Any(o => o.Deployment == d && index >= o.From && index < o.To);
                if (down && !Clients[d].IsDown)
                {
                    Clients[d].SetOutage(SimulatedFaultKind.Overloaded);
                }
                else if (!down && Clients[d].IsDown)
                {
                    Clients[d].ClearOutage();
                }
            }
        }
    }
}
