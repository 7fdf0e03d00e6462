using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace LlmRouting;

/// <summary>The names of LlmRouting's <see cref="ActivitySource"/> and <see cref="Meter"/>, for OpenTelemetry registration.</summary>
public static class LlmRoutingDiagnostics
{
    /// <summary>The name of the activity source and the meter: <c>LlmRouting</c>.</summary>
    public const string SourceName = "LlmRouting";

    internal static readonly ActivitySource ActivitySource = new(SourceName, typeof(LlmRoutingDiagnostics).Assembly.GetName().Version?.ToString());

    internal static readonly Meter Meter = new(SourceName, typeof(LlmRoutingDiagnostics).Assembly.GetName().Version?.ToString());

    internal static readonly Histogram<double> OperationDuration = Meter.CreateHistogram<double>(
        "gen_ai.client.operation.duration", "s", "GenAI operation duration.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92] });

    internal static readonly Histogram<long> TokenUsage = Meter.CreateHistogram<long>(
        "gen_ai.client.token.usage", "{token}", "Measures number of input and output tokens used.",
        advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864] });

    internal static readonly Histogram<double> TimeToFirstChunk = Meter.CreateHistogram<double>(
        "gen_ai.client.operation.time_to_first_chunk", "s", "Time from the start of a streamed attempt to its first chunk.");

    internal static readonly Counter<double> Cost = Meter.CreateCounter<double>(
        "llm_routing.cost", "USD", "Cost of provider calls in US dollars, from reported usage and catalog prices.");

    /// <summary>OpenTelemetry GenAI semantic-convention attribute names.</summary>
    internal static class Tags
    {
        public const string OperationName = "gen_ai.operation.name";
        public const string ProviderName = "gen_ai.provider.name";
        public const string RequestModel = "gen_ai.request.model";
        public const string ResponseModel = "gen_ai.response.model";
        public const string ResponseId = "gen_ai.response.id";
        public const string FinishReasons = "gen_ai.response.finish_reasons";
        public const string InputTokens = "gen_ai.usage.input_tokens";
        public const string OutputTokens = "gen_ai.usage.output_tokens";
        public const string TokenType = "gen_ai.token.type";
        public const string ErrorType = "error.type";
        public const string Deployment = "llm_routing.deployment";
        public const string Attempt = "llm_routing.attempt";
        public const string CostUsd = "llm_routing.cost_usd";
        public const string RequestId = "llm_routing.request_id";
    }
}
