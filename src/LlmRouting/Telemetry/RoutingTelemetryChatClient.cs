using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>
/// Records each attempt: an OpenTelemetry GenAI <see cref="Activity"/> named <c>chat {model}</c> on the
/// <c>LlmRouting</c> source, duration and token metrics, and the attempt's usage and cost (from the deployment's
/// catalog prices) in the routing report.
/// </summary>
/// <remarks>
/// Sits below the resilience layer, so every attempt — failed ones included — is traced and priced.
/// Records no message content. Thread-safe.
/// </remarks>
public sealed class RoutingTelemetryChatClient : DelegatingChatClient
{
    private const string OperationName = "chat";
    private readonly TimeProvider _timeProvider;

    /// <summary>Initializes a new instance of the <see cref="RoutingTelemetryChatClient"/> class.</summary>
    /// <param name="innerClient">The next layer (normally the dispatcher).</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public RoutingTelemetryChatClient(IChatClient innerClient, TimeProvider? timeProvider = null)
        : base(innerClient)
    {
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc/>
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        AttemptContext.TryGet(options, out AttemptContext? attempt);
        using Activity? activity = StartActivity(attempt, options);
        long started = _timeProvider.GetTimestamp();
        try
        {
            ChatResponse response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
            Complete(activity, attempt, options, started, response.Usage, response.ModelId, response.ResponseId, response.FinishReason, null);
            return response;
        }
        catch (Exception ex)
        {
            Complete(activity, attempt, options, started, null, null, null, null, ex);
            throw;
        }
    }

    /// <inheritdoc/>
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        AttemptContext.TryGet(options, out AttemptContext? attempt);
        using Activity? activity = StartActivity(attempt, options);
        long started = _timeProvider.GetTimestamp();
        UsageDetails? usage = null;
        string? modelId = null, responseId = null;
        ChatFinishReason? finish = null;
        bool first = true;
        IAsyncEnumerator<ChatResponseUpdate> enumerator;
        try
        {
            enumerator = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        }
        catch (Exception ex)
        {
            Complete(activity, attempt, options, started, null, null, null, null, ex);
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
                    Complete(activity, attempt, options, started, usage, modelId, responseId, finish, ex);
                    throw;
                }

                if (first)
                {
                    first = false;
                    TimeSpan ttft = _timeProvider.GetElapsedTime(started);
                    if (attempt is not null)
                    {
                        attempt.Attempt.TimeToFirstToken = ttft;
                    }

                    if (LlmRoutingDiagnostics.TimeToFirstChunk.Enabled)
                    {
                        LlmRoutingDiagnostics.TimeToFirstChunk.Record(ttft.TotalSeconds, Tag(LlmRoutingDiagnostics.Tags.RequestModel, RequestModel(attempt, options)));
                    }
                }

                modelId = update.ModelId ?? modelId;
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

