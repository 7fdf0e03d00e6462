namespace LlmRouting;

/// <summary>Router settings (<c>LlmRouting:Routing</c>).</summary>
public sealed class RoutingOptions
{
    /// <summary>Gets or sets the name of the routing policy (e.g. <c>cheapest</c>, <c>priority</c>, <c>auto</c>). The default is <c>cheapest</c>.</summary>
    public string Policy { get; set; } = CheapestRoutingPolicy.PolicyName;

    /// <summary>Gets or sets the output-token estimate used when a request sets no maximum. The default is 256.</summary>
    public int DefaultEstimatedOutputTokens { get; set; } = 256;

    /// <summary>Gets or sets the settings of the <c>auto</c> policy (<see cref="ComplexityRoutingPolicy"/>): operating point and calibrated model profiles.</summary>
    public ComplexityRoutingOptions Complexity { get; set; } = new();
}
