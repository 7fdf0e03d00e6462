using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>
/// Records each attempt: an OpenTelemetry GenAI client span named <c>chat {model}</c> on the <c>LlmRouting</c> source (a child
/// of the request's <c>route {policy}</c> span), the <c>gen_ai.client.*</c> metrics, the cost metrics, and the attempt's usage,
/// cost, timings and finish reason in the routing report. It also owns the request-level telemetry the router emits
/// (request span, request metrics, <see cref="RequestLog"/>), which the router finds through <see cref="GetService"/>.
/// </summary>
/// <remarks>
/// Sits below the resilience layer, so every attempt — failed ones included — is traced and priced, and below the redactor,
/// so captured content (off by default, see <see cref="EnableSensitiveData"/>) is already redacted; the captured text is
/// scanned once more with <see cref="ContentDetectors"/> before it is recorded. Span and metric attributes follow the names
/// Microsoft.Extensions.AI 10.11's <c>OpenTelemetryChatClient</c> emits, except that <c>error.type</c> carries LlmRouting's
/// provider-neutral error kind (e.g. <c>rate_limited</c>) and the span status description never carries an exception message.
/// Every instrument is checked for listeners before any work. Thread-safe.
/// </remarks>
public sealed class RoutingTelemetryChatClient : DelegatingChatClient
{
    private const string OperationName = "chat";
    private readonly TimeProvider _timeProvider;
    private readonly RequestTelemetry _request = new();
    private ContentCapture? _contentCapture;
    private IReadOnlyList<IPiiDetector> _contentDetectors = RedactingChatClient.DefaultDetectors();
    private string? _userPseudonymKey;

    /// <summary>Initializes a new instance of the <see cref="RoutingTelemetryChatClient"/> class.</summary>
    /// <param name="innerClient">The next layer (normally the dispatcher).</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public RoutingTelemetryChatClient(IChatClient innerClient, TimeProvider? timeProvider = null)
        : base(innerClient)
    {
        _timeProvider = timeProvider ?? TimeProvider.System;
        EnableSensitiveData = string.Equals(
            Environment.GetEnvironmentVariable(LlmRoutingDiagnostics.CaptureMessageContentEnvironmentVariable), "true", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Gets or sets a value indicating whether attempt spans record message content (<c>gen_ai.system_instructions</c>,
    /// <c>gen_ai.input.messages</c>, <c>gen_ai.output.messages</c>) and full tool definitions.
    /// </summary>
    /// <value>
    /// <see langword="false"/> unless the <c>OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT</c> environment variable is
    /// <c>true</c> (as in Microsoft.Extensions.AI); setting the property overrides the variable.
    /// </value>
    /// <remarks>Only redacted text is recorded: the messages this layer sees were redacted above it, and every captured string is masked again with <see cref="ContentDetectors"/>.</remarks>
    public bool EnableSensitiveData { get; set; }

    /// <summary>Gets or sets the detectors applied to captured content before it is recorded. The default is <see cref="RedactingChatClient.DefaultDetectors"/>.</summary>
    /// <exception cref="ArgumentNullException">The value is <see langword="null"/>.</exception>
    public IReadOnlyList<IPiiDetector> ContentDetectors
    {
        get => _contentDetectors;
        set
        {
            _contentDetectors = value ?? throw new ArgumentNullException(nameof(value));
            _contentCapture = null;
        }
    }

    /// <summary>Gets or sets the request log that receives one record per request; <see langword="null"/> (the default) for none.</summary>
    public RequestLog? RequestLog
    {
        get => _request.Log;
        set => _request.Log = value;
    }

    /// <summary>
    /// Gets or sets the key of the pseudonyms that stand for <see cref="LlmRequestContext.User"/> in spans and the request log;
    /// a random key per process when <see langword="null"/> (see <see cref="TelemetryOptions.UserPseudonymKey"/>).
    /// </summary>
    public string? UserPseudonymKey
    {
        get => _userPseudonymKey;
        set
        {
            _userPseudonymKey = value;
            _request.Pseudonymizer = string.IsNullOrEmpty(value) ? UserPseudonymizer.PerProcess : new UserPseudonymizer(value);
        }
    }

    /// <inheritdoc/>
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType == typeof(RequestTelemetry) ? _request : base.GetService(serviceType, serviceKey);
    }

    /// <inheritdoc/>
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        AttemptContext.TryGet(options, out AttemptContext? attempt);
        long started = _timeProvider.GetTimestamp();
        MarkStart(attempt, started);
        using Activity? activity = StartActivity(attempt, messages, options, streaming: false);
        try
        {
            ChatResponse response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
            Complete(activity, attempt, options, started, response.Usage, response.ModelId, response.ResponseId, response.FinishReason, null, null, response);
            return response;
        }
        catch (Exception ex)
        {
            Complete(activity, attempt, options, started, null, null, null, null, null, ex, null);
            throw;
        }
    }

    /// <inheritdoc/>
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        AttemptContext.TryGet(options, out AttemptContext? attempt);
        long started = _timeProvider.GetTimestamp();
        MarkStart(attempt, started);
        using Activity? activity = StartActivity(attempt, messages, options, streaming: true);
        UsageDetails? usage = null;
        string? modelId = null, responseId = null;
        ChatFinishReason? finish = null;
        TimeSpan? ttft = null;
        long lastChunk = started;
        List<ChatResponseUpdate>? captured = activity is { IsAllDataRequested: true } && EnableSensitiveData ? [] : null;
        IAsyncEnumerator<ChatResponseUpdate> enumerator;
        try
        {
            enumerator = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        }
        catch (Exception ex)
        {
            Complete(activity, attempt, options, started, null, null, null, null, null, ex, null);
            throw;
        }

        try
        {
            while (true)
            {
                ChatResponseUpdate update;
                try
                {
                    if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }

                    update = enumerator.Current;
                }
                catch (Exception ex)
                {
                    Complete(activity, attempt, options, started, usage, modelId, responseId, finish, ttft, ex, captured);
                    throw;
                }

                modelId = update.ModelId ?? modelId;
                if (ttft is null)
                {
                    ttft = _timeProvider.GetElapsedTime(started);
                    if (attempt is not null)
                    {
                        attempt.Attempt.TimeToFirstToken = ttft;
                    }

                    if (LlmRoutingDiagnostics.TimeToFirstChunk.Enabled)
                    {
                        LlmRoutingDiagnostics.TimeToFirstChunk.Record(ttft.Value.TotalSeconds, MetricTags(attempt, options, modelId, null));
                    }

                    lastChunk = _timeProvider.GetTimestamp();
                }
                else if (LlmRoutingDiagnostics.TimePerOutputChunk.Enabled)
                {
                    long now = _timeProvider.GetTimestamp();
                    LlmRoutingDiagnostics.TimePerOutputChunk.Record(_timeProvider.GetElapsedTime(lastChunk, now).TotalSeconds, MetricTags(attempt, options, modelId, null));
                    lastChunk = now;
                }

                responseId = update.ResponseId ?? responseId;
                finish = update.FinishReason ?? finish;
                IList<AIContent> contents = update.Contents;
                for (int i = 0; i < contents.Count; i++)
                {
                    if (contents[i] is UsageContent u)
                    {
                        (usage ??= new UsageDetails()).Add(u.Details);
                    }
                }

                captured?.Add(update);
                yield return update;
            }
        }
        finally
        {
            await enumerator.DisposeAsync().ConfigureAwait(false);
        }

