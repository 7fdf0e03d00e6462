using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>Cascades: cheap first, escalate when a check of the answer fails.</summary>
public sealed partial class CostRouterChatClient
{
    private const string LowConfidence = "low_confidence";
    private const string PredicateFailed = "predicate";

    /// <summary>Chooses the cascade steps among the usable candidates, or <see langword="null"/> for no cascade.</summary>
    private IReadOnlyList<RoutingCandidate>? PlanCascade(RouteState state, IReadOnlyList<RoutingCandidate> usable)
    {
        CascadeOptions cascade = _options.Cascade;
        if (!(state.Profile.Hints.Cascade ?? cascade.Enabled) || state.Profile.PinnedModel is not null || usable.Count < 2)
        {
            return null;
        }

        List<RoutingCandidate> steps;
        if (cascade.Steps is { Count: > 0 } configured)
        {
            steps = [];
            foreach (string name in configured)
            {
                RoutingCandidate? c = usable.FirstOrDefault(u => string.Equals(u.Deployment.Name, name, StringComparison.OrdinalIgnoreCase));
                if (c is not null && !steps.Contains(c))
                {
                    steps.Add(c);
                }
            }
        }
        else
        {
            // Cheapest known price first; then the candidate with the best predicted quality (policy order breaks ties).
            RoutingCandidate cheap = usable.Where(c => c.IsCostKnown).DefaultIfEmpty(usable[0]).OrderBy(c => c, Comparer<RoutingCandidate>.Create(PolicyOrdering.ByCost)).First();
            RoutingCandidate? strong = null;
            foreach (RoutingCandidate c in usable)
            {
                if (c.PredictedQuality is double q && (strong?.PredictedQuality is not double best || q > best))
                {
                    strong = c;
                }
            }

            steps = strong is null || ReferenceEquals(strong, cheap) || (cheap.PredictedQuality is double cq && cq >= strong.PredictedQuality!.Value)
                ? []
                : [cheap, strong];
        }

        return steps.Count >= 2 ? steps : null;
    }

    /// <summary>The last step's failover list: the last step, then every usable candidate that is not a step, in policy order.</summary>
    private static List<RoutingCandidate> FinalStepCandidates(IReadOnlyList<RoutingCandidate> steps, IReadOnlyList<RoutingCandidate> usable)
    {
        var list = new List<RoutingCandidate> { steps[^1] };
        foreach (RoutingCandidate c in usable)
        {
            if (!steps.Contains(c))
            {
                list.Add(c);
            }
        }

        return list;
    }

