namespace LlmRouting;

/// <summary>What the cost router decided beyond the candidate order: hints, predictions, budgets, experiments, cascade steps and quality signals.</summary>
public sealed partial class LlmRequestContext
{
    private static readonly IReadOnlyDictionary<string, string> s_empty = new Dictionary<string, string>();
    private Dictionary<string, string>? _experimentVariants;
    private List<BudgetStatus>? _budgets;
    private List<CascadeStep>? _cascadeSteps;
    private string[]? _qualitySignals;

    /// <summary>Gets or sets the request's routing hints.</summary>
    public RoutingHints Hints { get; set; } = RoutingHints.None;

    /// <summary>Gets or sets the predicted latency of the first candidate.</summary>
    public TimeSpan? PredictedLatency { get; set; }

    /// <summary>Gets or sets the predicted time to first token of the first candidate.</summary>
    public TimeSpan? PredictedTimeToFirstToken { get; set; }

    /// <summary>Gets or sets the predicted quality (0 to 1) of the first candidate.</summary>
    public double? PredictedQuality { get; set; }

    /// <summary>Gets the experiment variants the request was assigned to, by experiment (for telemetry: tag <c>llm_routing.experiment.variant</c>).</summary>
    public IReadOnlyDictionary<string, string> ExperimentVariants => (IReadOnlyDictionary<string, string>?)_experimentVariants ?? s_empty;

    /// <summary>Gets the budgets that applied to the request.</summary>
    public IReadOnlyList<BudgetStatus> Budgets => (IReadOnlyList<BudgetStatus>?)_budgets ?? [];

    /// <summary>Gets or sets a value indicating whether a budget in downgrade mode removed candidates the policy preferred.</summary>
    public bool BudgetDowngraded { get; set; }

    /// <summary>Gets the cascade steps taken so far.</summary>
    public IReadOnlyList<CascadeStep> CascadeSteps => (IReadOnlyList<CascadeStep>?)_cascadeSteps ?? [];

    /// <summary>Gets or sets a value indicating whether streamed output was held back until it could be checked (cascades).</summary>
    public bool OutputBuffered { get; set; }

    /// <summary>Gets the automatic quality signals found in the answer (e.g. <c>empty_answer</c>, <c>json_schema_invalid</c>).</summary>
    public IReadOnlyList<string> QualitySignals => (IReadOnlyList<string>?)_qualitySignals ?? [];

    internal void SetExperimentVariant(string experiment, string variant) => (_experimentVariants ??= new(StringComparer.Ordinal))[experiment] = variant;

    internal void SetBudgets(List<BudgetStatus> budgets) => _budgets = budgets;

    internal void AddCascadeStep(CascadeStep step) => (_cascadeSteps ??= []).Add(step);

    internal void SetQualitySignals(string[] signals) => _qualitySignals = signals;

    /// <summary>Builds the report including the router's decisions.</summary>
    internal RoutingReport BuildRoutingReport()
    {
        RoutingReport report = BuildReport();
        report.Hints = Hints.Describe();
        report.PredictedLatency = PredictedLatency;
        report.PredictedTimeToFirstToken = PredictedTimeToFirstToken;
        report.PredictedQuality = PredictedQuality;
        report.ExperimentVariants = _experimentVariants is null ? s_empty : new Dictionary<string, string>(_experimentVariants, StringComparer.Ordinal);
        report.Budgets = _budgets is null ? [] : _budgets.ToArray();
        report.BudgetDowngraded = BudgetDowngraded;
        report.CascadeSteps = _cascadeSteps is null ? [] : _cascadeSteps.ToArray();
        report.OutputBuffered = OutputBuffered;
        report.QualitySignals = _qualitySignals ?? [];
        return report;
    }
}
