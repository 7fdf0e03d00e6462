using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace LlmRouting.Tests.Redaction;

/// <summary>
/// Real-looking personal data and secrets pushed through every path of the chain never show up in traces, metrics, logs, routing
/// reports, audit events or exceptions — and neither do the deployments' API keys.
/// </summary>
[TestFixture]
[NonParallelizable]
public class NoLeakTests
{
    public enum Path
    {
        Success,
        Failover,
        AllFailed,
        StreamInterrupted,
        Blocked,
        NoEligible,
        ConfidentialNoLocal,
        UnknownTenant,
    }

    public static IEnumerable<TestCaseData> Paths() =>
        Enum.GetValues<Path>().SelectMany(path => new[] { false, true }
            .Where(streaming => streaming || path != Path.StreamInterrupted)
            .Select(streaming => new TestCaseData(path, streaming).SetArgDisplayNames(path.ToString(), streaming ? "streaming" : "non-streaming")));

    private static List<ChatMessage> Conversation() =>
    [
        new(ChatRole.System, $"Support desk of {Corpus.Email4}; escalate to {Corpus.Phone2}."),
        new(ChatRole.User, $"I am {Corpus.Email1}, card {Corpus.Card1}, phone {Corpus.Phone1}. My key {Corpus.OpenAIKey} leaked, also {Corpus.AwsKeyId}."),
        new(ChatRole.Assistant, [new FunctionCallContent("c1", "lookup", new Dictionary<string, object?> { ["email"] = Corpus.Email2, ["token"] = Corpus.GitHubToken })]),
        new(ChatRole.Tool, [new FunctionResultContent("c1", $"Found {Corpus.Email2}, card {Corpus.Card2}, slack {Corpus.SlackToken}")]),
        new(ChatRole.User, $"Forward everything to {Corpus.Email3}."),
    ];

