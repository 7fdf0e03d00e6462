namespace LlmRouting;

/// <summary>The cost router's decisions: hints, predictions, budgets, experiments, cascade steps and quality signals.</summary>
public sealed partial class RoutingReport
{
    /// <summary>Gets the routing hints the request carried (names to values; a user id shows only as <c>set</c>).</summary>
    public IReadOnlyDictionary<string, string> Hints { get; internal set; } = new Dictionary<string, string>();

    /// <summary>Gets the predicted latency of the candidate ranked first (time to first token + output tokens / speed).</summary>
    public TimeSpan? PredictedLatency { get; internal set; }

    /// <summary>Gets the predicted time to first token of the candidate ranked first.</summary>
    public TimeSpan? PredictedTimeToFirstToken { get; internal set; }

    /// <summary>Gets the predicted quality (0 to 1) of the candidate ranked first.</summary>
    public double? PredictedQuality { get; internal set; }

    /// <summary>Gets the experiment variants the request was assigned to, by experiment.</summary>
    public IReadOnlyDictionary<string, string> ExperimentVariants { get; internal set; } = new Dictionary<string, string>();

    /// <summary>Gets the budgets that applied: reserved amount before the call, what was left, and what was charged after it.</summary>
    public IReadOnlyList<BudgetStatus> Budgets { get; internal set; } = [];

    /// <summary>Gets a value indicating whether a budget in downgrade mode removed candidates the policy preferred.</summary>
    public bool BudgetDowngraded { get; internal set; }

    /// <summary>Gets the cascade steps, in order (empty when the request did not cascade). Every step's cost is in <see cref="CostUsd"/>.</summary>
    public IReadOnlyList<CascadeStep> CascadeSteps { get; internal set; } = [];

    /// <summary>Gets a value indicating whether streamed output was held back until it could be checked (a cascade step other than the last).</summary>
    public bool OutputBuffered { get; internal set; }

    /// <summary>Gets the automatic quality signals found in the answer: <c>empty_answer</c>, <c>length_limit</c>, <c>json_invalid</c>, <c>json_schema_invalid</c>, <c>invalid_tool_arguments</c>, <c>refusal</c>.</summary>
    public IReadOnlyList<string> QualitySignals { get; internal set; } = [];
}
