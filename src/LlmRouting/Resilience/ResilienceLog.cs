using Microsoft.Extensions.Logging;

namespace LlmRouting;

/// <summary>Source-generated log messages of the resilience layer. They name deployments and error kinds only, never content.</summary>
internal static partial class ResilienceLog
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Circuit of deployment '{Deployment}' changed from {From} to {To}.")]
    public static partial void CircuitChanged(ILogger logger, string deployment, DeploymentCircuitState from, DeploymentCircuitState to);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Debug, Message = "Request {RequestId}: attempt {Attempt} on '{Deployment}' failed ({ErrorType}); next: {Next}.")]
    public static partial void AttemptFailed(ILogger logger, string requestId, int attempt, string deployment, string errorType, string next);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Debug, Message = "Request {RequestId}: no first output from '{Deployment}' after {DelayMs} ms; hedging on '{Hedge}'.")]
    public static partial void Hedging(ILogger logger, string requestId, string deployment, double delayMs, string hedge);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Information, Message = "Request {RequestId}: no candidate is available; waiting {WaitMs} ms for the earliest to recover.")]
    public static partial void WaitingForRecovery(ILogger logger, string requestId, double waitMs);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Warning, Message = "The shared rate-limit gate failed for deployment '{Deployment}' ({ErrorType}); the attempt is admitted on local limits.")]
    public static partial void SharedAdmissionFailed(ILogger logger, string deployment, string errorType);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Warning, Message = "Settling tokens with the shared rate-limit gate failed for deployment '{Deployment}' ({ErrorType}); the estimate stays counted.")]
    public static partial void SharedSettleFailed(ILogger logger, string deployment, string errorType);
}
