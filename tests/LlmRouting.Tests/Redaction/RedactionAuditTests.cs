using System.Collections.Concurrent;
using LlmRouting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace LlmRouting.Tests.Redaction;

internal sealed class CollectingAuditSink : IRedactionAuditSink
{
    public ConcurrentQueue<RedactionAuditEvent> Events { get; } = new();

    public void Write(RedactionAuditEvent auditEvent) => Events.Enqueue(auditEvent);
}

[TestFixture]
public class RedactionAuditTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 9, 30, 0, TimeSpan.Zero);

    private static IChatClient Build(RedactionChain chain, IRedactionAuditSink sink, Action<RedactingChatClient>? more = null) =>
        chain.Build(r =>
        {
            r.AuditSink = sink;
            r.TimeProvider = new FakeTimeProvider(Now);
            more?.Invoke(r);
        });

    private static readonly string Prompt = $"Mail {Corpus.Email1} and {Corpus.Email2}, key {Corpus.OpenAIKey}";

    [Test]
    public async Task One_event_per_request_names_the_deployment_the_types_counts_and_actions([Values] bool streaming)
    {
        var chain = new RedactionChain();
        chain.Add("cloud");
        var sink = new CollectingAuditSink();

        ChatResponse response = await Build(chain, sink).AskAsync(streaming, Prompt);

        RedactionAuditEvent e = sink.Events.Single();
        Assert.That(e.RequestId, Is.EqualTo(response.GetRoutingReport()!.RequestId));
        Assert.That((e.Deployment, e.Provider, e.Model, e.Attempt, e.Sent), Is.EqualTo(("cloud", "openai", "m-cloud", (int?)1, true)));
        Assert.That(e.Timestamp, Is.EqualTo(Now));
        Assert.That(e.Entries, Is.EqualTo(new[]
        {
            new RedactionAuditEntry("EMAIL_ADDRESS", 2, PiiAction.Placeholder),
            new RedactionAuditEntry("SECRET", 1, PiiAction.Mask),
        }));
        Assert.That(e.ToString() + string.Join(",", e.Entries), Does.Not.Contain(Corpus.Email1).And.Not.Contain(Corpus.OpenAIKey));
    }

    [Test]
    public async Task A_streamed_request_is_audited_once_the_stream_has_ended()
    {
        var chain = new RedactionChain();
        RecordingProvider cloud = chain.Add("cloud");
        cloud.Reply = (_, _) => RecordingProvider.Text("a", "b", "c");
        var sink = new CollectingAuditSink();
        int seenWhileStreaming = -1;

        await foreach (ChatResponseUpdate update in Build(chain, sink).GetStreamingResponseAsync(Prompt))
        {
            if (update.Text == "a")
            {
                seenWhileStreaming = sink.Events.Count;
            }
        }

        Assert.That(seenWhileStreaming, Is.Zero);
        Assert.That(sink.Events, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Each_deployment_a_failover_sent_the_request_to_is_audited([Values] bool streaming)
    {
        var chain = new RedactionChain();
        RecordingProvider first = chain.Add("first", price: 1m);
        chain.Add("second", provider: "mistral", price: 2m);
        first.FailOnCall = _ => new LlmProviderException(LlmErrorKind.ServerError, "boom");
        var sink = new CollectingAuditSink();

        await Build(chain, sink).AskAsync(streaming, Prompt);

        Assert.That(sink.Events.Select(e => (e.Deployment, e.Provider, e.Attempt, e.Sent)), Is.EqualTo(new[]
        {
            ("first", "openai", (int?)1, true),
            ("second", "mistral", (int?)2, true),
        }));
    }

    [Test]
    public async Task A_request_that_failed_everywhere_is_still_audited([Values] bool streaming)
    {
        var chain = new RedactionChain();
        chain.Add("a", price: 1m).FailOnCall = _ => new LlmProviderException(LlmErrorKind.Overloaded, "busy");
        chain.Add("b", price: 2m).FailOnCall = _ => new LlmProviderException(LlmErrorKind.Overloaded, "busy");
        var sink = new CollectingAuditSink();

        var ex = await Assert.ThrowsAsync<AllAttemptsFailedException>(() => Build(chain, sink).AskAsync(streaming, Prompt));

        // One audit event per attempt, retries of the same deployment included (the resilience layer may retry after failing over).
        Assert.That(sink.Events.Select(e => e.Deployment).Take(2), Is.EqualTo(new[] { "a", "b" }));
        Assert.That(sink.Events.Select(e => e.Deployment), Is.EqualTo(ex!.Attempts.Select(a => a.Deployment)));
    }

    [Test]
    public async Task A_refused_request_is_audited_as_not_sent([Values] bool streaming)
    {
        var chain = new RedactionChain();
        RecordingProvider cloud = chain.Add("cloud");
        var sink = new CollectingAuditSink();
        IChatClient blocking = Build(chain, sink, r => r.Options = new RedactionOptions { SecretAction = PiiAction.Block });

        await Assert.ThrowsAsync<PiiBlockedException>(() => blocking.AskAsync(streaming, Prompt));

        RedactionAuditEvent blocked = sink.Events.Single();
        Assert.That((blocked.Deployment, blocked.Attempt, blocked.Sent), Is.EqualTo(((string?)null, (int?)null, false)));
        Assert.That(blocked.Entries, Does.Contain(new RedactionAuditEntry("SECRET", 1, PiiAction.Block)));

        IChatClient localOnly = Build(chain, sink, r => r.Options = new RedactionOptions { DefaultAction = PiiAction.RouteLocal });
        await Assert.ThrowsAsync<NoEligibleDeploymentException>(() => localOnly.AskAsync(streaming, Prompt));
        Assert.That(sink.Events.Last().Sent, Is.False);
        Assert.That(sink.Events.Last().Entries, Does.Contain(new RedactionAuditEntry("EMAIL_ADDRESS", 2, PiiAction.RouteLocal)));
        Assert.That(cloud.Calls, Is.Empty);
    }

    [Test]
    public async Task Requests_without_findings_are_not_audited([Values] bool streaming)
    {
        var chain = new RedactionChain();
        chain.Add("cloud");
        var sink = new CollectingAuditSink();

        await Build(chain, sink).AskAsync(streaming, "nothing personal");

        Assert.That(sink.Events, Is.Empty);
    }

    private sealed class ThrowingSink : IRedactionAuditSink
    {
        public void Write(RedactionAuditEvent auditEvent) => throw new InvalidOperationException("disk full while writing " + auditEvent.Entries[0].EntityType);
    }

    [Test]
    public async Task A_failing_sink_is_logged_and_does_not_fail_the_request([Values] bool streaming)
    {
        var chain = new RedactionChain();
        chain.Add("cloud");
        var logs = new FakeLogCollector();
        using var loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(logs)));

        ChatResponse response = await Build(chain, new ThrowingSink(), r => r.Logger = loggers.CreateLogger<RedactingChatClient>()).AskAsync(streaming, Prompt);

        Assert.That(response.Text, Is.EqualTo("ok"));
        FakeLogRecord warning = logs.GetSnapshot().Single(r => r.Level == LogLevel.Warning);
        Assert.That(warning.Message, Is.EqualTo("The redaction audit sink ThrowingSink failed with InvalidOperationException; the event was not recorded."));
    }

    [Test]
    public async Task Sinks_registered_in_DI_all_receive_the_events([Values] bool streaming)
    {
        var first = new CollectingAuditSink();
        var second = new CollectingAuditSink();
        var services = new ServiceCollection();
        services.AddSimulatedProviders();
        services.AddSingleton<IRedactionAuditSink>(first);
        services.AddSingleton<IRedactionAuditSink>(new ThrowingSink());
        services.AddSingleton<IRedactionAuditSink>(second);
        services.AddLlmRouting(o => o.Deployments["sim"] = new DeploymentOptions { Provider = "simulated", Model = "gpt-4o-mini", CatalogModel = "openai/gpt-4o-mini" });
        using ServiceProvider sp = services.BuildServiceProvider();

        await sp.GetRequiredService<IChatClient>().AskAsync(streaming, Prompt);

        Assert.That(first.Events.Single().Deployment, Is.EqualTo("sim"));
        Assert.That(second.Events.Single().Deployment, Is.EqualTo("sim"), "a failing sink does not keep the event from the others");
    }
}
