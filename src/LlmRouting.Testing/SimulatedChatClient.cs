using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace LlmRouting.Testing;

/// <summary>
/// An offline <see cref="IChatClient"/> that behaves like a real provider: deterministic or scripted replies, estimated token usage,
/// streaming in chunks, latency on a <see cref="TimeProvider"/>, injected faults and outages, and a record of every call it received.
/// </summary>
/// <remarks>
/// <para>
/// Configure it with <see cref="SimulatedProviderOptions"/>. Faults surface as <see cref="LlmProviderException"/>s with the
/// <see cref="LlmErrorKind"/>, status, Retry-After, provider, model and deployment real adapters report (see <see cref="SimulatedFaultKind"/>).
/// Which fault a call gets: the outage kind while <see cref="IsDown"/>, else the next scripted fault, else one drawn from
/// <see cref="SimulatedProviderOptions.FaultRates"/>, else a context-length failure when <see cref="SimulatedProviderOptions.ContextWindow"/> is exceeded.
/// </para>
/// <para>
/// Responses carry <see cref="ChatResponse.ResponseId"/>, message id, <see cref="ChatResponse.ModelId"/>, <see cref="ChatResponse.CreatedAt"/>,
/// finish reason and <see cref="ChatResponse.Usage"/>. Streams carry the ids, model and creation time on every update, and the finish reason,
/// tool calls and a <see cref="UsageContent"/> on the last, so <see cref="ChatResponseExtensions.ToChatResponse(IEnumerable{ChatResponseUpdate})"/>
/// of a stream equals the non-streaming response to the same call. A streaming call reaches the provider when its enumeration starts.
/// </para>
/// <para>Thread-safe: calls may run concurrently; scripted replies and faults are handed out in the order calls arrive.</para>
/// </remarks>
public sealed class SimulatedChatClient : IChatClient
{
    private const int DefaultReplyPromptLength = 40;

    private readonly object _gate = new();
    private readonly Queue<SimulatedReply> _replies;
    private readonly Queue<SimulatedFaultKind> _faults;
    private readonly List<SimulatedCall> _calls = [];
    private readonly Random _random;
    private long _callCount;
    private SimulatedFaultKind? _outage;
    private volatile bool _disposed;

    /// <summary>Initializes a new instance of the <see cref="SimulatedChatClient"/> class.</summary>
    /// <param name="options">The configuration; defaults when <see langword="null"/>. The client keeps and reads this instance.</param>
    public SimulatedChatClient(SimulatedProviderOptions? options = null)
    {
        Options = options ?? new SimulatedProviderOptions();
        _replies = new Queue<SimulatedReply>(Options.ScriptedReplies);
        _faults = new Queue<SimulatedFaultKind>(Options.ScriptedFaults);
#pragma warning disable CA5394 // Simulation only: fault draws must be reproducible, not unpredictable.
        _random = Options.Seed is { } seed ? new Random(seed) : new Random();
#pragma warning restore CA5394
    }

    /// <summary>Gets the configuration; settings other than the scripts and the seed may be changed while the client is in use.</summary>
    public SimulatedProviderOptions Options { get; }

    /// <summary>Gets how many calls the client received (streaming calls count when their enumeration starts).</summary>
    public long CallCount => Interlocked.Read(ref _callCount);

    /// <summary>Gets a snapshot of the calls received, in order (empty when <see cref="SimulatedProviderOptions.RecordCalls"/> is off).</summary>
    public IReadOnlyList<SimulatedCall> Calls
    {
        get
        {
            lock (_gate)
            {
                return _calls.ToArray();
            }
        }
    }

    /// <summary>Gets the last call received, or <see langword="null"/>.</summary>
    public SimulatedCall? LastCall
    {
        get
        {
            lock (_gate)
            {
                return _calls.Count == 0 ? null : _calls[^1];
            }
        }
    }

