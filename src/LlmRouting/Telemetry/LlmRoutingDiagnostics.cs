using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace LlmRouting;

/// <summary>
/// The names of LlmRouting's <see cref="ActivitySource"/> and <see cref="Meter"/>, for OpenTelemetry registration,
/// and of the instruments and attributes it emits.
/// </summary>
/// <remarks>
/// Spans: one <c>route {policy}</c> span per request (kind internal) with one <c>chat {model}</c> client span per attempt
/// as its children, attributed per the OpenTelemetry GenAI semantic conventions as Microsoft.Extensions.AI emits them,
/// plus <c>llm_routing.*</c> attributes. Every instrument checks <see cref="Instrument.Enabled"/> before doing any work.
/// </remarks>
public static class LlmRoutingDiagnostics
{
    /// <summary>The name of the activity source and the meter: <c>LlmRouting</c>.</summary>
    public const string SourceName = "LlmRouting";

    /// <summary>The environment variable that switches message-content capture on by default, as in Microsoft.Extensions.AI.</summary>
    public const string CaptureMessageContentEnvironmentVariable = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT";

    internal static readonly ActivitySource ActivitySource = new(SourceName, typeof(LlmRoutingDiagnostics).Assembly.GetName().Version?.ToString());

    internal static readonly Meter Meter = new(SourceName, typeof(LlmRoutingDiagnostics).Assembly.GetName().Version?.ToString());

