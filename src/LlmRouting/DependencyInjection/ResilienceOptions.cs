namespace LlmRouting;

/// <summary>Failover settings (<c>LlmRouting:Resilience</c>).</summary>
public sealed class ResilienceOptions
{
    /// <summary>Gets or sets the maximum number of deployments tried for one request. The default is 3.</summary>
    public int MaxAttempts { get; set; } = 3;
}