                yield return update;
            }
        }
        finally
        {
            await enumerator.DisposeAsync().ConfigureAwait(false);
        }

        Complete(activity, attempt, options, started, usage, modelId, responseId, finish, null);
    }

    private static string? RequestModel(AttemptContext? attempt, ChatOptions? options) => attempt?.Deployment.Model ?? options?.ModelId;

    private static KeyValuePair<string, object?> Tag(string key, object? value) => new(key, value);

    private static Activity? StartActivity(AttemptContext? attempt, ChatOptions? options)
    {
        if (!LlmRoutingDiagnostics.ActivitySource.HasListeners())
        {
            return null;
        }

        string? model = RequestModel(attempt, options);
        Activity? activity = LlmRoutingDiagnostics.ActivitySource.StartActivity(
            string.IsNullOrEmpty(model) ? OperationName : OperationName + " " + model, ActivityKind.Client);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(LlmRoutingDiagnostics.Tags.OperationName, OperationName);
            activity.SetTag(LlmRoutingDiagnostics.Tags.RequestModel, model);
            if (attempt is not null)
            {
                activity.SetTag(LlmRoutingDiagnostics.Tags.ProviderName, attempt.Deployment.Provider);
                activity.SetTag(LlmRoutingDiagnostics.Tags.Deployment, attempt.Deployment.Name);
                activity.SetTag(LlmRoutingDiagnostics.Tags.Attempt, attempt.Attempt.Number);
                if (attempt.Request is { } request)
                {
                    activity.SetTag(LlmRoutingDiagnostics.Tags.RequestId, request.RequestId);
                }
            }
        }

        return activity;
    }

    private void Complete(
        Activity? activity, AttemptContext? attempt, ChatOptions? options, long started,
        UsageDetails? usage, string? responseModel, string? responseId, ChatFinishReason? finish, Exception? error)
    {
        TimeSpan duration = _timeProvider.GetElapsedTime(started);
        decimal cost = 0m;
        if (attempt is not null)
        {
            cost = attempt.Deployment.ModelInfo.Pricing.CalculateCost(usage);
            attempt.Attempt.Usage = TokenUsage.From(usage);
            attempt.Attempt.CostUsd = cost;
            attempt.Attempt.ResponseModel = responseModel ?? attempt.Attempt.ResponseModel;
        }

        string? errorType = error is null ? null : LlmErrorClassifier.Classify(error).ToTelemetryName();
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(LlmRoutingDiagnostics.Tags.ResponseModel, responseModel);
            activity.SetTag(LlmRoutingDiagnostics.Tags.ResponseId, responseId);
            if (finish is { } f)
            {
                activity.SetTag(LlmRoutingDiagnostics.Tags.FinishReasons, new[] { f.Value });
            }

            if (usage?.InputTokenCount is long input)
            {
                activity.SetTag(LlmRoutingDiagnostics.Tags.InputTokens, input);
            }

            if (usage?.OutputTokenCount is long output)
            {
                activity.SetTag(LlmRoutingDiagnostics.Tags.OutputTokens, output);
            }

            if (attempt is not null)
            {
                activity.SetTag(LlmRoutingDiagnostics.Tags.CostUsd, (double)cost);
            }

            if (errorType is not null)
            {
                activity.SetTag(LlmRoutingDiagnostics.Tags.ErrorType, errorType);
                activity.SetStatus(ActivityStatusCode.Error, errorType);
            }
        }

        string? provider = attempt?.Deployment.Provider;
        string? requestModel = RequestModel(attempt, options);
        if (LlmRoutingDiagnostics.OperationDuration.Enabled)
        {
            var tags = new TagList
            {
                { LlmRoutingDiagnostics.Tags.OperationName, OperationName },
                { LlmRoutingDiagnostics.Tags.ProviderName, provider },
                { LlmRoutingDiagnostics.Tags.RequestModel, requestModel },
                { LlmRoutingDiagnostics.Tags.ResponseModel, responseModel },
            };
            if (errorType is not null)
            {
                tags.Add(LlmRoutingDiagnostics.Tags.ErrorType, errorType);
            }

            LlmRoutingDiagnostics.OperationDuration.Record(duration.TotalSeconds, tags);
        }

        if (LlmRoutingDiagnostics.TokenUsage.Enabled && usage is not null)
        {
            RecordTokens(usage.InputTokenCount, "input", provider, requestModel, responseModel);
            RecordTokens(usage.OutputTokenCount, "output", provider, requestModel, responseModel);
        }

        if (LlmRoutingDiagnostics.Cost.Enabled && cost != 0m)
        {
            LlmRoutingDiagnostics.Cost.Add(
                (double)cost,
                Tag(LlmRoutingDiagnostics.Tags.ProviderName, provider),
                Tag(LlmRoutingDiagnostics.Tags.RequestModel, requestModel),
                Tag(LlmRoutingDiagnostics.Tags.Deployment, attempt?.Deployment.Name));
        }
    }

    private static void RecordTokens(long? count, string type, string? provider, string? requestModel, string? responseModel)
    {
        if (count is long n)
        {
            LlmRoutingDiagnostics.TokenUsage.Record(n, new TagList
            {
                { LlmRoutingDiagnostics.Tags.OperationName, OperationName },
                { LlmRoutingDiagnostics.Tags.TokenType, type },
                { LlmRoutingDiagnostics.Tags.ProviderName, provider },
                { LlmRoutingDiagnostics.Tags.RequestModel, requestModel },
                { LlmRoutingDiagnostics.Tags.ResponseModel, responseModel },
            });
        }
    }
}
