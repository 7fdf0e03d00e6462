using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmRouting;

/// <summary>
/// The outermost layer of the chain: decides which deployments may serve a request and in which order,
/// records the decision in the per-request <see cref="LlmRequestContext"/>, and attaches the
/// <see cref="RoutingReport"/> to the response (or to the last update of a stream).
/// </summary>
/// <remarks>
/// <para>
/// Candidates are the registry's deployments. A deployment is rejected, with a reason code in the report
/// (<see cref="RoutingRejectionReasons"/>), when the caller pinned another model with <see cref="ChatOptions.ModelId"/>; when its
/// provider, model or region is not allowed (<see cref="RoutingOptions"/> or per-request hints); when it is outside the requested tier or
/// the request's experiment variant; when it lacks a capability the request needs (images → vision, tools, parallel tool calls, JSON
/// schema, reasoning effort); when the estimated prompt plus requested output exceed its context window; when it breaks a hinted limit
/// (<see cref="LlmRoutingHints.WithMaxCost"/>, <see cref="LlmRoutingHints.WithMaxLatency"/>, <see cref="LlmRoutingHints.WithMinQuality"/>);
/// or when it does not fit a budget. The <see cref="Policy"/> (or the request's, or the experiment variant's) ranks the rest, using
/// cost estimates and latency/quality predictions from live statistics blended with catalog priors.
/// </para>
/// <para>
/// After the call the router updates the live statistics from every attempt and from automatic checks of the answer, settles the
/// budget reservation with the actual cost, and counts the request for its experiment variants. With a cascade, it tries a cheap
/// deployment first and escalates when a check of the answer fails.
/// </para>
/// <para>The caller's <see cref="ChatOptions"/> and messages are never mutated. Thread-safe; configure the properties before first use.</para>
/// </remarks>
public sealed partial class CostRouterChatClient : DelegatingChatClient
{
    private static readonly ChatClientMetadata s_metadata = new("llm-routing");

    private readonly ProviderRegistry _registry;
    private readonly TimeProvider _timeProvider;
    private IRoutingPolicy _policy = new CheapestRoutingPolicy();
    private int _defaultEstimatedOutputTokens = 256;
    private readonly RequestTelemetry _telemetry;
    private RoutingOptions _options = new();
    private IDictionary<string, BudgetOptions> _budgets = new Dictionary<string, BudgetOptions>(StringComparer.OrdinalIgnoreCase);
    private IRoutingStatisticsStore _statistics;
    private IBudgetStore _budgetStore;
    private RoutingFeedback _feedback;
    private ILogger _logger = NullLogger.Instance;

