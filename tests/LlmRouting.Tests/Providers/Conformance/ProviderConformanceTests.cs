using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using RichardSzalay.MockHttp;
using static LlmRouting.Tests.Providers.Conformance.ConformanceHttp;

namespace LlmRouting.Tests.Providers.Conformance;

/// <summary>
/// The conformance suite every provider adapter runs: the same situations — each content kind, each tool mode, parallel tools,
/// tool-result turns, each response format, images by URL and inline, sampling options, unicode, empty content, a 32k-character
/// system prompt, streaming with and without usage, each error kind — for streaming and non-streaming calls.
/// </summary>
/// <remarks>
/// <para>The inputs are identical for every adapter (<see cref="ConformanceInputs"/>). A subclass supplies how to build its client over a
/// mock HTTP handler, the exact JSON its provider must receive for each <see cref="RequestSituation"/> (compared structurally), and
/// realistic provider replies for each <see cref="ReplySituation"/> and error, written from the provider's API documentation.</para>
/// <para>To add an adapter: derive a sealed <c>XxxConformanceTests</c> from this class in this folder and implement the abstract members;
/// every test below then runs for it. An option or content the provider cannot honour is expected as
/// <see cref="ExpectedRequest.Rejected{TException}"/>; an error kind the provider has no way to signal returns <see langword="null"/>
/// from <see cref="HttpError"/> and the case is reported as ignored, with the reason.</para>
/// </remarks>
[Parallelizable(ParallelScope.None)]
public abstract class ProviderConformanceTests
{
    /// <summary>The provider's request id that error replies carry (the base adds it under <see cref="RequestIdHeader"/>).</summary>
    protected const string ConformanceRequestId = "req_conformance_01";

    private MockHttpMessageHandler _handler = null!;

    /// <summary>Gets the error kinds every adapter must classify from an HTTP error reply.</summary>
    public static IEnumerable<LlmErrorKind> HttpErrorKinds { get; } =
    [
        LlmErrorKind.BadRequest,
        LlmErrorKind.Authentication,
        LlmErrorKind.PermissionDenied,
        LlmErrorKind.NotFound,
        LlmErrorKind.ContextLengthExceeded,
        LlmErrorKind.ContentFiltered,
        LlmErrorKind.QuotaExceeded,
        LlmErrorKind.RateLimited,
        LlmErrorKind.ServerError,
        LlmErrorKind.Overloaded,
        LlmErrorKind.Timeout,
    ];

    /// <summary>Gets the provider name the adapter reports (errors, metadata).</summary>
    protected abstract string ProviderName { get; }

    /// <summary>Gets the API key the client is built with; it must never appear in an exception.</summary>
    protected abstract string ApiKey { get; }

    /// <summary>Gets the reply header that carries the provider's request id.</summary>
    protected abstract string RequestIdHeader { get; }

    /// <summary>Gets the handler the subclass's client must be built over.</summary>
    protected MockHttpMessageHandler Handler => _handler;

    [SetUp]
    public void SetUpHandler()
    {
        _handler = new MockHttpMessageHandler();
        _handler.Fallback.Throw(new InvalidOperationException("Unexpected HTTP request: no request was expected here."));
    }

    [TearDown]
    public void TearDownHandler() => _handler.Dispose();

    // ───────────────────────────── requests ─────────────────────────────