    [TestCaseSource(nameof(Paths))]
    public async Task Nothing_detected_or_secret_leaks_on_any_path(Path path, bool streaming)
    {
        using var capture = new Capture();
        var chain = new RedactionChain();
        var sink = new CollectingAuditSink();
        RecordingProvider first = chain.Add("first", price: 1m);
        RecordingProvider second = chain.Add("second", provider: "mistral", price: 2m);
        // Providers that quote what they received in their errors and answers — as real ones do.
        first.Reply = second.Reply = (received, _) => RecordingProvider.Text("Will do: ", received[^1].Text, " ", received[1].Text);
        Exception Quoting(IReadOnlyList<ChatMessage> received) =>
            new LlmProviderException(LlmErrorKind.ServerError, "upstream rejected: " + received[1].Text) { StatusCode = System.Net.HttpStatusCode.BadGateway };

        var options = new ChatOptions { Instructions = $"Never reveal {Corpus.Card1} or {Corpus.OpenAIKey}." };
        RedactionOptions redaction = new();
        DataPolicyOptions policy = new();
        switch (path)
        {
            case Path.Failover:
                first.FailOnCall = _ => Quoting(first.Calls[^1].Messages);
                break;
            case Path.AllFailed:
                first.FailOnCall = _ => Quoting(first.Calls[^1].Messages);
                second.FailOnCall = _ => Quoting(second.Calls[^1].Messages);
                break;
            case Path.StreamInterrupted:
                first.InterruptStream = (2, new LlmProviderException(LlmErrorKind.Network, "connection reset while sending " + Corpus.Email1.Length));
                break;
            case Path.Blocked:
                redaction.SecretAction = PiiAction.Block;
                break;
            case Path.NoEligible:
                redaction.Actions["PHONE_NUMBER"] = PiiAction.RouteLocal;
                break;
            case Path.ConfidentialNoLocal:
                policy.Tenants["acme"] = new DataPolicy { ConfidentialEntityTypes = ["CREDIT_CARD"] };
                options.WithTenant("acme");
                break;
            case Path.UnknownTenant:
                options.WithTenant("nobody");
                break;
        }

        IChatClient client = chain.Build(
            r =>
            {
                r.Options = redaction;
                r.AuditSink = sink;
                r.Logger = capture.Loggers.CreateLogger<RedactingChatClient>();
            },
            policy,
            // Below the redactor: M.E.AI's own logging and OpenTelemetry layers, with message content switched ON.
            inner => inner
                .UseLogging(capture.Loggers)
                .UseOpenTelemetry(capture.Loggers, Capture.SourceName, o => o.EnableSensitiveData = true),
            p => p.Logger = capture.Loggers.CreateLogger<DataPolicyChatClient>());

        var evidence = new StringBuilder();
        ChatResponse? response = null;
        try
        {
            response = await client.AskAsync(streaming, Conversation(), options);
        }
        catch (Exception ex)
        {
            evidence.AppendLine(Describe(ex));
        }

        Assert.That(response is null, Is.EqualTo(path is not (Path.Success or Path.Failover)), $"{path} ends as expected");
        if (response is not null)
        {
            evidence.AppendLine(Describe(response.GetRoutingReport()!));
            Assert.That(response.Text, Does.Contain(Corpus.Email3), "the caller's answer has its values back");
        }

        foreach (RedactionAuditEvent e in sink.Events)
        {
            evidence.AppendLine(e.ToString()).AppendLine(string.Join(", ", e.Entries));
        }

        string captured = capture.Text();
        string everything = evidence + captured;
        string[] forbidden = [.. Corpus.AllValues, RecordingProvider.ApiKeyFor("first"), RecordingProvider.ApiKeyFor("second")];
        Assert.Multiple(() =>
        {
            foreach (string value in forbidden)
            {
                Assert.That(everything, Does.Not.Contain(value), $"{path}: leaked {value[..4]}…");
            }
        });

        // The scan is meaningful: each channel captured something on paths that reached a provider.
        if (path is Path.Success or Path.Failover or Path.AllFailed or Path.StreamInterrupted)
        {
            Assert.That(capture.Activities, Is.Not.Empty);
            Assert.That(capture.Measurements, Is.Not.Empty);
            Assert.That(captured, Does.Contain("<EMAIL_1>"), "content was logged and traced below the redactor — redacted");
            Assert.That(sink.Events, Is.Not.Empty);
        }

        Assert.That(capture.LogCount, Is.GreaterThan(0));
    }

    private static string Describe(Exception ex)
    {
        var sb = new StringBuilder(ex.ToString()).AppendLine();
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            sb.AppendLine(e.Message);
            switch (e)
            {
                case StreamInterruptedException s:
                    sb.AppendLine(s.PartialText);
                    if (s.Report is { } sr)
                    {
                        sb.AppendLine(Describe(sr));
                    }

                    break;
                case AllAttemptsFailedException all when all.Report is { } ar:
                    sb.AppendLine(Describe(ar));
                    break;
                case PiiBlockedException blocked:
                    sb.AppendLine(string.Join(",", blocked.BlockedEntities.Keys));
                    if (blocked.Report is { } br)
                    {
                        sb.AppendLine(Describe(br));
                    }

                    break;
                case NoEligibleDeploymentException none:
                    sb.AppendLine(string.Join("\n", none.Rejections));
                    if (none.Report is { } nr)
                    {
                        sb.AppendLine(Describe(nr));
                    }

                    break;
                case DataPolicyException policy when policy.Report is { } pr:
                    sb.AppendLine(Describe(pr));
                    break;
            }
        }

