using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace LlmRouting;

/// <content>The answer to a redacted request: placeholders restored (whole, streamed, in tool calls), then the audit events.</content>
public sealed partial class RedactingChatClient
{
    private async Task<ChatResponse> GetRedactedResponseAsync(RequestRedaction request, CancellationToken cancellationToken)
    {
        try
        {
            ChatResponse response = await base.GetResponseAsync(request.Messages, request.Options, cancellationToken).ConfigureAwait(false);
            return CreateRestorer(request)?.RestoreResponse(response) ?? response;
        }
        finally
        {
            Audit(request, sent: true);
        }
    }

    private async IAsyncEnumerable<ChatResponseUpdate> StreamRedactedAsync(RequestRedaction request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        PlaceholderRestorer? restorer = CreateRestorer(request);
        try
        {
            if (restorer is null)
            {
                await foreach (ChatResponseUpdate update in base.GetStreamingResponseAsync(request.Messages, request.Options, cancellationToken).ConfigureAwait(false))
                {
                    yield return update;
                }

                yield break;
            }

            ChatResponseUpdate? last = null;
            await foreach (ChatResponseUpdate update in base.GetStreamingResponseAsync(request.Messages, request.Options, cancellationToken).ConfigureAwait(false))
            {
                // Text held back at the end of one message belongs to that message, not the next.
                if (restorer.HasPending && last?.MessageId is { } previous && update.MessageId is { } current && previous != current
                    && restorer.Flush(last) is { } carried)
                {
                    yield return carried;
                }

                last = update;
                yield return restorer.RestoreUpdate(update);
            }

            // At the end, a held-back tail that never became a placeholder is released as it is.
            // (When the stream fails instead, the tail is dropped with it: it was never confirmed as text.)
            if (restorer.Flush(last) is { } tail)
            {
                yield return tail;
            }
        }
        finally
        {
            Audit(request, sent: true);
        }
    }

    private PlaceholderRestorer? CreateRestorer(RequestRedaction request) =>
        _options.RestorePlaceholders && request.Session.Placeholders is { Count: > 0 } placeholders
            ? new PlaceholderRestorer(placeholders, request.Session.MaxPlaceholderLength, _serializerOptions)
            : null;

    /// <summary>Writes one audit event per deployment attempted (after the attempts are known), or one unsent event for a refused request.</summary>
    private void Audit(RequestRedaction request, bool sent)
    {
        if (AuditSink is not { } sink || !request.Session.HasFindings && request.Session.BlockedImages == 0)
        {
            return;
        }

        RedactionAuditEntry[] entries = request.Session.Found
            .Select(kv => new RedactionAuditEntry(kv.Key, kv.Value.Count, kv.Value.Action))
            .Concat(request.Session.BlockedImages > 0 ? [new RedactionAuditEntry(RedactionConstants.ImageEntityType, request.Session.BlockedImages, PiiAction.Block)] : [])
            .OrderBy(e => e.EntityType, StringComparer.Ordinal)
            .ToArray();
        LlmRequestContext? context = request.Context;
        DateTimeOffset now = _timeProvider.GetUtcNow();
        var template = new RedactionAuditEvent
        {
            RequestId = context?.RequestId,
            Tenant = context?.Tenant,
            Sent = sent,
            Entries = entries,
            Timestamp = now,
        };

        IReadOnlyList<RoutingAttempt> attempts = sent && context is not null ? context.Attempts : [];
        if (attempts.Count == 0)
        {
            // Refused, or no router: the deployment is unknown. With a router and no attempt, nothing was sent.
            Deliver(sink, context is null ? template : template with { Sent = false });
            return;
        }

        foreach (RoutingAttempt attempt in attempts)
        {
            Deliver(sink, template with
            {
                Deployment = attempt.Deployment,
                Provider = attempt.Provider,
                Model = attempt.Model,
                Attempt = attempt.Number,
            });
        }
    }

    private void Deliver(IRedactionAuditSink sink, RedactionAuditEvent auditEvent)
    {
        try
        {
            sink.Write(auditEvent);
        }
        catch (Exception ex)
        {
            // An audit sink must not break the request; its failure is logged without its message, which might quote the event.
            string sinkType = sink.GetType().Name, errorType = ex.GetType().Name;
            Log.AuditSinkFailed(_logger, sinkType, errorType);
        }
    }

    private void LogFindings(RequestRedaction request)
    {
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            string findings = Describe(request.Session);
            Log.Redacted(_logger, request.Context?.RequestId, findings);
        }
    }

    private static string Describe(RedactionSession session)
    {
        var sb = new StringBuilder();
        foreach (KeyValuePair<string, (int Count, PiiAction Action)> kv in session.Found.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (sb.Length > 0)
            {
                sb.Append(", ");
            }

            sb.Append(kv.Key).Append(" x").Append(kv.Value.Count).Append(' ').Append(kv.Value.Action);
        }

        return sb.ToString();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Redacted request {RequestId}: {Findings}.")]
        public static partial void Redacted(ILogger logger, string? requestId, string findings);

        [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Blocked request {RequestId} by the redaction policy: {Blocked}.")]
        public static partial void RequestBlocked(ILogger logger, string? requestId, string blocked);

        [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Request {RequestId} restricted to local deployments ({Reason}); {Remaining} candidate(s) remain.")]
        public static partial void RestrictedToLocal(ILogger logger, string requestId, string reason, int remaining);

        [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "The redaction audit sink {Sink} failed with {ErrorType}; the event was not recorded.")]
        public static partial void AuditSinkFailed(ILogger logger, string sink, string errorType);
    }
}
