namespace LlmRouting;

/// <summary>Hedging (latency arbitration) settings (<c>LlmRouting:Resilience:Hedging</c>).</summary>
/// <remarks>
/// When on, and the running attempt has produced nothing after the hedging delay (the deployment's observed 90th percentile
/// time to first token when <see cref="UseObservedLatency"/> and enough samples exist, else <see cref="Delay"/>), the next available
/// candidate is started alongside it. The first attempt to produce — its first streamed update, or its whole response — wins;
/// the others are cancelled, and the tokens they used still count in the report's cost. Requests that carry a tool marked
/// non-idempotent (<see cref="ResilienceHints.NonIdempotentToolKey"/>) are never hedged. Turn hedging on per deployment (the
/// first candidate's setting applies) or per request with <see cref="ResilienceRequestOptions.Hedging"/>.
/// </remarks>
public sealed class ResilienceHedgingOptions
{
    /// <summary>Gets or sets a value indicating whether requests are hedged. The default is <see langword="false"/>.</summary>
    public bool Enabled { get; set; }

    /// <summary>Gets or sets the fixed hedging delay, also used while a deployment has too few latency samples. The default is 2 s.</summary>
    public TimeSpan Delay { get; set; } = HedgingConstants.DefaultDelay;

    /// <summary>Gets or sets a value indicating whether the delay is the running deployment's observed 90th percentile time to first token (streams) or response time. The default is <see langword="true"/>.</summary>
    public bool UseObservedLatency { get; set; } = true;

    /// <summary>Gets or sets the maximum number of hedged attempts per request (on top of the first). The default is 1.</summary>
    public int MaxHedgedAttempts { get; set; } = HedgingConstants.DefaultMaxHedgedAttempts;
}