    /// <summary>Initializes a new instance of the <see cref="CostRouterChatClient"/> class.</summary>
    /// <param name="innerClient">The next layer (normally the redactor).</param>
    /// <param name="registry">The deployments to route among.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public CostRouterChatClient(IChatClient innerClient, ProviderRegistry registry, TimeProvider? timeProvider = null)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _registry = registry;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _statistics = new InMemoryRoutingStatisticsStore(_options.Statistics.HalfLife, _timeProvider);
        _budgetStore = new InMemoryBudgetStore(_timeProvider);
        _feedback = new RoutingFeedback(() => _statistics, new ExperimentTracker());
        _telemetry = RequestTelemetry.For(innerClient); // request span, request metrics and request log (Telemetry/)
        Policies = [new CheapestRoutingPolicy(), new PriorityRoutingPolicy(), new WeightedRoutingPolicy(), new FastestRoutingPolicy(), new BalancedRoutingPolicy(), new SloRoutingPolicy()];
    }

    /// <summary>Gets or sets the policy that ranks eligible deployments. The default is <see cref="CheapestRoutingPolicy"/>.</summary>
    public IRoutingPolicy Policy
    {
        get => _policy;
        set => _policy = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>
    /// Gets the policies a request (<see cref="LlmRoutingHints.WithRoutingPolicy"/>) or an experiment variant may choose by name; when
    /// several have the same name, the last wins. By default the built-in policies with default settings.
    /// </summary>
    public IList<IRoutingPolicy> Policies { get; }

    /// <summary>Gets or sets the output-token estimate used for cost and context checks when the request sets no <see cref="ChatOptions.MaxOutputTokens"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public int DefaultEstimatedOutputTokens
    {
        get => _defaultEstimatedOutputTokens;
        set => _defaultEstimatedOutputTokens = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Must be positive.");
    }

    /// <summary>Gets or sets the routing settings: allowed/blocked providers, models and regions, tiers, quality priors, statistics, experiments and the cascade.</summary>
    public RoutingOptions Options
    {
        get => _options;
        set => _options = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>Gets or sets the budget rules by name. None by default.</summary>
    public IDictionary<string, BudgetOptions> Budgets
    {
        get => _budgets;
        set => _budgets = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>Gets or sets the store of live statistics per deployment. The default is an <see cref="InMemoryRoutingStatisticsStore"/> on the router's clock.</summary>
    public IRoutingStatisticsStore Statistics
    {
        get => _statistics;
        set => _statistics = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>Gets or sets the store of budget accounts. The default is an <see cref="InMemoryBudgetStore"/> on the router's clock.</summary>
    public IBudgetStore BudgetStore
    {
        get => _budgetStore;
        set => _budgetStore = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>Gets the feedback API: score an answer by its request id or report to feed the deployment's quality statistics.</summary>
    public IRoutingFeedback Feedback => _feedback;

    /// <summary>Gets the per-variant results of the router's experiments.</summary>
    public IExperimentResults Experiments => _feedback.Experiments;

    /// <summary>
    /// Gets or sets an extra cascade check: return <see langword="true"/> to accept a step's answer, <see langword="false"/> to escalate
    /// to the next step (reported as <c>predicate</c>). Not called for the last step.
    /// </summary>
    public Func<CascadeCheckArguments, bool>? CascadePredicate { get; set; }

    /// <summary>Gets or sets the logger; a null logger by default.</summary>
    public ILogger Logger
    {
        get => _logger;
        set => _logger = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <inheritdoc/>
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        using RequestTelemetryScope? telemetry = _telemetry.Start(streaming: false);
        RouteState state;
        try
        {
            state = await RouteAsync(Materialize(messages), options, streaming: false, telemetry, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (RequestTelemetryScope.Failed(telemetry, ex))
        {
            throw;
        }

        state.Context.RoutingDuration = state.Context.GetElapsed();
        ChatResponse response;
        AnswerInspector answer;
        try
        {
            if (state.CascadeSteps is not null)
            {
                (response, answer) = await CascadeAsync(state, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                response = await base.GetResponseAsync(state.Messages, state.Options, cancellationToken).ConfigureAwait(false);
                answer = NewInspector(state);
                answer.Add(response);
            }
        }
        catch (Exception ex)
        {
            await CompleteAsync(state, null, ex).ConfigureAwait(false);
            AttachReport(ex, state.Context);
            RequestTelemetryScope.Failed(telemetry, ex);
            throw;
        }

        await CompleteAsync(state, answer, null).ConfigureAwait(false);
        (response.AdditionalProperties ??= [])[RoutingReportExtensions.AdditionalPropertiesKey] = state.Context.BuildRoutingReport();
        telemetry?.Succeeded();
        return response;
    }

    /// <inheritdoc/>
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        using RequestTelemetryScope? telemetry = _telemetry.Start(streaming: true);
        RouteState state;
        try
        {
            state = await RouteAsync(Materialize(messages), options, streaming: true, telemetry, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (RequestTelemetryScope.Failed(telemetry, ex))
        {
            throw;
        }

        state.Context.RoutingDuration = state.Context.GetElapsed();
        LlmRequestContext context = state.Context;
        try
        {
            // Cascade steps before the last are buffered: they reach the caller only if they pass their checks.
            if (state.CascadeSteps is { } steps)
            {
                for (int step = 0; step < steps.Count - 1; step++)
                {
                    BufferedStep buffered;
                    try
                    {
                        buffered = await RunBufferedStepAsync(state, step, cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception ex)
                    {
                        await CompleteAsync(state, null, ex).ConfigureAwait(false);
                        AttachReport(ex, context);
                        RequestTelemetryScope.Failed(telemetry, ex);
                        throw;
                    }

                    if (buffered.Accepted)
                    {
                        context.TimeToFirstToken ??= context.GetElapsed();
                        foreach (ChatResponseUpdate update in buffered.Updates!)
                        {
                            yield return update;
                        }

                        await CompleteAsync(state, buffered.Answer, null).ConfigureAwait(false);
                        telemetry?.Succeeded();
                        yield return FinalUpdate(buffered.Updates!, context);
                        yield break;
                    }
                }

                BeginFinalCascadeStep(state);
            }

            AnswerInspector answer = NewInspector(state);
            var seen = new StreamIds();
            IAsyncEnumerator<ChatResponseUpdate> enumerator = base.GetStreamingResponseAsync(state.Messages, state.Options, cancellationToken).GetAsyncEnumerator(cancellationToken);
            try
            {
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
                    catch (Exception ex)
                    {
                        await CompleteAsync(state, null, ex).ConfigureAwait(false);
                        AttachReport(ex, context);
                        RequestTelemetryScope.Failed(telemetry, ex);
                        throw;
                    }

                    context.TimeToFirstToken ??= context.GetElapsed();
                    answer.Add(update);
                    seen.Add(update);
                    yield return update;
                }
            }
            finally
            {
                // Before anything is settled, so an attempt cut short is already marked as such.
                await enumerator.DisposeAsync().ConfigureAwait(false);
            }

            if (state.CascadeSteps is not null)
            {
                EndFinalCascadeStep(state);
            }

            await CompleteAsync(state, answer, null).ConfigureAwait(false);
            telemetry?.Succeeded();
            yield return seen.FinalUpdate(context.BuildRoutingReport());
        }
        finally
        {
            if (!state.Completed)
            {
                // The caller stopped reading early (also while a buffered cascade step was being replayed).
                await CompleteAsync(state, null, null, abandoned: true).ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc/>
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is null)
        {
            // A telemetry layer outside the router must see the gateway, not whichever provider the inner layers expose.
            if (serviceType == typeof(ChatClientMetadata))
            {
                return s_metadata;
            }

            if (serviceType == typeof(ProviderRegistry))
            {
                return _registry;
            }

            if (serviceType == typeof(IRoutingFeedback))
            {
                return _feedback;
            }

            if (serviceType == typeof(IExperimentResults))
            {
                return _feedback.Experiments;
            }

            if (serviceType == typeof(IRoutingStatisticsStore))
            {
                return _statistics;
            }
        }

        return base.GetService(serviceType, serviceKey);
    }

    /// <summary>Computes the candidates for a request without sending it, e.g. to preview a routing decision.</summary>
    /// <param name="messages">The messages.</param>
    /// <param name="options">The options.</param>
    /// <returns>The request context holding candidates, rejections, predictions and experiment variants.</returns>
    /// <remarks>Budgets are neither checked nor reserved (that needs the asynchronous budget store); everything else is as for a real request.</remarks>
    /// <exception cref="NoEligibleDeploymentException">No deployment can serve the request.</exception>
    /// <exception cref="ArgumentException">A routing hint is invalid.</exception>
    public LlmRequestContext Plan(IEnumerable<ChatMessage> messages, ChatOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(messages);
        RouteState state = PlanCore(Materialize(messages), options, streaming: false);
        state.Ranked = state.PolicyRanked;
        state.CascadeSteps = PlanCascade(state, state.Ranked);
        Finish(state);
        return state.Context;
    }

    /// <summary>Uses shared feedback and experiment state (DI registers one per container).</summary>
    internal void UseFeedback(RoutingFeedback feedback) => _feedback = feedback;

    private static IReadOnlyList<ChatMessage> Materialize(IEnumerable<ChatMessage> messages) =>
        messages as IReadOnlyList<ChatMessage> ?? messages.ToList();

    private static AnswerInspector NewInspector(RouteState state) =>
        new(AnswerInspector.NeedsText(state.CallerOptions, state.CascadeSteps is not null));

    private static ChatResponseUpdate FinalUpdate(IReadOnlyList<ChatResponseUpdate> updates, LlmRequestContext context)
    {
        var seen = new StreamIds();
        foreach (ChatResponseUpdate u in updates)
        {
            seen.Add(u);
        }

        return seen.FinalUpdate(context.BuildRoutingReport());
    }

    private static bool AttachReport(Exception ex, LlmRequestContext context)
    {
        switch (ex)
        {
            case AllAttemptsFailedException all:
                all.Report ??= context.BuildRoutingReport();
                break;
            case StreamInterruptedException interrupted when interrupted.Report is null:
                interrupted.Report = context.BuildRoutingReport();
                break;
        }

        return false;
    }

    /// <summary>The ids of a stream's updates, repeated on the final update that carries the report.</summary>
    private struct StreamIds
    {
        private string? _responseId, _messageId, _modelId;

        public void Add(ChatResponseUpdate update)
        {
            _responseId = update.ResponseId ?? _responseId;
            _messageId = update.MessageId ?? _messageId;
            _modelId = update.ModelId ?? _modelId;
        }

        public readonly ChatResponseUpdate FinalUpdate(RoutingReport report) => new()
        {
            Role = ChatRole.Assistant,
            ResponseId = _responseId,
            MessageId = _messageId,
            ModelId = _modelId,
            AdditionalProperties = new() { [RoutingReportExtensions.AdditionalPropertiesKey] = report },
        };
    }
}
