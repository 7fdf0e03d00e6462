namespace LlmRouting;

/// <summary>Weights of the <c>balanced</c> policy (<c>LlmRouting:Routing:Balanced</c>). Each is at least 0; at least one is positive.</summary>
public sealed class BalancedRoutingPolicyOptions
{
    /// <summary>Gets or sets the weight of estimated cost. The default is 1.</summary>
    public double CostWeight { get; set; } = 1;

    /// <summary>Gets or sets the weight of expected latency. The default is 1.</summary>
    public double LatencyWeight { get; set; } = 1;

    /// <summary>Gets or sets the weight of predicted quality. The default is 1.</summary>
    public double QualityWeight { get; set; } = 1;
}
