using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>After the call: live statistics, quality signals, budget settlement, experiment results, feedback.</summary>
public sealed partial class CostRouterChatClient
{
    /// <summary>Records the outcome of a request exactly once.</summary>
    /// <param name="state">The request.</param>
    /// <param name="answer">The answer returned to the caller; <see langword="null"/> when the request failed or was abandoned.</param>
    /// <param name="error">The failure, if any.</param>
    /// <param name="abandoned">The caller stopped reading the stream early.</param>
    private async ValueTask CompleteAsync(RouteState state, AnswerInspector? answer, Exception? error, bool abandoned = false)
    {
        if (state.Completed)
        {
            return;
        }

        state.Completed = true;
        LlmRequestContext context = state.Context;
        IReadOnlyList<RoutingAttempt> attempts = context.Attempts;
        RoutingAttempt? winner = answer is null ? null : attempts.LastOrDefault(a => a.Outcome == AttemptOutcome.Succeeded);
        double? quality = null;
        if (answer is not null && winner is not null)
        {
            string[] signals = answer.Signals(state.CallerOptions);
            context.SetQualitySignals(signals);
            quality = signals.Length == 0 ? 1 : 0;
            if (signals.Length > 0)
            {
                Log.QualitySignals(_logger, context.RequestId, winner.Deployment, string.Join(",", signals));
            }
        }

        try
        {
            RecordAttempts(state, attempts);
            if (quality is double q && winner is not null)
            {
                state.StatisticsStore.Record(winner.Deployment, DeploymentMetric.Quality, q);
            }
        }
#pragma warning disable CA1031 // A failing statistics store must not fail a request that succeeded; it is logged.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.StatisticsFailed(_logger, ex, context.RequestId);
        }

        decimal cost = await SettleBudgetsAsync(state, attempts, winner, answer).ConfigureAwait(false);

        // Caller cancellation and abandoned streams say nothing about a variant.
        if (!abandoned && error is not OperationCanceledException)
        {
            foreach ((string experiment, string variant) in context.ExperimentVariants)
            {
                _feedback.Experiments.RecordRequest(experiment, variant, error is not null, cost, context.GetElapsed());
                if (quality is double score)
                {
                    _feedback.Experiments.RecordQuality(experiment, variant, score);
                }
            }
        }

        if (winner is not null)
        {
            _feedback.Remember(context.RequestId, winner.Deployment, state.StatisticsStore, context.ExperimentVariants);
        }
    }

    /// <summary>Feeds every finished attempt into the live statistics.</summary>
    private static void RecordAttempts(RouteState state, IReadOnlyList<RoutingAttempt> attempts)
    {
        IRoutingStatisticsStore store = state.StatisticsStore;
        for (int i = state.RecordedAttempts; i < attempts.Count; i++)
        {
            RoutingAttempt a = attempts[i];
            switch (a.Outcome)
            {
                case AttemptOutcome.Succeeded:
                    store.Record(a.Deployment, DeploymentMetric.ErrorRate, 0);
                    RecordSpeed(state, store, a);
                    break;
                case AttemptOutcome.Failed when CountsAsDeploymentError(a.ErrorKind):
                    store.Record(a.Deployment, DeploymentMetric.ErrorRate, 1);
                    break;
            }
        }

        state.RecordedAttempts = attempts.Count;
    }

    private static void RecordSpeed(RouteState state, IRoutingStatisticsStore store, RoutingAttempt a)
    {
        double seconds = a.Duration.TotalSeconds;
        store.Record(a.Deployment, DeploymentMetric.Latency, seconds);
        long output = a.Usage.OutputTokens;
        if (a.TimeToFirstToken is { } ttft)
        {
            store.Record(a.Deployment, DeploymentMetric.TimeToFirstToken, ttft.TotalSeconds);
            if (output > 0 && seconds > ttft.TotalSeconds)
            {
                store.Record(a.Deployment, DeploymentMetric.OutputTokensPerSecond, output / (seconds - ttft.TotalSeconds));
            }

            return;
        }

        // Not streamed: only the total is known. Scale the predicted time to first token and speed by how much slower (or
        // faster) the call was than predicted, so the prediction for this call would have been exact.
        if (output > 0 && seconds > 0
            && state.Find(a.Deployment) is { PredictedTimeToFirstToken: { } predictedTtft, PredictedOutputTokensPerSecond: double tps } && tps > 0)
        {
            double predicted = predictedTtft.TotalSeconds + (output / tps);
            if (predicted > 0)
            {
                double k = seconds / predicted;
                store.Record(a.Deployment, DeploymentMetric.TimeToFirstToken, predictedTtft.TotalSeconds * k);
                store.Record(a.Deployment, DeploymentMetric.OutputTokensPerSecond, tps / k);
            }
        }
    }

    /// <summary>Errors caused by the request itself (malformed, too long, filtered content) say nothing about the deployment.</summary>
    private static bool CountsAsDeploymentError(LlmErrorKind? kind) =>
        kind is not (LlmErrorKind.BadRequest or LlmErrorKind.ContextLengthExceeded or LlmErrorKind.ContentFiltered);

    /// <summary>Settles the budget reservation with the actual cost; returns the request's total cost.</summary>
    private async ValueTask<decimal> SettleBudgetsAsync(RouteState state, IReadOnlyList<RoutingAttempt> attempts, RoutingAttempt? winner, AnswerInspector? answer)
    {
        decimal total = 0m;
        decimal[]? costs = state.Reservation is null ? null : new decimal[attempts.Count];
        for (int i = 0; i < attempts.Count; i++)
        {
            RoutingAttempt a = attempts[i];
            decimal cost = a.CostUsd;
            if (cost == 0m && ReferenceEquals(a, winner) && answer?.Usage is { } usage && state.Find(a.Deployment) is { } served)
            {
                // No telemetry layer priced the attempt: price the usage the answer reported.
                cost = served.Deployment.ModelInfo.Pricing.CalculateCost(usage);
            }
            else if (cost == 0m && a.OutputCommitted && a.Outcome != AttemptOutcome.Succeeded && state.Find(a.Deployment) is { } streamed)
            {
                // A stream stopped after output reached the caller: tokens were generated and billed, but no usage arrived.
                cost = streamed.EstimatedCostUsd;
            }

            total += cost;
            if (costs is not null)
            {
                costs[i] = cost;
            }
        }

        if (state.Reservation is not { } reservation || state.BudgetLines is not { } lines)
        {
            return total;
        }

        decimal[] actual = new decimal[lines.Count];
        for (int l = 0; l < lines.Count; l++)
        {
            if (lines[l].Deployment is not { } deployment)
            {
                actual[l] = total;
                continue;
            }

            for (int i = 0; i < attempts.Count; i++)
            {
                if (string.Equals(attempts[i].Deployment, deployment, StringComparison.OrdinalIgnoreCase))
                {
                    actual[l] += costs![i];
                }
            }
        }
        try
        {
            await _budgetStore.SettleAsync(reservation, actual, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The answer is already produced; a budget store outage must not fail it. It is logged.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.BudgetSettleFailed(_logger, ex, state.Context.RequestId);
        }

        state.Context.SetBudgets(lines.Select((l, i) => new BudgetStatus(l.Account.Budget, l.Account.Scope, l.Account.Key, l.Mode, l.Account.LimitUsd, l.Reserved, l.Remaining, actual[i])).ToList());
        return total;
    }
}
