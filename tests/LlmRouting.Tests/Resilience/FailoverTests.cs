using System.Net;

namespace LlmRouting.Tests;

[TestFixture]
public class FailoverTests
{
    private static LlmProviderException Fault(LlmErrorKind kind, HttpStatusCode status) => new(kind, "simulated failure") { StatusCode = status, Provider = "test" };

    private static ChainHarness Three(Func<int, Exception?>? first = null, Func<int, Exception?>? second = null, Func<int, Exception?>? third = null)
    {
        var h = new ChainHarness();
        h.Add(new Deployment("a", "openai", "a", ChainHarness.Model("openai", "a", 0.1m, 0.1m)), "answer from a", first);
        h.Add(new Deployment("b", "anthropic", "b", ChainHarness.Model("anthropic", "b", 1m, 1m)), "answer from b", second);
        h.Add(new Deployment("c", "gemini", "c", ChainHarness.Model("gemini", "c", 10m, 10m)), "answer from c", third);
        return h;
    }

    [Test]
    public async Task Provider_failure_fails_over_to_the_next_candidate([Values] bool streaming)
    {
        ChainHarness h = Three(first: _ => Fault(LlmErrorKind.ServerError, HttpStatusCode.InternalServerError));
        ChatResponse response = await h.Build().AskAsync(streaming, "hi");

        Assert.That(response.Text.Trim(), Is.EqualTo("answer from b"));
        RoutingReport report = response.GetRoutingReport()!;
        Assert.That(report.Deployment, Is.EqualTo("b"));
        Assert.That(report.Attempts.Select(a => (a.Deployment, a.Outcome, a.ErrorKind)), Is.EqualTo(new (string, AttemptOutcome, LlmErrorKind?)[]
        {
            ("a", AttemptOutcome.Failed, LlmErrorKind.ServerError),
            ("b", AttemptOutcome.Succeeded, null),
        }));
        Assert.That(report.Attempts[0].StatusCode, Is.EqualTo(500));
        Assert.That(report.Attempts[0].FailoverReason, Is.EqualTo("failover:server_error"));
        Assert.That(report.Failovers, Is.EqualTo(1));
    }

    [Test]
    public async Task Network_errors_and_timeouts_fail_over([Values] bool streaming)
    {
        ChainHarness h = Three(first: _ => new HttpRequestException("connection reset"), second: _ => new TimeoutException());
        ChatResponse response = await h.Build().AskAsync(streaming, "hi");
        Assert.That(response.GetRoutingReport()!.Attempts.Select(a => a.ErrorKind), Is.EqualTo(new LlmErrorKind?[] { LlmErrorKind.Network, LlmErrorKind.Timeout, null }));
    }

    [Test]
    public async Task Bad_requests_are_not_failed_over([Values] bool streaming)
    {
        ChainHarness h = Three(first: _ => Fault(LlmErrorKind.BadRequest, HttpStatusCode.BadRequest));
        var ex = await Assert.ThrowsAsync<LlmProviderException>(() => h.Build().AskAsync(streaming, "hi"));
        Assert.That(ex!.Kind, Is.EqualTo(LlmErrorKind.BadRequest));
        Assert.That(h.Calls.Select(c => c.Deployment), Is.EqualTo(new[] { "a" }));
    }

    [Test]
    public async Task When_every_attempt_fails_the_error_is_typed_and_lists_each_attempt([Values] bool streaming)
    {
        ChainHarness h = Three(
            first: _ => Fault(LlmErrorKind.RateLimited, HttpStatusCode.TooManyRequests),
            second: _ => Fault(LlmErrorKind.Overloaded, HttpStatusCode.ServiceUnavailable),
            third: _ => Fault(LlmErrorKind.ServerError, HttpStatusCode.BadGateway));
        var ex = await Assert.ThrowsAsync<AllAttemptsFailedException>(() => h.Build().AskAsync(streaming, "hi"));

        Assert.That(ex!.Attempts.Select(a => (a.Deployment, a.ErrorKind)), Is.EqualTo(new (string, LlmErrorKind?)[]
        {
            ("a", LlmErrorKind.RateLimited), ("b", LlmErrorKind.Overloaded), ("c", LlmErrorKind.ServerError),
        }));
        Assert.That(ex.InnerException, Is.InstanceOf<LlmProviderException>());
        Assert.That(((LlmProviderException)ex.InnerException!).StatusCode, Is.EqualTo(HttpStatusCode.BadGateway));
        Assert.That(ex.LastErrorKind, Is.EqualTo(LlmErrorKind.ServerError));
        Assert.That(ex.Report, Is.Not.Null);
        Assert.That(ex.Report!.Attempts, Has.Count.EqualTo(3));
        Assert.That(ex.Message, Does.Contain("a: rate_limited"));
    }

