using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Text;
using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>
/// Serves one request from the router's ranked candidates: the failover scheduler. It starts an attempt on the first available
/// candidate; after a failure it decides by error kind (see <see cref="FailoverRules"/>) between failing over at once, retrying the
/// same deployment after a backoff or Retry-After when nothing else is available, switching to the content-policy fallbacks or to
/// larger context windows, or stopping. When no candidate is available it waits for the earliest to recover within the request's
/// deadline ("healthy or panic"). With hedging on, it starts the next candidate alongside a slow attempt; the first to produce wins
/// and the others are cancelled.
/// </summary>
/// <remarks>
/// One instance per request, driven by one logical flow (the attempts themselves run concurrently). Dispose it when the request
/// ends: that cancels and awaits attempts still running, so their usage and outcome are in the report.
/// </remarks>
internal sealed class RequestExecution : IAsyncDisposable
{
    private readonly ResilienceChatClient _owner;
    private readonly ResilienceOptions _options;
    private readonly ResilienceRequestOptions? _hints;
    private readonly TimerCancellation _requestCts;
    private readonly CancellationTokenRegistration _callerRegistration;
    private readonly List<CandidateState> _ranked;
    private readonly List<AttemptLeg> _inFlight = new(2);
    private readonly List<AttemptLeg> _legs = new(4);
    private readonly object _gate = new();
    private readonly TimeSpan? _total;
    private readonly long _deadline;
    private readonly int _maxAttempts;
    private readonly bool _hedging;
    private List<CandidateState> _active;
    private int _started;
    private int _hedges;
    private long? _minContextWindow;
    private bool _contentFallback;
    private Exception? _last;
    private (RoutingAttempt Attempt, string Deployment, LlmErrorKind Kind)? _pending;
    private AttemptLeg? _winner;

    public RequestExecution(
        ResilienceChatClient owner, IChatClient inner, IEnumerable<ChatMessage> messages, ChatOptions options, LlmRequestContext request, bool streaming, CancellationToken callerToken)
    {
        _owner = owner;
        _options = owner.Options;
        Inner = inner;
        Messages = messages;
        Options = options;
        Request = request;
        Streaming = streaming;
        CallerToken = callerToken;
        Time = owner.TimeProvider;
        _hints = options.GetResilience();

        _ranked = new List<CandidateState>(request.Candidates.Count);
        foreach (Deployment d in request.Candidates)
        {
            _ranked.Add(new CandidateState(d, owner.Registry.Get(d.Name)));
        }

        _active = _ranked;
        _maxAttempts = Math.Max(1, _hints?.MaxAttempts ?? owner.MaxAttempts);
        DeploymentPolicy primary = _ranked[0].Resilience.Policy;
        _hedging = (_hints?.Hedging ?? primary.HedgingEnabled)
            && (_options.Hedging?.MaxHedgedAttempts ?? 0) > 0
            && !ResilienceHints.HasNonIdempotentTool(options);

        _total = _hints?.TotalRequestTimeout is { } requested ? TimeoutConstants.Effective(requested) : TimeoutConstants.Effective(_options.Timeouts?.TotalRequestTimeout);
        long now = Time.GetTimestamp();
        _deadline = _total is { } total ? now + Units(total) : long.MaxValue;
        _requestCts = new TimerCancellation(Time, _total);
        _callerRegistration = callerToken.UnsafeRegister(static s => ((TimerCancellation)s!).Cancel(), _requestCts);
    }

    public IChatClient Inner { get; }

    public IEnumerable<ChatMessage> Messages { get; }

    public ChatOptions Options { get; }

    public LlmRequestContext Request { get; }

    public bool Streaming { get; }

    public CancellationToken CallerToken { get; }

    public TimeProvider Time { get; }

    /// <summary>Gets the router's token estimate of the request (prompt plus output).</summary>
    public long EstimatedTokens => Request.EstimatedInputTokens + Request.EstimatedOutputTokens;

    /// <summary>Gets a value indicating whether the request's deadline (not the caller) cancelled it.</summary>
    public bool DeadlinePassed => _requestCts.IsCancellationRequested && !CallerToken.IsCancellationRequested;

