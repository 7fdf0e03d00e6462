using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace LlmRouting;

/// <summary>Per-variant experiment metrics on the <c>LlmRouting</c> meter, tagged <c>llm_routing.experiment</c> and <c>llm_routing.experiment.variant</c>.</summary>
internal static class ExperimentDiagnostics
{
    public const string ExperimentTag = "llm_routing.experiment";
    public const string VariantTag = "llm_routing.experiment.variant";
    public const string OutcomeTag = "llm_routing.outcome";

    internal static readonly Counter<long> Requests = LlmRoutingDiagnostics.Meter.CreateCounter<long>(
        "llm_routing.experiment.requests", "{request}", "Requests served per experiment variant.");

    internal static readonly Counter<double> Cost = LlmRoutingDiagnostics.Meter.CreateCounter<double>(
        "llm_routing.experiment.cost", "USD", "Cost of requests per experiment variant in US dollars.");

    internal static readonly Histogram<double> Duration = LlmRoutingDiagnostics.Meter.CreateHistogram<double>(
        "llm_routing.experiment.duration", "s", "Total latency of successful requests per experiment variant.");

    public static void Record(string experiment, string variant, bool failed, decimal cost, TimeSpan latency)
    {
        var tags = new TagList { { ExperimentTag, experiment }, { VariantTag, variant }, { OutcomeTag, failed ? "error" : "success" } };
        if (Requests.Enabled)
        {
            Requests.Add(1, tags);
        }

        if (Cost.Enabled && cost != 0m)
        {
            Cost.Add((double)cost, tags);
        }

        if (Duration.Enabled && !failed)
        {
            Duration.Record(latency.TotalSeconds, tags);
        }
    }
}
