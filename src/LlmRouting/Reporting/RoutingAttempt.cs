namespace LlmRouting;

/// <summary>One call to one deployment made while serving a request.</summary>
/// <remarks>Written by the resilience and telemetry layers while the attempt runs; read it after the request completes.</remarks>
public sealed class RoutingAttempt
{
    internal RoutingAttempt(int number, Deployment deployment)
    {
        Number = number;
        Deployment = deployment.Name;
        Provider = deployment.Provider;
        Model = deployment.Model;
    }

    /// <summary>Gets the attempt number, starting at 1.</summary>
    public int Number { get; }

    /// <summary>Gets the deployment name.</summary>
    public string Deployment { get; }

    /// <summary>Gets the provider.</summary>
    public string Provider { get; }

    /// <summary>Gets the model requested.</summary>
    public string Model { get; }

    /// <summary>Gets the model the provider says answered, if reported.</summary>
    public string? ResponseModel { get; internal set; }

    /// <summary>Gets how the attempt ended.</summary>
    public AttemptOutcome Outcome { get; internal set; }

    /// <summary>Gets the error classification when <see cref="Outcome"/> is <see cref="AttemptOutcome.Failed"/>.</summary>
    public LlmErrorKind? ErrorKind { get; internal set; }

    /// <summary>Gets the .NET type name of the failure, if any (never its message, which may quote the prompt).</summary>
    public string? ErrorType { get; internal set; }

    /// <summary>Gets the HTTP status code of a failed attempt, if any.</summary>
    public int? StatusCode { get; internal set; }

    /// <summary>Gets how long the attempt ran.</summary>
    public TimeSpan Duration { get; internal set; }

    /// <summary>Gets the time to the first streamed update, for streaming attempts that produced one.</summary>
    public TimeSpan? TimeToFirstToken { get; internal set; }

    /// <summary>Gets the token usage reported for this attempt.</summary>
    public TokenUsage Usage { get; internal set; } = TokenUsage.Zero;

    /// <summary>Gets the cost of this attempt in US dollars, from its usage and the deployment's prices.</summary>
    public decimal CostUsd { get; internal set; }

    /// <summary>Gets a value indicating whether any streamed update of this attempt reached the caller.</summary>
    public bool OutputCommitted { get; internal set; }

    /// <summary>Gets a value indicating whether this attempt was started as a hedge while another was still running.</summary>
    public bool Hedged { get; internal set; }

    /// <summary>Gets the circuit-breaker state of the deployment when the attempt started (e.g. <c>closed</c>, <c>half_open</c>), if the resilience layer tracks one.</summary>
    public string? CircuitState { get; internal set; }

    /// <summary>Gets when the attempt started, relative to the start of the request.</summary>
    public TimeSpan StartOffset { get; internal set; }

    /// <summary>Gets the finish reason the provider reported (e.g. <c>stop</c>, <c>length</c>, <c>tool_calls</c>), if any.</summary>
    public string? FinishReason { get; internal set; }

    /// <summary>Gets why the next attempt was made after this one, if it was (e.g. <c>failover:rate_limited</c>, <c>retry:server_error</c>, <c>hedge:slow_first_token</c>).</summary>
    public string? FailoverReason { get; internal set; }

    /// <summary>
    /// Gets a value indicating whether <see cref="Usage"/> and <see cref="CostUsd"/> are estimates: an attempt cancelled because another
    /// won a hedge reports no usage, so its prompt (the router's estimate) and the output it had streamed are counted instead.
    /// </summary>
    public bool UsageEstimated { get; internal set; }
}
