using System.Globalization;
using Microsoft.Extensions.AI;
using Polly;
using Polly.RateLimiting;

namespace LlmRouting;

/// <summary>Why an attempt was stopped from outside.</summary>
internal enum LegStop
{
    /// <summary>It was not.</summary>
    None = 0,

    /// <summary>Another attempt won the hedge, or the request ended (failed) while this one still ran.</summary>
    Abandoned,

    /// <summary>The caller cancelled the request or stopped reading the stream.</summary>
    Caller,

    /// <summary>The request's total deadline passed.</summary>
    Deadline,
}

/// <summary>How an attempt's pipeline execution ended.</summary>
internal enum LegStatus
{
    /// <summary>A non-streamed attempt returned its response.</summary>
    Succeeded,

    /// <summary>A streamed attempt produced its first update; the stream continues outside the pipeline.</summary>
    StreamOpened,

    /// <summary>The attempt failed (<see cref="LegResult.Error"/>).</summary>
    Failed,

    /// <summary>The pipeline refused to start the attempt (open circuit or saturated limit); no call was made.</summary>
    Skipped,
}

/// <summary>The result of one attempt's pipeline execution.</summary>
internal readonly record struct LegResult(LegStatus Status, Exception? Error = null, string? SkipReason = null, string? SkipDetail = null, TimeSpan? SkipFor = null);

/// <summary>
/// One attempt on one deployment: runs the call through the deployment's Polly pipeline (rate limiter → circuit breaker → attempt
/// timeout), applies the time-to-first-token and stream-idle timeouts, and records the attempt's outcome, latency and usage.
/// A streamed attempt leaves the pipeline at its first update (the call is then "opened"); the resilience layer reads the rest of the
/// stream through <see cref="MoveNextAsync"/> and ends it with <see cref="EndStreamAsync"/>, which records the outcome the circuit
/// breaker deferred and frees the concurrency slot.
/// </summary>
internal sealed class AttemptLeg : IDisposable
{
    public static readonly ResiliencePropertyKey<AttemptLeg> PropertyKey = new("LlmRouting.AttemptLeg");

    private readonly RequestExecution _exec;
    private readonly TimeProvider _time;
    private IAsyncEnumerator<ChatResponseUpdate>? _enumerator;
    private TimerCancellation? _timer;
    private CancellationTokenSource? _call;
    private TimeSpan? _idleTimeout;
    private long _started;
    private long _receivedChars;
    private UsageDetails? _usage;
    private int _finished;
    private string? _rejectedLimit;

    public AttemptLeg(RequestExecution exec, CandidateState candidate, bool hedged, CancellationToken requestToken)
    {
        _exec = exec;
        _time = exec.Time;
        Candidate = candidate;
        Hedged = hedged;
        Cts = CancellationTokenSource.CreateLinkedTokenSource(requestToken);
        AttemptTimeout = exec.AttemptTimeoutFor(candidate);
        EstimatedTokens = exec.EstimatedTokens;
    }

    public CandidateState Candidate { get; }

    public Deployment Deployment => Candidate.Deployment;

    public bool Hedged { get; }

    public CancellationTokenSource Cts { get; }

    public LegStop Stop { get; set; }

    public RoutingAttempt? Attempt { get; private set; }

    public DeploymentCircuitState CircuitAtEntry { get; set; }

    public DeploymentLease? Lease { get; set; }

    public TimeSpan? AttemptTimeout { get; }

    /// <summary>Gets or sets the token of the pipeline's attempt timeout while the attempt is inside the pipeline (<see cref="AttemptTimeoutStrategy"/>).</summary>
    public CancellationToken AttemptTimeoutToken { get; set; }

    public long EstimatedTokens { get; }

    /// <summary>Gets a value indicating whether the circuit breaker leaves recording this attempt's outcome to <see cref="EndStreamAsync"/>.</summary>
    public bool HealthDeferred { get; private set; }

    public Task<LegResult> Task { get; private set; } = System.Threading.Tasks.Task.FromResult(new LegResult(LegStatus.Skipped));

    public ChatResponse? Response { get; private set; }

    public ChatResponseUpdate? First { get; private set; }