    /// <summary>Gets how many scripted replies are still queued.</summary>
    public int PendingReplies
    {
        get
        {
            lock (_gate)
            {
                return _replies.Count;
            }
        }
    }

    /// <summary>Gets how many scripted faults are still queued.</summary>
    public int PendingFaults
    {
        get
        {
            lock (_gate)
            {
                return _faults.Count;
            }
        }
    }

    /// <summary>
    /// Gets or sets a value indicating whether the provider is down. Setting it to <see langword="true"/> starts an
    /// <see cref="SimulatedFaultKind.Overloaded"/> outage (unless one is already on); <see langword="false"/> ends the outage.
    /// </summary>
    public bool IsDown
    {
        get => OutageKind is not null;
        set
        {
            lock (_gate)
            {
                _outage = value ? _outage ?? SimulatedFaultKind.Overloaded : null;
            }
        }
    }

    /// <summary>Gets the fault every call gets during the current outage, or <see langword="null"/> when the provider is up.</summary>
    public SimulatedFaultKind? OutageKind
    {
        get
        {
            lock (_gate)
            {
                return _outage;
            }
        }
    }

    /// <summary>Gets a value indicating whether <see cref="Dispose"/> was called; calls then throw <see cref="ObjectDisposedException"/>.</summary>
    public bool IsDisposed => _disposed;

    /// <summary>Starts an outage: every call gets <paramref name="kind"/> until <see cref="ClearOutage"/>, ahead of scripted and random faults.</summary>
    /// <param name="kind">The fault of the outage, e.g. <see cref="SimulatedFaultKind.Overloaded"/> or <see cref="SimulatedFaultKind.ConnectionReset"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kind"/> is <see cref="SimulatedFaultKind.None"/> or undefined.</exception>
    public void SetOutage(SimulatedFaultKind kind = SimulatedFaultKind.Overloaded)
    {
        ValidateFault(kind, allowNone: false);
        lock (_gate)
        {
            _outage = kind;
        }
    }

    /// <summary>Ends the outage, if any.</summary>
    public void ClearOutage()
    {
        lock (_gate)
        {
            _outage = null;
        }
    }

    /// <summary>Injects <paramref name="kind"/> into the next <paramref name="count"/> calls, after the faults already queued.</summary>
    /// <param name="kind">The fault.</param>
    /// <param name="count">How many calls get it.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative or <paramref name="kind"/> is undefined.</exception>
    public void InjectFaults(SimulatedFaultKind kind, int count = 1)
    {
        ValidateFault(kind, allowNone: true);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        lock (_gate)
        {
            for (int i = 0; i < count; i++)
            {
                _faults.Enqueue(kind);
            }
        }
    }

    /// <summary>Queues one fault per coming call, in order, after the faults already queued; <see cref="SimulatedFaultKind.None"/> lets a call through.</summary>
    /// <param name="sequence">The faults, e.g. <c>RateLimited, None, ServerError</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A kind is undefined.</exception>
    public void InjectFaultSequence(params SimulatedFaultKind[] sequence)
    {
        ArgumentNullException.ThrowIfNull(sequence);
        foreach (SimulatedFaultKind kind in sequence)
        {
            ValidateFault(kind, allowNone: true);
        }

        lock (_gate)
        {
            foreach (SimulatedFaultKind kind in sequence)
            {
                _faults.Enqueue(kind);
            }
        }
    }

    /// <summary>Removes the scripted faults not yet used.</summary>
    public void ClearFaults()
    {
        lock (_gate)
        {
            _faults.Clear();
        }
    }

    /// <summary>Queues replies for the coming successful calls, after those already queued.</summary>
    /// <param name="replies">The replies.</param>
    public void EnqueueReplies(params SimulatedReply[] replies)
    {
        ArgumentNullException.ThrowIfNull(replies);
        foreach (SimulatedReply reply in replies)
        {
            ArgumentNullException.ThrowIfNull(reply, nameof(replies));
        }

        lock (_gate)
        {
            foreach (SimulatedReply reply in replies)
            {
                _replies.Enqueue(reply);
            }
        }
    }

