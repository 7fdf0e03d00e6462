namespace LlmRouting;

/// <summary>
/// Receives one <see cref="RequestLogRecord"/> per request from the <see cref="RequestLog"/>'s background queue.
/// </summary>
/// <remarks>
/// Calls come from one background task, never concurrently and never on a request's path: a slow sink delays only the
/// queue (records beyond its capacity are dropped and counted), and an exception is counted and logged, never
/// surfaced to a request. Register implementations in DI (<c>services.AddSingleton&lt;IRequestLogSink, MySink&gt;()</c>)
/// or pass them to <see cref="RequestLog"/>.
/// </remarks>
public interface IRequestLogSink
{
    /// <summary>Writes one record.</summary>
    /// <param name="record">The record.</param>
    /// <param name="cancellationToken">Signalled when the log shuts down.</param>
    /// <returns>A task that completes when the record is written (or buffered by the sink).</returns>
    ValueTask WriteAsync(RequestLogRecord record, CancellationToken cancellationToken);

    /// <summary>Flushes buffered records; called whenever the queue runs empty and at shutdown.</summary>
    /// <param name="cancellationToken">Signalled when the log shuts down.</param>
    /// <returns>A task that completes when buffered records are durable.</returns>
    ValueTask FlushAsync(CancellationToken cancellationToken);
}
