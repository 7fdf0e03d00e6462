using System.Text.Json;
using Microsoft.Extensions.Time.Testing;

namespace LlmRouting.Tests.Telemetry;

[TestFixture]
public class JsonLinesSinkTests
{
    private string _directory = null!;

    [SetUp]
    public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("llmrouting-jsonl-").FullName;

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

    private static RequestLogRecord Record(string id, DateTimeOffset at) => new()
    {
        RequestId = id,
        StartedAt = at,
        CompletedAt = at.AddMilliseconds(250),
        Tenant = "acme",
        User = "u_0123456789abcdef",
        Tags = ["feature:chat"],
        Policy = "cheapest",
        Deployment = "mini",
        Provider = "openai",
        Model = "gpt-4o-mini",
        Outcome = RequestOutcome.Succeeded,
        Attempts =
        [
            new RequestLogAttempt
            {
                Number = 1, Deployment = "mini", Provider = "openai", Model = "gpt-4o-mini", Outcome = AttemptOutcome.Succeeded,
                Duration = TimeSpan.FromMilliseconds(240.5), TimeToFirstToken = TimeSpan.FromMilliseconds(80),
                Usage = new TokenUsage { InputTokens = 120, OutputTokens = 30 }, CostUsd = 0.000036m,
            },
        ],
        Latency = new RequestLatency { Total = TimeSpan.FromMilliseconds(250), Routing = TimeSpan.FromMilliseconds(0.012), Provider = TimeSpan.FromMilliseconds(240.5) },
        Usage = new TokenUsage { InputTokens = 120, OutputTokens = 30 },
        CostUsd = 0.000036m,
        Redactions = new Dictionary<string, int> { ["EMAIL_ADDRESS"] = 1 },
    };

    [Test]
    public async Task Writes_one_snake_case_JSON_object_per_line_with_durations_in_milliseconds()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.Zero));
        await using var sink = new JsonLinesRequestLogSink(new JsonLinesRequestLogSinkOptions { Directory = _directory }, time);

        await sink.WriteAsync(Record("r1", time.GetUtcNow()), default);
        await sink.WriteAsync(Record("r2", time.GetUtcNow()), default);
        await sink.FlushAsync(default);

        string file = Path.Combine(_directory, "requests-20260301-000.jsonl");
        string[] lines = await File.ReadAllLinesAsync(file);
        Assert.That(lines, Has.Length.EqualTo(2));
        using JsonDocument doc = JsonDocument.Parse(lines[0]);
        JsonElement root = doc.RootElement;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(root.GetProperty("request_id").GetString(), Is.EqualTo("r1"));
            Assert.That(root.GetProperty("outcome").GetString(), Is.EqualTo("Succeeded"));
            Assert.That(root.GetProperty("cost_usd").GetDecimal(), Is.EqualTo(0.000036m));
            Assert.That(root.GetProperty("latency").GetProperty("total_ms").GetDouble(), Is.EqualTo(250));
            Assert.That(root.GetProperty("latency").GetProperty("routing_ms").GetDouble(), Is.EqualTo(0.012));
            Assert.That(root.GetProperty("latency").TryGetProperty("redaction_ms", out _), Is.False, "nulls are omitted");
            Assert.That(root.GetProperty("attempts")[0].GetProperty("duration_ms").GetDouble(), Is.EqualTo(240.5));
            Assert.That(root.GetProperty("attempts")[0].GetProperty("usage").GetProperty("input_tokens").GetInt64(), Is.EqualTo(120));
            Assert.That(root.GetProperty("redactions").GetProperty("EMAIL_ADDRESS").GetInt32(), Is.EqualTo(1));
            Assert.That(root.GetProperty("tags")[0].GetString(), Is.EqualTo("feature:chat"));
        }
    }

    [Test]
    public async Task Starts_a_new_file_by_size_and_by_period_and_keeps_only_the_newest_files()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.Zero));
        int lineLength = JsonSerializer.SerializeToUtf8Bytes(Record("r00", time.GetUtcNow()), RequestLogJsonContext.Default.RequestLogRecord).Length + 1;
        var options = new JsonLinesRequestLogSinkOptions
        {
            Directory = _directory,
            FileNamePrefix = "llm",
            MaxFileSizeBytes = Math.Max(1024, lineLength * 2), // two records per file
            RollingInterval = RequestLogRollingInterval.Hour,
            RetainedFileCount = 3,
        };
        await using (var sink = new JsonLinesRequestLogSink(options, time))
        {
            for (int i = 0; i < 4; i++)
            {
                await sink.WriteAsync(Record("r0" + i, time.GetUtcNow()), default);
            }

            Assert.That(Files(), Is.EqualTo(new[] { "llm-20260301T10-000.jsonl", "llm-20260301T10-001.jsonl" }));

            time.Advance(TimeSpan.FromHours(1));
            await sink.WriteAsync(Record("r10", time.GetUtcNow()), default);
            Assert.That(Files(), Is.EqualTo(new[] { "llm-20260301T10-000.jsonl", "llm-20260301T10-001.jsonl", "llm-20260301T11-000.jsonl" }));

            await sink.WriteAsync(Record("r11", time.GetUtcNow()), default);
            await sink.WriteAsync(Record("r12", time.GetUtcNow()), default);
            Assert.That(Files(), Is.EqualTo(new[] { "llm-20260301T10-001.jsonl", "llm-20260301T11-000.jsonl", "llm-20260301T11-001.jsonl" }), "the oldest file is deleted");
        }

        // After a restart, the sink appends to the period's last file while it has room.
        await using (var restarted = new JsonLinesRequestLogSink(options, time))
        {
            await restarted.WriteAsync(Record("r13", time.GetUtcNow()), default);
            Assert.That(restarted.CurrentFile, Does.EndWith("llm-20260301T11-001.jsonl"));
        }

        string[] all = Directory.GetFiles(_directory).Order(StringComparer.Ordinal).SelectMany(File.ReadAllLines).ToArray();
        Assert.That(all.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("request_id").GetString()), Is.EqualTo(new[] { "r02", "r03", "r10", "r11", "r12", "r13" }));
    }

    [Test]
    public void Bad_settings_are_rejected_with_the_setting_name()
    {
        var ex = Assert.Throws<ArgumentException>(() => _ = new JsonLinesRequestLogSink(new JsonLinesRequestLogSinkOptions()));
        Assert.That(ex!.Message, Does.Contain("LlmRouting:Telemetry:RequestLog:JsonLines:Directory"));
        ex = Assert.Throws<ArgumentException>(() => _ = new JsonLinesRequestLogSink(new JsonLinesRequestLogSinkOptions { Directory = _directory, MaxFileSizeBytes = 10 }));
        Assert.That(ex!.Message, Does.Contain("MaxFileSizeBytes"));
        ex = Assert.Throws<ArgumentException>(() => _ = new JsonLinesRequestLogSink(new JsonLinesRequestLogSinkOptions { Directory = _directory, FileNamePrefix = "a/b" }));
        Assert.That(ex!.Message, Does.Contain("FileNamePrefix"));
    }

    private string[] Files() => Directory.GetFiles(_directory).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;
}