        return sb.ToString();
    }

    private static string Describe(RoutingReport report)
    {
        var sb = new StringBuilder();
        sb.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"{report.RequestId} {report.Policy} {report.Deployment} {report.Provider} {report.Model} {report.Reason} {report.Tenant} {report.Confidential}");
        sb.AppendLine(string.Join(",", report.Candidates));
        sb.AppendLine(string.Join("\n", report.RejectedCandidates));
        foreach (RoutingAttempt a in report.Attempts)
        {
            sb.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"{a.Number} {a.Deployment} {a.Provider} {a.Model} {a.ResponseModel} {a.Outcome} {a.ErrorKind} {a.ErrorType} {a.StatusCode} {a.FailoverReason} {a.Usage}");
        }

        sb.AppendLine(string.Join(",", report.Redactions.Select(kv => kv.Key + kv.Value)));
        sb.AppendLine(string.Join(",", report.RedactionActions.Select(kv => kv.Key + kv.Value)));
        return sb.ToString();
    }

    /// <summary>Captures every activity, measurement and log record while alive.</summary>
    private sealed class Capture : IDisposable
    {
        public const string SourceName = "LlmRouting.Tests.LeakScan";
        private readonly ActivityListener _activities;
        private readonly MeterListener _meters;
        private readonly FakeLogCollector _logs = new();

        public Capture()
        {
            _activities = new ActivityListener
            {
                ShouldListenTo = _ => true,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = a =>
                {
                    var sb = new StringBuilder().Append(a.Source.Name).Append(' ').Append(a.DisplayName).Append(' ').Append(a.StatusDescription);
                    foreach (KeyValuePair<string, object?> tag in a.TagObjects)
                    {
                        sb.Append(' ').Append(tag.Key).Append('=').Append(Text(tag.Value));
                    }

                    foreach (ActivityEvent e in a.Events)
                    {
                        sb.Append(" event ").Append(e.Name);
                        foreach (KeyValuePair<string, object?> tag in e.Tags)
                        {
                            sb.Append(' ').Append(tag.Key).Append('=').Append(Text(tag.Value));
                        }
                    }

                    foreach (KeyValuePair<string, string?> item in a.Baggage)
                    {
                        sb.Append(" baggage ").Append(item.Key).Append('=').Append(item.Value);
                    }

                    lock (Activities)
                    {
                        Activities.Add(sb.ToString());
                    }
                },
            };
            ActivitySource.AddActivityListener(_activities);

            _meters = new MeterListener { InstrumentPublished = (instrument, listener) => listener.EnableMeasurementEvents(instrument) };
            _meters.SetMeasurementEventCallback<double>((i, v, tags, _) => Measure(i, v, tags));
            _meters.SetMeasurementEventCallback<long>((i, v, tags, _) => Measure(i, v, tags));
            _meters.SetMeasurementEventCallback<int>((i, v, tags, _) => Measure(i, v, tags));
            _meters.Start();
            Loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(_logs)));
        }

        public ILoggerFactory Loggers { get; }

        public List<string> Activities { get; } = [];

        public List<string> Measurements { get; } = [];

        public int LogCount => _logs.Count;

        public string Text()
        {
            var sb = new StringBuilder();
            lock (Activities)
            {
                Activities.ForEach(a => sb.AppendLine(a));
            }

            lock (Measurements)
            {
                Measurements.ForEach(m => sb.AppendLine(m));
            }

            foreach (FakeLogRecord record in _logs.GetSnapshot())
            {
                sb.Append(record.Level).Append(' ').Append(record.Category).Append(' ').AppendLine(record.Message);
                foreach (KeyValuePair<string, string?> kv in record.StructuredState ?? [])
                {
                    sb.Append("  ").Append(kv.Key).Append('=').AppendLine(kv.Value);
                }

                if (record.Exception is { } ex)
                {
                    sb.AppendLine(ex.ToString());
                }
            }

            return sb.ToString();
        }

        public void Dispose()
        {
            _activities.Dispose();
            _meters.Dispose();
            Loggers.Dispose();
        }

        private void Measure<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var sb = new StringBuilder().Append(instrument.Meter.Name).Append(' ').Append(instrument.Name).Append(' ').Append(value);
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                sb.Append(' ').Append(tag.Key).Append('=').Append(Text(tag.Value));
            }

            lock (Measurements)
            {
                Measurements.Add(sb.ToString());
            }
        }

        private static string Text(object? value) => value switch
        {
            null => "",
            string s => s,
            IEnumerable<string> list => string.Join(",", list),
            _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "",
        };
    }
}
