using System.Diagnostics;
using System.Globalization;

namespace LlmRouting;

/// <summary>
/// Observes one request from the router's point of view: holds the request span (the parent of every attempt span),
/// and on <see cref="Dispose"/> tags it, records the request metrics and hands a <see cref="RequestLogRecord"/> to the log.
/// </summary>
/// <remarks>
/// The router calls <see cref="Attach"/> once the request context exists, <see cref="Succeeded"/> when the answer is complete
/// (for streams: before the final update), <see cref="Failed"/> from an exception filter, and <see cref="Dispose"/> in all
/// cases; a scope disposed with no outcome is a cancellation (e.g. a stream the caller stopped reading). Never throws.
/// </remarks>
internal sealed class RequestTelemetryScope : IDisposable
{
    private readonly RequestTelemetry _owner;
    private readonly Activity? _activity;
    private readonly RequestLog? _log;
    private readonly bool _streaming;
    private LlmRequestContext? _context;
    private DateTimeOffset _startedAt;
    private Exception? _error;
    private bool _succeeded;
    private TimeSpan? _total;
    private int _completed;

    internal RequestTelemetryScope(RequestTelemetry owner, Activity? activity, RequestLog? log, bool streaming)
    {
        _owner = owner;
        _activity = activity;
        _log = log;
        _streaming = streaming;
    }

    /// <summary>Gets the request span, if one is recorded.</summary>
    public Activity? Activity => _activity;

    /// <summary>Links the scope to the request context (and the context to the request span).</summary>
    public void Attach(LlmRequestContext context)
    {
        _context = context;
        context.Activity = _activity;
        _startedAt = context.TimeProvider.GetUtcNow() - context.GetElapsed();
    }

    /// <summary>Marks the request as answered.</summary>
    public void Succeeded()
    {
        if (!_succeeded && _error is null)
        {
            _succeeded = true;
            _total = _context?.GetElapsed();
        }
    }

    /// <summary>Records the request's failure; returns <see langword="false"/> so that it can run in an exception filter.</summary>
    public static bool Failed(RequestTelemetryScope? scope, Exception error)
    {
        if (scope is not null && !scope._succeeded && scope._error is null)
        {
            scope._error = error;
            scope._total = scope._context?.GetElapsed();
        }

        return false;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _completed, 1) != 0)
        {
            return;
        }

        try
        {
            Complete();
        }
