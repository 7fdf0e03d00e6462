using System.Net;
using System.Text.Json;
using LlmRouting.Testing;
using Microsoft.Extensions.Time.Testing;
using static LlmRouting.Tests.Testing.SimulatedTestHelpers;

namespace LlmRouting.Tests.Testing;

public class SimulatedChatClientFaultTests
{
    private static readonly object?[][] FaultCases =
    [
        [SimulatedFaultKind.RateLimited, LlmErrorKind.RateLimited, HttpStatusCode.TooManyRequests, "rate_limit_exceeded", true],
        [SimulatedFaultKind.ServerError, LlmErrorKind.ServerError, HttpStatusCode.InternalServerError, "server_error", false],
        [SimulatedFaultKind.Overloaded, LlmErrorKind.Overloaded, HttpStatusCode.ServiceUnavailable, "overloaded", false],
        [SimulatedFaultKind.ConnectionReset, LlmErrorKind.Network, null, null, false],
        [SimulatedFaultKind.MalformedResponse, LlmErrorKind.InvalidResponse, HttpStatusCode.OK, null, false],
        [SimulatedFaultKind.InStreamError, LlmErrorKind.Overloaded, HttpStatusCode.OK, "overloaded_error", false],
        [SimulatedFaultKind.ContentFiltered, LlmErrorKind.ContentFiltered, HttpStatusCode.BadRequest, "content_filter", false],
        [SimulatedFaultKind.ContextLengthExceeded, LlmErrorKind.ContextLengthExceeded, HttpStatusCode.BadRequest, "context_length_exceeded", false],
        [SimulatedFaultKind.Authentication, LlmErrorKind.Authentication, HttpStatusCode.Unauthorized, "invalid_api_key", false],
        [SimulatedFaultKind.BadRequest, LlmErrorKind.BadRequest, HttpStatusCode.BadRequest, "invalid_request_error", false],
    ];

    private static SimulatedChatClient Create(Action<SimulatedProviderOptions>? configure = null)
    {
        var options = new SimulatedProviderOptions { ModelId = "sim-model", DeploymentName = "sim-dep" };
        configure?.Invoke(options);
        return new SimulatedChatClient(options);
    }

    [TestCaseSource(nameof(FaultCases))]
    public async Task Injected_fault_surfaces_as_the_exception_real_adapters_throw(
        SimulatedFaultKind fault, LlmErrorKind kind, HttpStatusCode? status, string? errorCode, bool hasRetryAfter)
    {
        foreach (bool streaming in new[] { false, true })
        {
            using SimulatedChatClient client = Create(o => o.RetryAfter = TimeSpan.FromSeconds(7));
            client.InjectFaults(fault);

            LlmProviderException? ex = await Assert.CatchAsync<LlmProviderException>(async () => await GetAsync(client, streaming, "q"));

            using (Assert.EnterMultipleScope())
            {
                Assert.That(ex, Is.Not.Null.And.Not.InstanceOf<StreamInterruptedException>());
                Assert.That(ex!.Kind, Is.EqualTo(kind), $"streaming={streaming}");
                Assert.That(ex.StatusCode, Is.EqualTo(status), $"streaming={streaming}");
                Assert.That(ex.ProviderErrorCode, Is.EqualTo(errorCode));
                Assert.That(ex.RetryAfter, Is.EqualTo(hasRetryAfter ? TimeSpan.FromSeconds(7) : null));
                Assert.That(ex.Provider, Is.EqualTo("simulated"));
                Assert.That(ex.Model, Is.EqualTo("sim-model"));
                Assert.That(ex.Deployment, Is.EqualTo("sim-dep"));
                Assert.That(ex.ProviderRequestId, Is.EqualTo("simreq-sim-dep-1"));
                Assert.That(ex.Message, Does.Contain("sim-dep"));
                Assert.That(client.LastCall!.Fault, Is.EqualTo(fault));
            }
        }
    }

