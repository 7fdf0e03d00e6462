namespace LlmRouting;

/// <summary>
/// Explicit quality feedback: score an answer from 0 (bad) to 1 (good) after the fact — from a user's thumbs up/down, a grader,
/// or a downstream check. The score feeds the deployment's live quality statistics (and the experiment variant that served it),
/// so routing moves away from deployments whose answers score badly.
/// </summary>
/// <remarks>Get it from DI (<c>AddLlmRouting</c> registers it) or from <see cref="CostRouterChatClient.Feedback"/>. Thread-safe.</remarks>
public interface IRoutingFeedback
{
    /// <summary>Scores the answer to a request by its <see cref="RoutingReport.RequestId"/>.</summary>
    /// <param name="requestId">The request id.</param>
    /// <param name="score">The score, 0 (bad) to 1 (good).</param>
    /// <returns><see langword="true"/> if the request is known (recent requests are remembered; the oldest are forgotten first).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="score"/> is outside 0 to 1.</exception>
    bool Score(string requestId, double score);

    /// <summary>Scores the answer a routing report describes.</summary>
    /// <param name="report">The report of the response.</param>
    /// <param name="score">The score, 0 (bad) to 1 (good).</param>
    /// <returns><see langword="true"/> if the report names a deployment that answered.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="score"/> is outside 0 to 1.</exception>
    bool Score(RoutingReport report, double score);
}
