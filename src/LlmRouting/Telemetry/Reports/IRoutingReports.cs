namespace LlmRouting;

/// <summary>
/// Reports over the request log: cost per model, tenant, tag or day; latency percentiles; error rates; quality per model and
/// prompt category; and per-deployment live statistics for routing.
/// </summary>
/// <example>
/// <code>
/// IRoutingReports reports = services.GetRequiredService&lt;IRoutingReports&gt;();
/// var costPerTenantAndDay = reports.Summarize([ReportDimension.Tenant, ReportDimension.Day]);
/// var qualityPerModelAndCategory = reports.Summarize([ReportDimension.Model, ReportDimension.PromptCategory]);
/// </code>
/// </example>
/// <remarks>Implementations are thread-safe.</remarks>
public interface IRoutingReports
{
    /// <summary>Groups the records by <paramref name="by"/> and summarises each group.</summary>
    /// <param name="by">The dimensions, outermost first (at least one).</param>
    /// <param name="query">Which records to include; all when <see langword="null"/>.</param>
    /// <returns>The rows, ordered by cost (highest first), then by keys.</returns>
    /// <exception cref="ArgumentException"><paramref name="by"/> is empty.</exception>
    IReadOnlyList<ReportRow> Summarize(IReadOnlyList<ReportDimension> by, ReportQuery? query = null);

    /// <summary>Gets the observed statistics of every deployment in the records.</summary>
    /// <param name="query">Which records to include (e.g. <c>From = now - 15 min</c> for a moving window); all when <see langword="null"/>.</param>
    /// <returns>One entry per deployment, ordered by name.</returns>
    IReadOnlyList<DeploymentUsageSummary> GetDeploymentStatistics(ReportQuery? query = null);

    /// <summary>Attaches a quality score (e.g. from user feedback or an evaluator) to the record of a request.</summary>
    /// <param name="requestId">The request id (<see cref="RoutingReport.RequestId"/>).</param>
    /// <param name="score">The score in [0, 1].</param>
    /// <returns><see langword="true"/> if the record is still held and was updated.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="score"/> is outside [0, 1].</exception>
    bool RecordQualityScore(string requestId, double score);
}
