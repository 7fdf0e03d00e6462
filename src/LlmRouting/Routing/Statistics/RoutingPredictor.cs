namespace LlmRouting;

/// <summary>Blends live statistics with catalog priors into the predictions of a <see cref="RoutingCandidate"/>.</summary>
internal static class RoutingPredictor
{
    public static RoutingCandidate Predict(
        Deployment deployment, decimal estimatedCost, long estimatedOutputTokens, DeploymentStatistics? stats, double priorWeight, IDictionary<string, double>? qualityPriors)
    {
        ModelPriors? priors = deployment.ModelInfo.Priors;
        double? ttft = Blend(stats?.TimeToFirstToken, Positive(priors?.TimeToFirstTokenSeconds), priorWeight);
        double? tps = Blend(stats?.OutputTokensPerSecond, Positive(priors?.OutputTokensPerSecond), priorWeight);
        double? latency = null;
        if (ttft is double t && tps is double s && s > 0)
        {
            latency = t + (estimatedOutputTokens / s);
        }
        else if (stats?.Latency is { } observed)
        {
            latency = observed.Mean;
        }

        double? prior = QualityPriors.For(deployment, qualityPriors);
        double? observedQuality = stats?.Quality is { } q ? Blend(q, 1.0, priorWeight) : null;
        double? quality = (prior, observedQuality) switch
        {
            (double p, double o) => p * o,
            (double p, null) => p,
            (null, double o) => o,
            _ => null,
        };

        return new RoutingCandidate(deployment, estimatedCost)
        {
            PredictedTimeToFirstToken = ttft is double tt ? TimeSpan.FromSeconds(tt) : null,
            PredictedOutputTokensPerSecond = tps,
            PredictedLatency = latency is double l ? TimeSpan.FromSeconds(l) : null,
            PredictedQuality = quality is double qq ? Math.Clamp(qq, 0, 1) : null,
            PredictedErrorRate = stats?.ErrorRate is { } e ? Math.Clamp(Blend(e, 0.0, priorWeight), 0, 1) : 0,
            Statistics = stats,
        };
    }

    /// <summary>The prior counts <paramref name="priorWeight"/> samples; live samples count their decayed weight.</summary>
    public static double? Blend(StatisticEstimate? live, double? prior, double priorWeight)
    {
        if (live is not { } e || !(e.Weight > 0))
        {
            return live is { } stale && prior is null ? stale.Mean : prior;
        }

        return prior is double p ? ((e.Mean * e.Weight) + (p * priorWeight)) / (e.Weight + priorWeight) : e.Mean;
    }

    private static double Blend(StatisticEstimate live, double prior, double priorWeight) => Blend((StatisticEstimate?)live, prior, priorWeight)!.Value;

    private static double? Positive(double? value) => value is double v && v > 0 && double.IsFinite(v) ? v : null;
}
