using System.Collections.Concurrent;
using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>
/// Per-request state shared by the layers of the chain. The router creates it and stores it in a clone of the
/// caller's <see cref="ChatOptions.AdditionalProperties"/>; each inner layer reads it and writes what it decided.
/// Data flows one way: route decision, then redaction, then attempts, then telemetry.
/// </summary>
/// <remarks>Thread-safe for the concurrent attempts of one request.</remarks>
public sealed partial class LlmRequestContext
{
    /// <summary>The key under which the context travels in <see cref="ChatOptions.AdditionalProperties"/>.</summary>
    public const string OptionsKey = "LlmRouting.RequestContext";

    private readonly List<RoutingAttempt> _attempts = [];
    private static readonly IReadOnlyDictionary<string, int> s_noRedactions = new Dictionary<string, int>();
    private ConcurrentDictionary<string, int>? _redactions;
    private ConcurrentDictionary<string, PiiAction>? _redactionActions;
    private static readonly IReadOnlyDictionary<string, PiiAction> s_noRedactionActions = new Dictionary<string, PiiAction>();
    private ConcurrentDictionary<string, object?>? _items;
    private IReadOnlyList<Deployment> _candidates = [];
    private IReadOnlyList<string> _tags = [];
    private long _limitWaitTicks;

    /// <summary>Initializes a new instance of the <see cref="LlmRequestContext"/> class.</summary>
    /// <param name="requestId">The request id.</param>
    /// <param name="streaming">Whether the request is streamed.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public LlmRequestContext(string requestId, bool streaming, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(requestId);
        RequestId = requestId;
        Streaming = streaming;
        TimeProvider = timeProvider ?? TimeProvider.System;
        StartTimestamp = TimeProvider.GetTimestamp();
    }

    /// <summary>Gets the request id.</summary>
    public string RequestId { get; }

    /// <summary>Gets a value indicating whether the request is streamed.</summary>
    public bool Streaming { get; }

    /// <summary>Gets the clock used for the request's timings.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Gets the timestamp at which the request started (from <see cref="TimeProvider"/>).</summary>
    public long StartTimestamp { get; }

    /// <summary>Gets or sets the name of the routing policy that ordered the candidates.</summary>
    public string Policy { get; set; } = "none";

    /// <summary>Gets or sets a short explanation of the routing choice.</summary>
    public string? Reason { get; set; }

    /// <summary>Gets or sets the eligible deployments in preference order, as the router ranked them.</summary>
    public IReadOnlyList<Deployment> Candidates
    {
        get => Volatile.Read(ref _candidates);
        set => Volatile.Write(ref _candidates, value ?? throw new ArgumentNullException(nameof(value)));
    }

    /// <summary>Gets the rejected candidates with reasons.</summary>
    public IList<CandidateRejection> Rejections { get; } = new List<CandidateRejection>();

    /// <summary>Gets or sets the router's estimate of the prompt's tokens.</summary>
    public long EstimatedInputTokens { get; set; }

    /// <summary>Gets or sets the router's estimate of the answer's tokens.</summary>
    public long EstimatedOutputTokens { get; set; }

    /// <summary>Gets or sets the estimated cost of the first candidate in US dollars.</summary>
    public decimal EstimatedCostUsd { get; set; }

    /// <summary>Gets or sets the time from the start to the first update that reached the caller.</summary>
    public TimeSpan? TimeToFirstToken { get; set; }

    /// <summary>Gets or sets the tenant the request is attributed to (a routing hint), for cost attribution and budgets.</summary>
    /// <remarks>A label such as an organisation id; it appears in metrics, spans and the request log, so it must not be personal data.</remarks>
    public string? Tenant { get; set; }

    /// <summary>Gets or sets the end user the request is made for (a routing hint).</summary>
    /// <remarks>
    /// Never recorded as given: telemetry and the request log carry only a keyed pseudonym of it
    /// (see <see cref="TelemetryOptions.UserPseudonymKey"/>), and metrics never carry it.
    /// </remarks>
    public string? User { get; set; }

    /// <summary>Gets or sets the request's tags (routing hints such as <c>feature:summarise</c>), for cost attribution.</summary>
    /// <remarks>Tags appear as metric attributes: keep their number of distinct values small and free of personal data.</remarks>
    public IReadOnlyList<string> Tags
    {
        get => Volatile.Read(ref _tags);
        set => Volatile.Write(ref _tags, value ?? throw new ArgumentNullException(nameof(value)));
    }

    /// <summary>Gets or sets the key of the budget the request's cost is charged to, if any (set by the budget layer).</summary>
    public string? BudgetKey { get; set; }

    /// <summary>Gets or sets the name of the experiment the request took part in, if any.</summary>
    public string? Experiment { get; set; }

    /// <summary>Gets or sets the experiment variant the request was assigned to, if any.</summary>
    public string? ExperimentVariant { get; set; }

    /// <summary>Gets or sets the prompt category (e.g. <c>code</c>, <c>reasoning</c>) the router assigned, if any, for quality reports.</summary>
    public string? PromptCategory { get; set; }

    /// <summary>Gets or sets a quality score of the answer in [0, 1], if a check or feedback produced one.</summary>
    public double? QualityScore { get; set; }

    /// <summary>Gets or sets the time the router spent choosing candidates.</summary>
    public TimeSpan? RoutingDuration { get; set; }

    /// <summary>Gets or sets the time the redactor spent scanning and masking the request.</summary>
    public TimeSpan? RedactionDuration { get; set; }

    /// <summary>Gets the time the request spent waiting on client-side limits (rate limiters, concurrency, Retry-After waits).</summary>
    public TimeSpan LimitWaitDuration => TimeSpan.FromTicks(Interlocked.Read(ref _limitWaitTicks));

    /// <summary>Adds time spent waiting on a client-side limit to <see cref="LimitWaitDuration"/>. Thread-safe.</summary>
    /// <param name="wait">The time waited; negative values are ignored.</param>
    public void AddLimitWait(TimeSpan wait)
    {
        if (wait > TimeSpan.Zero)
        {
            Interlocked.Add(ref _limitWaitTicks, wait.Ticks);
        }
    }

    /// <summary>Gets the redaction counts by entity type.</summary>
    public IReadOnlyDictionary<string, int> Redactions => (IReadOnlyDictionary<string, int>?)_redactions ?? s_noRedactions;

    /// <summary>Gets the action the redactor took per entity type.</summary>
    public IReadOnlyDictionary<string, PiiAction> RedactionActions =>
        (IReadOnlyDictionary<string, PiiAction>?)_redactionActions ?? s_noRedactionActions;

    /// <summary>
    /// Gets or sets a value indicating whether the request was classified confidential — by its flag, its tenant's policy, a detected
    /// entity type the policy names, or a <see cref="PiiAction.RouteLocal"/> finding — and restricted to local deployments.
    /// </summary>
    public bool Confidential { get; set; }

    /// <summary>
    /// Gets or sets the entity types that make this request confidential when detected (from its data policies). The data-policy layer
    /// sets them; the redactor, which detects, restricts the request to local deployments when one is found.
    /// </summary>
    public IReadOnlySet<string>? ConfidentialEntityTypes { get; set; }

    /// <summary>Gets extension state for custom layers.</summary>
    public ConcurrentDictionary<string, object?> Items =>
        _items ?? Interlocked.CompareExchange(ref _items, new ConcurrentDictionary<string, object?>(StringComparer.Ordinal), null) ?? _items;

    /// <summary>Gets a snapshot of the attempts made so far.</summary>
    public IReadOnlyList<RoutingAttempt> Attempts
    {
        get
        {
            lock (_attempts)
            {
                return _attempts.ToArray();
            }
        }
    }

    /// <summary>Adds <paramref name="count"/> redactions of <paramref name="entityType"/>.</summary>
    /// <param name="entityType">The entity type (e.g. <c>EMAIL_ADDRESS</c>).</param>
    /// <param name="count">How many values were redacted.</param>
    public void AddRedactions(string entityType, int count)
    {
        ArgumentNullException.ThrowIfNull(entityType);
        if (count > 0)
        {
            ConcurrentDictionary<string, int> redactions = _redactions
                ?? Interlocked.CompareExchange(ref _redactions, new ConcurrentDictionary<string, int>(StringComparer.Ordinal), null)
                ?? _redactions;
            redactions.AddOrUpdate(entityType, count, (_, c) => c + count);
        }
    }

    /// <summary>Records the action taken for <paramref name="entityType"/>.</summary>
    /// <param name="entityType">The entity type.</param>
    /// <param name="action">The action.</param>
    public void SetRedactionAction(string entityType, PiiAction action)
    {
        ArgumentNullException.ThrowIfNull(entityType);
        ConcurrentDictionary<string, PiiAction> actions = _redactionActions
            ?? Interlocked.CompareExchange(ref _redactionActions, new ConcurrentDictionary<string, PiiAction>(StringComparer.Ordinal), null)
            ?? _redactionActions;
        actions[entityType] = action;
    }

    /// <summary>Starts recording a new attempt against <paramref name="deployment"/>.</summary>
    /// <param name="deployment">The deployment called.</param>
    /// <returns>The attempt record, numbered from 1.</returns>
    public RoutingAttempt StartAttempt(Deployment deployment)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        lock (_attempts)
        {
            var attempt = new RoutingAttempt(_attempts.Count + 1, deployment);
            _attempts.Add(attempt);
            return attempt;
        }
    }

    /// <summary>Gets the elapsed time since the request started.</summary>
    /// <returns>The elapsed time.</returns>
    public TimeSpan GetElapsed() => TimeProvider.GetElapsedTime(StartTimestamp);

    /// <summary>Builds the routing report from the state recorded so far.</summary>
    /// <returns>The report.</returns>
    public RoutingReport BuildReport()
    {
        RoutingAttempt[] attempts;
        lock (_attempts)
        {
            attempts = _attempts.ToArray();
        }

        RoutingAttempt? winner = attempts.LastOrDefault(a => a.Outcome == AttemptOutcome.Succeeded)
            ?? attempts.LastOrDefault(a => a.OutputCommitted);
        TokenUsage usage = TokenUsage.Zero;
        decimal cost = 0m;
        foreach (RoutingAttempt a in attempts)
        {
            usage += a.Usage;
            cost += a.CostUsd;
        }

        return new RoutingReport
        {
            RequestId = RequestId,
            Policy = Policy,
            Streaming = Streaming,
            Deployment = winner?.Deployment,
            Provider = winner?.Provider,
            Model = winner?.ResponseModel ?? winner?.Model,
            Reason = Reason,
            Candidates = Candidates.Select(c => c.Name).ToArray(),
            RejectedCandidates = Rejections.ToArray(),
            Attempts = attempts,
            Usage = usage,
            CostUsd = cost,
            EstimatedCostUsd = EstimatedCostUsd,
            Redactions = _redactions is null ? s_noRedactions : new Dictionary<string, int>(_redactions, StringComparer.Ordinal),
            RedactionActions = _redactionActions is null ? s_noRedactionActions : new Dictionary<string, PiiAction>(_redactionActions, StringComparer.Ordinal),
            Confidential = Confidential,
            TimeToFirstToken = TimeToFirstToken,
            TotalLatency = GetElapsed(),
            Tenant = Tenant,
            Tags = Tags,
            BudgetKey = BudgetKey,
            Experiment = Experiment,
            ExperimentVariant = ExperimentVariant,
            PromptCategory = PromptCategory,
            RoutingDuration = RoutingDuration,
            RedactionDuration = RedactionDuration,
            LimitWaitDuration = LimitWaitDuration,
        };
    }

    /// <summary>Gets or sets the request span, so that attempt spans are its children whatever the async flow (set by the telemetry hook).</summary>
    internal System.Diagnostics.Activity? Activity { get; set; }

    /// <summary>Gets the request context carried by <paramref name="options"/>.</summary>
    /// <param name="options">The options, possibly <see langword="null"/>.</param>
    /// <param name="context">The context, when present.</param>
    /// <returns><see langword="true"/> if present.</returns>
    public static bool TryGet(ChatOptions? options, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out LlmRequestContext? context)
    {
        if (options?.AdditionalProperties?.TryGetValue(OptionsKey, out object? value) == true && value is LlmRequestContext c)
        {
            context = c;
            return true;
        }

        context = null;
        return false;
    }
}
