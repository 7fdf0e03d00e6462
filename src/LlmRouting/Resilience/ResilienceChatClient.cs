using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>
/// Executes a request against the router's ranked candidates, failing over to the next deployment when one fails.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Caller cancellation is never failed over and never counted as a deployment failure.</item>
/// <item>A <see cref="LlmErrorKind.BadRequest"/> is not failed over: it would fail the same way anywhere.</item>
/// <item>Streams have a commit point: until the first update reaches the caller, any failure (including an empty stream)
/// fails over transparently; after it, a failure surfaces as <see cref="StreamInterruptedException"/> carrying the
/// partial output — never a silently truncated success, never output from two deployments interleaved.</item>
/// <item>When every attempt fails, <see cref="AllAttemptsFailedException"/> lists them, with the last failure as inner exception.</item>
/// </list>
/// Each attempt runs with a clone of the options carrying an <see cref="AttemptContext"/>. Thread-safe.
/// </remarks>
public sealed class ResilienceChatClient : DelegatingChatClient
{
    private readonly TimeProvider _timeProvider;
    private int _maxAttempts = 3;

    /// <summary>Initializes a new instance of the <see cref="ResilienceChatClient"/> class.</summary>
    /// <param name="innerClient">The next layer (normally telemetry).</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public ResilienceChatClient(IChatClient innerClient, TimeProvider? timeProvider = null)
        : base(innerClient)
    {
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Gets or sets the maximum number of deployments tried for one request. The default is 3.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int MaxAttempts
    {
        get => _maxAttempts;
        set => _maxAttempts = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "At least one attempt is required.");
    }

    /// <inheritdoc/>
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (!LlmRequestContext.TryGet(options, out LlmRequestContext? request) || request.Candidates.Count == 0)
        {
            return await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }

        IReadOnlyList<Deployment> candidates = request.Candidates;
        int limit = Math.Min(_maxAttempts, candidates.Count);
        ExceptionDispatchInfo? last = null;
        RoutingAttempt? previous = null;
        for (int i = 0; i < limit; i++)
        {
            RoutingAttempt attempt = Begin(request, candidates[i], previous);
            long started = _timeProvider.GetTimestamp();
            try
            {
                ChatResponse response = await base.GetResponseAsync(messages, WithAttempt(options!, request, candidates[i], attempt), cancellationToken).ConfigureAwait(false);
                attempt.Duration = _timeProvider.GetElapsedTime(started);
                attempt.Outcome = AttemptOutcome.Succeeded;
                return response;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                attempt.Duration = _timeProvider.GetElapsedTime(started);
                attempt.Outcome = AttemptOutcome.Cancelled;
                throw;
            }
            catch (Exception ex)
            {
                attempt.Duration = _timeProvider.GetElapsedTime(started);
                LlmErrorKind kind = Fail(attempt, ex);
                if (!kind.AllowsFailover())
                {
                    throw;
                }

                last = ExceptionDispatchInfo.Capture(ex);
                previous = attempt;
            }
        }