    [Test]
    public async Task Network_and_parse_faults_carry_the_inner_exceptions_http_and_json_would_throw([Values] bool streaming)
    {
        using SimulatedChatClient client = Create();
        client.InjectFaultSequence(SimulatedFaultKind.ConnectionReset, SimulatedFaultKind.MalformedResponse);

        LlmProviderException? reset = await Assert.CatchAsync<LlmProviderException>(async () => await GetAsync(client, streaming, "q"));
        LlmProviderException? malformed = await Assert.CatchAsync<LlmProviderException>(async () => await GetAsync(client, streaming, "q"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(reset!.InnerException, Is.TypeOf<HttpRequestException>());
            Assert.That(((HttpRequestException)reset.InnerException!).HttpRequestError, Is.EqualTo(HttpRequestError.ConnectionError));
            Assert.That(malformed!.InnerException, Is.InstanceOf<JsonException>());
        }
    }

    [TestCaseSource(nameof(FaultCases))]
    public async Task Streaming_faults_throw_from_the_first_move_next_before_any_update(
        SimulatedFaultKind fault, LlmErrorKind kind, HttpStatusCode? status, string? errorCode, bool hasRetryAfter)
    {
        using SimulatedChatClient client = Create();
        client.InjectFaults(fault);

        IAsyncEnumerable<ChatResponseUpdate> stream = client.GetStreamingResponseAsync(Prompt("q"));
        Assert.That(client.CallCount, Is.Zero, "nothing is sent before enumeration starts");
        await using IAsyncEnumerator<ChatResponseUpdate> enumerator = stream.GetAsyncEnumerator();

        LlmProviderException? ex = await Assert.CatchAsync<LlmProviderException>(async () => await enumerator.MoveNextAsync());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex!.Kind, Is.EqualTo(kind));
            Assert.That(ex.StatusCode, Is.EqualTo(status));
            Assert.That(ex.ProviderErrorCode, Is.EqualTo(errorCode));
            Assert.That(ex.RetryAfter.HasValue, Is.EqualTo(hasRetryAfter));
            Assert.That(client.CallCount, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task Truncated_stream_yields_some_updates_then_throws_stream_interrupted()
    {
        using SimulatedChatClient client = Create(o => o.TruncatedStreamUpdates = 2);
        client.EnqueueReplies("one two three four five");
        client.InjectFaults(SimulatedFaultKind.TruncatedStream);

        var received = new List<ChatResponseUpdate>();
        LlmProviderException? ex = await Assert.CatchAsync<LlmProviderException>(async () =>
        {
            await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync(Prompt("q")))
            {
                received.Add(update);
            }
        });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(received.Select(u => u.Text), Is.EqualTo(new[] { "one ", "two " }));
            Assert.That(received.Select(u => u.FinishReason), Is.All.Null);
            Assert.That(received.SelectMany(u => u.Contents).OfType<UsageContent>(), Is.Empty);
            Assert.That(ex!.Kind, Is.EqualTo(LlmErrorKind.StreamInterrupted));
            Assert.That(ex, Is.Not.InstanceOf<StreamInterruptedException>(), "adapters throw the plain provider exception; the router wraps it");
            Assert.That(ex.StatusCode, Is.Null);
            Assert.That(ex.InnerException, Is.TypeOf<HttpIOException>());
            Assert.That(ex.Provider, Is.EqualTo("simulated"));
            Assert.That(ex.Deployment, Is.EqualTo("sim-dep"));
            Assert.That(client.PendingReplies, Is.EqualTo(1), "a cut stream does not use up the scripted reply");
        }

        ChatResponse retry = await client.GetStreamingResponseAsync(Prompt("q")).ToChatResponseAsync();
        Assert.That(retry.Text, Is.EqualTo("one two three four five"));
    }

