using Microsoft.Extensions.Logging;

namespace LlmRouting;

/// <summary>The router's log messages (no prompt content, no user ids).</summary>
public sealed partial class CostRouterChatClient
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Request {RequestId} downgraded by budget '{Budget}' to deployment '{Deployment}'.")]
        public static partial void BudgetDowngrade(ILogger logger, string requestId, string budget, string deployment);

        [LoggerMessage(2, LogLevel.Information, "Request {RequestId} rejected: budget '{Budget}' exceeded ({Mode} mode).")]
        public static partial void BudgetExceeded(ILogger logger, string requestId, string budget, BudgetMode mode);

        [LoggerMessage(3, LogLevel.Warning, "Request {RequestId}: settling its budget reservation failed; the reservation stays until the store recovers.")]
        public static partial void BudgetSettleFailed(ILogger logger, Exception exception, string requestId);

        [LoggerMessage(4, LogLevel.Debug, "Request {RequestId}: cascade step {Step} on '{Deployment}' escalated ({Reason}).")]
        public static partial void CascadeEscalated(ILogger logger, string requestId, int step, string deployment, string reason);

        [LoggerMessage(6, LogLevel.Warning, "Request {RequestId}: the routing statistics store failed; routing uses catalog priors until it recovers.")]
        public static partial void StatisticsFailed(ILogger logger, Exception exception, string requestId);

        [LoggerMessage(5, LogLevel.Debug, "Request {RequestId}: the answer of '{Deployment}' has quality signals {Signals}.")]
        public static partial void QualitySignals(ILogger logger, string requestId, string deployment, string signals);
    }
}