    /// <summary>Queues text replies for the coming successful calls, after those already queued.</summary>
    /// <param name="texts">The reply texts.</param>
    public void EnqueueReplies(params string[] texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        EnqueueReplies(Array.ConvertAll(texts, t => new SimulatedReply(t)));
    }

    /// <summary>Removes the scripted replies not yet used.</summary>
    public void ClearReplies()
    {
        lock (_gate)
        {
            _replies.Clear();
        }
    }

    /// <summary>Forgets the recorded calls; <see cref="CallCount"/> keeps counting.</summary>
    public void ClearCalls()
    {
        lock (_gate)
        {
            _calls.Clear();
        }
    }

    /// <inheritdoc/>
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        IReadOnlyList<ChatMessage> snapshot = Snapshot(messages);
        cancellationToken.ThrowIfCancellationRequested();
        CallPlan call = BeginCall(snapshot, options, streaming: false);
        await FailIfFaultedAsync(call, cancellationToken);
        ResponsePlan response = BuildResponse(call);

        TimeSpan total = response.FirstTokenDelay;
        for (int i = 1; i < response.Chunks.Count; i++)
        {
            total += response.ChunkDelay(i);
        }

        await DelayAsync(total, call.TimeProvider, cancellationToken);
        return response.ToChatResponse();
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return StreamAsync(Snapshot(messages), options, cancellationToken);
    }

    /// <inheritdoc/>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(ChatClientMetadata))
        {
            return new ChatClientMetadata(Options.ProviderName, providerUri: null, defaultModelId: Options.ModelId);
        }

        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <inheritdoc/>
    public void Dispose() => _disposed = true;

    private static void ValidateFault(SimulatedFaultKind kind, bool allowNone)
    {
        if (!Enum.IsDefined(kind) || (!allowNone && kind == SimulatedFaultKind.None))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a fault kind that can be injected here.");
        }
    }

    private static IReadOnlyList<ChatMessage> Snapshot(IEnumerable<ChatMessage> messages)
    {
        var copy = new List<ChatMessage>();
        foreach (ChatMessage message in messages)
        {
            ArgumentNullException.ThrowIfNull(message, nameof(messages));
            ChatMessage clone = message.Clone();
            clone.Contents = [.. message.Contents];
            copy.Add(clone);
        }

        return copy.AsReadOnly();
    }

    private static Task DelayAsync(TimeSpan delay, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return delay > TimeSpan.Zero || delay == Timeout.InfiniteTimeSpan
            ? Task.Delay(delay, timeProvider, cancellationToken)
            : Task.CompletedTask;
    }

    private static SimulatedFaultKind Draw(double u, IDictionary<SimulatedFaultKind, double> rates)
    {
        var entries = new List<KeyValuePair<SimulatedFaultKind, double>>(rates);
        entries.Sort((a, b) => a.Key.CompareTo(b.Key));
        double sum = 0;
        foreach (KeyValuePair<SimulatedFaultKind, double> entry in entries)
        {
            if (!Enum.IsDefined(entry.Key) || double.IsNaN(entry.Value) || entry.Value < 0 || entry.Value > 1)
            {
                throw new InvalidOperationException($"FaultRates[{entry.Key}] must be a defined fault kind with a probability between 0 and 1.");
            }

            sum += entry.Value;
        }

        if (sum > 1 + 1e-9)
        {
            throw new InvalidOperationException("The probabilities in FaultRates add up to more than 1.");
        }

        double cumulative = 0;
        foreach (KeyValuePair<SimulatedFaultKind, double> entry in entries)
        {
            cumulative += entry.Value;
            if (u < cumulative)
            {
                return entry.Key;
            }
        }

        return SimulatedFaultKind.None;
    }

    private async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(
        IReadOnlyList<ChatMessage> messages,
        ChatOptions? options,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        CallPlan call = BeginCall(messages, options, streaming: true);
        await FailIfFaultedAsync(call, cancellationToken);
        ResponsePlan response = BuildResponse(call);

        int cutAfter = int.MaxValue;
        if (call.Fault == SimulatedFaultKind.TruncatedStream)
        {
            cutAfter = Math.Clamp(call.Settings.TruncatedStreamUpdates ?? Math.Max(1, response.Chunks.Count / 2), 0, response.Chunks.Count);
        }

        await DelayAsync(response.FirstTokenDelay, call.TimeProvider, cancellationToken);
        for (int i = 0; i < response.Chunks.Count; i++)
        {
            if (i > 0)
            {
                await DelayAsync(response.ChunkDelay(i), call.TimeProvider, cancellationToken);
            }

            if (i == cutAfter)
            {
                throw SimulatedFaults.Create(SimulatedFaultKind.TruncatedStream, streaming: true, call.Source, null, TimeSpan.Zero);
            }

            bool last = i == response.Chunks.Count - 1;
            if (last && cutAfter < int.MaxValue)
            {
                // Even a cut after every text chunk never delivers the final event.
                yield return response.CreateUpdate(i, final: false);
                throw SimulatedFaults.Create(SimulatedFaultKind.TruncatedStream, streaming: true, call.Source, null, TimeSpan.Zero);
            }

            yield return response.CreateUpdate(i, final: last);
        }
    }

    private CallPlan BeginCall(IReadOnlyList<ChatMessage> messages, ChatOptions? options, bool streaming)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        SimulatedProviderOptions settings = Options;
        TimeProvider timeProvider = settings.TimeProvider ?? TimeProvider.System;
        string model = options?.ModelId is { Length: > 0 } requested ? requested : settings.ModelId;
        int charactersPerToken = Math.Max(1, settings.CharactersPerToken);
        long inputTokens = SimulatedText.EstimateTokens(SimulatedText.CountCharacters(messages), charactersPerToken);
        bool contextExceeded = settings.ContextWindow is { } window && inputTokens + (options?.MaxOutputTokens ?? 0) > window;
        DateTimeOffset now = timeProvider.GetUtcNow();

        long sequence;
        SimulatedFaultKind fault;
        SimulatedReply? scripted = null;
        lock (_gate)
        {
            sequence = ++_callCount;
            double? draw = settings.FaultRates.Count > 0 ? _random.NextDouble() : null;
            if (_outage is { } outage)
            {
                fault = outage;
            }
            else if (_faults.TryDequeue(out SimulatedFaultKind next) && next != SimulatedFaultKind.None)
            {
                fault = next;
            }
            else if (draw is { } u && Draw(u, settings.FaultRates) is var drawn && drawn != SimulatedFaultKind.None)
            {
                fault = drawn;
            }
            else
            {
                fault = contextExceeded ? SimulatedFaultKind.ContextLengthExceeded : SimulatedFaultKind.None;
            }

            if (SimulatedFaults.ProducesOutput(fault, streaming))
            {
                // A cut stream shows the reply but does not use it up: the retry gets it whole.
                if (fault == SimulatedFaultKind.TruncatedStream)
                {
                    _replies.TryPeek(out scripted);
                }
                else
                {
                    _replies.TryDequeue(out scripted);
                }
            }

            if (settings.RecordCalls)
            {
                _calls.Add(new SimulatedCall(sequence, messages, options?.Clone(), streaming, fault, now));
            }
        }

        string scope = settings.DeploymentName ?? model;
        string suffix = scope + "-" + sequence.ToString(CultureInfo.InvariantCulture);
        var source = new SimulatedFaults.FaultSource(settings.ProviderName, model, settings.DeploymentName, "simreq-" + suffix);
        return new CallPlan(settings, timeProvider, messages, options, streaming, model, suffix, now, inputTokens, charactersPerToken, fault, scripted, source);
    }

    private static async Task FailIfFaultedAsync(CallPlan call, CancellationToken cancellationToken)
    {
        if (SimulatedFaults.ProducesOutput(call.Fault, call.Streaming))
        {
            return;
        }

        TimeSpan timeout = call.Settings.FaultTimeout;
        if (call.Fault == SimulatedFaultKind.Timeout)
        {
            await DelayAsync(timeout, call.TimeProvider, cancellationToken);
        }

        throw SimulatedFaults.Create(call.Fault, call.Streaming, call.Source, call.Settings.RetryAfter, timeout);
    }

    private static ResponsePlan BuildResponse(CallPlan call)
    {
        SimulatedProviderOptions settings = call.Settings;
        SimulatedReply reply = call.Scripted
            ?? settings.ReplyFactory?.Invoke(call.Messages, call.Options)
            ?? new SimulatedReply(settings.ReplyFunction?.Invoke(call.Messages, call.Options) ?? DefaultReply(call.Model, call.Messages));

        string text = reply.Text ?? string.Empty;
        bool cut = false;
        if (call.Options?.MaxOutputTokens is { } maxTokens && maxTokens >= 0)
        {
            long maxChars = (long)maxTokens * call.CharactersPerToken;
            if (text.Length > maxChars)
            {
                text = SimulatedText.Truncate(text, (int)maxChars);
                cut = true;
            }
        }

        var toolCalls = new List<FunctionCallContent>(reply.ToolCalls.Count);
        foreach (FunctionCallContent tc in reply.ToolCalls)
        {
            toolCalls.Add(new FunctionCallContent(tc.CallId, tc.Name, tc.Arguments is null ? null : new Dictionary<string, object?>(tc.Arguments)));
        }

        ChatFinishReason finishReason = reply.FinishReason
            ?? (cut ? ChatFinishReason.Length : toolCalls.Count > 0 ? ChatFinishReason.ToolCalls : ChatFinishReason.Stop);

        UsageDetails usage = reply.Usage is { } fixedUsage ? Copy(fixedUsage) : EstimateUsage(call, text, toolCalls);
        List<string> chunks = SimulatedText.Split(text, settings.StreamChunkCount is { } n ? Math.Max(1, n) : null);

        TimeSpan firstTokenDelay = settings.TimeToFirstToken;
        if (call.Fault == SimulatedFaultKind.SlowFirstToken)
        {
            firstTokenDelay += settings.SlowFirstTokenDelay;
        }

        return new ResponsePlan(call, chunks, toolCalls, finishReason, usage, firstTokenDelay);
    }

    private static string DefaultReply(string model, IReadOnlyList<ChatMessage> messages) =>
        $"Simulated answer from {model} to: {SimulatedText.Truncate(SimulatedText.LastUserText(messages), DefaultReplyPromptLength)}";

    private static UsageDetails EstimateUsage(CallPlan call, string text, List<FunctionCallContent> toolCalls)
    {
        SimulatedProviderOptions settings = call.Settings;
        long input = call.InputTokens;
        long visibleOutput = SimulatedText.EstimateTokens(text.Length + SimulatedText.CountCharacters(toolCalls), call.CharactersPerToken);

        long? reasoning = settings.ReasoningTokens is { } fixedReasoning
            ? Math.Max(0, fixedReasoning)
            : settings.ReasoningTokenRatio > 0 ? (long)Math.Round(visibleOutput * settings.ReasoningTokenRatio, MidpointRounding.AwayFromZero) : null;

        long? cached = settings.CachedInputTokens is { } fixedCached
            ? Math.Clamp(fixedCached, 0, input)
            : settings.CachedInputFraction > 0 ? (long)Math.Floor(input * Math.Min(1, settings.CachedInputFraction)) : null;

        long output = visibleOutput + (reasoning ?? 0);
        var usage = new UsageDetails
        {
            InputTokenCount = input,
            OutputTokenCount = output,
            TotalTokenCount = input + output,
            CachedInputTokenCount = cached,
            ReasoningTokenCount = reasoning,
        };

        if (settings.CacheWriteInputFraction > 0)
        {
            long written = Math.Min((long)Math.Floor(input * Math.Min(1, settings.CacheWriteInputFraction)), input - (cached ?? 0));
            usage.AdditionalCounts = new AdditionalPropertiesDictionary<long> { [LlmUsageKeys.CacheWriteInputTokens] = written };
        }

        return usage;
    }

    private static UsageDetails Copy(UsageDetails usage) => new()
    {
        InputTokenCount = usage.InputTokenCount,
        OutputTokenCount = usage.OutputTokenCount,
        TotalTokenCount = usage.TotalTokenCount,
        CachedInputTokenCount = usage.CachedInputTokenCount,
        ReasoningTokenCount = usage.ReasoningTokenCount,
        AdditionalCounts = usage.AdditionalCounts is { } counts ? new AdditionalPropertiesDictionary<long>(counts) : null,
    };

    /// <summary>What was decided when a call arrived.</summary>
    private sealed record CallPlan(
        SimulatedProviderOptions Settings,
        TimeProvider TimeProvider,
        IReadOnlyList<ChatMessage> Messages,
        ChatOptions? Options,
        bool Streaming,
        string Model,
        string IdSuffix,
        DateTimeOffset CreatedAt,
        long InputTokens,
        int CharactersPerToken,
        SimulatedFaultKind Fault,
        SimulatedReply? Scripted,
        SimulatedFaults.FaultSource Source);

    /// <summary>The answer to a call, as one response or as stream updates.</summary>
    private sealed class ResponsePlan(
        CallPlan call,
        List<string> chunks,
        List<FunctionCallContent> toolCalls,
        ChatFinishReason finishReason,
        UsageDetails usage,
        TimeSpan firstTokenDelay)
    {
        private readonly string _responseId = "simresp-" + call.IdSuffix;
        private readonly string _messageId = "simmsg-" + call.IdSuffix;

        public IReadOnlyList<string> Chunks => chunks;

        public TimeSpan FirstTokenDelay => firstTokenDelay;

        public TimeSpan ChunkDelay(int index)
        {
            SimulatedProviderOptions settings = call.Settings;
            if (settings.TokensPerSecond is { } rate && rate > 0)
            {
                long tokens = SimulatedText.EstimateTokens(chunks[index].Length, call.CharactersPerToken);
                return TimeSpan.FromSeconds(tokens / rate);
            }

            return settings.ChunkDelay;
        }

        public ChatResponseUpdate CreateUpdate(int index, bool final)
        {
            var contents = new List<AIContent>();
            if (chunks[index].Length > 0)
            {
                contents.Add(new TextContent(chunks[index]));
            }

            if (final)
            {
                contents.AddRange(toolCalls);
                contents.Add(new UsageContent(Copy(usage)));
            }

            return new ChatResponseUpdate(ChatRole.Assistant, contents)
            {
                ResponseId = _responseId,
                MessageId = _messageId,
                ModelId = call.Model,
                CreatedAt = call.CreatedAt,
                FinishReason = final ? finishReason : null,
            };
        }

        public ChatResponse ToChatResponse()
        {
            var contents = new List<AIContent>();
            string text = string.Concat(chunks);
            if (text.Length > 0)
            {
                contents.Add(new TextContent(text));
            }

            contents.AddRange(toolCalls);
            var message = new ChatMessage(ChatRole.Assistant, contents)
            {
                MessageId = _messageId,
                CreatedAt = call.CreatedAt,
            };

            return new ChatResponse(message)
            {
                ResponseId = _responseId,
                ModelId = call.Model,
                CreatedAt = call.CreatedAt,
                FinishReason = finishReason,
                Usage = Copy(usage),
            };
        }
    }
}
