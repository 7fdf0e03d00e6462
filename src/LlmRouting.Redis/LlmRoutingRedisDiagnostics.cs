using System.Diagnostics.Metrics;

namespace LlmRouting.Redis;

/// <summary>Instruments of the Redis package, on LlmRouting's meter name.</summary>
internal static class LlmRoutingRedisDiagnostics
{
    internal static readonly Meter Meter = new(LlmRoutingDiagnostics.SourceName + ".Redis");
}