    public ChatResponseUpdate Current => _enumerator!.Current;

    /// <summary>Gets why the attempt was stopped from outside, if it was: an explicit stop, else the caller's or the deadline's cancellation.</summary>
    public LegStop CurrentStop =>
        Stop != LegStop.None ? Stop
        : _exec.CallerToken.IsCancellationRequested ? LegStop.Caller
        : _exec.DeadlinePassed ? LegStop.Deadline
        : LegStop.None;

    public void Start() => Task = RunAsync();

    /// <summary>Cancels the attempt because it is no longer needed.</summary>
    public void Abandon()
    {
        if (Stop == LegStop.None)
        {
            Stop = LegStop.Abandoned;
        }

        try
        {
            Cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already finished.
        }
    }

    /// <summary>Says what an outcome means for the deployment's health.</summary>
    public HealthSignal Signal(Exception? error) =>
        error is null ? HealthSignal.Success
        : CurrentStop != LegStop.None || error is OperationCanceledException ? HealthSignal.Neutral
        : FailoverRules.Signal(FailoverRules.Classify(error));

    /// <summary>Reads the next update of an opened stream, applying the idle timeout.</summary>
    public async ValueTask<bool> MoveNextAsync()
    {
        if (_idleTimeout is { } idle)
        {
            _timer!.CancelAfter(idle);
        }

        try
        {
            bool more = await _enumerator!.MoveNextAsync().ConfigureAwait(false);
            if (_idleTimeout is not null)
            {
                _timer!.CancelAfter(Timeout.InfiniteTimeSpan);
            }

            if (more)
            {
                Observe(_enumerator.Current);
            }

            return more;
        }
        catch (OperationCanceledException ex) when (_timer!.IsCancellationRequested && !Cts.IsCancellationRequested)
        {
            throw Fault(LlmErrorKind.Timeout, string.Create(
                CultureInfo.InvariantCulture, $"The stream from deployment '{Deployment.Name}' produced no update for {_idleTimeout!.Value.TotalSeconds:0.###} s."), ex);
        }
        catch (OperationCanceledException ex) when (CurrentStop == LegStop.Deadline)
        {
            throw _exec.DeadlineFault(this, ex);
        }
    }

