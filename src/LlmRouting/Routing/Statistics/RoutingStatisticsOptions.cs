namespace LlmRouting;

/// <summary>Live statistics settings (<c>LlmRouting:Routing:Statistics</c>).</summary>
public sealed class RoutingStatisticsOptions
{
    /// <summary>Gets or sets how fast old samples lose weight: a sample counts half after one half-life. The default is 5 minutes.</summary>
    public TimeSpan HalfLife { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Gets or sets how many samples the prior (catalog speed, a quality score of 1, an error rate of 0) is worth when blended with live samples.
    /// As live samples age, their weight decays and predictions return to the prior, so a deployment that was avoided gets traffic again.
    /// The default is 2.
    /// </summary>
    public double PriorWeight { get; set; } = 2;
}