    [Test]
    public async Task Request_is_translated_exactly([Values] RequestSituation situation, [Values] bool streaming)
    {
        ExpectedRequest expected = Expected(situation);
        (List<ChatMessage> messages, ChatOptions? options) = ConformanceInputs.For(situation);
        string before = Snapshot(messages, options);
        using IChatClient client = CreateClient(_handler.ToHttpClient());

        if (expected.Body is null)
        {
            Exception? ex = await CatchAsync(() => GetAsync(client, streaming, messages, options));
            Assert.Multiple(() =>
            {
                Assert.That(ex, Is.InstanceOf(expected.Rejection!), ex?.ToString());
                Assert.That(ex?.Message, Does.Contain(expected.MessageFragment));
            });
            return;
        }

        ReplySituation replyKind = ReplyFor(situation);
        ObservedRequest request = Expect(_handler, RequestUri(streaming), () => Reply(replyKind, streaming));

        await GetAsync(client, streaming, messages, options);

        _handler.VerifyNoOutstandingExpectation();
        Assert.That(request.Method, Is.EqualTo(HttpMethod.Post));
        Assert.That(request.Uri, Is.EqualTo(new Uri(RequestUri(streaming))));
        Assert.That(request.Headers["Content-Type"], Does.StartWith("application/json"));
        AssertRequestHeaders(request, streaming);
        AssertJsonEqual(streaming ? ToStreamingBody(expected.Body) : expected.Body, request.Body, $"{situation} request body");
        Assert.That(Snapshot(messages, options), Is.EqualTo(before), "the caller's messages and options are not mutated");
    }

    // ───────────────────────────── replies ─────────────────────────────

    [Test]
    public async Task Reply_is_translated([Values] ReplySituation reply, [Values] bool streaming)
    {
        ChatResponse response = await CallAsync(reply, streaming);

        AssertCanonical(reply, response);
    }

    [Test]
    public async Task Streamed_updates_merge_into_the_non_streamed_response([Values] ReplySituation reply)
    {
        ChatResponse unary = await CallAsync(reply, streaming: false);
        ChatResponse streamed = await CallAsync(reply, streaming: true);

        Assert.Multiple(() =>
        {
            Assert.That(streamed.ResponseId, Is.EqualTo(unary.ResponseId), "response id");
            Assert.That(streamed.ModelId, Is.EqualTo(unary.ModelId), "model id");
            Assert.That(streamed.FinishReason, Is.EqualTo(unary.FinishReason), "finish reason");
            Assert.That(Describe(streamed.Usage), Is.EqualTo(Describe(unary.Usage)), "usage");
            Assert.That(streamed.Messages.Where(m => m.Contents.Count > 0).Select(Describe), Is.EqualTo(unary.Messages.Where(m => m.Contents.Count > 0).Select(Describe)), "messages");
        });
    }

    [Test]
    public async Task Parallel_tool_calls_stream_as_separate_complete_calls()
    {
        Expect(_handler, RequestUri(true), () => Reply(ReplySituation.ParallelToolCalls, streaming: true));
        using IChatClient client = CreateClient(_handler.ToHttpClient());
        (List<ChatMessage> messages, ChatOptions? options) = ConformanceInputs.For(RequestSituation.ToolsAuto);

        var calls = new List<FunctionCallContent>();
        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync(messages, options))
        {
            calls.AddRange(update.Contents.OfType<FunctionCallContent>());
        }

