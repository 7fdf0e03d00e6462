namespace LlmRouting;

/// <summary>Settings of the <see cref="JsonLinesRequestLogSink"/> (<c>LlmRouting:Telemetry:RequestLog:JsonLines</c>).</summary>
public sealed class JsonLinesRequestLogSinkOptions
{
    /// <summary>Gets or sets the directory the files are written to (created if missing). <see langword="null"/> switches the sink off.</summary>
    public string? Directory { get; set; }

    /// <summary>Gets or sets the file-name prefix. The default is <c>requests</c>; files are named <c>{prefix}-{period}-{sequence}.jsonl</c>.</summary>
    public string FileNamePrefix { get; set; } = "requests";

    /// <summary>Gets or sets the size at which a new file is started. The default is 64 MiB.</summary>
    public long MaxFileSizeBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Gets or sets the period after which a new file is started. The default is <see cref="RequestLogRollingInterval.Day"/>.</summary>
    public RequestLogRollingInterval RollingInterval { get; set; } = RequestLogRollingInterval.Day;

    /// <summary>Gets or sets the number of files kept (oldest deleted first); 0 keeps all. The default is 31.</summary>
    public int RetainedFileCount { get; set; } = 31;
}

/// <summary>How often the <see cref="JsonLinesRequestLogSink"/> starts a new file, besides size.</summary>
public enum RequestLogRollingInterval
{
    /// <summary>Only size starts a new file.</summary>
    None = 0,

    /// <summary>A new file every UTC hour.</summary>
    Hour,

    /// <summary>A new file every UTC day.</summary>
    Day,
}