    [Test]
    public async Task MaxAttempts_caps_the_number_of_deployments_tried([Values] bool streaming)
    {
        ChainHarness h = Three(first: _ => new HttpRequestException("down"), second: _ => new HttpRequestException("down"));
        var builder = new ChatClientBuilder(new DeploymentDispatcherChatClient(h.Registry))
            .UseCostRouter(h.Registry).UseRedaction().UseResilience(r => r.MaxAttempts = 2).UseRoutingTelemetry();
        var ex = await Assert.ThrowsAsync<AllAttemptsFailedException>(() => builder.Build().AskAsync(streaming, "hi"));
        Assert.That(ex!.Attempts, Has.Count.EqualTo(2));
        Assert.That(h.Calls.Select(c => c.Deployment), Is.EqualTo(new[] { "a", "b" }));
    }

    [Test]
    public async Task Caller_cancellation_is_never_failed_over([Values] bool streaming)
    {
        using var cts = new CancellationTokenSource();
        ChainHarness h = Three(first: _ => { cts.Cancel(); return new OperationCanceledException(cts.Token); });
        Assert.That(async () => await h.Build().AskAsync(streaming, "hi", ct: cts.Token), Throws.InstanceOf<OperationCanceledException>());
        await Task.Yield();
        Assert.That(h.Calls.Select(c => c.Deployment), Is.EqualTo(new[] { "a" }));
    }

    [Test]
    public async Task A_stream_failing_after_the_commit_point_surfaces_typed_with_its_partial_output()
    {
        var h = new ChainHarness();
        var failing = new LlmRouting.Testing.TestChatClient
        {
            GetStreamingResponseAsyncCallback = (m, o, ct) => CutStream(),
        };
        h.Registry.Add(new Deployment("a", "openai", "a", ChainHarness.Model("openai", "a", 0.1m, 0.1m)), failing);
        h.Add(new Deployment("b", "openai", "b", ChainHarness.Model("openai", "b", 1m, 1m)), "answer from b");

        var received = new List<ChatResponseUpdate>();
        var ex = await Assert.ThrowsAsync<StreamInterruptedException>(async () =>
        {
            await foreach (ChatResponseUpdate u in h.Build().GetStreamingResponseAsync("hi"))
            {
                received.Add(u);
            }
        });

        Assert.That(ex!.PartialText, Is.EqualTo("The answer is "));
        Assert.That(ex.UpdatesReceived, Is.EqualTo(2));
        Assert.That(ex.Deployment, Is.EqualTo("a"));
        Assert.That(ex.InnerException, Is.InstanceOf<LlmProviderException>());
        Assert.That(string.Concat(received.Select(r => r.Text)), Is.EqualTo("The answer is "), "no output from another deployment was interleaved");
        Assert.That(h.Calls, Is.Empty, "b was never called after the commit point");
        Assert.That(ex.Report, Is.Not.Null);
        Assert.That(ex.Report!.Attempts.Single().OutputCommitted, Is.True);

        static async IAsyncEnumerable<ChatResponseUpdate> CutStream()
        {
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, "The answer ");
            yield return new ChatResponseUpdate(ChatRole.Assistant, "is ");
            throw new LlmProviderException(LlmErrorKind.StreamInterrupted, "stream ended without [DONE]");
        }
    }

    [Test]
    public async Task A_stream_that_fails_or_ends_empty_before_its_first_update_fails_over()
    {
        var h = new ChainHarness();
        h.Registry.Add(
            new Deployment("empty", "openai", "e", ChainHarness.Model("openai", "e", 0.01m, 0.01m)),
            new LlmRouting.Testing.TestChatClient { GetStreamingResponseAsyncCallback = (m, o, ct) => Empty() });
        h.Add(new Deployment("a", "openai", "a", ChainHarness.Model("openai", "a", 0.1m, 0.1m)), "x", _ => Fault(LlmErrorKind.Overloaded, HttpStatusCode.ServiceUnavailable));
        h.Add(new Deployment("b", "openai", "b", ChainHarness.Model("openai", "b", 1m, 1m)), "answer from b");

        ChatResponse response = await h.Build().AskAsync(true, "hi");
        Assert.That(response.Text.Trim(), Is.EqualTo("answer from b"));
        Assert.That(response.GetRoutingReport()!.Attempts.Select(a => a.ErrorKind), Is.EqualTo(new LlmErrorKind?[] { LlmErrorKind.InvalidResponse, LlmErrorKind.Overloaded, null }));

        static async IAsyncEnumerable<ChatResponseUpdate> Empty()
        {
            await Task.Yield();
            yield break;
        }
    }

    [Test]
    public async Task Every_attempt_carries_its_own_deployment_to_the_provider([Values] bool streaming)
    {
        ChainHarness h = Three(first: _ => new HttpRequestException("down"));
        await h.Build().AskAsync(streaming, "hi");
        Assert.That(h.Calls.Select(c => c.Options!.ModelId), Is.EqualTo(new[] { "a", "b" }));
        Assert.That(h.Calls.SelectMany(c => c.Options!.AdditionalProperties?.Keys ?? []), Has.None.StartsWith("LlmRouting."), "routing state never reaches the provider");
    }
}