        Complete(activity, attempt, options, started, usage, modelId, responseId, finish, ttft, null, captured);
    }

    private static string? RequestModel(AttemptContext? attempt, ChatOptions? options) => attempt?.Deployment.Model ?? options?.ModelId;

    private void MarkStart(AttemptContext? attempt, long started)
    {
        if (attempt?.Request is { } request)
        {
            // One clock read serves both the attempt's start offset and its duration when both layers share the clock.
            attempt.Attempt.StartOffset = ReferenceEquals(request.TimeProvider, _timeProvider)
                ? _timeProvider.GetElapsedTime(request.StartTimestamp, started)
                : request.GetElapsed();
        }
    }

    /// <summary>The attempt's cost; the common case (no cache or reasoning tokens) with two multiplications instead of five.</summary>
    private static decimal Cost(ModelPricing pricing, UsageDetails? usage) =>
        usage is null ? 0m
        : usage.CachedInputTokenCount is null or 0 && usage.ReasoningTokenCount is null or 0 && usage.AdditionalCounts is null
            ? pricing.Estimate(usage.InputTokenCount ?? 0, usage.OutputTokenCount ?? 0)
            : pricing.CalculateCost(usage);

    private ContentCapture Capture => _contentCapture ??= new ContentCapture(_contentDetectors);

    private Activity? StartActivity(AttemptContext? attempt, IEnumerable<ChatMessage> messages, ChatOptions? options, bool streaming)
    {
        if (!LlmRoutingDiagnostics.ActivitySource.HasListeners())
        {
            return null;
        }

        string? model = RequestModel(attempt, options);
        Activity? activity = LlmRoutingDiagnostics.ActivitySource.StartActivity(
            string.IsNullOrWhiteSpace(model) ? OperationName : OperationName + " " + model,
            ActivityKind.Client,
            attempt?.Request?.Activity?.Context ?? default);
        if (activity is not { IsAllDataRequested: true })
        {
            return activity;
        }

        activity.SetTag(LlmRoutingDiagnostics.Tags.OperationName, OperationName);
        activity.SetTag(LlmRoutingDiagnostics.Tags.RequestModel, model);
        if (streaming)
        {
            activity.SetTag(LlmRoutingDiagnostics.Tags.RequestStream, true);
        }

        if (attempt is not null)
        {
            Deployment deployment = attempt.Deployment;
            activity.SetTag(LlmRoutingDiagnostics.Tags.ProviderName, deployment.Provider);
            if (deployment.Endpoint is { IsAbsoluteUri: true } endpoint)
            {
                activity.SetTag(LlmRoutingDiagnostics.Tags.ServerAddress, endpoint.Host);
                activity.SetTag(LlmRoutingDiagnostics.Tags.ServerPort, endpoint.Port);
            }

            activity.SetTag(LlmRoutingDiagnostics.Tags.Deployment, deployment.Name);
            activity.SetTag(LlmRoutingDiagnostics.Tags.Attempt, attempt.Attempt.Number);
            if (attempt.Attempt.Hedged)
            {
                activity.SetTag(LlmRoutingDiagnostics.Tags.Hedged, true);
            }

            if (attempt.Attempt.CircuitState is { } circuit)
            {
                activity.SetTag(LlmRoutingDiagnostics.Tags.CircuitState, circuit);
            }

            if (attempt.Request is { } request)
            {
                activity.SetTag(LlmRoutingDiagnostics.Tags.RequestId, request.RequestId);
                if (attempt.Attempt.Number > 1)
                {
                    // Why this attempt exists: the reason the resilience layer recorded on the attempt before it.
                    IReadOnlyList<RoutingAttempt> attempts = request.Attempts;
                    int previous = attempt.Attempt.Number - 2;
                    if (previous < attempts.Count && attempts[previous].FailoverReason is { } reason)
                    {
                        activity.SetTag(LlmRoutingDiagnostics.Tags.FailoverReason, reason);
                    }
                }
            }
        }

        if (options is not null)
        {
            TagRequestOptions(activity, options);
        }

        if (EnableSensitiveData)
        {
            if (!string.IsNullOrWhiteSpace(options?.Instructions))
            {
                activity.SetTag(LlmRoutingDiagnostics.Tags.SystemInstructions, Capture.SystemInstructions(options.Instructions));
            }

            activity.SetTag(LlmRoutingDiagnostics.Tags.InputMessages, Capture.Messages(messages));
        }

        return activity;
    }

    private void TagRequestOptions(Activity activity, ChatOptions options)
    {
        if (options.ConversationId is { } conversationId)
        {
            activity.SetTag(LlmRoutingDiagnostics.Tags.ConversationId, conversationId);
        }

        if (options.FrequencyPenalty is float frequencyPenalty)
        {
            activity.SetTag(LlmRoutingDiagnostics.Tags.RequestFrequencyPenalty, frequencyPenalty);
        }

        if (options.MaxOutputTokens is int maxTokens)
        {
            activity.SetTag(LlmRoutingDiagnostics.Tags.RequestMaxTokens, maxTokens);
        }

        if (options.PresencePenalty is float presencePenalty)
        {
            activity.SetTag(LlmRoutingDiagnostics.Tags.RequestPresencePenalty, presencePenalty);
        }

        if (options.Seed is long seed)
        {
            activity.SetTag(LlmRoutingDiagnostics.Tags.RequestSeed, seed);
        }

        if (options.StopSequences is { Count: > 0 } stopSequences)
        {
            // Stop strings are caller text: recorded only with content capture on, and masked.
            activity.SetTag(
                LlmRoutingDiagnostics.Tags.RequestStopSequences,
                EnableSensitiveData ? "[" + string.Join(", ", stopSequences.Select(s => "\"" + Capture.Redact(s) + "\"")) + "]" : "[" + stopSequences.Count + " redacted]");
        }

        if (options.Temperature is float temperature)
        {
            activity.SetTag(LlmRoutingDiagnostics.Tags.RequestTemperature, temperature);
        }

        if (options.TopK is int topK)
        {
            activity.SetTag(LlmRoutingDiagnostics.Tags.RequestTopK, topK);
        }

        if (options.TopP is float topP)
        {
            activity.SetTag(LlmRoutingDiagnostics.Tags.RequestTopP, topP);
        }

        switch (options.ResponseFormat)
        {
            case ChatResponseFormatText:
                activity.SetTag(LlmRoutingDiagnostics.Tags.OutputType, "text");
                break;
            case ChatResponseFormatJson:
                activity.SetTag(LlmRoutingDiagnostics.Tags.OutputType, "json");
                break;
        }

        if (options.Tools is { Count: > 0 } tools)
        {
            // Names and kinds only; descriptions (caller text) only with content capture on.
            activity.SetTag(LlmRoutingDiagnostics.Tags.ToolDefinitions, Capture.ToolDefinitions(tools, EnableSensitiveData));
        }
    }

    private static TagList MetricTags(AttemptContext? attempt, ChatOptions? options, string? responseModel, string? errorType)
    {
        var tags = new TagList
        {
            { LlmRoutingDiagnostics.Tags.OperationName, OperationName },
            { LlmRoutingDiagnostics.Tags.RequestModel, RequestModel(attempt, options) },
            { LlmRoutingDiagnostics.Tags.ProviderName, attempt?.Deployment.Provider },
        };
        if (attempt?.Deployment.Endpoint is { IsAbsoluteUri: true } endpoint)
        {
            tags.Add(LlmRoutingDiagnostics.Tags.ServerAddress, endpoint.Host);
            tags.Add(LlmRoutingDiagnostics.Tags.ServerPort, endpoint.Port);
        }

        if (responseModel is not null)
        {
            tags.Add(LlmRoutingDiagnostics.Tags.ResponseModel, responseModel);
        }

        if (attempt is not null)
        {
            tags.Add(LlmRoutingDiagnostics.Tags.Deployment, attempt.Deployment.Name);
        }

        if (errorType is not null)
        {
            tags.Add(LlmRoutingDiagnostics.Tags.ErrorType, errorType);
        }

        return tags;
    }

    private void Complete(
        Activity? activity, AttemptContext? attempt, ChatOptions? options, long started,
        UsageDetails? usage, string? responseModel, string? responseId, ChatFinishReason? finish, TimeSpan? ttft,
        Exception? error, object? output)
    {
        decimal cost = 0m;
        if (attempt is not null)
        {
            cost = Cost(attempt.Deployment.ModelInfo.Pricing, usage);
            attempt.Attempt.Usage = TokenUsage.From(usage);
            attempt.Attempt.CostUsd = cost;
            attempt.Attempt.ResponseModel = responseModel ?? attempt.Attempt.ResponseModel;
            if (finish is { } f)
            {
                attempt.Attempt.FinishReason = f.Value;
            }
        }

        string? errorType = error is null ? null : ErrorTypes.OfAttempt(error);
        if (activity is { IsAllDataRequested: true })
        {
            TagResponse(activity, attempt, usage, responseModel, responseId, finish, ttft, errorType, cost, output);
        }

        if (LlmRoutingDiagnostics.OperationDuration.Enabled)
        {
            TimeSpan duration = _timeProvider.GetElapsedTime(started);
            LlmRoutingDiagnostics.OperationDuration.Record(duration.TotalSeconds, MetricTags(attempt, options, responseModel, errorType));
        }

        if (LlmRoutingDiagnostics.TokenUsage.Enabled && usage is not null)
        {
            if (usage.InputTokenCount is long input)
            {
                TagList tags = MetricTags(attempt, options, responseModel, null);
                tags.Add(LlmRoutingDiagnostics.Tags.TokenType, "input");
                LlmRoutingDiagnostics.TokenUsage.Record(ToInt(input), tags);
            }

            if (usage.OutputTokenCount is long outputTokens)
            {
                TagList tags = MetricTags(attempt, options, responseModel, null);
                tags.Add(LlmRoutingDiagnostics.Tags.TokenType, "output");
                LlmRoutingDiagnostics.TokenUsage.Record(ToInt(outputTokens), tags);
            }
        }

        if (cost != 0m && attempt is not null)
        {
            RecordCost(attempt, (double)cost);
        }
    }

    private void TagResponse(
        Activity activity, AttemptContext? attempt, UsageDetails? usage, string? responseModel, string? responseId, ChatFinishReason? finish,
        TimeSpan? ttft, string? errorType, decimal cost, object? output)
    {
        if (finish is { } f)
        {
            // As Microsoft.Extensions.AI formats it: a JSON array in a string.
            activity.SetTag(LlmRoutingDiagnostics.Tags.FinishReasons, "[\"" + ContentCapture.FinishReason(f) + "\"]");
        }

        if (!string.IsNullOrWhiteSpace(responseId))
        {
            activity.SetTag(LlmRoutingDiagnostics.Tags.ResponseId, responseId);
        }

        if (responseModel is not null)
        {
            activity.SetTag(LlmRoutingDiagnostics.Tags.ResponseModel, responseModel);
        }

        if (ttft is { } firstChunk)
        {
            activity.SetTag(LlmRoutingDiagnostics.Tags.ResponseTimeToFirstChunk, firstChunk.TotalSeconds);
        }

        if (usage?.InputTokenCount is long input)
        {
            activity.SetTag(LlmRoutingDiagnostics.Tags.InputTokens, ToInt(input));
        }

        if (usage?.OutputTokenCount is long outputTokens)
        {
            activity.SetTag(LlmRoutingDiagnostics.Tags.OutputTokens, ToInt(outputTokens));
        }

        if (usage?.CachedInputTokenCount is long cached)
        {
            activity.SetTag(LlmRoutingDiagnostics.Tags.CacheReadInputTokens, ToInt(cached));
        }

        if (usage?.ReasoningTokenCount is long reasoning)
        {
            activity.SetTag(LlmRoutingDiagnostics.Tags.ReasoningOutputTokens, ToInt(reasoning));
        }

        if (attempt is not null)
        {
            activity.SetTag(LlmRoutingDiagnostics.Tags.CostUsd, (double)cost);
            if (attempt.Attempt.Hedged)
            {
                activity.SetTag(LlmRoutingDiagnostics.Tags.Hedged, true);
            }

            if (attempt.Attempt.CircuitState is { } circuit)
            {
                activity.SetTag(LlmRoutingDiagnostics.Tags.CircuitState, circuit);
            }
        }

        if (errorType is not null)
        {
            activity.SetTag(LlmRoutingDiagnostics.Tags.ErrorType, errorType);
            activity.SetStatus(ActivityStatusCode.Error, errorType);
        }

        if (EnableSensitiveData)
        {
            switch (output)
            {
                case ChatResponse response:
                    activity.SetTag(LlmRoutingDiagnostics.Tags.OutputMessages, Capture.Messages(response.Messages, response.FinishReason));
                    break;
                case List<ChatResponseUpdate> { Count: > 0 } updates:
                    ChatResponse merged = updates.ToChatResponse();
                    activity.SetTag(LlmRoutingDiagnostics.Tags.OutputMessages, Capture.Messages(merged.Messages, merged.FinishReason));
                    break;
            }
        }
    }

    private static void RecordCost(AttemptContext attempt, double cost)
    {
        LlmRequestContext? request = attempt.Request;
        if (LlmRoutingDiagnostics.Cost.Enabled)
        {
            var tags = new TagList
            {
                { LlmRoutingDiagnostics.Tags.ProviderName, attempt.Deployment.Provider },
                { LlmRoutingDiagnostics.Tags.RequestModel, attempt.Deployment.Model },
                { LlmRoutingDiagnostics.Tags.Deployment, attempt.Deployment.Name },
                { LlmRoutingDiagnostics.Tags.Tenant, request?.Tenant },
            };
            if (request?.ExperimentVariant is { } variant)
            {
                tags.Add(LlmRoutingDiagnostics.Tags.ExperimentVariant, variant);
            }

            LlmRoutingDiagnostics.Cost.Add(cost, tags);
        }

        if (request is null)
        {
            return;
        }

        if (LlmRoutingDiagnostics.TagCost.Enabled)
        {
            foreach (string tag in request.Tags)
            {
                LlmRoutingDiagnostics.TagCost.Add(
                    cost,
                    new KeyValuePair<string, object?>(LlmRoutingDiagnostics.Tags.Tag, tag),
                    new KeyValuePair<string, object?>(LlmRoutingDiagnostics.Tags.ProviderName, attempt.Deployment.Provider),
                    new KeyValuePair<string, object?>(LlmRoutingDiagnostics.Tags.RequestModel, attempt.Deployment.Model));
            }
        }

        if (request.BudgetKey is { } budget && LlmRoutingDiagnostics.BudgetConsumed.Enabled)
        {
            LlmRoutingDiagnostics.BudgetConsumed.Add(
                cost,
                new KeyValuePair<string, object?>(LlmRoutingDiagnostics.Tags.BudgetKey, budget),
                new KeyValuePair<string, object?>(LlmRoutingDiagnostics.Tags.Tenant, request.Tenant));
        }
    }

    private static int ToInt(long value) => value > int.MaxValue ? int.MaxValue : (int)value;
}