        throw AllFailed(request, last);
    }

    /// <inheritdoc/>
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (!LlmRequestContext.TryGet(options, out LlmRequestContext? request) || request.Candidates.Count == 0)
        {
            await foreach (ChatResponseUpdate update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
            {
                yield return update;
            }

            yield break;
        }

        IReadOnlyList<Deployment> candidates = request.Candidates;
        int limit = Math.Min(_maxAttempts, candidates.Count);
        ExceptionDispatchInfo? last = null;
        RoutingAttempt? previous = null;
        for (int i = 0; i < limit; i++)
        {
            RoutingAttempt attempt = Begin(request, candidates[i], previous);
            long started = _timeProvider.GetTimestamp();
            IAsyncEnumerator<ChatResponseUpdate>? enumerator = null;
            ChatResponseUpdate first;

            // Before the commit point: any failure moves on to the next candidate.
            try
            {
                enumerator = base.GetStreamingResponseAsync(messages, WithAttempt(options!, request, candidates[i], attempt), cancellationToken)
                    .GetAsyncEnumerator(cancellationToken);
                if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                {
                    throw new LlmProviderException(LlmErrorKind.InvalidResponse, "The stream ended without any update.")
                    {
                        Provider = candidates[i].Provider,
                        Model = candidates[i].Model,
                        Deployment = candidates[i].Name,
                    };
                }

                first = enumerator.Current;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                attempt.Duration = _timeProvider.GetElapsedTime(started);
                attempt.Outcome = AttemptOutcome.Cancelled;
                await DisposeQuietlyAsync(enumerator).ConfigureAwait(false);
                throw;
            }
            catch (Exception ex)
            {
                attempt.Duration = _timeProvider.GetElapsedTime(started);
                await DisposeQuietlyAsync(enumerator).ConfigureAwait(false);
                LlmErrorKind kind = Fail(attempt, ex);
                if (!kind.AllowsFailover())
                {
                    throw;
                }

                last = ExceptionDispatchInfo.Capture(ex);
                previous = attempt;
                continue;
            }

            // The commit point: from here on, output of this attempt only.
            attempt.OutputCommitted = true;
            var delivered = new PooledList<ChatResponseUpdate>(64);
            delivered.Add(first);
            try
            {
                yield return first;
                while (true)
                {
                    ChatResponseUpdate update;
                    try
                    {
                        if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                        {
                            break;
                        }

                        update = enumerator.Current;
                    }
                    catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                    {
                        attempt.Outcome = AttemptOutcome.Cancelled;
                        throw;
                    }
                    catch (Exception ex)
                    {
                        Fail(attempt, ex);
                        throw Interrupted(candidates[i], delivered, ex);
                    }

                    delivered.Add(update);
                    yield return update;
                }

                attempt.Outcome = AttemptOutcome.Succeeded;
            }
            finally
            {
                attempt.Duration = _timeProvider.GetElapsedTime(started);
                if (attempt.Outcome == AttemptOutcome.Pending)
                {
                    // The caller stopped enumerating early.
                    attempt.Outcome = AttemptOutcome.Cancelled;
                }

                delivered.Dispose();
                await enumerator.DisposeAsync().ConfigureAwait(false);
            }

            yield break;
        }

        throw AllFailed(request, last);
    }

    private static RoutingAttempt Begin(LlmRequestContext request, Deployment deployment, RoutingAttempt? previous)
    {
        if (previous is not null)
        {
            previous.FailoverReason = "failover:" + (previous.ErrorKind ?? LlmErrorKind.Unknown).ToTelemetryName();
        }

        return request.StartAttempt(deployment);
    }

    private static ChatOptions WithAttempt(ChatOptions options, LlmRequestContext request, Deployment deployment, RoutingAttempt attempt)
    {
        ChatOptions clone = options.Clone();
        clone.AdditionalProperties = new AdditionalPropertiesDictionary(options.AdditionalProperties!)
        {
            [AttemptContext.OptionsKey] = new AttemptContext(request, deployment, attempt),
        };
        return clone;
    }

    private static LlmErrorKind Fail(RoutingAttempt attempt, Exception ex)
    {
        LlmErrorKind kind = LlmErrorClassifier.Classify(ex);
        attempt.Outcome = AttemptOutcome.Failed;
        attempt.ErrorKind = kind;
        attempt.ErrorType = ex.GetType().Name;
        if (ex is LlmProviderException { StatusCode: { } status })
        {
            attempt.StatusCode = (int)status;
        }
        else if (ex is HttpRequestException { StatusCode: { } httpStatus })
        {
            attempt.StatusCode = (int)httpStatus;
        }

        return kind;
    }

    private static StreamInterruptedException Interrupted(Deployment deployment, PooledList<ChatResponseUpdate> delivered, Exception cause)
    {
        var text = new System.Text.StringBuilder();
        foreach (ChatResponseUpdate update in delivered.AsSpan())
        {
            text.Append(update.Text);
        }

        string partial = text.ToString();
        return new StreamInterruptedException(
            string.Create(CultureInfo.InvariantCulture, $"The stream from deployment '{deployment.Name}' failed after {delivered.Count} updates had reached the caller; it cannot be failed over."),
            partial,
            delivered.Count,
            cause)
        {
            Provider = deployment.Provider,
            Model = deployment.Model,
            Deployment = deployment.Name,
            StatusCode = (cause as LlmProviderException)?.StatusCode,
        };
    }

    private static AllAttemptsFailedException AllFailed(LlmRequestContext request, ExceptionDispatchInfo? last)
    {
        IReadOnlyList<RoutingAttempt> attempts = request.Attempts;
        string kinds = string.Join(", ", attempts.Select(a => $"{a.Deployment}: {(a.ErrorKind ?? LlmErrorKind.Unknown).ToTelemetryName()}"));
        return new AllAttemptsFailedException(
            string.Create(CultureInfo.InvariantCulture, $"All {attempts.Count} attempts failed ({kinds})."),
            attempts,
            last?.SourceException);
    }

    private static async ValueTask DisposeQuietlyAsync(IAsyncEnumerator<ChatResponseUpdate>? enumerator)
    {
        if (enumerator is null)
        {
            return;
        }

        try
        {
            await enumerator.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The attempt already failed; a disposal failure adds nothing the caller can act on.
        }
    }
}
