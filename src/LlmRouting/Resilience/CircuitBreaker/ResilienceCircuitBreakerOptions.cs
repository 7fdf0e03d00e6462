namespace LlmRouting;

/// <summary>Circuit-breaker settings (<c>LlmRouting:Resilience:CircuitBreaker</c>), applied to each deployment separately.</summary>
/// <remarks>
/// The circuit opens when, over the last <see cref="SamplingDuration"/>, at least <see cref="MinimumThroughput"/> attempts
/// finished and the share of them that failed reached <see cref="FailureRatio"/>. While open, routing skips the deployment.
/// After <see cref="BreakDuration"/> one request is let through as a probe (half-open): its success closes the circuit, its failure
/// opens it again. Failures are deployment faults (server errors, overload, timeouts, network, unparsable replies, interrupted
/// streams, authentication/permission/quota errors); rate limits (handled by cool-downs), request errors (bad request, content
/// filter, context length) and cancellations count neither way.
/// </remarks>
public sealed class ResilienceCircuitBreakerOptions
{
    /// <summary>Gets or sets a value indicating whether circuit breakers are on. The default is <see langword="true"/>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Gets or sets the failure ratio (above 0, at most 1) that opens the circuit. The default is 0.5.</summary>
    public double FailureRatio { get; set; } = CircuitBreakerConstants.DefaultFailureRatio;

    /// <summary>Gets or sets the window over which the failure ratio is measured. The default is 30 s.</summary>
    public TimeSpan SamplingDuration { get; set; } = CircuitBreakerConstants.DefaultSamplingDuration;

    /// <summary>Gets or sets the least number of attempts in the window before the circuit may open. The default is 10.</summary>
    public int MinimumThroughput { get; set; } = CircuitBreakerConstants.DefaultMinimumThroughput;

    /// <summary>Gets or sets how long the circuit stays open before a probe is let through. The default is 15 s.</summary>
    public TimeSpan BreakDuration { get; set; } = CircuitBreakerConstants.DefaultBreakDuration;
}
