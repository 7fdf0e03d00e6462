using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace LlmRouting;

/// <summary>
/// Executes a request against the router's ranked candidates: classified retries and failover, per-deployment circuit breakers
/// and client-side limits, timeouts, optional hedging, and a stream commit point.
/// </summary>
/// <remarks>
/// <para>
/// Each attempt runs through its deployment's Polly pipeline (client-side rate limiter → circuit breaker → attempt timeout), kept
/// in a registry with one pipeline per deployment and exposed as <see cref="IDeploymentHealth"/> (<see cref="Health"/>).
/// Failures are handled by kind:
/// </para>
/// <list type="bullet">
/// <item>Rate limited, overloaded, server error, timeout, network, unparsable reply, stream cut before its first update: fail over
/// to the next available candidate at once; retry the same deployment (after its Retry-After, or an exponential backoff with jitter)
/// only when no other candidate is available. A Retry-After longer than <see cref="ResilienceRetryOptions.MaxRetryAfter"/> takes the
/// deployment out of the request instead of waiting; the deployment cools down for every request either way.</item>
/// <item>Authentication, permission, not found, quota: fail over; never retried on the same deployment.</item>
/// <item>Content filtered: continue with <see cref="ResilienceOptions.ContentPolicyFallbacks"/> only. Context length exceeded: continue
/// only with candidates whose context window is larger and fits the router's token estimate (checked before sending).</item>
/// <item>Bad request: not failed over; it would fail the same way anywhere. Caller cancellation is never failed over and never
/// counted as a deployment failure.</item>
/// </list>
/// <para>
/// Streams have a commit point: until the first update reaches the caller, any failure — an error event inside an HTTP 200 stream,
/// a stream that ends without any update, a first token that does not come in time — fails over transparently; after it, a failure
/// surfaces as <see cref="StreamInterruptedException"/> carrying the partial output: never a silently truncated success, never
/// output from two deployments interleaved. A hedged stream commits to the first attempt that produces an update.
/// </para>
/// <para>When every candidate is unavailable, the request waits for the earliest to recover within its deadline ("healthy or panic").
/// When every attempt fails, <see cref="AllAttemptsFailedException"/> lists them, with the last failure as inner exception.</para>
/// <para>Each attempt runs with a clone of the options carrying an <see cref="AttemptContext"/>. Thread-safe.</para>
/// </remarks>
public sealed class ResilienceChatClient : DelegatingChatClient
{
    private int _maxAttempts;
    private Func<double> _randomizer = Random.Shared.NextDouble;

    /// <summary>Initializes a new instance of the <see cref="ResilienceChatClient"/> class.</summary>
    /// <param name="innerClient">The next layer (normally telemetry).</param>
    /// <param name="options">The settings, read when a deployment is first used; defaults when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="loggerFactory">Creates the logger for circuit changes, failovers and waits; none when <see langword="null"/>.</param>
    public ResilienceChatClient(IChatClient innerClient, ResilienceOptions? options = null, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
        : this(innerClient, new DeploymentResilienceRegistry(options ?? new ResilienceOptions(), timeProvider, loggerFactory))
    {
    }

    /// <summary>Initializes a new instance whose circuits and client-side counts are shared through stores (public code registers the stores in DI; see <see cref="ICircuitStateStore"/>).</summary>
    /// <param name="innerClient">The next layer (normally telemetry).</param>
    /// <param name="options">The settings, read when a deployment is first used; defaults when <see langword="null"/>.</param>
    /// <param name="circuitStore">Shares circuit states with other instances; per process when <see langword="null"/>.</param>
    /// <param name="counterStore">Shares request and token counts with other instances; per process when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="loggerFactory">Creates the logger for circuit changes, failovers and waits; none when <see langword="null"/>.</param>
    internal ResilienceChatClient(
        IChatClient innerClient,
        ResilienceOptions? options,
        ICircuitStateStore? circuitStore,
        IRateLimitCounterStore? counterStore,
        TimeProvider? timeProvider,
        ILoggerFactory? loggerFactory)
        : this(innerClient, new DeploymentResilienceRegistry(options ?? new ResilienceOptions(), timeProvider, loggerFactory, circuitStore, counterStore))
    {
    }

    internal ResilienceChatClient(IChatClient innerClient, DeploymentResilienceRegistry registry)
        : base(innerClient)
    {
        Registry = registry;
        _maxAttempts = Math.Max(1, registry.Options.MaxAttempts);
    }

    /// <summary>Gets the settings.</summary>
    public ResilienceOptions Options => Registry.Options;

    /// <summary>Gets the live health of the deployments (circuits, limits), as the router sees it.</summary>
    public IDeploymentHealth Health => Registry;

    /// <summary>Gets or sets the maximum number of attempts (retries and hedges included) for one request. The default is <see cref="ResilienceOptions.MaxAttempts"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int MaxAttempts
    {
        get => _maxAttempts;
        set => _maxAttempts = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "At least one attempt is required.");
    }

