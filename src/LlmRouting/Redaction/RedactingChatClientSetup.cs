using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LlmRouting;

/// <summary>Applies the registered settings, audit sinks, logger and clock to a redactor built by <c>UseRedaction</c>.</summary>
internal static class RedactingChatClientSetup
{
    public static void Apply(RedactingChatClient redactor, IServiceProvider services)
    {
        if (services.GetService<IOptions<LlmRoutingOptions>>()?.Value is { } options)
        {
            redactor.Options = options.Redaction;
        }

        IRedactionAuditSink[] sinks = (services.GetService<IEnumerable<IRedactionAuditSink>>() ?? []).ToArray();
        redactor.AuditSink = sinks.Length switch
        {
            0 => null,
            1 => sinks[0],
            _ => new CompositeAuditSink(sinks),
        };

        if (services.GetService<ILoggerFactory>() is { } loggers)
        {
            redactor.Logger = loggers.CreateLogger<RedactingChatClient>();
        }

        if (services.GetService<TimeProvider>() is { } time)
        {
            redactor.TimeProvider = time;
        }
    }

    /// <summary>Delivers each event to every registered sink; one failing sink does not keep the event from the others.</summary>
    private sealed class CompositeAuditSink(IRedactionAuditSink[] sinks) : IRedactionAuditSink
    {
        public void Write(RedactionAuditEvent auditEvent)
        {
            List<Exception>? failures = null;
            foreach (IRedactionAuditSink sink in sinks)
            {
                try
                {
                    sink.Write(auditEvent);
                }
                catch (Exception ex)
                {
                    (failures ??= []).Add(ex);
                }
            }

            if (failures is not null)
            {
                throw new AggregateException(failures);
            }
        }
    }
}