    public TimeSpan? AttemptTimeoutFor(CandidateState candidate) =>
        _hints?.AttemptTimeout is { } t ? TimeoutConstants.Effective(t) : candidate.Resilience.Policy.AttemptTimeout;

    public TimeSpan? TimeToFirstTokenFor(CandidateState candidate) =>
        _hints?.TimeToFirstTokenTimeout is { } t ? TimeoutConstants.Effective(t) : candidate.Resilience.Policy.TimeToFirstTokenTimeout;

    public TimeSpan? StreamIdleTimeoutFor(CandidateState candidate) =>
        _hints?.StreamIdleTimeout is { } t ? TimeoutConstants.Effective(t) : candidate.Resilience.Policy.StreamIdleTimeout;

    /// <summary>Runs attempts until one succeeds (non-streaming) or opens its stream (streaming), and returns it.</summary>
    /// <exception cref="OperationCanceledException">The caller cancelled.</exception>
    /// <exception cref="AllAttemptsFailedException">No attempt succeeded within the attempt budget and the deadline.</exception>
    /// <exception cref="LlmProviderException">A failure that no other deployment would fix (bad request, content filter without fallbacks, context too long for every candidate).</exception>
    public async Task<AttemptLeg> RunAsync()
    {
        long lastStart = 0;
        bool hedgeBlocked = false;
        while (true)
        {
            if (_inFlight.Count == 0)
            {
                ThrowIfStopped();
                if (_started >= _maxAttempts)
                {
                    throw AllFailed(null);
                }

                CandidateState? next = Select(out long? earliest);
                if (next is null)
                {
                    if (earliest is not long at || !_options.WaitForRecovery || at >= _deadline)
                    {
                        throw AllFailed(earliest is long recovery && recovery >= _deadline ? "no candidate recovers before the request's deadline" : null);
                    }

                    await WaitUntilAsync(at).ConfigureAwait(false);
                    continue;
                }

                Start(next, hedged: false);
                lastStart = Time.GetTimestamp();
                hedgeBlocked = false;
                continue;
            }

            TimeSpan? hedgeIn = hedgeBlocked ? null : HedgeDelay(lastStart);
            AttemptLeg? done = await WaitForAttemptAsync(hedgeIn).ConfigureAwait(false);
            if (done is null)
            {
                CandidateState? hedge = Select(out _);
                if (hedge is null)
                {
                    hedgeBlocked = true;
                    continue;
                }

                Start(hedge, hedged: true);
                lastStart = Time.GetTimestamp();
                continue;
            }

            _inFlight.Remove(done);
            LegResult result = await done.Task.ConfigureAwait(false);
            switch (result.Status)
            {
                case LegStatus.Succeeded or LegStatus.StreamOpened:
                    _winner = done;
                    foreach (AttemptLeg other in _inFlight)
                    {
                        other.Abandon();
                    }

                    return done;
                case LegStatus.Skipped:
                    _started--;
                    done.Candidate.Attempts--;
                    Skip(done.Candidate, result.SkipReason!, result.SkipDetail, result.SkipFor);
                    break;
                default:
                    OnFailure(done, result.Error!);
                    break;
            }
        }
    }

    /// <summary>Cancels attempts still running and waits for them, so that the report holds their outcome and usage.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (AttemptLeg leg in _legs)
        {
            if (leg != _winner)
            {
                leg.Abandon();
            }
        }

        foreach (AttemptLeg leg in _legs)
        {
            if (leg == _winner)
            {
                continue;
            }

            LegResult result = await leg.Task.ConfigureAwait(false);
            if (result.Status == LegStatus.StreamOpened)
            {
                await leg.EndStreamAsync(null, callerStopped: false).ConfigureAwait(false);
            }
        }

