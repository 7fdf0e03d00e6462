namespace LlmRouting;

/// <summary>How a request ended, as recorded in the request log.</summary>
public enum RequestOutcome
{
    /// <summary>A deployment answered (for streams: the stream ran to its end).</summary>
    Succeeded = 0,

    /// <summary>The request failed; see <see cref="RequestLogRecord.ErrorType"/>.</summary>
    Failed,

    /// <summary>The caller cancelled the request or stopped reading the stream before its end.</summary>
    Cancelled,
}