    [TestCase("one two three four", null, 2)]
    [TestCase("one", null, 1)]
    [TestCase("one two", 5, 2)]
    [TestCase("one two three", 0, 0)]
    public async Task Truncated_stream_never_delivers_the_final_update(string reply, int? updates, int expectedUpdates)
    {
        using SimulatedChatClient client = Create(o => o.TruncatedStreamUpdates = updates);
        client.EnqueueReplies(reply);
        client.InjectFaults(SimulatedFaultKind.TruncatedStream);

        var received = new List<ChatResponseUpdate>();
        LlmProviderException? ex = await Assert.CatchAsync<LlmProviderException>(async () =>
        {
            await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync(Prompt("q")))
            {
                received.Add(update);
            }
        });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex!.Kind, Is.EqualTo(LlmErrorKind.StreamInterrupted));
            Assert.That(received, Has.Count.EqualTo(expectedUpdates));
            Assert.That(received.Select(u => u.FinishReason), Is.All.Null);
            Assert.That(received.SelectMany(u => u.Contents).OfType<UsageContent>(), Is.Empty);
        }
    }

    [Test]
    public async Task Truncated_stream_fault_on_a_non_streaming_call_is_a_network_failure()
    {
        using SimulatedChatClient client = Create();
        client.EnqueueReplies("kept");
        client.InjectFaults(SimulatedFaultKind.TruncatedStream);

        LlmProviderException? ex = await Assert.CatchAsync<LlmProviderException>(async () => await client.GetResponseAsync(Prompt("q")));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex!.Kind, Is.EqualTo(LlmErrorKind.Network));
            Assert.That(ex.StatusCode, Is.Null);
            Assert.That(ex.InnerException, Is.TypeOf<HttpIOException>());
            Assert.That(client.PendingReplies, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task Faults_do_not_use_up_scripted_replies([Values] bool streaming)
    {
        using SimulatedChatClient client = Create();
        client.EnqueueReplies("first", "second");
        client.InjectFaults(SimulatedFaultKind.RateLimited, 2);

        Assert.That(async () => await GetAsync(client, streaming, "q"), Throws.InstanceOf<LlmProviderException>());
        Assert.That(async () => await GetAsync(client, streaming, "q"), Throws.InstanceOf<LlmProviderException>());
        ChatResponse third = await GetAsync(client, streaming, "q");
        ChatResponse fourth = await GetAsync(client, streaming, "q");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(third.Text, Is.EqualTo("first"));
            Assert.That(fourth.Text, Is.EqualTo("second"));
            Assert.That(client.Calls.Select(c => c.Fault), Is.EqualTo(new[] { SimulatedFaultKind.RateLimited, SimulatedFaultKind.RateLimited, SimulatedFaultKind.None, SimulatedFaultKind.None }));
        }
    }

    [Test]
    public async Task Fault_sequence_with_none_lets_calls_through_in_order([Values] bool streaming)
    {
        using SimulatedChatClient client = Create(o => o.ScriptedFaults.Add(SimulatedFaultKind.ServerError));
        client.InjectFaultSequence(SimulatedFaultKind.None, SimulatedFaultKind.Authentication);

        var outcomes = new List<string>();
        for (int i = 0; i < 4; i++)
        {
            try
            {
                await GetAsync(client, streaming, "q");
                outcomes.Add("ok");
            }
            catch (LlmProviderException ex)
            {
                outcomes.Add(ex.Kind.ToString());
            }
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(outcomes, Is.EqualTo(new[] { "ServerError", "ok", "Authentication", "ok" }));
            Assert.That(client.PendingFaults, Is.Zero);
        }
    }

    [Test]
    public async Task Clear_faults_removes_pending_faults([Values] bool streaming)
    {
        using SimulatedChatClient client = Create();
        client.InjectFaults(SimulatedFaultKind.ServerError, 3);
        client.ClearFaults();

        ChatResponse response = await GetAsync(client, streaming, "q");

        Assert.That(response.Text, Does.StartWith("Simulated answer"));
    }

    [Test]
    public void Invalid_fault_arguments_are_rejected()
    {
        using SimulatedChatClient client = Create();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => client.InjectFaults(SimulatedFaultKind.ServerError, -1), Throws.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(() => client.InjectFaults((SimulatedFaultKind)999), Throws.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(() => client.InjectFaultSequence(SimulatedFaultKind.None, (SimulatedFaultKind)999), Throws.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(() => client.SetOutage(SimulatedFaultKind.None), Throws.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(client.PendingFaults, Is.Zero);
        }
    }

    [Test]
    public async Task Timeout_fault_hangs_until_the_fault_timeout_then_throws_timeout([Values] bool streaming)
    {
        var time = new FakeTimeProvider();
        using SimulatedChatClient client = Create(o =>
        {
            o.TimeProvider = time;
            o.FaultTimeout = TimeSpan.FromSeconds(30);
        });
        client.InjectFaults(SimulatedFaultKind.Timeout);

        Task<ChatResponse> call = GetAsync(client, streaming, "q");
        time.Advance(TimeSpan.FromSeconds(29.999));
        Assert.That(call.IsCompleted, Is.False);
        time.Advance(TimeSpan.FromMilliseconds(1));

        LlmProviderException? ex = await Assert.CatchAsync<LlmProviderException>(async () => await call.WaitAsync(TimeSpan.FromSeconds(10)));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex!.Kind, Is.EqualTo(LlmErrorKind.Timeout));
            Assert.That(ex.StatusCode, Is.Null);
            Assert.That(ex.InnerException, Is.TypeOf<TimeoutException>());
            Assert.That(ex.Message, Does.Contain("30 s"));
        }
    }

    [Test]
    public async Task Timeout_fault_with_infinite_timeout_hangs_until_cancelled([Values] bool streaming)
    {
        var time = new FakeTimeProvider();
        using SimulatedChatClient client = Create(o =>
        {
            o.TimeProvider = time;
            o.FaultTimeout = Timeout.InfiniteTimeSpan;
        });
        client.SetOutage(SimulatedFaultKind.Timeout);
        using var cts = new CancellationTokenSource();

        Task<ChatResponse> call = GetAsync(client, streaming, "q", cancellationToken: cts.Token);
        time.Advance(TimeSpan.FromDays(1));
        Assert.That(call.IsCompleted, Is.False);
        await cts.CancelAsync();

        Assert.That(async () => await call.WaitAsync(TimeSpan.FromSeconds(10)), Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task Timeout_fault_honours_cancellation_before_the_timeout([Values] bool streaming)
    {
        var time = new FakeTimeProvider();
        using SimulatedChatClient client = Create(o => o.TimeProvider = time);
        client.InjectFaults(SimulatedFaultKind.Timeout);
        using var cts = new CancellationTokenSource();

        Task<ChatResponse> call = GetAsync(client, streaming, "q", cancellationToken: cts.Token);
        time.Advance(TimeSpan.FromSeconds(5));
        await cts.CancelAsync();

        Assert.That(async () => await call.WaitAsync(TimeSpan.FromSeconds(10)), Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task Outage_fails_every_call_until_cleared([Values] bool streaming)
    {
        using SimulatedChatClient client = Create();
        client.EnqueueReplies("after outage");
        client.InjectFaults(SimulatedFaultKind.ServerError);

        client.IsDown = true;
        LlmProviderException? first = await Assert.CatchAsync<LlmProviderException>(async () => await GetAsync(client, streaming, "q"));
        client.SetOutage(SimulatedFaultKind.ConnectionReset);
        LlmProviderException? second = await Assert.CatchAsync<LlmProviderException>(async () => await GetAsync(client, streaming, "q"));
        Assert.That(client.OutageKind, Is.EqualTo(SimulatedFaultKind.ConnectionReset));
        client.ClearOutage();
        LlmProviderException? scripted = await Assert.CatchAsync<LlmProviderException>(async () => await GetAsync(client, streaming, "q"));
        ChatResponse recovered = await GetAsync(client, streaming, "q");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first!.Kind, Is.EqualTo(LlmErrorKind.Overloaded));
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(second!.Kind, Is.EqualTo(LlmErrorKind.Network));
            Assert.That(scripted!.Kind, Is.EqualTo(LlmErrorKind.ServerError), "scripted faults wait for the outage to end");
            Assert.That(recovered.Text, Is.EqualTo("after outage"));
            Assert.That(client.IsDown, Is.False);
            Assert.That(client.OutageKind, Is.Null);
        }
    }

    [Test]
    public async Task Setting_is_down_keeps_an_existing_outage_kind()
    {
        using SimulatedChatClient client = Create();
        client.SetOutage(SimulatedFaultKind.Authentication);

        client.IsDown = true;

        Assert.That(client.OutageKind, Is.EqualTo(SimulatedFaultKind.Authentication));
        client.IsDown = false;
        Assert.That(client.IsDown, Is.False);
        Assert.That((await client.GetResponseAsync(Prompt("q"))).Text, Is.Not.Empty);
    }

    [Test]
    public async Task Random_faults_are_deterministic_under_a_seed([Values] bool streaming)
    {
        static async Task<List<SimulatedFaultKind>> RunAsync(int seed, bool streaming)
        {
            using SimulatedChatClient client = Create(o =>
            {
                o.Seed = seed;
                o.FaultRates[SimulatedFaultKind.RateLimited] = 0.2;
                o.FaultRates[SimulatedFaultKind.ServerError] = 0.1;
                o.FaultRates[SimulatedFaultKind.ConnectionReset] = 0.1;
            });
            for (int i = 0; i < 300; i++)
            {
                try
                {
                    await GetAsync(client, streaming, "q");
                }
                catch (LlmProviderException)
                {
                }
            }

            return client.Calls.Select(c => c.Fault).ToList();
        }

        List<SimulatedFaultKind> a = await RunAsync(42, streaming);
        List<SimulatedFaultKind> b = await RunAsync(42, streaming);
        List<SimulatedFaultKind> c = await RunAsync(43, streaming);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(a, Is.EqualTo(b));
            Assert.That(a, Is.Not.EqualTo(c));
            Assert.That(a.Count(f => f == SimulatedFaultKind.RateLimited), Is.InRange(35, 85));
            Assert.That(a.Count(f => f == SimulatedFaultKind.ServerError), Is.InRange(12, 50));
            Assert.That(a.Count(f => f == SimulatedFaultKind.ConnectionReset), Is.InRange(12, 50));
            Assert.That(a.Count(f => f == SimulatedFaultKind.None), Is.InRange(150, 210));
        }
    }

    [Test]
    public async Task Random_draws_do_not_shift_when_scripted_faults_or_outages_take_precedence()
    {
        static SimulatedChatClient Make() => Create(o =>
        {
            o.Seed = 7;
            o.FaultRates[SimulatedFaultKind.Overloaded] = 0.5;
        });

        using SimulatedChatClient plain = Make();
        using SimulatedChatClient scripted = Make();
        scripted.InjectFaults(SimulatedFaultKind.BadRequest, 3);
        for (int i = 0; i < 40; i++)
        {
            try
            {
                await plain.GetResponseAsync(Prompt("q"));
            }
            catch (LlmProviderException)
            {
            }

            try
            {
                await scripted.GetResponseAsync(Prompt("q"));
            }
            catch (LlmProviderException)
            {
            }
        }

        Assert.That(scripted.Calls.Skip(3).Select(c => c.Fault), Is.EqualTo(plain.Calls.Skip(3).Select(c => c.Fault)));
        Assert.That(scripted.Calls.Take(3).Select(c => c.Fault), Is.All.EqualTo(SimulatedFaultKind.BadRequest));
    }

    [Test]
    public async Task Fault_rate_of_one_fails_every_call([Values] bool streaming)
    {
        using SimulatedChatClient client = Create(o => o.FaultRates[SimulatedFaultKind.ContentFiltered] = 1.0);

        for (int i = 0; i < 5; i++)
        {
            LlmProviderException? ex = await Assert.CatchAsync<LlmProviderException>(async () => await GetAsync(client, streaming, "q"));
            Assert.That(ex!.Kind, Is.EqualTo(LlmErrorKind.ContentFiltered));
        }
    }

    [Test]
    public void Fault_rates_adding_up_to_more_than_one_are_rejected([Values] bool streaming)
    {
        using SimulatedChatClient client = Create(o =>
        {
            o.FaultRates[SimulatedFaultKind.RateLimited] = 0.6;
            o.FaultRates[SimulatedFaultKind.ServerError] = 0.6;
        });

        Assert.That(async () => await GetAsync(client, streaming, "q"), Throws.InvalidOperationException);
    }

    [Test]
    public void Negative_fault_rates_are_rejected()
    {
        using SimulatedChatClient client = Create(o => o.FaultRates[SimulatedFaultKind.RateLimited] = -0.1);

        Assert.That(async () => await client.GetResponseAsync(Prompt("q")), Throws.InvalidOperationException);
    }

    [Test]
    public async Task Rate_limit_without_retry_after_reports_none([Values] bool streaming)
    {
        using SimulatedChatClient client = Create(o => o.RetryAfter = null);
        client.InjectFaults(SimulatedFaultKind.RateLimited);

        LlmProviderException? ex = await Assert.CatchAsync<LlmProviderException>(async () => await GetAsync(client, streaming, "q"));

        Assert.That(ex!.RetryAfter, Is.Null);
    }

    [Test]
    public async Task Exception_without_deployment_names_the_model([Values] bool streaming)
    {
        using var client = new SimulatedChatClient();
        client.InjectFaults(SimulatedFaultKind.ServerError);

        LlmProviderException? ex = await Assert.CatchAsync<LlmProviderException>(async () => await GetAsync(client, streaming, "secret prompt text"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex!.Deployment, Is.Null);
            Assert.That(ex.Model, Is.EqualTo(SimulatedProviderOptions.DefaultModelId));
            Assert.That(ex.Message, Does.Contain(SimulatedProviderOptions.DefaultModelId));
            Assert.That(ex.Message, Does.Not.Contain("secret"));
            Assert.That(ex.IsTransient, Is.True);
        }
    }
}
