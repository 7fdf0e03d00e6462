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

    /// <summary>
    /// The detectors of a redactor built by <c>UseRedaction</c>: the built-in detectors configured by
    /// <see cref="RedactionOptions.Detectors"/>, then the registered <see cref="IPiiDetector"/>s; only the registered ones when
    /// <see cref="RedactionOptions.ReplaceBuiltInDetectors"/> is set.
    /// </summary>
    public static IReadOnlyList<IPiiDetector> Detectors(IServiceProvider services)
    {
        RedactionOptions? options = services.GetService<IOptions<LlmRoutingOptions>>()?.Value.Redaction;
        IPiiDetector[] registered = (services.GetService<IEnumerable<IPiiDetector>>() ?? []).ToArray();
        if (options is { ReplaceBuiltInDetectors: true })
        {
            return registered.Length > 0
                ? registered
                : throw new InvalidOperationException(
                    $"{LlmRoutingOptions.SectionName}:Redaction:ReplaceBuiltInDetectors is true, but no {nameof(IPiiDetector)} is registered in the service collection.");
        }

        return [BuiltIn(options?.Detectors), .. registered];
    }

    /// <summary>The built-in detectors for <paramref name="options"/>; the shared <see cref="PiiDetectors.Default"/> when they ask for the default set.</summary>
    internal static IPiiDetector BuiltIn(PiiDetectorOptions? options) =>
        options is null || (options.EntityTypes is null or { Count: 0 } && options.DisabledEntityTypes is null or { Count: 0 }
            && !options.IncludeNamesAndPlaces && options.PhoneRegions is null)
            ? PiiDetectors.Default
            : PiiDetectors.Create(options);

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
