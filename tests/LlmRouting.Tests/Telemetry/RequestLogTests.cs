using System.Diagnostics;
using System.Runtime.CompilerServices;
using LlmRouting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace LlmRouting.Tests.Telemetry;

[TestFixture]
[NonParallelizable]
public class RequestLogTests
{
    private static readonly DateTimeOffset s_start = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);

    /// <summary>A policy that takes 2 ms (of fake time) to rank.</summary>
    private sealed class SlowPolicy(FakeTimeProvider time) : IRoutingPolicy
    {
        public string Name => "slow";

        public IReadOnlyList<RoutingCandidate> Rank(IReadOnlyList<RoutingCandidate> candidates, RequestProfile profile)
        {
            time.Advance(TimeSpan.FromMilliseconds(2));
            return candidates;
        }
    }

    /// <summary>A detector that takes 3 ms (of fake time) per scan and finds nothing.</summary>
    private sealed class SlowDetector(FakeTimeProvider time) : IPiiDetector
    {
        public IReadOnlyCollection<string> EntityTypes => ["NOTHING"];

        public void Detect(string text, List<PiiMatch> matches) => time.Advance(TimeSpan.FromMilliseconds(3));
    }

    private static TestChatClient TimedProvider(FakeTimeProvider time) => new()
    {
        GetResponseAsyncCallback = (_, _, _) =>
        {
            time.Advance(TimeSpan.FromMilliseconds(200));
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "answer"))
            {
                FinishReason = ChatFinishReason.Stop,
                Usage = new UsageDetails { InputTokenCount = 100, OutputTokenCount = 50 },
            });
        },
        GetStreamingResponseAsyncCallback = (_, _, ct) => TimedStream(time, ct),
    };

    private static async IAsyncEnumerable<ChatResponseUpdate> TimedStream(FakeTimeProvider time, [EnumeratorCancellation] CancellationToken ct)
    {
        await Task.Yield();
        time.Advance(TimeSpan.FromMilliseconds(50));
        yield return new ChatResponseUpdate(ChatRole.Assistant, "ans");
        time.Advance(TimeSpan.FromMilliseconds(100));
        yield return new ChatResponseUpdate(ChatRole.Assistant, "wer") { FinishReason = ChatFinishReason.Stop };
        yield return new ChatResponseUpdate { Contents = [new UsageContent(new UsageDetails { InputTokenCount = 100, OutputTokenCount = 50 })] };
    }

    private static IChatClient TimedChain(FakeTimeProvider time, RequestLog log)
    {
        var registry = new ProviderRegistry();
        registry.Add(new Deployment("d1", "openai", "gpt-x", ChainHarness.Model("openai", "gpt-x", 1m, 2m)), TimedProvider(time));
        IServiceProvider services = new ServiceCollection()
            .AddSingleton<TimeProvider>(time)
            .BuildServiceProvider();
        return new ChatClientBuilder(new DeploymentDispatcherChatClient(registry))
            .UseCostRouter(registry, r => r.Policy = new SlowPolicy(time))
            .Use(inner => new HintsChatClient(inner, c =>
            {
                c.Tenant = "acme";
                c.User = "user-4711";
                c.Tags = ["feature:chat"];
                c.PromptCategory = "qa";
                c.AddLimitWait(TimeSpan.FromMilliseconds(7)); // as the resilience layer's limiter will
            }))
            .UseRedaction(r => r.Detectors = [new SlowDetector(time)])
            .UseResilience()
            .UseRoutingTelemetry(t => t.RequestLog = log)
            .Build(services);
    }

    [Test]
    public async Task One_record_per_request_with_the_latency_breakdown([Values] bool streaming)
    {
        var time = new FakeTimeProvider(s_start);
        var sink = new RecordingSink();
        await using var log = new RequestLog([sink]);

        ChatResponse response = await TimedChain(time, log).AskAsync(streaming, "What is the capital of France?");
        await log.FlushAsync();

        RequestLogRecord record = sink.Records.Single();
        RoutingReport report = response.GetRoutingReport()!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(record.RequestId, Is.EqualTo(report.RequestId));
            Assert.That(record.StartedAt, Is.EqualTo(s_start));
            Assert.That(record.Streaming, Is.EqualTo(streaming));
            Assert.That(record.Outcome, Is.EqualTo(RequestOutcome.Succeeded));
            Assert.That(record.Policy, Is.EqualTo("slow"));
            Assert.That(record.Deployment, Is.EqualTo("d1"));
            Assert.That(record.Provider, Is.EqualTo("openai"));
            Assert.That(record.Model, Is.EqualTo("gpt-x"));
            Assert.That(record.CandidateCount, Is.EqualTo(1));
            Assert.That(record.Tenant, Is.EqualTo("acme"));
            Assert.That(record.User, Does.Match("^u_[0-9a-f]{16}$").And.Not.Contain("4711"));
            Assert.That(record.Tags, Is.EqualTo(new[] { "feature:chat" }));
            Assert.That(record.PromptCategory, Is.EqualTo("qa"));
            Assert.That(record.Usage.InputTokens, Is.EqualTo(100));
            Assert.That(record.Usage.OutputTokens, Is.EqualTo(50));
            Assert.That(record.CostUsd, Is.EqualTo(report.CostUsd).And.EqualTo(0.0002m)); // 100 x $1/M + 50 x $2/M
            Assert.That(record.Attempts, Has.Count.EqualTo(1));
            Assert.That(record.Attempts[0].Outcome, Is.EqualTo(AttemptOutcome.Succeeded));
            Assert.That(record.Attempts[0].FinishReason, Is.EqualTo("stop"));
            Assert.That(record.Attempts[0].StartOffset, Is.EqualTo(TimeSpan.FromMilliseconds(5)), "after routing (2 ms) and redaction (3 ms)");

            Assert.That(record.Latency.Routing, Is.EqualTo(TimeSpan.FromMilliseconds(2)));
            Assert.That(record.Latency.Redaction, Is.EqualTo(TimeSpan.FromMilliseconds(3)));
            Assert.That(record.Latency.LimitWait, Is.EqualTo(TimeSpan.FromMilliseconds(7)));
            Assert.That(record.Latency.Provider, Is.EqualTo(TimeSpan.FromMilliseconds(streaming ? 150 : 200)));
            Assert.That(record.Latency.Total, Is.EqualTo(TimeSpan.FromMilliseconds(streaming ? 155 : 205)));
            Assert.That(record.CompletedAt, Is.EqualTo(s_start + record.Latency.Total));
            Assert.That(record.Latency.TimeToFirstToken, streaming ? Is.EqualTo(TimeSpan.FromMilliseconds(55)) : Is.Null);
            Assert.That(record.Latency.Streaming, streaming ? Is.EqualTo(TimeSpan.FromMilliseconds(100)) : Is.Null);
            Assert.That(report.RoutingDuration, Is.EqualTo(TimeSpan.FromMilliseconds(2)), "the report carries the timings too");
            Assert.That(report.RedactionDuration, Is.EqualTo(TimeSpan.FromMilliseconds(3)));
            Assert.That(report.Tenant, Is.EqualTo("acme"));
        }
    }

    [Test]
    public async Task Failed_requests_are_recorded_with_every_attempt([Values] bool streaming)
    {
        var h = new ChainHarness();
        h.Add(TelemetryChain.Deployment("a", "openai", "m-a"), "x", _ => new LlmProviderException(LlmErrorKind.RateLimited, "429") { StatusCode = System.Net.HttpStatusCode.TooManyRequests });
        h.Add(TelemetryChain.Deployment("b", "openai", "m-b", 9m, 9m), "x", _ => new LlmProviderException(LlmErrorKind.Timeout, "slow"));
        var sink = new RecordingSink();
        await using var log = new RequestLog([sink]);

        await Assert.ThrowsAsync<AllAttemptsFailedException>(() => TelemetryChain.Build(h, telemetry: t => t.RequestLog = log).AskAsync(streaming, "hi"));
        await log.FlushAsync();

        RequestLogRecord record = sink.Records.Single();
        Assert.That(record.Outcome, Is.EqualTo(RequestOutcome.Failed));
        Assert.That(record.ErrorType, Is.EqualTo("timeout"));
        Assert.That(record.Deployment, Is.Null);
        Assert.That(record.Attempts.Select(a => (a.Deployment, a.ErrorType, a.StatusCode, a.FailoverReason)), Is.EqualTo(new[]
        {
            ("a", "rate_limited", (int?)429, "failover:rate_limited"),
            ("b", "timeout", (int?)null, (string?)null),
        }));
    }

    [Test]
    public async Task A_slow_sink_never_blocks_a_request_and_overflow_is_dropped_and_counted([Values] bool streaming)
    {
        using var otel = new OtelCapture();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var slow = new RecordingSink { OnWrite = (_, ct) => gate.Task.WaitAsync(ct) };
        await using var log = new RequestLog([slow], new RequestLogOptions { QueueCapacity = 4 });
        var h = new ChainHarness();
        h.Add(TelemetryChain.Deployment("a", "openai", "m-a"));
        IChatClient chat = TelemetryChain.Build(h, telemetry: t => t.RequestLog = log);

        var watch = Stopwatch.StartNew();
        for (int i = 0; i < 20; i++)
        {
            await chat.AskAsync(streaming, "hi " + i);
        }

        watch.Stop();
        long dropped = log.DroppedCount;
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)), "requests never wait for the sink");
        Assert.That(dropped, Is.InRange(15, 16), "4 queued + at most 1 inside the sink; the rest dropped");
        otel.Flush();
        Assert.That(otel.Points("llm_routing.request_log.dropped").Sum(p => p.Value), Is.EqualTo(dropped));

        gate.SetResult();
        await log.FlushAsync();
        Assert.That(slow.Records, Has.Count.EqualTo(20 - dropped));
        Assert.That(log.DeliveredCount, Is.EqualTo(20 - dropped));
        Assert.That(log.SubmittedCount, Is.EqualTo(20));
    }

    [Test]
    public async Task A_failing_sink_never_fails_a_request_and_the_other_sinks_still_get_every_record([Values] bool streaming)
    {
        using var otel = new OtelCapture();
        var collector = new FakeLogCollector();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(new FakeLoggerProvider(collector)));
        var failing = new RecordingSink { OnWrite = (_, _) => throw new IOException("disk full while writing ana@example.com") };
        var good = new RecordingSink();
        await using var log = new RequestLog([failing, good], null, loggerFactory.CreateLogger<RequestLog>());
        var h = new ChainHarness();
        h.Add(TelemetryChain.Deployment("a", "openai", "m-a"));
        IChatClient chat = TelemetryChain.Build(h, telemetry: t => t.RequestLog = log);

        for (int i = 0; i < 3; i++)
        {
            ChatResponse response = await chat.AskAsync(streaming, "hi");
            Assert.That(response.Text, Does.Contain("ok"));
        }

        await log.FlushAsync();
        otel.Flush();
        Assert.That(good.Records, Has.Count.EqualTo(3));
        Assert.That(log.SinkFailureCount, Is.EqualTo(3));
        var failures = otel.Points("llm_routing.request_log.sink_failures").Single();
        Assert.That(failures.Value, Is.EqualTo(3));
        Assert.That(failures.Tags["llm_routing.sink"], Is.EqualTo(nameof(RecordingSink)));
        FakeLogRecord warning = collector.GetSnapshot().First(r => r.Id.Id == 7101);
        Assert.That(warning.Message, Does.Contain("System.IO.IOException").And.Not.Contain("ana@example.com"), "the exception's message is not logged");
    }

    [Test]
    public async Task The_ILogger_sink_writes_one_structured_event_per_request([Values] bool streaming)
    {
        var collector = new FakeLogCollector();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(new FakeLoggerProvider(collector)).SetMinimumLevel(LogLevel.Debug));
        await using var log = new RequestLog([new LoggerRequestLogSink(loggerFactory)]);
        var h = new ChainHarness();
        h.Add(TelemetryChain.Deployment("a", "openai", "m-a"), "x", _ => new LlmProviderException(LlmErrorKind.Overloaded, "busy"));
        h.Add(TelemetryChain.Deployment("b", "openai", "m-b", 5m, 5m), usageIn: 30, usageOut: 20);
        IChatClient chat = TelemetryChain.Build(h, c => c.Tenant = "acme", t => t.RequestLog = log);

        ChatResponse response = await chat.AskAsync(streaming, "hello there");
        await log.FlushAsync();

        FakeLogRecord[] records = collector.GetSnapshot().Where(r => r.Category == LoggerRequestLogSink.CategoryName).ToArray();
        FakeLogRecord request = records.Single(r => r.Id.Id == 7001);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(request.Level, Is.EqualTo(LogLevel.Information));
            Assert.That(request.GetStructuredStateValue("RequestId"), Is.EqualTo(response.GetRoutingReport()!.RequestId));
            Assert.That(request.GetStructuredStateValue("Deployment"), Is.EqualTo("b"));
            Assert.That(request.GetStructuredStateValue("Attempts"), Is.EqualTo("2"));
            Assert.That(request.GetStructuredStateValue("InputTokens"), Is.EqualTo("30"));
            Assert.That(request.GetStructuredStateValue("Tenant"), Is.EqualTo("acme"));
            Assert.That(request.GetStructuredStateValue("Streaming"), Is.EqualTo(streaming.ToString()));
            Assert.That(request.Message, Does.Not.Contain("hello there"));
            Assert.That(records.Count(r => r.Id.Id == 7004 && r.Level == LogLevel.Debug), Is.EqualTo(2), "one debug event per attempt");
        }
    }

    [Test]
    public async Task The_ILogger_sink_logs_failures_as_warnings([Values] bool streaming)
    {
        var collector = new FakeLogCollector();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(new FakeLoggerProvider(collector)));
        await using var log = new RequestLog([new LoggerRequestLogSink(loggerFactory)]);
        var h = new ChainHarness();
        h.Add(TelemetryChain.Deployment("a", "openai", "m-a"), "x", _ => new LlmProviderException(LlmErrorKind.Authentication, "bad key"));

        await Assert.ThrowsAsync<AllAttemptsFailedException>(() => TelemetryChain.Build(h, telemetry: t => t.RequestLog = log).AskAsync(streaming, "hi"));
        await log.FlushAsync();

        FakeLogRecord failed = collector.GetSnapshot().Single(r => r.Id.Id == 7002);
        Assert.That(failed.Level, Is.EqualTo(LogLevel.Warning));
        Assert.That(failed.GetStructuredStateValue("ErrorType"), Is.EqualTo("authentication"));
    }

    [Test]
    public async Task Disposing_the_log_drains_the_queue_and_later_writes_are_dropped()
    {
        var sink = new RecordingSink { OnWrite = async (_, ct) => await Task.Delay(5, ct) };
        var log = new RequestLog([sink]);
        for (int i = 0; i < 10; i++)
        {
            log.Write(new RequestLogRecord { RequestId = "r" + i });
        }

        await log.DisposeAsync();
        Assert.That(sink.Records.Select(r => r.RequestId), Is.EqualTo(Enumerable.Range(0, 10).Select(i => "r" + i)));
        log.Write(new RequestLogRecord { RequestId = "late" });
        Assert.That(log.DroppedCount, Is.EqualTo(1));
    }

    [Test]
    public void Bad_arguments_are_rejected()
    {
        Assert.Throws<ArgumentNullException>(() => _ = new RequestLog(null!));
        Assert.Throws<ArgumentNullException>(() => _ = new RequestLog([null!]));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new RequestLog([], new RequestLogOptions { QueueCapacity = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new RingBufferRequestLogSink(0));
    }

    [Test]
    public void The_ring_buffer_keeps_the_newest_records_in_order_and_takes_quality_scores()
    {
        var buffer = new RingBufferRequestLogSink(3);
        for (int i = 1; i <= 5; i++)
        {
            buffer.Add(new RequestLogRecord { RequestId = "r" + i });
        }

        Assert.That(buffer.Snapshot().Select(r => r.RequestId), Is.EqualTo(new[] { "r3", "r4", "r5" }));
        Assert.That(buffer.TrySetQualityScore("r4", 0.75), Is.True);
        Assert.That(buffer.TrySetQualityScore("r1", 0.75), Is.False, "overwritten");
        Assert.That(buffer.Snapshot()[1].QualityScore, Is.EqualTo(0.75));
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.TrySetQualityScore("r4", 1.5));
        buffer.Clear();
        Assert.That(buffer.Count, Is.Zero);
    }
}
