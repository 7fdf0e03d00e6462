using System.Diagnostics;

namespace LlmRouting;

/// <summary>
/// The request-level half of the telemetry layer: the router calls <see cref="Start"/> for every request and completes the
/// returned <see cref="RequestTelemetryScope"/>, which emits the request span, the request metrics and the request-log record.
/// </summary>
/// <remarks>
/// The router finds the instance of its chain through <c>GetService(typeof(RequestTelemetry))</c>, which the
/// <see cref="RoutingTelemetryChatClient"/> answers; a chain without that layer uses <see cref="Default"/> (spans and
/// metrics, no request log). Thread-safe.
/// </remarks>
internal sealed class RequestTelemetry
{
    public static RequestTelemetry Default { get; } = new();

    public RequestLog? Log { get; set; }

    public UserPseudonymizer Pseudonymizer { get; set; } = UserPseudonymizer.PerProcess;

    /// <summary>Finds the request telemetry of a chain, or <see cref="Default"/>.</summary>
    public static RequestTelemetry For(Microsoft.Extensions.AI.IChatClient inner) =>
        inner.GetService(typeof(RequestTelemetry)) as RequestTelemetry ?? Default;

    /// <summary>Starts observing a request; <see langword="null"/> (no cost) when nothing listens and no request log is set.</summary>
    public RequestTelemetryScope? Start(bool streaming)
    {
        bool tracing = LlmRoutingDiagnostics.ActivitySource.HasListeners();
        RequestLog? log = Log;
        if (!tracing && log is null && !LlmRoutingDiagnostics.RequestMetricsEnabled)
        {
            return null;
        }

        Activity? activity = tracing ? LlmRoutingDiagnostics.ActivitySource.StartActivity("route", ActivityKind.Internal) : null;
        return new RequestTelemetryScope(this, activity, log, streaming);
    }
}