    private static readonly double[] s_secondsBuckets = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];

    // ---- GenAI semantic-convention instruments (per attempt), named, typed and bucketed as Microsoft.Extensions.AI's. ----

    internal static readonly Histogram<double> OperationDuration = Meter.CreateHistogram<double>(
        "gen_ai.client.operation.duration", "s", "Measures the duration of a GenAI operation",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = s_secondsBuckets });

    internal static readonly Histogram<int> TokenUsage = Meter.CreateHistogram<int>(
        "gen_ai.client.token.usage", "{token}", "Measures number of input and output tokens used",
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864] });

    internal static readonly Histogram<double> TimeToFirstChunk = Meter.CreateHistogram<double>(
        "gen_ai.client.operation.time_to_first_chunk", "s", "Measures the time to receive the first chunk in a streaming operation",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = s_secondsBuckets });

    internal static readonly Histogram<double> TimePerOutputChunk = Meter.CreateHistogram<double>(
        "gen_ai.client.operation.time_per_output_chunk", "s", "Measures the time per output chunk in a streaming operation",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = s_secondsBuckets });

    // ---- LlmRouting instruments. ----

    internal static readonly Counter<double> Cost = Meter.CreateCounter<double>(
        "llm_routing.cost", "{USD}", "Cost of provider calls in US dollars, from reported usage and catalog prices, by provider, model, deployment and tenant.");

    internal static readonly Counter<double> TagCost = Meter.CreateCounter<double>(
        "llm_routing.tag.cost", "{USD}", "Cost of provider calls in US dollars, counted once for each tag of the request.");

    internal static readonly Counter<double> BudgetConsumed = Meter.CreateCounter<double>(
        "llm_routing.budget.consumed", "{USD}", "Cost charged to budgets in US dollars, by budget key.");

    internal static readonly Histogram<double> RequestDuration = Meter.CreateHistogram<double>(
        "llm_routing.request.duration", "s", "Duration of routed requests, from routing to the last update, by outcome.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = s_secondsBuckets });

    internal static readonly Histogram<double> RequestTimeToFirstToken = Meter.CreateHistogram<double>(
        "llm_routing.request.time_to_first_token", "s", "Time from the start of a streamed request (routing and failovers included) to its first update.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = s_secondsBuckets });

    internal static readonly Counter<long> Retries = Meter.CreateCounter<long>(
        "llm_routing.retries", "{attempt}", "Attempts that retried the same deployment after a failure.");

    internal static readonly Counter<long> Failovers = Meter.CreateCounter<long>(
        "llm_routing.failovers", "{attempt}", "Attempts that moved to another deployment after a failure, by the deployment left and the reason.");

    internal static readonly Counter<long> Hedges = Meter.CreateCounter<long>(
        "llm_routing.hedges", "{attempt}", "Attempts started as hedges while an earlier attempt was still running.");

    internal static readonly Counter<long> Redactions = Meter.CreateCounter<long>(
        "llm_routing.redactions", "{value}", "Values redacted from requests, by entity type.");

    internal static readonly Counter<long> RequestLogDropped = Meter.CreateCounter<long>(
        "llm_routing.request_log.dropped", "{record}", "Request-log records dropped because the log's queue was full.");

    internal static readonly Counter<long> RequestLogSinkFailures = Meter.CreateCounter<long>(
        "llm_routing.request_log.sink_failures", "{record}", "Request-log records a sink failed to write, by sink.");

    /// <summary>Gets a value indicating whether any request-level instrument is being listened to.</summary>
    internal static bool RequestMetricsEnabled =>
        RequestDuration.Enabled || RequestTimeToFirstToken.Enabled || Retries.Enabled || Failovers.Enabled || Hedges.Enabled || Redactions.Enabled;

    /// <summary>Attribute names: OpenTelemetry GenAI semantic conventions and LlmRouting's own.</summary>
    internal static class Tags
    {
        // OpenTelemetry semantic conventions (the names Microsoft.Extensions.AI 10.11 uses).
        public const string OperationName = "gen_ai.operation.name";
        public const string ProviderName = "gen_ai.provider.name";
        public const string RequestModel = "gen_ai.request.model";
        public const string RequestStream = "gen_ai.request.stream";
        public const string RequestMaxTokens = "gen_ai.request.max_tokens";
        public const string RequestTemperature = "gen_ai.request.temperature";
        public const string RequestTopP = "gen_ai.request.top_p";
        public const string RequestTopK = "gen_ai.request.top_k";
        public const string RequestFrequencyPenalty = "gen_ai.request.frequency_penalty";
        public const string RequestPresencePenalty = "gen_ai.request.presence_penalty";
        public const string RequestSeed = "gen_ai.request.seed";
        public const string RequestStopSequences = "gen_ai.request.stop_sequences";
        public const string OutputType = "gen_ai.output.type";
        public const string ConversationId = "gen_ai.conversation.id";
        public const string ToolDefinitions = "gen_ai.tool.definitions";
        public const string ResponseModel = "gen_ai.response.model";
        public const string ResponseId = "gen_ai.response.id";
        public const string FinishReasons = "gen_ai.response.finish_reasons";
        public const string ResponseTimeToFirstChunk = "gen_ai.response.time_to_first_chunk";
        public const string InputTokens = "gen_ai.usage.input_tokens";
        public const string OutputTokens = "gen_ai.usage.output_tokens";
        public const string CacheReadInputTokens = "gen_ai.usage.cache_read.input_tokens";
        public const string ReasoningOutputTokens = "gen_ai.usage.reasoning.output_tokens";
        public const string TokenType = "gen_ai.token.type";
        public const string InputMessages = "gen_ai.input.messages";
        public const string OutputMessages = "gen_ai.output.messages";
        public const string SystemInstructions = "gen_ai.system_instructions";
        public const string ServerAddress = "server.address";
        public const string ServerPort = "server.port";
        public const string ErrorType = "error.type";

        // LlmRouting.
        public const string RequestId = "llm_routing.request_id";
        public const string Policy = "llm_routing.policy";
        public const string Deployment = "llm_routing.deployment";
        public const string Provider = "llm_routing.provider";
        public const string Model = "llm_routing.model";
        public const string CandidateCount = "llm_routing.candidate_count";
        public const string Candidates = "llm_routing.candidates";
        public const string RejectedCount = "llm_routing.rejected_count";
        public const string Attempt = "llm_routing.attempt";
        public const string AttemptCount = "llm_routing.attempts";
        public const string FailoverReason = "llm_routing.failover_reason";
        public const string Hedged = "llm_routing.hedged";
        public const string CircuitState = "llm_routing.circuit_state";
        public const string CostUsd = "llm_routing.cost_usd";
        public const string EstimatedCostUsd = "llm_routing.estimated_cost_usd";
        public const string RedactionsPrefix = "llm_routing.redactions.";
        public const string RedactionEntityType = "llm_routing.redaction.entity_type";
        public const string BudgetKey = "llm_routing.budget_key";
        public const string Experiment = "llm_routing.experiment";
        public const string ExperimentVariant = "llm_routing.experiment.variant";
        public const string Tenant = "llm_routing.tenant";
        public const string User = "llm_routing.user";
        public const string RequestTags = "llm_routing.tags";
        public const string Tag = "llm_routing.tag";
        public const string Outcome = "llm_routing.outcome";
        public const string PromptCategory = "llm_routing.prompt_category";
        public const string Retries = "llm_routing.retries";
        public const string Failovers = "llm_routing.failovers";
        public const string TotalInputTokens = "llm_routing.usage.input_tokens";
        public const string TotalOutputTokens = "llm_routing.usage.output_tokens";
        public const string Sink = "llm_routing.sink";
    }
}