    private async Task<(ChatResponse Response, AnswerInspector Answer)> CascadeAsync(RouteState state, CancellationToken cancellationToken)
    {
        IReadOnlyList<RoutingCandidate> steps = state.CascadeSteps!;
        for (int step = 0; step < steps.Count - 1; step++)
        {
            state.Context.Candidates = [steps[step].Deployment];
            int before = state.Context.Attempts.Count;
            ChatResponse response;
            try
            {
                response = await base.GetResponseAsync(state.Messages, state.Options, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (CanEscalate(ex, cancellationToken))
            {
                Escalate(state, step, before, "error:" + FailureKind(ex).ToTelemetryName(), buffered: false);
                continue;
            }

            AnswerInspector answer = NewInspector(state);
            answer.Add(response);
            if (Check(state, step, response, answer) is { } failed)
            {
                Escalate(state, step, before, failed, buffered: false);
                continue;
            }

            Accept(state, step, before, buffered: false);
            return (response, answer);
        }

        BeginFinalCascadeStep(state);
        ChatResponse final = await base.GetResponseAsync(state.Messages, state.Options, cancellationToken).ConfigureAwait(false);
        EndFinalCascadeStep(state);
        AnswerInspector finalAnswer = NewInspector(state);
        finalAnswer.Add(final);
        return (final, finalAnswer);
    }

    /// <summary>Runs a streamed step other than the last to its end, holding its updates back until the answer is checked.</summary>
    private async Task<BufferedStep> RunBufferedStepAsync(RouteState state, int step, CancellationToken cancellationToken)
    {
        RoutingCandidate candidate = state.CascadeSteps![step];
        state.Context.Candidates = [candidate.Deployment];
        state.Context.OutputBuffered = true;
        int before = state.Context.Attempts.Count;
        var updates = new List<ChatResponseUpdate>();
        try
        {
            await foreach (ChatResponseUpdate update in base.GetStreamingResponseAsync(state.Messages, state.Options, cancellationToken).ConfigureAwait(false))
            {
                updates.Add(update);
            }
        }
        catch (Exception ex) when (CanEscalate(ex, cancellationToken))
        {
            Escalate(state, step, before, "error:" + FailureKind(ex).ToTelemetryName(), buffered: true);
            return default;
        }

        AnswerInspector answer = NewInspector(state);
        foreach (ChatResponseUpdate update in updates)
        {
            answer.Add(update);
        }

        if (Check(state, step, updates.ToChatResponse(), answer) is { } failed)
        {
            Escalate(state, step, before, failed, buffered: true);
            return default;
        }

        Accept(state, step, before, buffered: true);
        return new BufferedStep(true, updates, answer);
    }

    private static void BeginFinalCascadeStep(RouteState state)
    {
        IReadOnlyList<RoutingCandidate> steps = state.CascadeSteps!;
        state.Context.Candidates = FinalStepCandidates(steps, state.Ranked).Select(c => c.Deployment).ToArray();
        state.FinalStepFirstAttempt = state.Context.Attempts.Count;
    }

    private static void EndFinalCascadeStep(RouteState state) => Accept(state, state.CascadeSteps!.Count - 1, state.FinalStepFirstAttempt, buffered: false);

    /// <summary>Returns the failed check, or <see langword="null"/> when the answer passes.</summary>
    private string? Check(RouteState state, int step, ChatResponse response, AnswerInspector answer)
    {
        CascadeOptions cascade = _options.Cascade;
        CascadeChecks checks = cascade.Checks;
        string[] signals = answer.Signals(state.CallerOptions);
        if (checks.HasFlag(CascadeChecks.EmptyAnswer))
        {
            foreach (string s in signals)
            {
                if (s is AnswerInspector.EmptyAnswer or AnswerInspector.Refusal)
                {
                    return s;
                }
            }
        }

        if (checks.HasFlag(CascadeChecks.JsonSchema))
        {
            foreach (string s in signals)
            {
                if (s is AnswerInspector.JsonInvalid or AnswerInspector.JsonSchemaInvalid)
                {
                    return s;
                }
            }
        }

        if (checks.HasFlag(CascadeChecks.LengthLimit) && signals.Contains(AnswerInspector.LengthLimit))
        {
            return AnswerInspector.LengthLimit;
        }

        if (checks.HasFlag(CascadeChecks.Confidence) && answer.Confidence() is double confidence && confidence < cascade.MinConfidence)
        {
            return LowConfidence;
        }

        if (CascadePredicate is { } predicate
            && !predicate(new CascadeCheckArguments(response, state.CascadeSteps![step].Deployment, step + 1, state.Messages, state.CallerOptions)))
        {
            return PredicateFailed;
        }

        return null;
    }

    private static bool CanEscalate(Exception ex, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested && ex is OperationCanceledException)
        {
            return false;
        }

        // A malformed request fails the same way on every deployment.
        return FailureKind(ex).AllowsFailover();
    }

    /// <summary>The kind of a step's failure; for "all attempts failed", the kind of the last attempt's failure.</summary>
    private static LlmErrorKind FailureKind(Exception ex) =>
        LlmErrorClassifier.Classify(ex is AllAttemptsFailedException { InnerException: { } inner } ? inner : ex);

    private void Escalate(RouteState state, int step, int firstAttempt, string reason, bool buffered)
    {
        RoutingCandidate candidate = state.CascadeSteps![step];
        IReadOnlyList<RoutingAttempt> attempts = state.Context.Attempts;
        if (attempts.Count > firstAttempt)
        {
            attempts[^1].FailoverReason = "cascade:" + reason;
        }

        if (!reason.StartsWith("error:", StringComparison.Ordinal))
        {
            // A rejected answer is a quality signal against the deployment (errors are counted by the attempt statistics).
            state.StatisticsStore.Record(candidate.Deployment.Name, DeploymentMetric.Quality, 0);
        }

        state.Context.AddCascadeStep(new CascadeStep(step + 1, candidate.Deployment.Name, false, reason, buffered, StepCost(attempts, firstAttempt)));
        Log.CascadeEscalated(_logger, state.Context.RequestId, step + 1, candidate.Deployment.Name, reason);
    }

    private static void Accept(RouteState state, int step, int firstAttempt, bool buffered)
    {
        IReadOnlyList<RoutingAttempt> attempts = state.Context.Attempts;
        string deployment = attempts.Count > firstAttempt ? attempts[^1].Deployment : state.CascadeSteps![step].Deployment.Name;
        state.Context.AddCascadeStep(new CascadeStep(step + 1, deployment, true, null, buffered, StepCost(attempts, firstAttempt)));
        state.Context.Candidates = state.Ranked.Select(c => c.Deployment).ToArray();
    }

    private static decimal StepCost(IReadOnlyList<RoutingAttempt> attempts, int firstAttempt)
    {
        decimal cost = 0m;
        for (int i = firstAttempt; i < attempts.Count; i++)
        {
            cost += attempts[i].CostUsd;
        }

        return cost;
    }

    private readonly record struct BufferedStep(bool Accepted, List<ChatResponseUpdate>? Updates, AnswerInspector? Answer);
}
