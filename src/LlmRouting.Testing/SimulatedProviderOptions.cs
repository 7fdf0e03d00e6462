using Microsoft.Extensions.AI;

namespace LlmRouting.Testing;

/// <summary>Configures a <see cref="SimulatedChatClient"/>: its replies, token usage, streaming, latency and faults.</summary>
/// <remarks>
/// <para>
/// <see cref="ScriptedReplies"/> and <see cref="ScriptedFaults"/> are copied into the client's queues when the client is created
/// (add more later with <see cref="SimulatedChatClient.EnqueueReplies(SimulatedReply[])"/> and
/// <see cref="SimulatedChatClient.InjectFaults(SimulatedFaultKind, int)"/>); <see cref="Seed"/> is read once, too.
/// Every other setting is read on every call, so a test may change it while the client is in use.
/// </para>
/// <para>
/// A reply is chosen in this order: the next scripted reply, else <see cref="ReplyFactory"/>, else <see cref="ReplyFunction"/>,
/// else the default <c>Simulated answer from {model} to: {first 40 characters of the last user message}</c>.
/// A call that fails does not use up a scripted reply, so a script of faults and replies behaves as expected under retries.
/// </para>
/// </remarks>
public sealed class SimulatedProviderOptions
{
    /// <summary>The provider name simulated clients report by default.</summary>
    public const string DefaultProviderName = "simulated";

    /// <summary>The model id simulated clients report when none is configured or requested.</summary>
    public const string DefaultModelId = "simulated-model";

    /// <summary>Gets or sets the provider name reported in exceptions and metadata. Defaults to <c>simulated</c>.</summary>
    public string ProviderName { get; set; } = DefaultProviderName;

    /// <summary>Gets or sets the model id used when <see cref="ChatOptions.ModelId"/> is not set. Defaults to <c>simulated-model</c>.</summary>
    public string ModelId { get; set; } = DefaultModelId;

    /// <summary>Gets or sets the deployment name reported in exceptions, ids and metadata; set by <see cref="SimulatedProviderFactory"/>.</summary>
    public string? DeploymentName { get; set; }

    // ---- Replies ----

    /// <summary>Gets the replies to give, in order, one per successful call; when they run out, the reply functions or the default take over.</summary>
    public IList<SimulatedReply> ScriptedReplies { get; } = [];

    /// <summary>Gets or sets a function that computes the reply text from the messages and options of a call.</summary>
    /// <remarks>It may be called concurrently.</remarks>
    public Func<IReadOnlyList<ChatMessage>, ChatOptions?, string>? ReplyFunction { get; set; }

    /// <summary>Gets or sets a function that computes the whole reply (text, tool calls, finish reason, usage); takes precedence over <see cref="ReplyFunction"/>.</summary>
    /// <remarks>It may be called concurrently.</remarks>
    public Func<IReadOnlyList<ChatMessage>, ChatOptions?, SimulatedReply>? ReplyFactory { get; set; }

    // ---- Token usage ----

    /// <summary>Gets or sets how many characters make one estimated token. Defaults to 4.</summary>
    /// <remarks>Input tokens are estimated from the text of all messages and output tokens from the reply, each at least 1.</remarks>
    public int CharactersPerToken { get; set; } = 4;

    /// <summary>Gets or sets the fraction (0 to 1) of the input tokens reported as read from the prompt cache (<see cref="UsageDetails.CachedInputTokenCount"/>).</summary>
    public double CachedInputFraction { get; set; }

    /// <summary>Gets or sets a fixed number of cached input tokens (at most the input tokens); overrides <see cref="CachedInputFraction"/>.</summary>
    public long? CachedInputTokens { get; set; }

    /// <summary>
    /// Gets or sets the fraction (0 to 1) of the input tokens reported as written to the prompt cache
    /// (<see cref="LlmUsageKeys.CacheWriteInputTokens"/> in <see cref="UsageDetails.AdditionalCounts"/>), at most the tokens not read from the cache.
    /// </summary>
    public double CacheWriteInputFraction { get; set; }

    /// <summary>
    /// Gets or sets how many reasoning tokens the model "thinks" per visible output token (e.g. 2 for twice as many).
    /// Reasoning tokens are reported in <see cref="UsageDetails.ReasoningTokenCount"/> and included in <see cref="UsageDetails.OutputTokenCount"/>.
    /// </summary>
    public double ReasoningTokenRatio { get; set; }

