namespace LlmRouting;

/// <summary>Request-log settings (<c>LlmRouting:Telemetry:RequestLog</c>).</summary>
/// <example>
/// <code language="json">
/// "Telemetry": {
///   "RequestLog": {
///     "Enabled": true, "QueueCapacity": 10000, "RingBufferCapacity": 10000, "WriteToLogger": true,
///     "JsonLines": { "Directory": "logs/llm", "MaxFileSizeBytes": 67108864, "RollingInterval": "Day", "RetainedFileCount": 31 }
///   }
/// }
/// </code>
/// </example>
public sealed class RequestLogOptions
{
    /// <summary>
    /// Gets or sets a value indicating whether the request log runs with the built-in sinks configured here. The log also
    /// runs when any <see cref="IRequestLogSink"/> is registered in DI. The default is <see langword="false"/>.
    /// </summary>
    public bool Enabled { get; set; }

    /// <summary>Gets or sets the number of records the queue holds before new ones are dropped. The default is 10,000.</summary>
    public int QueueCapacity { get; set; } = 10_000;

    /// <summary>Gets or sets how long disposal waits for queued records to be delivered. The default is 5 seconds.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Gets or sets the number of most recent records kept in memory for <see cref="IRoutingReports"/>
    /// (<see cref="RingBufferRequestLogSink"/>); 0 keeps none. The default is 10,000.
    /// </summary>
    public int RingBufferCapacity { get; set; } = 10_000;

    /// <summary>Gets or sets a value indicating whether each record is also written as one structured <c>ILogger</c> event. The default is <see langword="false"/>.</summary>
    public bool WriteToLogger { get; set; }

    /// <summary>Gets or sets the JSON Lines file sink's settings; the sink is on when <see cref="JsonLinesRequestLogSinkOptions.Directory"/> is set.</summary>
    public JsonLinesRequestLogSinkOptions JsonLines { get; set; } = new();
}
