namespace LlmRouting;

/// <summary>
/// Cascade settings (<c>LlmRouting:Routing:Cascade</c>): try a cheap deployment first and escalate to a stronger one when a check of
/// the answer fails. The cost of every step counts in the report and in budgets.
/// </summary>
/// <remarks>
/// A streamed request cannot be checked before it ends, so every step but the last is buffered and reaches the caller only when it
/// passes its checks (<see cref="RoutingReport.OutputBuffered"/> says so); the last step streams as usual.
/// </remarks>
public sealed class CascadeOptions
{
    /// <summary>Gets or sets a value indicating whether requests cascade (a request can override it with <see cref="LlmRoutingHints.WithCascade"/>). The default is <see langword="false"/>.</summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// Gets or sets the deployments to try, cheapest first (names); steps the request cannot use are skipped. When empty, the cascade has
    /// two steps: the cheapest eligible candidate, then the one with the highest predicted quality.
    /// </summary>
    public IList<string> Steps { get; set; } = [];

    /// <summary>Gets or sets the checks an answer must pass to end the cascade. The default is JSON schema, empty answer and confidence.</summary>
    public CascadeChecks Checks { get; set; } = CascadeChecks.JsonSchema | CascadeChecks.EmptyAnswer | CascadeChecks.Confidence;

    /// <summary>
    /// Gets or sets the lowest self-reported confidence (0 to 1) accepted by <see cref="CascadeChecks.Confidence"/>. An answer reports it
    /// as a last line <c>Confidence: 0.8</c> (or <c>80%</c>), or as a top-level JSON property <c>confidence</c>; an answer that reports
    /// none passes. The default is 0.5.
    /// </summary>
    public double MinConfidence { get; set; } = 0.5;
}

/// <summary>The checks a cascade step's answer must pass.</summary>
[Flags]
public enum CascadeChecks
{
    /// <summary>No check (only errors and the predicate escalate).</summary>
    None = 0,

    /// <summary>A request with a JSON response format needs an answer that parses and matches the schema.</summary>
    JsonSchema = 1 << 0,

    /// <summary>The answer must have text or tool calls and must not be a refusal.</summary>
    EmptyAnswer = 1 << 1,

    /// <summary>A self-reported confidence, if present, must reach <see cref="CascadeOptions.MinConfidence"/>.</summary>
    Confidence = 1 << 2,

    /// <summary>The answer must not be cut by the output length limit.</summary>
    LengthLimit = 1 << 3,
}
