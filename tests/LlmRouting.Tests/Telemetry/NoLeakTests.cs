using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace LlmRouting.Tests.Telemetry;

/// <summary>Pushes planted secrets and personal values through every path and scans everything telemetry captured.</summary>
[TestFixture]
[NonParallelizable]
public class NoLeakTests
{
    private const string Email = "maria.garcia@example.com";
    private const string Card = "5555 5555 5555 4444";
    private const string ApiKey = "sk-live-PLANTED0123456789abcdefXYZ";
    private const string UserId = "jan.novak@example.cz";
    private const string ToolEmail = "tool.user@example.org";

    private static readonly string[] s_planted = [Email, Card, Card.Replace(" ", string.Empty, StringComparison.Ordinal), ApiKey, UserId, ToolEmail];

    [Test]
    public async Task No_raw_secret_or_personal_value_reaches_spans_metrics_or_the_request_log(
        [Values] bool streaming, [Values] bool captureContent)
    {
        string directory = Directory.CreateTempSubdirectory("llmrouting-leak-").FullName;
        try
        {
            using var otel = new OtelCapture();
            var collector = new FakeLogCollector();
            using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(new FakeLoggerProvider(collector)).SetMinimumLevel(LogLevel.Trace));
            var ring = new RingBufferRequestLogSink(10);
            var file = new JsonLinesRequestLogSink(new JsonLinesRequestLogSinkOptions { Directory = directory });
            var log = new RequestLog([ring, file, new LoggerRequestLogSink(loggerFactory)], null, loggerFactory.CreateLogger<RequestLog>());

            var h = new ChainHarness();
            // The first deployment fails with a message that quotes the prompt and its key, as careless providers do.
            h.Add(new Deployment("first", "openai", "model-a", ChainHarness.Model("openai", "model-a", 0.1m, 0.1m)) { ApiKey = new ApiKeySecret(ApiKey) }, "x",
                _ => new LlmProviderException(LlmErrorKind.ServerError, $"upstream error for {Email} using key {ApiKey}"));
            h.Add(new Deployment("second", "openai", "model-b", ChainHarness.Model("openai", "model-b", 1m, 1m)) { ApiKey = new ApiKeySecret(ApiKey) },
                "I have noted " + Email + " and card " + Card);
            IChatClient chat = TelemetryChain.Build(
                h,
                c =>
                {
                    c.User = UserId;
                    c.Tenant = "acme";
                    c.Tags = ["feature:support"];
                },
                t =>
                {
                    t.RequestLog = log;
                    t.EnableSensitiveData = captureContent;
                });

            List<ChatMessage> messages =
            [
                new(ChatRole.User, $"My e-mail is {Email} and my card is {Card}."),
                new(ChatRole.Assistant, [new FunctionCallContent("c1", "lookup", new Dictionary<string, object?> { ["email"] = ToolEmail })]),
                new(ChatRole.Tool, [new FunctionResultContent("c1", "found " + ToolEmail)]),
            ];
            ChatResponse response = await chat.AskAsync(streaming, messages, new ChatOptions { Instructions = "The customer is " + Email });
            await log.FlushAsync();
            await log.DisposeAsync();
            await file.DisposeAsync();
            otel.Flush();

            var captured = new List<string>();
            captured.AddRange(otel.AllStrings());
            captured.AddRange(collector.GetSnapshot().SelectMany(r => new[] { r.Message, r.Exception?.ToString() ?? string.Empty }
                .Concat(r.StructuredState?.Select(kv => kv.Key + "=" + kv.Value) ?? [])));
            captured.AddRange(Directory.GetFiles(directory).Select(File.ReadAllText));
            captured.AddRange(ring.Snapshot().Select(r => JsonSerializer.Serialize(r, RequestLogJsonContext.Default.RequestLogRecord)));
            RoutingReport report = response.GetRoutingReport()!;
            captured.Add(string.Join("|", report.Attempts.Select(a => a.ErrorType + a.FailoverReason)));

            // Sanity: the scan covers real material.
            Assert.That(ring.Snapshot(), Has.Count.EqualTo(1));
            Assert.That(otel.Spans, Has.Count.EqualTo(3));
            Assert.That(collector.GetSnapshot().Any(r => r.Id.Id == 7001), Is.True);
            if (captureContent)
            {
                Assert.That(captured, Has.Some.Contains("[EMAIL]"), "captured content is there, masked");
            }

            foreach (string planted in s_planted)
            {
                Assert.That(captured, Has.None.Contains(planted), $"'{planted}' leaked into telemetry");
            }

            Assert.That(captured, Has.Some.Contains("u_"), "the user appears only as a pseudonym");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