    /// <summary>Ends an opened stream: records its outcome (deferred by the circuit breaker), frees its concurrency slot, disposes it.</summary>
    /// <param name="error">The failure that ended it, or <see langword="null"/> when it ended properly or the caller stopped reading.</param>
    /// <param name="callerStopped">Whether the caller stopped reading before the end.</param>
    public async ValueTask EndStreamAsync(Exception? error, bool callerStopped)
    {
        if (callerStopped && Stop == LegStop.None)
        {
            Stop = LegStop.Caller;
        }

        Exception? outcome = error ?? (Stop != LegStop.None ? new OperationCanceledException("The attempt was stopped before its stream ended.") : null);
        if (Stop != LegStop.None && error is null && _enumerator is not null)
        {
            // Cancel the provider call and read once more, so that the inner layers (telemetry) see the cancellation and record
            // the usage this attempt received before its stream is disposed.
            Abandon();
            try
            {
                if (await _enumerator.MoveNextAsync().ConfigureAwait(false))
                {
                    Observe(_enumerator.Current);
                }
            }
#pragma warning disable CA1031 // Expected: the cancellation.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }

        await DisposeEnumeratorAsync().ConfigureAwait(false);
        Finish(outcome);
    }

    private async Task<LegResult> RunAsync()
    {
        ResilienceContext context = ResilienceContextPool.Shared.Get(Cts.Token);
        context.Properties.Set(PropertyKey, this);
        Outcome<bool> outcome;
        try
        {
            outcome = await Candidate.Resilience.Pipeline.ExecuteOutcomeAsync(static (ctx, leg) => leg.CallAsync(ctx), context, this).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Every failure becomes the attempt's outcome.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            outcome = Outcome.FromException<bool>(ex);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        switch (outcome.Exception)
        {
            case null when _exec.Streaming:
                return new LegResult(LegStatus.StreamOpened);
            case null:
                Finish(null);
                return new LegResult(LegStatus.Succeeded);
            case RateLimiterRejectedException rejected when Attempt is null:
                return new LegResult(LegStatus.Skipped, rejected, RateLimitingConstants.RejectionReason, _rejectedLimit ?? "limit", rejected.RetryAfter);
            case CircuitOpenRejectedException open:
                return new LegResult(LegStatus.Skipped, open, CircuitBreakerConstants.RejectionReason, ResilienceDiagnostics.Name(open.State), open.RecoversIn);
            default:
                Exception error = Normalize(outcome.Exception);
                await DisposeEnumeratorAsync().ConfigureAwait(false);
                Finish(error);
                return new LegResult(LegStatus.Failed, error);
        }
    }

    private async ValueTask<Outcome<bool>> CallAsync(ResilienceContext context)
    {
        Attempt = _exec.Request.StartAttempt(Deployment);
        Attempt.Hedged = Hedged;
        Attempt.CircuitState = ResilienceDiagnostics.Name(CircuitAtEntry);
        _exec.OnAttemptStarted(this);
        _started = _time.GetTimestamp();
        _timer = new TimerCancellation(_time);
        _call = CancellationTokenSource.CreateLinkedTokenSource(Cts.Token, _timer.Token);

        // The pipeline's attempt timeout cancels the call, but only until the attempt leaves the pipeline: an opened stream must
        // outlive the pipeline's (pooled) token.
        CancellationTokenRegistration pipelineCancel = context.CancellationToken.UnsafeRegister(static s => Cancel((CancellationTokenSource)s!), _call);
        CancellationTokenRegistration attemptTimeout = AttemptTimeoutToken.UnsafeRegister(static s => Cancel((CancellationTokenSource)s!), _call);
        try
        {
            ChatOptions options = _exec.OptionsFor(this);
            if (!_exec.Streaming)
            {
                ChatResponse response = await _exec.Inner.GetResponseAsync(_exec.Messages, options, _call.Token).ConfigureAwait(false);
                Response = response;
                _usage = response.Usage;
                ObserveRateLimits(response.AdditionalProperties ?? (response.Messages.Count > 0 ? response.Messages[^1].AdditionalProperties : null));
                return Outcome.FromResult(true);
            }

            TimeSpan? firstToken = _exec.TimeToFirstTokenFor(Candidate);
            if (firstToken is { } ttft)
            {
                _timer.CancelAfter(ttft);
            }

            _enumerator = _exec.Inner.GetStreamingResponseAsync(_exec.Messages, options, _call.Token).GetAsyncEnumerator(_call.Token);
            if (!await _enumerator.MoveNextAsync().ConfigureAwait(false))
            {
                throw Fault(LlmErrorKind.InvalidResponse, "The stream ended without any update.", null);
            }

            if (firstToken is not null)
            {
                _timer.CancelAfter(Timeout.InfiniteTimeSpan);
            }

            First = _enumerator.Current;
            ObserveRateLimits(First.AdditionalProperties);
            Observe(First);
            Candidate.Resilience.TimeToFirstToken.Record(_time.GetElapsedTime(_started));
            _idleTimeout = _exec.StreamIdleTimeoutFor(Candidate);
            HealthDeferred = true;
            Lease?.Detach();
            return Outcome.FromResult(true);
        }
        catch (OperationCanceledException ex) when (_timer.IsCancellationRequested && !Cts.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested && !AttemptTimeoutToken.IsCancellationRequested)
        {
            return Outcome.FromException<bool>(Fault(LlmErrorKind.Timeout, string.Create(
                CultureInfo.InvariantCulture,
                $"Deployment '{Deployment.Name}' produced no first update within {_exec.TimeToFirstTokenFor(Candidate)!.Value.TotalSeconds:0.###} s."), ex));
        }
#pragma warning disable CA1031 // Every failure becomes the attempt's outcome; the pipeline's timeout turns its own cancellation into a timeout.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return Outcome.FromException<bool>(ex);
        }
        finally
        {
            pipelineCancel.Dispose();
            attemptTimeout.Dispose();
        }
    }

    private static void Cancel(CancellationTokenSource cts)
    {
        try
        {
            cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The attempt already ended.
        }
    }

    private Exception Normalize(Exception error) =>
        error is OperationCanceledException canceled && CurrentStop == LegStop.Deadline ? _exec.DeadlineFault(this, canceled) : error;

    internal LlmProviderException Fault(LlmErrorKind kind, string message, Exception? inner) => new(kind, message, inner)
    {
        Provider = Deployment.Provider,
        Model = Deployment.Model,
        Deployment = Deployment.Name,
    };

    private void Observe(ChatResponseUpdate update)
    {
        IList<AIContent> contents = update.Contents;
        for (int i = 0; i < contents.Count; i++)
        {
            switch (contents[i])
            {
                case TextContent text:
                    _receivedChars += text.Text?.Length ?? 0;
                    break;
                case UsageContent usage:
                    (_usage ??= new UsageDetails()).Add(usage.Details);
                    break;
            }
        }
    }

    private void ObserveRateLimits(AdditionalPropertiesDictionary? properties)
    {
        if (properties?.TryGetValue(LlmResponsePropertyKeys.RateLimits, out object? value) == true && value is RateLimitInfo info)
        {
            Candidate.Resilience.Limiter.Observe(info, null);
        }
    }

    internal void RecordRejectedLimit(string? limit) => _rejectedLimit = limit;

    private async ValueTask DisposeEnumeratorAsync()
    {
        IAsyncEnumerator<ChatResponseUpdate>? enumerator = Interlocked.Exchange(ref _enumerator, null);
        if (enumerator is null)
        {
            return;
        }

        try
        {
            await enumerator.DisposeAsync().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The attempt is over; a disposal failure adds nothing the caller can act on.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    /// <summary>Records the attempt's outcome (once).</summary>
    private void Finish(Exception? error)
    {
        if (Interlocked.Exchange(ref _finished, 1) != 0)
        {
            return;
        }

        DeploymentResilience resilience = Candidate.Resilience;
        LegStop stop = CurrentStop;
        if (error is LlmProviderException provider)
        {
            resilience.Limiter.Observe(provider.RateLimits, provider.RetryAfter);
        }

        if (Lease is { } lease)
        {
            if (_usage is not null)
            {
                lease.Settle((_usage.InputTokenCount ?? 0) + (_usage.OutputTokenCount ?? 0));
            }

            lease.Release();
        }

        if (HealthDeferred)
        {
            resilience.Breaker.Record(Signal(error), CircuitAtEntry);
        }

        if (Attempt is { } attempt)
        {
            attempt.Duration = _time.GetElapsedTime(_started);
            if (error is null)
            {
                attempt.Outcome = AttemptOutcome.Succeeded;
                if (!_exec.Streaming)
                {
                    resilience.ResponseTime.Record(attempt.Duration);
                }
            }
            else if (stop is LegStop.Abandoned or LegStop.Caller)
            {
                attempt.Outcome = AttemptOutcome.Cancelled;
                if (stop == LegStop.Abandoned)
                {
                    EstimateUsage(attempt);
                }
            }
            else
            {
                ResilienceChatClient.Fail(attempt, error);
            }
        }

        Dispose();
    }

    /// <summary>Disposes the attempt's cancellation sources (done when its outcome is recorded).</summary>
    public void Dispose()
    {
        _call?.Dispose();
        _timer?.Dispose();
        Cts.Dispose();
    }

    /// <summary>An abandoned hedge reports no usage, but the provider processed its prompt and the output it streamed: count the estimate.</summary>
    private void EstimateUsage(RoutingAttempt attempt)
    {
        if (attempt.Usage != TokenUsage.Zero || _exec.Request.EstimatedInputTokens <= 0)
        {
            return;
        }

        var usage = new UsageDetails
        {
            InputTokenCount = _exec.Request.EstimatedInputTokens,
            OutputTokenCount = (_receivedChars + 3) / 4,
        };
        usage.TotalTokenCount = usage.InputTokenCount + usage.OutputTokenCount;
        attempt.Usage = TokenUsage.From(usage);
        attempt.CostUsd = Deployment.ModelInfo.Pricing.CalculateCost(usage);
        attempt.UsageEstimated = true;
    }
}
