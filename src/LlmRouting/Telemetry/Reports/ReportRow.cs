namespace LlmRouting;

/// <summary>One group of a report: counts, error rate, cost, tokens, latency percentiles and quality.</summary>
/// <remarks>Requests or attempts, depending on the grouping (see <see cref="ReportDimension"/>).</remarks>
public sealed record ReportRow
{
    /// <summary>Gets the value of each grouping dimension, in the order asked; <c>(none)</c> where a request had no value.</summary>
    public required IReadOnlyList<string> Keys { get; init; }

    /// <summary>Gets the number of requests (or attempts) in the group.</summary>
    public int Count { get; init; }

    /// <summary>Gets how many succeeded.</summary>
    public int Succeeded { get; init; }

    /// <summary>Gets how many failed.</summary>
    public int Failed { get; init; }

    /// <summary>Gets how many were cancelled.</summary>
    public int Cancelled { get; init; }

    /// <summary>Gets <see cref="Failed"/> / (<see cref="Succeeded"/> + <see cref="Failed"/>); 0 when neither.</summary>
    public double ErrorRate { get; init; }

    /// <summary>Gets the cost in US dollars.</summary>
    public decimal CostUsd { get; init; }

    /// <summary>Gets the input tokens.</summary>
    public long InputTokens { get; init; }

    /// <summary>Gets the output tokens.</summary>
    public long OutputTokens { get; init; }

    /// <summary>Gets the latency percentiles: total request latency, or attempt duration for attempt groupings.</summary>
    public LatencyPercentiles? Latency { get; init; }

    /// <summary>Gets the time-to-first-token percentiles of streamed requests (or attempts), if any.</summary>
    public LatencyPercentiles? TimeToFirstToken { get; init; }

    /// <summary>Gets the mean quality score of the scored answers, if any.</summary>
    public double? QualityScore { get; init; }

    /// <summary>Gets the number of scored answers.</summary>
    public int QualitySamples { get; init; }
}