#pragma warning disable CA1031 // Telemetry must never fail or replace the outcome of a request.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
        finally
        {
            _activity?.Dispose();
        }
    }

    private void Complete()
    {
        LlmRequestContext? context = _context;
        RequestOutcome outcome = _succeeded ? RequestOutcome.Succeeded
            : _error is null or OperationCanceledException ? RequestOutcome.Cancelled
            : RequestOutcome.Failed;
        string? errorType = outcome == RequestOutcome.Failed ? ErrorTypes.Of(_error!) : null;
        TimeSpan total = _total ?? context?.GetElapsed() ?? TimeSpan.Zero;
        IReadOnlyList<RoutingAttempt> attempts = context?.Attempts ?? [];
        RoutingAttempt? winner = Winner(attempts);
        string? user = context?.User is { } rawUser ? _owner.Pseudonymizer.Pseudonymize(rawUser) : null;

        TagSpan(context, attempts, winner, outcome, errorType, user);
        RecordMetrics(context, attempts, winner, outcome, errorType, total);
        if (_log is not null && context is not null)
        {
            _log.Write(BuildRecord(context, attempts, winner, outcome, errorType, total, user));
        }
    }

    private static RoutingAttempt? Winner(IReadOnlyList<RoutingAttempt> attempts)
    {
        RoutingAttempt? committed = null;
        for (int i = attempts.Count - 1; i >= 0; i--)
        {
            if (attempts[i].Outcome == AttemptOutcome.Succeeded)
            {
                return attempts[i];
            }

            committed ??= attempts[i].OutputCommitted ? attempts[i] : null;
        }

        return committed;
    }

    private void TagSpan(LlmRequestContext? context, IReadOnlyList<RoutingAttempt> attempts, RoutingAttempt? winner, RequestOutcome outcome, string? errorType, string? user)
    {
        if (_activity is not { IsAllDataRequested: true } activity)
        {
            return;
        }

        if (context is not null)
        {
            activity.DisplayName = "route " + context.Policy;
            activity.SetTag(LlmRoutingDiagnostics.Tags.RequestId, context.RequestId);
            activity.SetTag(LlmRoutingDiagnostics.Tags.Policy, context.Policy);
            activity.SetTag(LlmRoutingDiagnostics.Tags.RequestStream, _streaming);
            IReadOnlyList<Deployment> candidates = context.Candidates;
            activity.SetTag(LlmRoutingDiagnostics.Tags.CandidateCount, candidates.Count);
            if (candidates.Count > 0)
            {
                var names = new string[candidates.Count];
                for (int i = 0; i < names.Length; i++)
                {
                    names[i] = candidates[i].Name;
                }

                activity.SetTag(LlmRoutingDiagnostics.Tags.Candidates, names);
            }

            activity.SetTag(LlmRoutingDiagnostics.Tags.RejectedCount, context.Rejections.Count);
            activity.SetTag(LlmRoutingDiagnostics.Tags.EstimatedCostUsd, (double)context.EstimatedCostUsd);
            SetIfNotNull(activity, LlmRoutingDiagnostics.Tags.Tenant, context.Tenant);
            SetIfNotNull(activity, LlmRoutingDiagnostics.Tags.User, user);
            if (context.Tags.Count > 0)
            {
                activity.SetTag(LlmRoutingDiagnostics.Tags.RequestTags, context.Tags.ToArray());
            }

            SetIfNotNull(activity, LlmRoutingDiagnostics.Tags.BudgetKey, context.BudgetKey);
            SetIfNotNull(activity, LlmRoutingDiagnostics.Tags.Experiment, context.Experiment);
            SetIfNotNull(activity, LlmRoutingDiagnostics.Tags.ExperimentVariant, context.ExperimentVariant);
            SetIfNotNull(activity, LlmRoutingDiagnostics.Tags.PromptCategory, context.PromptCategory);
            foreach (KeyValuePair<string, int> redaction in context.Redactions)
            {
                activity.SetTag(LlmRoutingDiagnostics.Tags.RedactionsPrefix + Lower(redaction.Key), redaction.Value);
            }
        }

        activity.SetTag(LlmRoutingDiagnostics.Tags.AttemptCount, attempts.Count);
        (int retries, int failovers, bool hedged) = Count(attempts);
        activity.SetTag(LlmRoutingDiagnostics.Tags.Retries, retries);
        activity.SetTag(LlmRoutingDiagnostics.Tags.Failovers, failovers);
        activity.SetTag(LlmRoutingDiagnostics.Tags.Hedged, hedged);
        decimal cost = 0m;
        long input = 0, output = 0;
        foreach (RoutingAttempt a in attempts)
        {
            cost += a.CostUsd;
            input += a.Usage.InputTokens;
            output += a.Usage.OutputTokens;
        }

        activity.SetTag(LlmRoutingDiagnostics.Tags.CostUsd, (double)cost);
        activity.SetTag(LlmRoutingDiagnostics.Tags.TotalInputTokens, input);
        activity.SetTag(LlmRoutingDiagnostics.Tags.TotalOutputTokens, output);
        if (winner is not null)
        {
            activity.SetTag(LlmRoutingDiagnostics.Tags.Deployment, winner.Deployment);
            activity.SetTag(LlmRoutingDiagnostics.Tags.Provider, winner.Provider);
            activity.SetTag(LlmRoutingDiagnostics.Tags.Model, winner.ResponseModel ?? winner.Model);
        }

        activity.SetTag(LlmRoutingDiagnostics.Tags.Outcome, OutcomeName(outcome));
        if (errorType is not null)
        {
            activity.SetTag(LlmRoutingDiagnostics.Tags.ErrorType, errorType);
            activity.SetStatus(ActivityStatusCode.Error, errorType);
        }
    }

    private void RecordMetrics(LlmRequestContext? context, IReadOnlyList<RoutingAttempt> attempts, RoutingAttempt? winner, RequestOutcome outcome, string? errorType, TimeSpan total)
    {
        if (LlmRoutingDiagnostics.RequestDuration.Enabled)
        {
            var tags = new TagList
            {
                { LlmRoutingDiagnostics.Tags.Policy, context?.Policy },
                { LlmRoutingDiagnostics.Tags.Outcome, OutcomeName(outcome) },
                { LlmRoutingDiagnostics.Tags.Deployment, winner?.Deployment },
                { LlmRoutingDiagnostics.Tags.Tenant, context?.Tenant },
                { LlmRoutingDiagnostics.Tags.RequestStream, _streaming },
            };
            if (context?.ExperimentVariant is { } variant)
            {
                tags.Add(LlmRoutingDiagnostics.Tags.ExperimentVariant, variant);
            }

            if (errorType is not null)
            {
                tags.Add(LlmRoutingDiagnostics.Tags.ErrorType, errorType);
            }

            LlmRoutingDiagnostics.RequestDuration.Record(total.TotalSeconds, tags);
        }

        if (_streaming && context?.TimeToFirstToken is { } ttft && LlmRoutingDiagnostics.RequestTimeToFirstToken.Enabled)
        {
            LlmRoutingDiagnostics.RequestTimeToFirstToken.Record(
                ttft.TotalSeconds,
                new KeyValuePair<string, object?>(LlmRoutingDiagnostics.Tags.Deployment, winner?.Deployment),
                new KeyValuePair<string, object?>(LlmRoutingDiagnostics.Tags.Tenant, context.Tenant));
        }

        if (attempts.Count > 1 && (LlmRoutingDiagnostics.Retries.Enabled || LlmRoutingDiagnostics.Failovers.Enabled || LlmRoutingDiagnostics.Hedges.Enabled))
        {
            for (int i = 1; i < attempts.Count; i++)
            {
                RoutingAttempt previous = attempts[i - 1], current = attempts[i];
                string reason = (previous.ErrorKind ?? LlmErrorKind.Unknown).ToTelemetryName();
                if (current.Hedged)
                {
                    LlmRoutingDiagnostics.Hedges.Add(1, new KeyValuePair<string, object?>(LlmRoutingDiagnostics.Tags.Deployment, current.Deployment));
                }
                else if (string.Equals(previous.Deployment, current.Deployment, StringComparison.Ordinal))
                {
                    LlmRoutingDiagnostics.Retries.Add(
                        1,
                        new KeyValuePair<string, object?>(LlmRoutingDiagnostics.Tags.Deployment, current.Deployment),
                        new KeyValuePair<string, object?>(LlmRoutingDiagnostics.Tags.ErrorType, reason));
                }
                else
                {
                    LlmRoutingDiagnostics.Failovers.Add(
                        1,
                        new KeyValuePair<string, object?>(LlmRoutingDiagnostics.Tags.Deployment, previous.Deployment),
                        new KeyValuePair<string, object?>(LlmRoutingDiagnostics.Tags.ErrorType, reason));
                }
            }
        }

        if (context is not null && LlmRoutingDiagnostics.Redactions.Enabled)
        {
            foreach (KeyValuePair<string, int> redaction in context.Redactions)
            {
                LlmRoutingDiagnostics.Redactions.Add(
                    redaction.Value,
                    new KeyValuePair<string, object?>(LlmRoutingDiagnostics.Tags.RedactionEntityType, redaction.Key),
                    new KeyValuePair<string, object?>(LlmRoutingDiagnostics.Tags.Tenant, context.Tenant));
            }
        }
    }

    private RequestLogRecord BuildRecord(
        LlmRequestContext context, IReadOnlyList<RoutingAttempt> attempts, RoutingAttempt? winner, RequestOutcome outcome, string? errorType, TimeSpan total, string? user)
    {
        var logged = new RequestLogAttempt[attempts.Count];
        TokenUsage usage = TokenUsage.Zero;
        decimal cost = 0m;
        for (int i = 0; i < attempts.Count; i++)
        {
            logged[i] = RequestLogAttempt.From(attempts[i]);
            usage += attempts[i].Usage;
            cost += attempts[i].CostUsd;
        }

        TimeSpan? streaming = _streaming && winner is { TimeToFirstToken: { } firstToken } ? winner.Duration - firstToken : null;
        return new RequestLogRecord
        {
            RequestId = context.RequestId,
            StartedAt = _startedAt,
            CompletedAt = _startedAt + total,
            Streaming = _streaming,
            Tenant = context.Tenant,
            User = user,
            Tags = context.Tags.Count == 0 ? [] : context.Tags.ToArray(),
            BudgetKey = context.BudgetKey,
            Experiment = context.Experiment,
            ExperimentVariant = context.ExperimentVariant,
            PromptCategory = context.PromptCategory,
            Policy = context.Policy,
            Deployment = winner?.Deployment,
            Provider = winner?.Provider,
            Model = winner is null ? null : winner.ResponseModel ?? winner.Model,
            CandidateCount = context.Candidates.Count,
            RejectedCount = context.Rejections.Count,
            Outcome = outcome,
            ErrorType = errorType,
            Attempts = logged,
            Latency = new RequestLatency
            {
                Total = total,
                Routing = context.RoutingDuration,
                Redaction = context.RedactionDuration,
                LimitWait = context.LimitWaitDuration,
                Provider = ProviderTime(attempts),
                TimeToFirstToken = context.TimeToFirstToken,
                Streaming = streaming is { } s && s >= TimeSpan.Zero ? s : null,
            },
            Usage = usage,
            CostUsd = cost,
            EstimatedCostUsd = context.EstimatedCostUsd,
            Redactions = context.Redactions.Count == 0 ? new Dictionary<string, int>() : new Dictionary<string, int>(context.Redactions, StringComparer.Ordinal),
            QualityScore = context.QualityScore,
        };
    }

    /// <summary>The union of the attempts' [start, start + duration) intervals: time during which a provider call was running.</summary>
    internal static TimeSpan ProviderTime(IReadOnlyList<RoutingAttempt> attempts)
    {
        if (attempts.Count == 0)
        {
            return TimeSpan.Zero;
        }

        var intervals = new (TimeSpan Start, TimeSpan End)[attempts.Count];
        for (int i = 0; i < intervals.Length; i++)
        {
            intervals[i] = (attempts[i].StartOffset, attempts[i].StartOffset + attempts[i].Duration);
        }

        Array.Sort(intervals, static (a, b) => a.Start.CompareTo(b.Start));
        TimeSpan sum = TimeSpan.Zero;
        (TimeSpan start, TimeSpan end) = intervals[0];
        for (int i = 1; i < intervals.Length; i++)
        {
            if (intervals[i].Start <= end)
            {
                end = intervals[i].End > end ? intervals[i].End : end;
            }
            else
            {
                sum += end - start;
                (start, end) = intervals[i];
            }
        }

        return sum + (end - start);
    }

    private static (int Retries, int Failovers, bool Hedged) Count(IReadOnlyList<RoutingAttempt> attempts)
    {
        int retries = 0, failovers = 0;
        bool hedged = attempts.Count > 0 && attempts[0].Hedged;
        for (int i = 1; i < attempts.Count; i++)
        {
            if (attempts[i].Hedged)
            {
                hedged = true;
            }
            else if (string.Equals(attempts[i - 1].Deployment, attempts[i].Deployment, StringComparison.Ordinal))
            {
                retries++;
            }
            else
            {
                failovers++;
            }
        }

        return (retries, failovers, hedged);
    }

    internal static string OutcomeName(RequestOutcome outcome) => outcome switch
    {
        RequestOutcome.Succeeded => "succeeded",
        RequestOutcome.Failed => "failed",
        _ => "cancelled",
    };

    private static void SetIfNotNull(Activity activity, string key, string? value)
    {
        if (value is not null)
        {
            activity.SetTag(key, value);
        }
    }

    private static string Lower(string value) => string.Create(value.Length, value, static (span, source) =>
    {
        for (int i = 0; i < source.Length; i++)
        {
            span[i] = char.ToLower(source[i], CultureInfo.InvariantCulture);
        }
    });
}
