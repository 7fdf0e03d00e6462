namespace LlmRouting;

/// <summary>
/// What the gateway did for one request: the deployment it chose and why, the candidates it rejected,
/// every attempt, token usage, cost, redactions and timings. Reach it with
/// <see cref="RoutingReportExtensions.GetRoutingReport(Microsoft.Extensions.AI.ChatResponse)"/>.
/// </summary>
/// <remarks>Contains no prompt or answer content and no API keys.</remarks>
public sealed partial class RoutingReport
{
    /// <summary>Gets the request id LlmRouting assigned.</summary>
    public required string RequestId { get; init; }

    /// <summary>Gets the routing policy that ordered the candidates.</summary>
    public required string Policy { get; init; }

    /// <summary>Gets a value indicating whether the request was streamed.</summary>
    public bool Streaming { get; init; }

    /// <summary>Gets the deployment that produced the answer, or <see langword="null"/> if none did.</summary>
    public string? Deployment { get; init; }

    /// <summary>Gets the provider of <see cref="Deployment"/>.</summary>
    public string? Provider { get; init; }

    /// <summary>Gets the model of <see cref="Deployment"/>.</summary>
    public string? Model { get; init; }

    /// <summary>Gets a short reason for the choice (e.g. <c>cheapest eligible of 3</c>).</summary>
    public string? Reason { get; init; }

    /// <summary>Gets the eligible deployments in the order the policy ranked them.</summary>
    public IReadOnlyList<string> Candidates { get; init; } = [];

    /// <summary>Gets the deployments that were not eligible, each with its reason.</summary>
    public IReadOnlyList<CandidateRejection> RejectedCandidates { get; init; } = [];

    /// <summary>Gets every attempt, in the order they started.</summary>
    public IReadOnlyList<RoutingAttempt> Attempts { get; init; } = [];

    /// <summary>Gets the token usage of all attempts together.</summary>
    public TokenUsage Usage { get; init; } = TokenUsage.Zero;

    /// <summary>Gets the cost of all attempts together in US dollars.</summary>
    public decimal CostUsd { get; init; }

    /// <summary>Gets the estimated cost of the chosen deployment before the call, in US dollars.</summary>
    public decimal EstimatedCostUsd { get; init; }

    /// <summary>Gets the number of redacted values by entity type (e.g. <c>EMAIL_ADDRESS</c>).</summary>
    public IReadOnlyDictionary<string, int> Redactions { get; init; } = new Dictionary<string, int>();

    /// <summary>Gets the action taken per redacted entity type (e.g. <c>EMAIL_ADDRESS</c> → <see cref="PiiAction.Placeholder"/>).</summary>
    public IReadOnlyDictionary<string, PiiAction> RedactionActions { get; init; } = new Dictionary<string, PiiAction>();

    /// <summary>Gets a value indicating whether the request was classified confidential and restricted to local deployments.</summary>
    public bool Confidential { get; init; }

    /// <summary>Gets the time from the request's start to the first streamed update reaching the caller.</summary>
    public TimeSpan? TimeToFirstToken { get; init; }

    /// <summary>Gets the time from the request's start to its end.</summary>
    public TimeSpan TotalLatency { get; init; }

    /// <summary>Gets the tenant the request was attributed to, if any.</summary>
    public string? Tenant { get; init; }

    /// <summary>Gets the request's tags.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Gets the key of the budget the cost was charged to, if any.</summary>
    public string? BudgetKey { get; init; }

    /// <summary>Gets the experiment the request took part in, if any.</summary>
    public string? Experiment { get; init; }

    /// <summary>Gets the experiment variant the request was assigned to, if any.</summary>
    public string? ExperimentVariant { get; init; }

    /// <summary>Gets the prompt category the router assigned, if any.</summary>
    public string? PromptCategory { get; init; }

    /// <summary>Gets the time the router spent choosing candidates.</summary>
    public TimeSpan? RoutingDuration { get; init; }

    /// <summary>Gets the time the redactor spent on the request.</summary>
    public TimeSpan? RedactionDuration { get; init; }

    /// <summary>Gets the time spent waiting on client-side limits.</summary>
    public TimeSpan LimitWaitDuration { get; init; }

    /// <summary>Gets the number of failovers (attempts after the first).</summary>
    public int Failovers => Math.Max(0, Attempts.Count - 1);
}
