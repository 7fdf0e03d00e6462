namespace LlmRouting;

/// <summary>Published quality and speed figures for a model, used as priors until live statistics exist.</summary>
public sealed class ModelPriors
{
    /// <summary>Gets or sets the Artificial Analysis intelligence index (higher is more capable).</summary>
    public double? IntelligenceIndex { get; set; }

    /// <summary>Gets or sets the Artificial Analysis coding index.</summary>
    public double? CodingIndex { get; set; }

    /// <summary>Gets or sets the median output speed in tokens per second.</summary>
    public double? OutputTokensPerSecond { get; set; }

    /// <summary>Gets or sets the median time to first token in seconds.</summary>
    public double? TimeToFirstTokenSeconds { get; set; }
}
