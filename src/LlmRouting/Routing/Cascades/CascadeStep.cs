namespace LlmRouting;

/// <summary>One step of a cascade, as written to the routing report.</summary>
/// <param name="Step">The step number, from 1.</param>
/// <param name="Deployment">The deployment tried.</param>
/// <param name="Accepted">Whether the step's answer was returned to the caller.</param>
/// <param name="Escalation">Why the cascade moved on (e.g. <c>json_schema_invalid</c>, <c>empty_answer</c>, <c>low_confidence</c>, <c>predicate</c>, <c>error:rate_limited</c>); <see langword="null"/> when accepted.</param>
/// <param name="Buffered">Whether the step's streamed output was held back until it could be checked.</param>
/// <param name="CostUsd">The cost of the step's attempts in US dollars.</param>
public sealed record CascadeStep(int Step, string Deployment, bool Accepted, string? Escalation, bool Buffered, decimal CostUsd);
