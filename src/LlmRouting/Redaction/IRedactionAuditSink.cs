namespace LlmRouting;

/// <summary>
/// Receives <see cref="RedactionAuditEvent"/>s: per request, the entity types found, their counts and actions, and each deployment the
/// request went to. Register one in DI (<c>services.AddSingleton&lt;IRedactionAuditSink, MySink&gt;()</c>) or set
/// <see cref="RedactingChatClient.AuditSink"/>.
/// </summary>
/// <remarks>
/// Called on the request's thread after the attempts are known (after the answer, the failure or the end of the stream) or when the
/// request is refused. Must be thread-safe and fast (queue the event if writing it is slow); an exception is logged and ignored.
/// </remarks>
public interface IRedactionAuditSink
{
    /// <summary>Records one event.</summary>
    /// <param name="auditEvent">The event.</param>
    void Write(RedactionAuditEvent auditEvent);
}
