namespace LlmRouting;

/// <summary>
/// Resilience settings for one request, attached with <see cref="ResilienceHints.WithResilience(Microsoft.Extensions.AI.ChatOptions, ResilienceRequestOptions)"/>.
/// Each property left <see langword="null"/> keeps the deployment's or the global setting; a zero timeout turns that timeout off.
/// </summary>
public sealed class ResilienceRequestOptions
{
    /// <summary>Gets or sets the deadline of the whole request.</summary>
    public TimeSpan? TotalRequestTimeout { get; set; }

    /// <summary>Gets or sets the timeout of each attempt (a stream: until its first update).</summary>
    public TimeSpan? AttemptTimeout { get; set; }

    /// <summary>Gets or sets how long a stream may take to produce its first update.</summary>
    public TimeSpan? TimeToFirstTokenTimeout { get; set; }

    /// <summary>Gets or sets how long a stream may go without an update.</summary>
    public TimeSpan? StreamIdleTimeout { get; set; }

    /// <summary>Gets or sets whether the request is hedged (it never is when it carries a non-idempotent tool).</summary>
    public bool? Hedging { get; set; }

    /// <summary>Gets or sets a fixed hedging delay for the request, instead of the configured or observed one.</summary>
    public TimeSpan? HedgingDelay { get; set; }

    /// <summary>Gets or sets the maximum number of attempts for the request.</summary>
    public int? MaxAttempts { get; set; }
}
