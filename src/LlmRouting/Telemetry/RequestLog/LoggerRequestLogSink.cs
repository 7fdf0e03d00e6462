using Microsoft.Extensions.Logging;

namespace LlmRouting;

/// <summary>
/// Writes each request-log record as one structured <see cref="ILogger"/> event (source-generated <c>[LoggerMessage]</c>):
/// event 7001 (Information) for a success, 7002 (Warning) for a failure, 7003 (Information) for a cancellation, and, at
/// Debug, event 7004 for every attempt.
/// </summary>
/// <remarks>The category is <c>LlmRouting.RequestLog</c>. Records carry no content, keys or raw user ids. Thread-safe.</remarks>
public sealed partial class LoggerRequestLogSink : IRequestLogSink
{
    /// <summary>The logger category, <c>LlmRouting.RequestLog</c>.</summary>
    public const string CategoryName = "LlmRouting.RequestLog";

    private readonly ILogger _logger;

    /// <summary>Initializes a new instance of the <see cref="LoggerRequestLogSink"/> class.</summary>
    /// <param name="loggerFactory">Creates the <c>LlmRouting.RequestLog</c> logger.</param>
    /// <exception cref="ArgumentNullException"><paramref name="loggerFactory"/> is <see langword="null"/>.</exception>
    public LoggerRequestLogSink(ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _logger = loggerFactory.CreateLogger(CategoryName);
    }

    /// <inheritdoc/>
    public ValueTask WriteAsync(RequestLogRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        double totalMs = Math.Round(record.Latency.Total.TotalMilliseconds, 3);
        string tags = string.Join(',', record.Tags);
        switch (record.Outcome)
        {
            case RequestOutcome.Succeeded:
                RequestSucceeded(
                    _logger, record.RequestId, record.Deployment, record.Provider, record.Model, totalMs, record.Attempts.Count,
                    record.Usage.InputTokens, record.Usage.OutputTokens, record.CostUsd, record.Tenant, record.User, tags, record.Streaming);
                break;
            case RequestOutcome.Failed:
                RequestFailed(
                    _logger, record.RequestId, record.ErrorType, totalMs, record.Attempts.Count, record.CostUsd, record.Tenant, record.User, tags, record.Streaming);
                break;
            default:
                RequestCancelled(_logger, record.RequestId, totalMs, record.Attempts.Count, record.CostUsd, record.Tenant, record.User, tags);
                break;
        }

        if (_logger.IsEnabled(LogLevel.Debug))
        {
            foreach (RequestLogAttempt a in record.Attempts)
            {
                double durationMs = Math.Round(a.Duration.TotalMilliseconds, 3);
                AttemptLogged(
                    _logger, record.RequestId, a.Number, a.Deployment, a.Outcome, a.ErrorType, a.StatusCode,
                    durationMs, a.CostUsd, a.Hedged, a.FailoverReason);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask FlushAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    [LoggerMessage(EventId = 7001, EventName = "LlmRequestSucceeded", Level = LogLevel.Information,
        Message = "LLM request {RequestId} served by {Deployment} ({Provider}/{Model}) in {TotalMs} ms after {Attempts} attempt(s): {InputTokens} input + {OutputTokens} output tokens, {CostUsd} USD; tenant {Tenant}, user {User}, tags {Tags}, streaming {Streaming}")]
    private static partial void RequestSucceeded(
        ILogger logger, string requestId, string? deployment, string? provider, string? model, double totalMs, int attempts,
        long inputTokens, long outputTokens, decimal costUsd, string? tenant, string? user, string tags, bool streaming);

    [LoggerMessage(EventId = 7002, EventName = "LlmRequestFailed", Level = LogLevel.Warning,
        Message = "LLM request {RequestId} failed ({ErrorType}) in {TotalMs} ms after {Attempts} attempt(s), {CostUsd} USD; tenant {Tenant}, user {User}, tags {Tags}, streaming {Streaming}")]
    private static partial void RequestFailed(
        ILogger logger, string requestId, string? errorType, double totalMs, int attempts, decimal costUsd, string? tenant, string? user, string tags, bool streaming);

    [LoggerMessage(EventId = 7003, EventName = "LlmRequestCancelled", Level = LogLevel.Information,
        Message = "LLM request {RequestId} cancelled after {TotalMs} ms and {Attempts} attempt(s), {CostUsd} USD; tenant {Tenant}, user {User}, tags {Tags}")]
    private static partial void RequestCancelled(ILogger logger, string requestId, double totalMs, int attempts, decimal costUsd, string? tenant, string? user, string tags);

    [LoggerMessage(EventId = 7004, EventName = "LlmRequestAttempt", Level = LogLevel.Debug,
        Message = "LLM request {RequestId} attempt {Attempt} on {Deployment}: {Outcome} {ErrorType} {StatusCode} in {DurationMs} ms, {CostUsd} USD, hedged {Hedged}, {FailoverReason}")]
    private static partial void AttemptLogged(
        ILogger logger, string requestId, int attempt, string deployment, AttemptOutcome outcome, string? errorType, int? statusCode,
        double durationMs, decimal costUsd, bool hedged, string? failoverReason);
}