    /// <summary>Gets or sets a fixed number of reasoning tokens per call; overrides <see cref="ReasoningTokenRatio"/>.</summary>
    public long? ReasoningTokens { get; set; }

    /// <summary>
    /// Gets or sets the model's context window in tokens. When set, a call whose estimated input tokens plus
    /// <see cref="ChatOptions.MaxOutputTokens"/> exceed it fails with <see cref="SimulatedFaultKind.ContextLengthExceeded"/>.
    /// <see cref="SimulatedProviderFactory"/> sets it from the deployment's catalog entry.
    /// </summary>
    public int? ContextWindow { get; set; }

    // ---- Streaming ----

    /// <summary>Gets or sets how many text updates a streamed reply is split into; when <see langword="null"/> (the default), one update per word.</summary>
    public int? StreamChunkCount { get; set; }

    // ---- Latency ----

    /// <summary>Gets or sets the time provider used for every delay and timestamp; <see cref="TimeProvider.System"/> when <see langword="null"/>.</summary>
    /// <remarks><see cref="SimulatedProviderFactory"/> uses the <see cref="TimeProvider"/> registered in the service provider when this is <see langword="null"/>.</remarks>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>Gets or sets the time before the first update of a stream (and part of the time before a non-streaming response). Defaults to zero.</summary>
    public TimeSpan TimeToFirstToken { get; set; }

    /// <summary>Gets or sets the delay before each streamed update after the first. Defaults to zero.</summary>
    /// <remarks>A non-streaming response takes as long as the whole stream would: <see cref="TimeToFirstToken"/> plus these delays.</remarks>
    public TimeSpan ChunkDelay { get; set; }

    /// <summary>Gets or sets the output speed; when set, each update after the first is delayed by its estimated tokens divided by this rate, instead of <see cref="ChunkDelay"/>.</summary>
    public double? TokensPerSecond { get; set; }

    // ---- Faults ----

    /// <summary>Gets the faults to inject into the next calls, in order; <see cref="SimulatedFaultKind.None"/> lets a call through.</summary>
    public IList<SimulatedFaultKind> ScriptedFaults { get; } = [];

    /// <summary>
    /// Gets the probability (0 to 1) of each fault on a call without a scripted fault. The probabilities must not add up to more than 1.
    /// One random number is drawn per call (whenever this is not empty), so the sequence of faults is deterministic under a <see cref="Seed"/>.
    /// </summary>
    public IDictionary<SimulatedFaultKind, double> FaultRates { get; } = new Dictionary<SimulatedFaultKind, double>();

    /// <summary>Gets or sets the seed of the random numbers that draw faults from <see cref="FaultRates"/>; unpredictable when <see langword="null"/>.</summary>
    public int? Seed { get; set; }

    /// <summary>Gets or sets the Retry-After of <see cref="SimulatedFaultKind.RateLimited"/> faults; none when <see langword="null"/>. Defaults to 1 second.</summary>
    public TimeSpan? RetryAfter { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Gets or sets how long a <see cref="SimulatedFaultKind.Timeout"/> fault hangs before it fails; <see cref="Timeout.InfiniteTimeSpan"/>
    /// hangs until the call is cancelled. Defaults to 100 seconds (the <see cref="HttpClient"/> default).
    /// </summary>
    public TimeSpan FaultTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>Gets or sets the extra delay before the first token of a <see cref="SimulatedFaultKind.SlowFirstToken"/> call. Defaults to 10 seconds.</summary>
    public TimeSpan SlowFirstTokenDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Gets or sets how many text updates a <see cref="SimulatedFaultKind.TruncatedStream"/> fault yields before it throws;
    /// when <see langword="null"/>, half of the reply's updates (at least one).
    /// </summary>
    public int? TruncatedStreamUpdates { get; set; }

    // ---- Observability ----

    /// <summary>Gets or sets a value indicating whether calls are recorded in <see cref="SimulatedChatClient.Calls"/>. Defaults to <see langword="true"/>; turn it off for long runs.</summary>
    public bool RecordCalls { get; set; } = true;
}