    /// <summary>Gets or sets the source of uniform random numbers in [0, 1) used to jitter backoffs. The default is <see cref="Random.Shared"/>.</summary>
    /// <remarks>Replace it in tests to make backoffs deterministic. It may be called concurrently.</remarks>
    /// <exception cref="ArgumentNullException">The value is <see langword="null"/>.</exception>
    public Func<double> Randomizer
    {
        get => _randomizer;
        set => _randomizer = value ?? throw new ArgumentNullException(nameof(value));
    }

    internal DeploymentResilienceRegistry Registry { get; }

    internal TimeProvider TimeProvider => Registry.TimeProvider;

    internal ILogger Logger => Registry.Logger;

    /// <inheritdoc/>
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (!LlmRequestContext.TryGet(options, out LlmRequestContext? request) || request.Candidates.Count == 0)
        {
            return await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }

        var execution = new RequestExecution(this, InnerClient, messages, options!, request, streaming: false, cancellationToken);
        try
        {
            AttemptLeg winner = await execution.RunAsync().ConfigureAwait(false);
            return winner.Response!;
        }
        finally
        {
            await execution.DisposeAsync().ConfigureAwait(false);
        }
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

        var execution = new RequestExecution(this, InnerClient, messages, options!, request, streaming: true, cancellationToken);
        AttemptLeg winner;
        try
        {
            // Before the commit point: every failure is failed over inside the execution.
            winner = await execution.RunAsync().ConfigureAwait(false);
        }
        catch
        {
            await execution.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        // The commit point: from here on, output of this attempt only.
        var delivered = new PooledList<ChatResponseUpdate>(64);
        Exception? failure = null;
        bool completed = false;
        try
        {
            winner.Attempt!.OutputCommitted = true;
            ChatResponseUpdate first = winner.First!;
            delivered.Add(first);
            yield return first;
            while (true)
            {
                ChatResponseUpdate update;
                try
                {
                    if (!await winner.MoveNextAsync().ConfigureAwait(false))
                    {
                        completed = true;
                        break;
                    }

                    update = winner.Current;
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }
                catch (Exception ex)
                {
                    failure = ex;
                    break;
                }

                delivered.Add(update);
                yield return update;
            }
        }
        finally
        {
            await winner.EndStreamAsync(failure, callerStopped: !completed && failure is null).ConfigureAwait(false);
            await execution.DisposeAsync().ConfigureAwait(false);
            if (failure is not null)
            {
                failure = Interrupted(winner.Deployment, delivered, failure);
            }

            delivered.Dispose();
        }

        if (failure is not null)
        {
            throw failure;
        }
    }

    /// <inheritdoc/>
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType == typeof(IDeploymentHealth) ? Registry : base.GetService(serviceType, serviceKey);
    }

    /// <summary>Records a failure on an attempt.</summary>
    internal static void Fail(RoutingAttempt attempt, Exception ex)
    {
        LlmErrorKind kind = FailoverRules.Classify(ex);
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
    }

    private static StreamInterruptedException Interrupted(Deployment deployment, PooledList<ChatResponseUpdate> delivered, Exception cause)
    {
        var text = new System.Text.StringBuilder();
        foreach (ChatResponseUpdate update in delivered.AsSpan())
        {
            text.Append(update.Text);
        }

        return new StreamInterruptedException(
            string.Create(CultureInfo.InvariantCulture, $"The stream from deployment '{deployment.Name}' failed after {delivered.Count} updates had reached the caller; it cannot be failed over."),
            text.ToString(),
            delivered.Count,
            cause)
        {
            Provider = deployment.Provider,
            Model = deployment.Model,
            Deployment = deployment.Name,
            StatusCode = (cause as LlmProviderException)?.StatusCode,
        };
    }
}
