using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace LlmRouting;

/// <summary>The resilience layer's instruments, on the shared <c>LlmRouting</c> meter (<see cref="LlmRoutingDiagnostics.SourceName"/>).</summary>
/// <remarks>
/// <list type="table">
/// <item><term><c>llm_routing.circuit.state</c></term><description>gauge per deployment: 0 closed, 1 half-open, 2 open.</description></item>
/// <item><term><c>llm_routing.circuit.transitions</c></term><description>circuit state changes, by deployment and new state.</description></item>
/// <item><term><c>llm_routing.resilience.retries</c></term><description>attempts that retried the same deployment, by deployment and error type.</description></item>
/// <item><term><c>llm_routing.resilience.failovers</c></term><description>attempts that moved to another deployment, by the deployment left and error type.</description></item>
/// <item><term><c>llm_routing.resilience.hedges</c></term><description>hedged attempts started, by deployment.</description></item>
/// <item><term><c>llm_routing.rate_limit.local_rejections</c></term><description>candidates skipped because a client-side limit was saturated, by deployment and limit.</description></item>
/// <item><term><c>llm_routing.resilience.recovery_wait</c></term><description>time requests waited for a candidate to recover (backoff, Retry-After, open circuits).</description></item>
/// </list>
/// </remarks>
internal static class ResilienceDiagnostics
{
    public const string CircuitStateTag = "llm_routing.circuit.state";
    public const string LimitTag = "llm_routing.rate_limit.reason";

    private static readonly ConditionalWeakTable<DeploymentCircuitBreaker, object?> s_breakers = new();

    public static readonly Counter<long> CircuitTransitions = LlmRoutingDiagnostics.Meter.CreateCounter<long>(
        "llm_routing.circuit.transitions", "{transition}", "Circuit breaker state changes per deployment.");

    public static readonly Counter<long> LocalRejections = LlmRoutingDiagnostics.Meter.CreateCounter<long>(
        "llm_routing.rate_limit.local_rejections", "{candidate}", "Candidates skipped because a client-side limit or a provider Retry-After was in force.");

    public static readonly Histogram<double> RecoveryWait = LlmRoutingDiagnostics.Meter.CreateHistogram<double>(
        "llm_routing.resilience.recovery_wait", "s", "Time a request waited for a candidate to become available (backoff, Retry-After, open circuit).");

    public static readonly ObservableGauge<int> CircuitState = LlmRoutingDiagnostics.Meter.CreateObservableGauge(
        "llm_routing.circuit.state", ObserveCircuits, "{state}", "Circuit state per deployment: 0 closed, 1 half-open, 2 open.");

    /// <summary>Makes a breaker visible to the state gauge for as long as it lives.</summary>
    public static void Track(DeploymentCircuitBreaker breaker) => s_breakers.AddOrUpdate(breaker, null);

    public static void RecordTransition(string deployment, DeploymentCircuitState to)
    {
        if (CircuitTransitions.Enabled)
        {
            CircuitTransitions.Add(1, new TagList { { LlmRoutingDiagnostics.Tags.Deployment, deployment }, { CircuitStateTag, Name(to) } });
        }
    }

    public static void RecordLocalRejection(string deployment, string limit)
    {
        if (LocalRejections.Enabled)
        {
            LocalRejections.Add(1, new TagList { { LlmRoutingDiagnostics.Tags.Deployment, deployment }, { LimitTag, limit } });
        }
    }

    public static void RecordRecoveryWait(TimeSpan waited)
    {
        if (RecoveryWait.Enabled)
        {
            RecoveryWait.Record(waited.TotalSeconds);
        }
    }

    public static string Name(DeploymentCircuitState state) => state switch
    {
        DeploymentCircuitState.Open => "open",
        DeploymentCircuitState.HalfOpen => "half_open",
        _ => "closed",
    };

    private static void Count(Counter<long> counter, string deployment, LlmErrorKind kind)
    {
        if (counter.Enabled)
        {
            counter.Add(1, new TagList { { LlmRoutingDiagnostics.Tags.Deployment, deployment }, { LlmRoutingDiagnostics.Tags.ErrorType, kind.ToTelemetryName() } });
        }
    }

    private static IEnumerable<Measurement<int>> ObserveCircuits()
    {
        var measurements = new List<Measurement<int>>();
        foreach (KeyValuePair<DeploymentCircuitBreaker, object?> entry in s_breakers)
        {
            DeploymentCircuitState state = entry.Key.State;
            int value = state switch { DeploymentCircuitState.Open => 2, DeploymentCircuitState.HalfOpen => 1, _ => 0 };
            measurements.Add(new Measurement<int>(value, new KeyValuePair<string, object?>(LlmRoutingDiagnostics.Tags.Deployment, entry.Key.Deployment)));
        }

        return measurements;
    }
}