        _callerRegistration.Dispose();
        _requestCts.Dispose();
    }

    /// <summary>Builds the options of one attempt: a clone carrying the <see cref="AttemptContext"/>.</summary>
    public ChatOptions OptionsFor(AttemptLeg leg)
    {
        ChatOptions clone = Options.Clone();
        clone.AdditionalProperties = new AdditionalPropertiesDictionary(Options.AdditionalProperties!)
        {
            [AttemptContext.OptionsKey] = new AttemptContext(Request, leg.Deployment, leg.Attempt!),
        };
        return clone;
    }

    /// <summary>Called when an attempt's call starts: explains, on the previous failed attempt, why this one was made.</summary>
    public void OnAttemptStarted(AttemptLeg leg)
    {
        (RoutingAttempt Attempt, string Deployment, LlmErrorKind Kind)? pending;
        lock (_gate)
        {
            pending = _pending;
            _pending = null;
        }

        if (pending is not { } p)
        {
            return;
        }

        bool retry = string.Equals(p.Deployment, leg.Deployment.Name, StringComparison.OrdinalIgnoreCase);
        // Retries, failovers and hedges are counted from the request's attempts when it completes (RequestTelemetryScope), once.
        p.Attempt.FailoverReason = (retry ? RetryConstants.RetryReasonPrefix : RetryConstants.FailoverReasonPrefix) + p.Kind.ToTelemetryName();
    }

    /// <summary>The error of an attempt cut by the request's deadline.</summary>
    public LlmProviderException DeadlineFault(AttemptLeg leg, Exception inner) => leg.Fault(
        LlmErrorKind.Timeout,
        string.Create(CultureInfo.InvariantCulture, $"The request's deadline of {_total?.TotalSeconds:0.###} s passed during the attempt on deployment '{leg.Deployment.Name}'."),
        inner);

    private void Start(CandidateState candidate, bool hedged)
    {
        var leg = new AttemptLeg(this, candidate, hedged, _requestCts.Token);
        if (hedged)
        {
            _hedges++;
            foreach (AttemptLeg running in _inFlight)
            {
                if (running.Attempt is { FailoverReason: null } slow)
                {
                    slow.FailoverReason = HedgingConstants.HedgeReason;
                }
            }

            Microsoft.Extensions.Logging.ILogger logger = _owner.Logger;
            if (_inFlight.Count > 0 && logger.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Debug))
            {
                double delayMs = HedgeDelayOf(_inFlight[^1])?.TotalMilliseconds ?? 0;
                ResilienceLog.Hedging(logger, Request.RequestId, _inFlight[^1].Deployment.Name, delayMs, candidate.Deployment.Name);
            }
        }

        _legs.Add(leg);
        _inFlight.Add(leg);
        _started++;
        candidate.Attempts++;
        leg.Start();
    }

    private void ThrowIfStopped()
    {
        if (CallerToken.IsCancellationRequested)
        {
            if (_last is OperationCanceledException canceled)
            {
                ExceptionDispatchInfo.Throw(canceled);
            }

            throw new OperationCanceledException(CallerToken);
        }

        if (DeadlinePassed)
        {
            throw AllFailed("the request's deadline passed");
        }
    }

    private void OnFailure(AttemptLeg leg, Exception error)
    {
        CandidateState candidate = leg.Candidate;
        candidate.Failures++;
        if (CallerToken.IsCancellationRequested)
        {
            _last = error as OperationCanceledException ?? new OperationCanceledException(CallerToken);
            ThrowIfStopped();
        }

        _last = error;
        if (DeadlinePassed)
        {
            throw AllFailed("the request's deadline passed");
        }

        LlmErrorKind kind = FailoverRules.Classify(error);
        FailureAction action = FailoverRules.Decide(kind);
        string next;
        switch (action)
        {
            case FailureAction.RetryOrFailover:
                TimeSpan? retryAfter = (error as LlmProviderException)?.RetryAfter;
                if (retryAfter is { } wait && wait > candidate.Resilience.Policy.MaxRetryAfter)
                {
                    candidate.Excluded = "retry_after_exceeds_max";
                    next = "fail over (Retry-After exceeds the maximum wait)";
                }
                else
                {
                    TimeSpan delay = retryAfter ?? RetryBackoff.Compute(
                        candidate.Failures, _options.Retry.BaseDelay, _options.Retry.MaxDelay, _options.Retry.UseJitter, _owner.Randomizer);
                    candidate.NotBefore = Time.GetTimestamp() + Units(delay);
                    next = "fail over, or retry after " + delay.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms";
                }

                break;
            case FailureAction.ContentPolicyFallback:
                candidate.Excluded = kind.ToTelemetryName();
                if (!_contentFallback)
                {
                    _contentFallback = true;
                    _active = ResolveContentFallbacks();
                }

                next = "content-policy fallbacks";
                if (_inFlight.Count == 0 && !AnyCandidateLeft())
                {
                    ExceptionDispatchInfo.Throw(error);
                }

                break;
            case FailureAction.LargerContextOnly:
                candidate.Excluded = kind.ToTelemetryName();
                long window = candidate.Deployment.ModelInfo.ContextWindow ?? EstimatedTokens;
                _minContextWindow = Math.Max(_minContextWindow ?? 0, window + 1);
                next = "larger context windows only";
                if (_inFlight.Count == 0 && !AnyCandidateLeft())
                {
                    ExceptionDispatchInfo.Throw(error);
                }

                break;
            case FailureAction.Stop:
                ExceptionDispatchInfo.Throw(error);
                return;
            default:
                candidate.Excluded = kind.ToTelemetryName();
                next = "fail over";
                break;
        }

        if (leg.Attempt is { } attempt)
        {
            lock (_gate)
            {
                _pending = (attempt, candidate.Deployment.Name, kind);
            }

            Microsoft.Extensions.Logging.ILogger logger = _owner.Logger;
            if (logger.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Debug))
            {
                string errorType = kind.ToTelemetryName();
                ResilienceLog.AttemptFailed(logger, Request.RequestId, attempt.Number, candidate.Deployment.Name, errorType, next);
            }
        }
    }

    /// <summary>Picks the first candidate, in rank order, that may take an attempt now.</summary>
    /// <param name="earliest">When none may: the timestamp at which the first one is expected to, if any.</param>
    private CandidateState? Select(out long? earliest)
    {
        earliest = null;
        if (_started >= _maxAttempts)
        {
            return null;
        }

        long now = Time.GetTimestamp();
        foreach (CandidateState candidate in _active)
        {
            if (candidate.Excluded is not null || candidate.Attempts > candidate.Resilience.Policy.MaxRetryAttempts || IsInFlight(candidate))
            {
                continue;
            }

            if (!FitsContext(candidate))
            {
                candidate.Excluded = "context_window";
                Reject(candidate, "context_window", string.Create(
                    CultureInfo.InvariantCulture,
                    $"The request needs about {EstimatedTokens} tokens{(_minContextWindow is long min ? $" and a context window of at least {min}" : string.Empty)}; the model's window is {candidate.Deployment.ModelInfo.ContextWindow?.ToString(CultureInfo.InvariantCulture) ?? "unknown"}."));
                continue;
            }

            if (candidate.NotBefore > now)
            {
                earliest = Min(earliest, candidate.NotBefore);
                continue;
            }

            DeploymentHealthState health = candidate.Resilience.GetState(EstimatedTokens);
            if (!health.IsAvailable)
            {
                if (!health.CircuitAcceptsRequests)
                {
                    Skip(candidate, CircuitBreakerConstants.RejectionReason, ResilienceDiagnostics.Name(health.Circuit), health.AvailableIn);
                }
                else
                {
                    ResilienceDiagnostics.RecordLocalRejection(candidate.Deployment.Name, health.SaturationReason ?? "limit");
                    Skip(candidate, RateLimitingConstants.RejectionReason, health.SaturationReason, health.AvailableIn);
                }

                earliest = Min(earliest, candidate.NotBefore);
                continue;
            }

            return candidate;
        }

        return null;
    }

    /// <summary>Records that a candidate could not take an attempt now, and when to look again.</summary>
    private void Skip(CandidateState candidate, string reason, string? detail, TimeSpan? availableIn)
    {
        TimeSpan wait = availableIn is { } known && known > TimeSpan.Zero ? known : RateLimitingConstants.ConcurrencyPollInterval;
        candidate.NotBefore = Time.GetTimestamp() + Units(wait);
        string text = reason == CircuitBreakerConstants.RejectionReason
            ? $"The deployment's circuit is {detail}"
            : $"The client-side limit '{detail}' is reached";
        text += availableIn is { } t
            ? string.Create(CultureInfo.InvariantCulture, $"; it can take requests again in {t.TotalSeconds:0.###} s.")
            : ".";
        Reject(candidate, reason, text);
    }

    private void Reject(CandidateState candidate, string reason, string detail)
    {
        if (candidate.LastSkipReason == reason)
        {
            return;
        }

        candidate.LastSkipReason = reason;
        Deployment d = candidate.Deployment;
        foreach (CandidateRejection known in Request.Rejections)
        {
            if (known.Reason == reason && string.Equals(known.Deployment, d.Name, StringComparison.OrdinalIgnoreCase))
            {
                return; // the router already reported it
            }
        }

        Request.Rejections.Add(new CandidateRejection(d.Name, d.Provider, d.Model, reason, detail));
    }

    private bool FitsContext(CandidateState candidate)
    {
        int? window = candidate.Deployment.ModelInfo.ContextWindow;
        if (window is null)
        {
            // An unknown window is trusted until a context-length failure; after one, only windows known to be larger are tried.
            return _minContextWindow is null;
        }

        return window.Value >= EstimatedTokens && (_minContextWindow is not long min || window.Value >= min);
    }

    private bool AnyCandidateLeft()
    {
        foreach (CandidateState candidate in _active)
        {
            if (candidate.Excluded is null && candidate.Attempts <= candidate.Resilience.Policy.MaxRetryAttempts && FitsContext(candidate))
            {
                return true;
            }
        }

        return false;
    }

    private List<CandidateState> ResolveContentFallbacks()
    {
        var fallbacks = new List<CandidateState>();
        IList<string> names = _options.ContentPolicyFallbacks ?? [];
        if (names.Count == 0)
        {
            return fallbacks;
        }

        ProviderRegistry? registry = Inner.GetService<ProviderRegistry>();
        foreach (string name in names)
        {
            CandidateState? known = _ranked.Find(c => string.Equals(c.Deployment.Name, name, StringComparison.OrdinalIgnoreCase));
            if (known is not null)
            {
                fallbacks.Add(known);
                continue;
            }

            // A fallback the router rejected (for a missing capability, a pin, the context window) cannot serve this request either.
            bool rejected = Request.Rejections.Any(r => string.Equals(r.Deployment, name, StringComparison.OrdinalIgnoreCase));
            if (!rejected && registry is not null && registry.TryGetDeployment(name, out Deployment? deployment))
            {
                fallbacks.Add(new CandidateState(deployment, _owner.Registry.Get(deployment.Name)));
            }
        }

        return fallbacks;
    }

    private bool IsInFlight(CandidateState candidate)
    {
        foreach (AttemptLeg leg in _inFlight)
        {
            if (leg.Candidate == candidate)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Gets how long to wait before hedging, or <see langword="null"/> when no hedge may start.</summary>
    private TimeSpan? HedgeDelay(long lastStart)
    {
        if (!_hedging || _hedges >= _options.Hedging.MaxHedgedAttempts || _started >= _maxAttempts || _inFlight.Count == 0)
        {
            return null;
        }

        TimeSpan? delay = HedgeDelayOf(_inFlight[^1]);
        if (delay is not { } d)
        {
            return null;
        }

        TimeSpan remaining = d - Time.GetElapsedTime(lastStart);
        return remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero;
    }

    private TimeSpan? HedgeDelayOf(AttemptLeg leg) =>
        _hints?.HedgingDelay
        ?? (_options.Hedging.UseObservedLatency ? leg.Candidate.Resilience.ObservedLatency(Streaming) : null)
        ?? leg.Candidate.Resilience.Policy.HedgingDelay;

    /// <summary>Waits for an attempt to finish, or for the hedging delay (then returns <see langword="null"/>).</summary>
    private async Task<AttemptLeg?> WaitForAttemptAsync(TimeSpan? hedgeIn)
    {
        foreach (AttemptLeg leg in _inFlight)
        {
            if (leg.Task.IsCompleted)
            {
                return leg;
            }
        }

        if (hedgeIn is { } now && now <= TimeSpan.Zero)
        {
            return null;
        }

        if (_inFlight.Count == 1 && hedgeIn is null)
        {
            await _inFlight[0].Task.ConfigureAwait(false);
            return _inFlight[0];
        }

        using var delayCts = new CancellationTokenSource();
        var tasks = new Task[_inFlight.Count + (hedgeIn is null ? 0 : 1)];
        for (int i = 0; i < _inFlight.Count; i++)
        {
            tasks[i] = _inFlight[i].Task;
        }

        Task? delay = null;
        if (hedgeIn is { } wait)
        {
            delay = TimerDelay.WaitAsync(wait, Time, delayCts.Token);
            tasks[^1] = delay;
        }

        Task first = await Task.WhenAny(tasks).ConfigureAwait(false);
        delayCts.Cancel(); // synchronously: cancelling a timer needs no thread of its own
        if (first == delay)
        {
            return null;
        }

        foreach (AttemptLeg leg in _inFlight)
        {
            if (leg.Task == first)
            {
                return leg;
            }
        }

        throw new InvalidOperationException("An unknown task completed.");
    }

    /// <summary>Waits until <paramref name="at"/> for a candidate to recover (backoff, Retry-After, circuit, limits).</summary>
    private async Task WaitUntilAsync(long at)
    {
        TimeSpan wait = Time.GetElapsedTime(Time.GetTimestamp(), at);
        if (wait <= TimeSpan.Zero)
        {
            return;
        }

        ResilienceLog.WaitingForRecovery(_owner.Logger, Request.RequestId, wait.TotalMilliseconds);
        long started = Time.GetTimestamp();
        try
        {
            await TimerDelay.WaitAsync(wait, Time, _requestCts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            ThrowIfStopped();
            throw;
        }
        finally
        {
            // Time waiting for a deployment to become available (limits, Retry-After, backoff, open circuits) is not provider time:
            // telemetry reports it apart (RequestLatency.LimitWait).
            TimeSpan waited = Time.GetElapsedTime(started);
            Request.AddLimitWait(waited);
            ResilienceDiagnostics.RecordRecoveryWait(waited);
        }
    }

    private AllAttemptsFailedException AllFailed(string? why)
    {
        IReadOnlyList<RoutingAttempt> attempts = Request.Attempts;
        var message = new StringBuilder();
        if (attempts.Count == 0)
        {
            message.Append("No attempt could be made");
        }
        else
        {
            message.Append(CultureInfo.InvariantCulture, $"All {attempts.Count} attempts failed (")
                .AppendJoin(", ", attempts.Select(a => $"{a.Deployment}: {(a.ErrorKind?.ToTelemetryName() ?? a.Outcome.ToString().ToLowerInvariant())}"))
                .Append(')');
        }

        var unavailable = _active
            .Where(c => c.LastSkipReason is not null || c.Excluded is not null)
            .Select(c => $"{c.Deployment.Name}: {c.Excluded ?? c.LastSkipReason}")
            .ToArray();
        if (unavailable.Length > 0)
        {
            message.Append("; out of the request: ").AppendJoin(", ", unavailable);
        }

        if (why is not null)
        {
            message.Append("; ").Append(why);
        }
        else if (_started >= _maxAttempts)
        {
            message.Append(CultureInfo.InvariantCulture, $"; the limit of {_maxAttempts} attempts was reached");
        }

        message.Append('.');
        return new AllAttemptsFailedException(message.ToString(), attempts, _last);
    }

    private long Units(TimeSpan span) => (long)(span.TotalSeconds * Time.TimestampFrequency);

    private static long Min(long? a, long b) => a is long x && x < b ? x : b;
}
