namespace LlmRouting;

/// <summary>
/// One structured record per request, delivered to every <see cref="IRequestLogSink"/>: when, for whom, which deployment,
/// every attempt, where the time went, tokens, cost and outcome.
/// </summary>
/// <remarks>
/// Contains no prompt or answer content, no API keys and no raw user identifier: <see cref="User"/> is a keyed pseudonym.
/// Immutable; use <c>with</c> to derive a changed copy (e.g. to attach a quality score from feedback).
/// </remarks>
public sealed record RequestLogRecord
{
    /// <summary>Gets the request id LlmRouting assigned (also in the routing report and on the request span).</summary>
    public required string RequestId { get; init; }

    /// <summary>Gets when the request started (UTC).</summary>
    public DateTimeOffset StartedAt { get; init; }

    /// <summary>Gets when the request ended (UTC).</summary>
    public DateTimeOffset CompletedAt { get; init; }

    /// <summary>Gets a value indicating whether the request was streamed.</summary>
    public bool Streaming { get; init; }

    /// <summary>Gets the tenant the request was attributed to, if any.</summary>
    public string? Tenant { get; init; }

    /// <summary>Gets a keyed pseudonym of the end user (<c>u_</c> + 16 hex digits), never the raw identifier; <see langword="null"/> when no user was given.</summary>
    public string? User { get; init; }

    /// <summary>Gets the request's tags.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Gets the budget the cost was charged to, if any.</summary>
    public string? BudgetKey { get; init; }

    /// <summary>Gets the experiment the request took part in, if any.</summary>
    public string? Experiment { get; init; }

    /// <summary>Gets the experiment variant, if any.</summary>
    public string? ExperimentVariant { get; init; }

    /// <summary>Gets the prompt category the router assigned, if any.</summary>
    public string? PromptCategory { get; init; }

    /// <summary>Gets the routing policy.</summary>
    public string Policy { get; init; } = "none";

    /// <summary>Gets the deployment that answered, if any.</summary>
    public string? Deployment { get; init; }

    /// <summary>Gets the provider that answered, if any.</summary>
    public string? Provider { get; init; }

    /// <summary>Gets the model that answered (provider-reported when given), if any.</summary>
    public string? Model { get; init; }

    /// <summary>Gets the number of eligible candidates.</summary>
    public int CandidateCount { get; init; }

    /// <summary>Gets the number of rejected candidates.</summary>
    public int RejectedCount { get; init; }

    /// <summary>Gets how the request ended.</summary>
    public RequestOutcome Outcome { get; init; }

    /// <summary>Gets the error classification of a failed request (e.g. <c>rate_limited</c>, <c>no_eligible_deployment</c>).</summary>
    public string? ErrorType { get; init; }

    /// <summary>Gets every attempt, in the order they started.</summary>
    public IReadOnlyList<RequestLogAttempt> Attempts { get; init; } = [];

    /// <summary>Gets where the time went.</summary>
    public RequestLatency Latency { get; init; } = new();

    /// <summary>Gets the token usage of all attempts together.</summary>
    public TokenUsage Usage { get; init; } = TokenUsage.Zero;

    /// <summary>Gets the cost of all attempts together in US dollars.</summary>
    public decimal CostUsd { get; init; }

    /// <summary>Gets the router's estimate of the cost before the call, in US dollars.</summary>
    public decimal EstimatedCostUsd { get; init; }

    /// <summary>Gets the redaction counts by entity type (never the values).</summary>
    public IReadOnlyDictionary<string, int> Redactions { get; init; } = new Dictionary<string, int>();

    /// <summary>Gets the answer's quality score in [0, 1], if a check or feedback produced one.</summary>
    public double? QualityScore { get; init; }
}
