namespace LlmRouting;

/// <summary>Telemetry settings (<c>LlmRouting:Telemetry</c>).</summary>
public sealed class TelemetryOptions
{
    /// <summary>
    /// Gets or sets a value indicating whether attempt spans record message content (<c>gen_ai.input.messages</c>,
    /// <c>gen_ai.output.messages</c>, <c>gen_ai.system_instructions</c>). <see langword="null"/> (the default) follows the
    /// <c>OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT</c> environment variable, which is off unless set to <c>true</c>.
    /// </summary>
    /// <remarks>
    /// Content is recorded only after redaction: the telemetry layer sits below the redactor and additionally masks what
    /// the PII detectors find in the captured text (answers included) before it is put on a span.
    /// </remarks>
    public bool? CaptureMessageContent { get; set; }

    /// <summary>
    /// Gets or sets the key of the pseudonyms that stand for user identifiers in spans and the request log
    /// (HMAC-SHA256, truncated). Set it (from a secret store) to get pseudonyms that are stable across restarts and
    /// instances; when <see langword="null"/>, a random key per process is used.
    /// </summary>
    public string? UserPseudonymKey { get; set; }

    /// <summary>Gets or sets the request-log settings.</summary>
    public RequestLogOptions RequestLog { get; set; } = new();
}
