namespace LlmRouting;

/// <summary>A time-decayed moving average of one <see cref="DeploymentMetric"/>.</summary>
/// <param name="Mean">The exponentially weighted mean of the samples (recent samples weigh more).</param>
/// <param name="Weight">The effective number of samples now: each sample counts 1 when recorded and half as much after every half-life.</param>
/// <param name="Count">The total number of samples ever recorded.</param>
public readonly record struct StatisticEstimate(double Mean, double Weight, long Count);
