using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using LlmRouting.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LlmRouting.Eval.Commands;

/// <summary>
/// <c>redis-latency</c>: the latency Redis adds to one request. Runs the full chain over a zero-latency simulated provider with a
/// global budget (reserve, settle) and live statistics — with <c>--rate-limit</c> also fleet-wide requests and tokens per minute
/// (one admission per attempt) — once on the in-memory stores and once on Redis, in interleaved blocks, and reports p50/p99 of
/// each and their difference, the Redis operations on their own (PING, budget reserve, rate-limit admission), the collections
/// and the machine's load average before and after. Starts its own <c>redis-server</c> on a free loopback port unless
/// <c>--connection</c> names one.
/// </summary>
internal sealed class RedisLatencyCommand : IEvalCommand
{
    /// <inheritdoc/>
    public string Name => "redis-latency";

    /// <inheritdoc/>
    public string Description => "added latency per request with Redis-backed state on loopback (p50/p99); [--requests N] [--connection host:port] [--streaming] [--rate-limit] [--budget-leases]";

    /// <inheritdoc/>
    public async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        int requests = 5000;
        string? connection = null;
        bool streaming = false;
        bool rateLimit = false;
        bool leases = false;
        for (int i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--requests" when i + 1 < args.Count && int.TryParse(args[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n >= 100:
                    requests = n;
                    i++;
                    break;
                case "--connection" when i + 1 < args.Count:
                    connection = args[++i];
                    break;
                case "--streaming":
                    streaming = true;
                    break;
                case "--rate-limit":
                    rateLimit = true;
                    break;
                case "--budget-leases":
                    leases = true;
                    break;
                default:
                    await error.WriteLineAsync("usage: redis-latency [--requests N (>= 100)] [--connection host:port] [--streaming] [--rate-limit] [--budget-leases]").ConfigureAwait(false);
                    return Program.UsageExitCode;
            }
        }

        using LocalRedis? server = connection is null ? LocalRedis.Start() : null;
        connection ??= server!.ConnectionString;
        string prefix = "eval-" + Guid.NewGuid().ToString("N")[..8] + ":";
        string loadBefore = LoadAverage();
        await using ServiceProvider memory = Build(null, prefix, rateLimit, leases);
        await using ServiceProvider redis = Build(connection, prefix, rateLimit, leases);
        IChatClient memoryClient = memory.GetRequiredService<IChatClient>(), redisClient = redis.GetRequiredService<IChatClient>();

        // Warm up both (JIT, connection, scripts loaded).
        for (int i = 0; i < 300; i++)
        {
            await AskAsync(memoryClient, streaming, cancellationToken).ConfigureAwait(false);
            await AskAsync(redisClient, streaming, cancellationToken).ConfigureAwait(false);
        }

        var memoryTimes = new List<double>(requests);
        var redisTimes = new List<double>(requests);
        int gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2);
        const int Block = 250;
        double memoryWait = 0, redisWait = 0, serverWait = 0; // run-queue waits (ms): ready to run, but no core was free
        for (int done = 0; done < requests; done += Block)
        {
            int count = Math.Min(Block, requests - done);
            double before = RunQueueWaitMs(Environment.ProcessId);
            await MeasureAsync(memoryClient, streaming, count, memoryTimes, cancellationToken).ConfigureAwait(false);
            double middle = RunQueueWaitMs(Environment.ProcessId);
            double serverBefore = server is null ? 0 : RunQueueWaitMs(server.ProcessId);
            await MeasureAsync(redisClient, streaming, count, redisTimes, cancellationToken).ConfigureAwait(false);
            redisWait += RunQueueWaitMs(Environment.ProcessId) - middle;
            memoryWait += middle - before;
            serverWait += server is null ? 0 : RunQueueWaitMs(server.ProcessId) - serverBefore;
        }

        (gen0, gen1, gen2) = (GC.CollectionCount(0) - gen0, GC.CollectionCount(1) - gen1, GC.CollectionCount(2) - gen2);
        List<double> pings = await PingAsync(redis, requests, cancellationToken).ConfigureAwait(false);
        (List<double> usage, List<double> reserve, List<double> settle) = await BudgetOperationsAsync(redis, requests, cancellationToken).ConfigureAwait(false);
        List<double> admit = await AdmissionsAsync(redis, requests, cancellationToken).ConfigureAwait(false);
        string loadAfter = LoadAverage();
        double m50 = Percentile(memoryTimes, 0.50), m99 = Percentile(memoryTimes, 0.99);
        double r50 = Percentile(redisTimes, 0.50), r99 = Percentile(redisTimes, 0.99);
        string scenario = "one global budget" + (leases ? " (budget leases on)" : string.Empty) + ", live statistics" + (rateLimit ? ", fleet-wide requests and tokens per minute" : string.Empty);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"requests per store: {requests} ({(streaming ? "streaming" : "non-streaming")}), {scenario}")).ConfigureAwait(false);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"round trips on the request path: {(rateLimit ? 1 : 0) + (leases ? 0 : 1)} ({(leases ? "budget reserve from the lease in the common case" : "budget reserve")}{(rateLimit ? ", rate-limit admission" : string.Empty)})")).ConfigureAwait(false);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"in-memory  p50 {m50:0.000} ms  p99 {m99:0.000} ms")).ConfigureAwait(false);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"redis      p50 {r50:0.000} ms  p99 {r99:0.000} ms")).ConfigureAwait(false);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"added      p50 {r50 - m50:0.000} ms  p99 {r99 - m99:0.000} ms")).ConfigureAwait(false);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"PING       p50 {Percentile(pings, 0.5):0.000} ms  p99 {Percentile(pings, 0.99):0.000} ms")).ConfigureAwait(false);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"reserve    p50 {Percentile(reserve, 0.5):0.000} ms  p99 {Percentile(reserve, 0.99):0.000} ms (budget EVALSHA)")).ConfigureAwait(false);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"admit      p50 {Percentile(admit, 0.5):0.000} ms  p99 {Percentile(admit, 0.99):0.000} ms (rate-limit EVALSHA)")).ConfigureAwait(false);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"budget     usage p50 {Percentile(usage, 0.5):0.000} ms, settle p50 {Percentile(settle, 0.5):0.000} ms (off the request path)")).ConfigureAwait(false);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"GCs during the interleaved run: gen0 {gen0}, gen1 {gen1}, gen2 {gen2} (server GC {System.Runtime.GCSettings.IsServerGC})")).ConfigureAwait(false);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"run-queue wait (threads ready but no core free) during the in-memory blocks {memoryWait:0.0} ms, the Redis blocks {redisWait:0.0} ms (redis-server {(server is null ? "n/a" : serverWait.ToString("0.0", CultureInfo.InvariantCulture) + " ms")}), summed over threads; the blocks took {memoryTimes.Sum():0} ms and {redisTimes.Sum():0} ms")).ConfigureAwait(false);
        await output.WriteLineAsync($"load average before: {loadBefore}; after: {loadAfter} ({Environment.ProcessorCount} CPUs)").ConfigureAwait(false);
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("requests", requests);
            json.WriteBoolean("streaming", streaming);
            json.WriteBoolean("rateLimit", rateLimit);
            json.WriteBoolean("budgetLeases", leases);
            json.WriteNumber("reservationsFromLeases", ((LlmRouting.Redis.RedisBudgetStore)redis.GetRequiredService<IBudgetStore>()).LocalReservations);
            json.WriteNumber("roundTripsPerRequest", (rateLimit ? 1 : 0) + (leases ? 0 : 1));
            json.WriteNumber("inMemoryP50Ms", Math.Round(m50, 4));
            json.WriteNumber("inMemoryP99Ms", Math.Round(m99, 4));
            json.WriteNumber("redisP50Ms", Math.Round(r50, 4));
            json.WriteNumber("redisP99Ms", Math.Round(r99, 4));
            json.WriteNumber("addedP50Ms", Math.Round(r50 - m50, 4));
            json.WriteNumber("addedP99Ms", Math.Round(r99 - m99, 4));
            json.WriteNumber("pingP50Ms", Math.Round(Percentile(pings, 0.5), 4));
            json.WriteNumber("pingP99Ms", Math.Round(Percentile(pings, 0.99), 4));
            json.WriteNumber("reserveP50Ms", Math.Round(Percentile(reserve, 0.5), 4));
            json.WriteNumber("reserveP99Ms", Math.Round(Percentile(reserve, 0.99), 4));
            json.WriteNumber("admitP50Ms", Math.Round(Percentile(admit, 0.5), 4));
            json.WriteNumber("admitP99Ms", Math.Round(Percentile(admit, 0.99), 4));
            json.WriteNumber("gen0Collections", gen0);
            json.WriteNumber("gen1Collections", gen1);
            json.WriteNumber("gen2Collections", gen2);
            json.WriteNumber("runQueueWaitInMemoryMs", Math.Round(memoryWait, 1));
            json.WriteNumber("runQueueWaitRedisMs", Math.Round(redisWait, 1));
            json.WriteNumber("runQueueWaitServerMs", Math.Round(serverWait, 1));
            json.WriteString("loadAverageBefore", loadBefore);
            json.WriteString("loadAverageAfter", loadAfter);
            json.WriteEndObject();
        }

        await output.WriteLineAsync(Encoding.UTF8.GetString(buffer.ToArray())).ConfigureAwait(false);
        return 0;
    }

    private static ServiceProvider Build(string? redis, string prefix, bool rateLimit, bool leases)
    {
        var services = new ServiceCollection();
        services.AddSimulatedProviders();
        services.AddLlmRouting(o =>
        {
            o.Deployments["mini"] = new DeploymentOptions { Provider = "simulated", Model = "gpt-4o-mini", CatalogModel = "openai/gpt-4o-mini" };
            o.Budgets["fleet"] = new BudgetOptions { Scope = BudgetScope.Global, LimitUsd = 1_000_000m, Period = BudgetPeriod.Day };
            if (rateLimit)
            {
                // Far above what the run sends: every attempt is admitted, so the measurement is the admission's cost.
                o.Resilience.RateLimits.RequestsPerMinute = 100_000_000;
                o.Resilience.RateLimits.TokensPerMinute = 100_000_000_000;
            }
        });
        if (redis is not null)
        {
            services.AddLlmRoutingRedis(redis, o =>
            {
                o.KeyPrefix = prefix;
                o.BudgetLeases = leases;
            });
        }

        return services.BuildServiceProvider();
    }

    private static async Task MeasureAsync(IChatClient client, bool streaming, int count, List<double> times, CancellationToken cancellationToken)
    {
        for (int i = 0; i < count; i++)
        {
            long start = Stopwatch.GetTimestamp();
            await AskAsync(client, streaming, cancellationToken).ConfigureAwait(false);
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
    }

    private static async Task AskAsync(IChatClient client, bool streaming, CancellationToken cancellationToken)
    {
        if (!streaming)
        {
            await client.GetResponseAsync("How far is the moon?", cancellationToken: cancellationToken).ConfigureAwait(false);
            return;
        }

        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync("How far is the moon?", cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            _ = update;
        }
    }

    private static async Task<List<double>> PingAsync(ServiceProvider redis, int count, CancellationToken cancellationToken)
    {
        // One round trip on the same connection, for scale.
        var times = new List<double>(count);
        var connection = redis.GetRequiredService<Redis.RedisConnection>();
        for (int i = 0; i < count; i++)
        {
            long start = Stopwatch.GetTimestamp();
            await connection.ExecuteAsync("ping", db => db.PingAsync(), static () => TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        return times;
    }

    private static async Task<(List<double> Usage, List<double> Reserve, List<double> Settle)> BudgetOperationsAsync(ServiceProvider redis, int count, CancellationToken cancellationToken)
    {
        IBudgetStore store = redis.GetRequiredService<IBudgetStore>();
        var account = new BudgetAccount("ops/global/*", "ops", BudgetScope.Global, null, 1_000_000m, BudgetPeriod.Day, BudgetWindow.Calendar);
        List<double> usage = new(count), reserve = new(count), settle = new(count);
        for (int i = 0; i < count; i++)
        {
            long start = Stopwatch.GetTimestamp();
            await store.GetUsageAsync(account, cancellationToken).ConfigureAwait(false);
            usage.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            start = Stopwatch.GetTimestamp();
            BudgetReservation r = (await store.TryReserveAsync([new BudgetCharge(account, 0.001m)], cancellationToken).ConfigureAwait(false))!;
            reserve.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            start = Stopwatch.GetTimestamp();
            await store.SettleAsync(r, [0.001m], cancellationToken).ConfigureAwait(false);
            settle.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        return (usage, reserve, settle);
    }

    private static async Task<List<double>> AdmissionsAsync(ServiceProvider redis, int count, CancellationToken cancellationToken)
    {
        // The rate-limit admission on its own (a deployment of its own, so the chain's counts are untouched).
        var gate = (ISharedRateLimitGate)redis.GetRequiredService<IRateLimitCounterStore>();
        var times = new List<double>(count);
        for (int i = 0; i < count; i++)
        {
            long start = Stopwatch.GetTimestamp();
            await gate.TryAcquireAsync("ops-admission", 100_000_000, 100_000_000_000, 40, cancellationToken).ConfigureAwait(false);
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        return times;
    }

    /// <summary>The time a process's threads spent runnable but waiting for a core (Linux <c>/proc/&lt;pid&gt;/task/*/schedstat</c>, field 2), in ms; 0 elsewhere.</summary>
    private static double RunQueueWaitMs(int processId)
    {
        double total = 0;
        try
        {
            foreach (string task in Directory.EnumerateDirectories($"/proc/{processId}/task"))
            {
                try
                {
                    string[] fields = File.ReadAllText(Path.Combine(task, "schedstat")).Split(' ');
                    total += long.Parse(fields[1], CultureInfo.InvariantCulture) / 1e6;
                }
                catch (IOException)
                {
                    // The thread ended meanwhile.
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0;
        }

        return total;
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
        catch (UnauthorizedAccessException)
        {
            return "unknown";
        }
    }

    private static double Percentile(List<double> values, double p)
    {
        double[] sorted = [.. values];
        Array.Sort(sorted);
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    /// <summary>A redis-server on a free loopback port, without persistence, for the measurement.</summary>
    private sealed class LocalRedis : IDisposable
    {
        private readonly Process _process;
        private readonly string _directory;

        private LocalRedis(Process process, string directory, int port)
        {
            _process = process;
            _directory = directory;
            ConnectionString = string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{port}");
        }

        public string ConnectionString { get; }

        public int ProcessId => _process.Id;

        public static LocalRedis Start()
        {
            int port;
            using (var listener = new TcpListener(IPAddress.Loopback, 0))
            {
                listener.Start();
                port = ((IPEndPoint)listener.LocalEndpoint).Port;
            }

            string directory = Directory.CreateTempSubdirectory("llmrouting-eval-redis-").FullName;
            var info = new ProcessStartInfo("redis-server") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = directory };
            foreach (string arg in new[] { "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory })
            {
                info.ArgumentList.Add(arg);
            }

            Process process = Process.Start(info) ?? throw new InvalidOperationException("redis-server did not start (install it with `bash .ci/redis.sh`).");
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var server = new LocalRedis(process, directory, port);
            for (int i = 0; i < 200; i++)
            {
                try
                {
                    using var client = new TcpClient();
                    client.Connect(IPAddress.Loopback, port);
                    return server;
                }
                catch (SocketException)
                {
                    Thread.Sleep(25);
                }
            }

            server.Dispose();
            throw new InvalidOperationException($"redis-server did not listen on 127.0.0.1:{port}.");
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }

            _process.Dispose();
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