        Assert.That(calls, Has.Count.EqualTo(2), "each call once, never merged or split");
        Assert.That(calls.Select(c => c.Arguments?["city"]?.ToString()), Is.EqualTo(new[] { "Paris", "Tokyo" }));
        Assert.That(calls.Select(c => c.Exception), Has.All.Null, "arguments arrive complete");
    }

    [Test]
    public void Metadata_names_the_provider()
    {
        using IChatClient client = CreateClient(_handler.ToHttpClient());
        Assert.That(client.GetService<ChatClientMetadata>()?.ProviderName, Is.EqualTo(ProviderName));
    }

    // ───────────────────────────── errors ─────────────────────────────

    [Test]
    public async Task Http_error_is_typed([ValueSource(nameof(HttpErrorKinds))] LlmErrorKind kind, [Values] bool streaming)
    {
        HttpResponseMessage? reply = HttpError(kind);
        if (reply is null)
        {
            Assert.Ignore($"{ProviderName} has no documented way to signal {kind} with an HTTP error.");
            return;
        }

        reply.Headers.TryAddWithoutValidation(RequestIdHeader, ConformanceRequestId);
        if (kind == LlmErrorKind.RateLimited)
        {
            reply.Headers.TryAddWithoutValidation("retry-after", "7");
        }

        HttpStatusCode status = reply.StatusCode;
        Expect(_handler, RequestUri(streaming), () => reply);
        using IChatClient client = CreateClient(_handler.ToHttpClient());

        LlmProviderException ex = await CatchProviderAsync(client, streaming);

        Assert.Multiple(() =>
        {
            Assert.That(ex.Kind, Is.EqualTo(kind), ex.Message);
            Assert.That(ex.StatusCode, Is.EqualTo(status));
            Assert.That(ex.Provider, Is.EqualTo(ProviderName));
            Assert.That(ex.ProviderRequestId, Is.EqualTo(ConformanceRequestId));
            Assert.That(ex.Message, Does.Contain(((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture)));
            Assert.That(ex.ToString(), Does.Not.Contain(ApiKey).And.Not.Contain(ApiKey[..10]));
            Assert.That(ex.ToString(), Does.Not.Contain("Tell me a secret"), "no prompt text");
            if (kind == LlmErrorKind.RateLimited)
            {
                Assert.That(ex.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(7)));
            }
        });
    }

    [Test]
    public async Task Error_event_inside_a_200_stream_is_typed_after_the_partial_output()
    {
        (HttpResponseMessage reply, LlmErrorKind kind) = StreamErrorEvent();
        Expect(_handler, RequestUri(true), () => reply);
        using IChatClient client = CreateClient(_handler.ToHttpClient());

        var received = new List<ChatResponseUpdate>();
        Exception? ex = await CatchAsync(async () =>
        {
            await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "Tell me a secret")]))
            {
                received.Add(update);
            }
        });

        Assert.That(ex, Is.InstanceOf<LlmProviderException>(), ex?.ToString());
        var typed = (LlmProviderException)ex!;
        Assert.Multiple(() =>
        {
            Assert.That(typed.Kind, Is.EqualTo(kind));
            Assert.That(typed.StatusCode, Is.Null, "the reply itself was HTTP 200");
            Assert.That(typed.Provider, Is.EqualTo(ProviderName));
            Assert.That(string.Concat(received.Select(u => u.Text)), Is.Not.Empty.And.Matches<string>(t => ConformanceInputs.AnswerText.StartsWith(t!, StringComparison.Ordinal)));
        });
    }

    [Test]
    public async Task Error_inside_a_200_reply_is_typed()
    {
        (HttpResponseMessage Reply, LlmErrorKind Kind)? scripted = ErrorInSuccessfulReply();
        if (scripted is not { } s)
        {
            Assert.Ignore($"{ProviderName} does not send error bodies with HTTP 200 outside streams.");
            return;
        }

        Expect(_handler, RequestUri(false), () => s.Reply);
        using IChatClient client = CreateClient(_handler.ToHttpClient());

        LlmProviderException ex = await CatchProviderAsync(client, streaming: false);

        Assert.That(ex.Kind, Is.EqualTo(s.Kind), ex.Message);
    }

    [Test]
    public async Task Stream_cut_mid_answer_is_StreamInterrupted_not_success()
    {
        Expect(_handler, RequestUri(true), TruncatedStream);
        using IChatClient client = CreateClient(_handler.ToHttpClient());

        var received = new List<ChatResponseUpdate>();
        Exception? ex = await CatchAsync(async () =>
        {
            await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "Hello")]))
            {
                received.Add(update);
            }
        });

        Assert.That(ex, Is.InstanceOf<LlmProviderException>(), "a cut stream must not end as if it succeeded");
        Assert.Multiple(() =>
        {
            Assert.That(((LlmProviderException)ex!).Kind, Is.EqualTo(LlmErrorKind.StreamInterrupted));
            Assert.That(((LlmProviderException)ex).IsTransient, Is.True);
            Assert.That(string.Concat(received.Select(u => u.Text)), Is.Not.Empty.And.Not.EqualTo(ConformanceInputs.AnswerText));
        });
    }

    [Test]
    public async Task Garbage_reply_is_InvalidResponse([Values] bool streaming)
    {
        Expect(_handler, RequestUri(streaming), () => streaming
            ? Sse("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"x\",\"content\":[\u0001\n\n")
            : Json("<html><body>502 Bad Gateway</body></html>"));
        using IChatClient client = CreateClient(_handler.ToHttpClient());

        LlmProviderException ex = await CatchProviderAsync(client, streaming);

        Assert.That(ex.Kind, Is.EqualTo(LlmErrorKind.InvalidResponse), ex.Message);
    }

    [Test]
    public async Task Transport_failures_are_Network_and_Timeout([Values] bool streaming)
    {
        _handler.Expect(HttpMethod.Post, RequestUri(streaming)).Throw(new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused"));
        _handler.Expect(HttpMethod.Post, RequestUri(streaming)).Throw(new TaskCanceledException("HttpClient.Timeout elapsed", new TimeoutException()));
        using IChatClient client = CreateClient(_handler.ToHttpClient());

        LlmProviderException network = await CatchProviderAsync(client, streaming);
        LlmProviderException timeout = await CatchProviderAsync(client, streaming);

        Assert.That(network.Kind, Is.EqualTo(LlmErrorKind.Network));
        Assert.That(timeout.Kind, Is.EqualTo(LlmErrorKind.Timeout));
    }

    [Test]
    public async Task Caller_cancellation_propagates_unwrapped([Values] bool streaming)
    {
        Expect(_handler, RequestUri(streaming), () => Reply(ReplySituation.Text, streaming));
        using IChatClient client = CreateClient(_handler.ToHttpClient());
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        Exception? ex = await CatchAsync(() => GetAsync(client, streaming, [new ChatMessage(ChatRole.User, "Hello")], cancellationToken: cts.Token));

        Assert.That(ex, Is.InstanceOf<OperationCanceledException>().And.Not.InstanceOf<LlmRoutingException>());
    }

    /// <summary>Gets this adapter's documented reply for a situation, for other suites (e.g. the parser fuzz tests) to reuse.</summary>
    internal HttpResponseMessage ProviderReply(ReplySituation reply, bool streaming) => Reply(reply, streaming);

    /// <summary>Gets this adapter's client over <paramref name="httpClient"/>, for other suites to reuse.</summary>
    internal IChatClient NewClient(HttpClient httpClient) => CreateClient(httpClient);

    /// <summary>Gets this adapter's cut stream and stream error event, for other suites to reuse.</summary>
    internal (HttpResponseMessage Truncated, HttpResponseMessage ErrorEvent) ProviderStreamFailures() => (TruncatedStream(), StreamErrorEvent().Reply);

    // ───────────────────────────── what a subclass supplies ─────────────────────────────

    /// <summary>Builds the adapter's client over <paramref name="httpClient"/> with <see cref="ApiKey"/> and the provider's default endpoint.</summary>
    protected abstract IChatClient CreateClient(HttpClient httpClient);

    /// <summary>Gets the URL the adapter must call.</summary>
    protected abstract string RequestUri(bool streaming);

    /// <summary>Asserts the provider-specific headers (authentication, version, accept).</summary>
    protected abstract void AssertRequestHeaders(ObservedRequest request, bool streaming);

    /// <summary>Gets the exact non-streaming body the provider must receive for a situation, or the expected rejection.</summary>
    protected abstract ExpectedRequest Expected(RequestSituation situation);

    /// <summary>Turns an expected non-streaming body into the streaming one; adds <c>"stream": true</c> by default.</summary>
    protected virtual string ToStreamingBody(string body)
    {
        JsonObject o = JsonNode.Parse(body)!.AsObject();
        o["stream"] = true;
        return o.ToJsonString();
    }

    /// <summary>Gets the provider's reply for a situation, streamed or whole.</summary>
    protected abstract HttpResponseMessage Reply(ReplySituation reply, bool streaming);

    /// <summary>Gets the provider-specific facts the parsed reply must show (ids, model, usage, reasoning).</summary>
    protected abstract ExpectedReply Facts(ReplySituation reply);

    /// <summary>Gets an HTTP error reply of the given kind, or <see langword="null"/> when the provider has none.</summary>
    protected abstract HttpResponseMessage? HttpError(LlmErrorKind kind);

    /// <summary>Gets a 200 stream that starts the <see cref="ConformanceInputs.AnswerText"/> answer and then carries an error event, and the kind it must map to.</summary>
    protected abstract (HttpResponseMessage Reply, LlmErrorKind Kind) StreamErrorEvent();

    /// <summary>Gets a non-streamed HTTP 200 reply whose body is an error, or <see langword="null"/> when the provider never does that.</summary>
    protected abstract (HttpResponseMessage Reply, LlmErrorKind Kind)? ErrorInSuccessfulReply();

    /// <summary>Gets a stream that starts the <see cref="ConformanceInputs.AnswerText"/> answer and ends cleanly without the provider's end signal.</summary>
    protected abstract HttpResponseMessage TruncatedStream();

    /// <summary>Gets which reply a request situation is answered with (JSON-format requests get the JSON answer).</summary>
    protected virtual ReplySituation ReplyFor(RequestSituation situation) => situation switch
    {
        RequestSituation.ResponseFormatJson or RequestSituation.ResponseFormatJsonSchema => ReplySituation.JsonAnswer,
        RequestSituation.ReasoningEffort => ReplySituation.Reasoning,
        _ => ReplySituation.Text,
    };

    // ───────────────────────────── helpers ─────────────────────────────

    private static void AssertUsage(UsageDetails? expected, UsageDetails? actual) =>
        Assert.That(Describe(actual), Is.EqualTo(Describe(expected)), "usage");

    private static string Describe(UsageDetails? u)
    {
        if (u is null)
        {
            return "none";
        }

        string extra = u.AdditionalCounts is { Count: > 0 } a ? string.Join(",", a.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}")) : string.Empty;
        return $"in={u.InputTokenCount} out={u.OutputTokenCount} total={u.TotalTokenCount} cached={u.CachedInputTokenCount} reasoning={u.ReasoningTokenCount} [{extra}]";
    }

    private static string Describe(ChatMessage m) =>
        m.Role + ": " + string.Join(" | ", m.Contents.Select(c => c switch
        {
            TextContent t => "text:" + t.Text,
            TextReasoningContent r => $"reasoning:{r.Text}#{r.ProtectedData}",
            FunctionCallContent f => $"call:{f.CallId}:{f.Name}:{JsonSerializer.Serialize(f.Arguments, AIJsonUtilities.DefaultOptions)}",
            ErrorContent e => $"error:{e.ErrorCode}:{e.Message}",
            UsageContent => "usage",
            _ => c.GetType().Name,
        }));

    private static string Snapshot(List<ChatMessage> messages, ChatOptions? options)
    {
        string m = string.Join(";", messages.Select(x => x.Role + ":" + x.Contents.Count + ":" + x.Text));
        if (options is null)
        {
            return m;
        }

        return string.Join(
            "|",
            m,
            options.Instructions?.Length,
            options.Tools?.Count,
            options.ToolMode?.ToString(),
            options.AllowMultipleToolCalls,
            options.ResponseFormat?.GetType().Name,
            options.Temperature,
            options.TopP,
            options.TopK,
            options.MaxOutputTokens,
            options.StopSequences is null ? null : string.Join(",", options.StopSequences),
            options.Reasoning?.Effort,
            options.AdditionalProperties is null ? null : string.Join(",", options.AdditionalProperties.Keys));
    }

    private static async Task<Exception?> CatchAsync(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (Exception ex)
        {
            return ex;
        }

        return null;
    }

    private static async Task<LlmProviderException> CatchProviderAsync(IChatClient client, bool streaming)
    {
        Exception? ex = await CatchAsync(() => GetAsync(client, streaming, [new ChatMessage(ChatRole.User, "Tell me a secret")]));
        Assert.That(ex, Is.InstanceOf<LlmProviderException>(), ex?.ToString() ?? "no exception");
        return (LlmProviderException)ex!;
    }

    private async Task<ChatResponse> CallAsync(ReplySituation reply, bool streaming)
    {
        Expect(_handler, RequestUri(streaming), () => Reply(reply, streaming));
        using IChatClient client = CreateClient(_handler.ToHttpClient());
        (List<ChatMessage> messages, ChatOptions? options) = ConformanceInputs.For(ConformanceInputs.RequestFor(reply));
        return await GetAsync(client, streaming, messages, options);
    }

    private void AssertCanonical(ReplySituation reply, ChatResponse response)
    {
        ExpectedReply facts = Facts(reply);
        ChatMessage[] assistant = response.Messages.Where(m => m.Contents.Count > 0).ToArray();
        List<FunctionCallContent> calls = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
        List<TextReasoningContent> reasoning = response.Messages.SelectMany(m => m.Contents).OfType<TextReasoningContent>().ToList();
        Assert.Multiple(() =>
        {
            Assert.That(assistant.Select(m => m.Role), Has.All.EqualTo(ChatRole.Assistant));
            Assert.That(response.ResponseId, Is.EqualTo(facts.ResponseId), "response id");
            Assert.That(response.ModelId, Is.EqualTo(facts.ModelId), "model id");
            AssertUsage(facts.Usage, response.Usage);
            Assert.That(response.Messages.SelectMany(m => m.Contents).OfType<ErrorContent>(), Is.Empty, "no error content");

            switch (reply)
            {
                case ReplySituation.Text or ReplySituation.WithoutUsage or ReplySituation.CachedUsage:
                    Assert.That(response.Text, Is.EqualTo(ConformanceInputs.AnswerText));
                    Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.Stop));
                    Assert.That(calls, Is.Empty);
                    break;
                case ReplySituation.ParallelToolCalls:
                    Assert.That(response.Text, Is.EqualTo(ConformanceInputs.ToolPreamble), "assistant text beside tool calls is kept");
                    Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.ToolCalls));
                    Assert.That(calls.Select(c => c.Name), Is.EqualTo(new[] { "get_weather", "get_weather" }));
                    Assert.That(calls.Select(c => c.Arguments?["city"]?.ToString()), Is.EqualTo(new[] { "Paris", "Tokyo" }));
                    Assert.That(calls.Select(c => c.CallId), Is.EqualTo(facts.CallIds), "the provider's call ids are kept");
                    Assert.That(calls.Select(c => c.Exception), Has.All.Null);
                    Assert.That(
                        assistant.SelectMany(m => m.Contents).Where(c => c is TextContent or FunctionCallContent).Select(c => c.GetType().Name),
                        Is.EqualTo(new[] { nameof(TextContent), nameof(FunctionCallContent), nameof(FunctionCallContent) }),
                        "text first, then the calls in order");
                    break;
                case ReplySituation.JsonAnswer:
                    Assert.That(JsonNode.DeepEquals(JsonNode.Parse(response.Text), JsonNode.Parse(ConformanceInputs.JsonAnswer)), Is.True, "JSON answer: " + response.Text);
                    Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.Stop));
                    Assert.That(calls, Is.Empty, "an emulated JSON format never surfaces as a tool call");
                    break;
                case ReplySituation.Unicode:
                    Assert.That(response.Text, Is.EqualTo(ConformanceInputs.UnicodeText));
                    Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.Stop));
                    break;
                case ReplySituation.Empty:
                    Assert.That(response.Text, Is.Empty);
                    Assert.That(calls, Is.Empty);
                    Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.Stop));
                    break;
                case ReplySituation.Reasoning:
                    Assert.That(response.Text, Is.EqualTo("391"));
                    Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.Stop));
                    Assert.That(reasoning.Count == 0 ? null : string.Concat(reasoning.Select(r => r.Text)), Is.EqualTo(facts.ReasoningText), "reasoning text");
                    Assert.That(reasoning.Select(r => r.ProtectedData).LastOrDefault(p => p is not null), Is.EqualTo(facts.ReasoningProtectedData), "reasoning signature");
                    break;
                default:
                    Assert.Fail($"No canonical assertion for {reply}.");
                    break;
            }
        });
    }
}
