using System.Globalization;
using Polly;

namespace LlmRouting;

/// <summary>
/// The attempt-timeout strategy of a deployment's pipeline: cancels the attempt when its timeout (per request, per deployment or
/// global, carried by the <see cref="AttemptLeg"/>) passes, and reports it as an <see cref="LlmErrorKind.Timeout"/> failure of that
/// deployment. For a stream, the attempt leaves the pipeline at its first update, so the timeout covers the call until then.
/// </summary>
internal sealed class AttemptTimeoutStrategy : ResilienceStrategy
{
    private readonly TimeProvider _time;

    public AttemptTimeoutStrategy(TimeProvider time) => _time = time;

    protected override async ValueTask<Outcome<TResult>> ExecuteCore<TResult, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback, ResilienceContext context, TState state)
    {
        AttemptLeg? leg = context.Properties.GetValue(AttemptLeg.PropertyKey, null!);
        if (leg?.AttemptTimeout is not { } timeout)
        {
            return await callback(context, state).ConfigureAwait(context.ContinueOnCapturedContext);
        }

        CancellationToken previous = context.CancellationToken;
        using var timer = new TimerCancellation(_time, timeout);
        leg.AttemptTimeoutToken = timer.Token; // the leg links it into its call while the attempt is inside the pipeline
        Outcome<TResult> outcome;
        try
        {
            outcome = await callback(context, state).ConfigureAwait(context.ContinueOnCapturedContext);
        }
#pragma warning disable CA1031 // A strategy returns failures as outcomes.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            outcome = Outcome.FromException<TResult>(ex);
        }
        finally
        {
            leg.AttemptTimeoutToken = CancellationToken.None;
        }

        if (timer.IsCancellationRequested && !previous.IsCancellationRequested && outcome.Exception is OperationCanceledException canceled)
        {
            return Outcome.FromException<TResult>(leg.Fault(
                LlmErrorKind.Timeout,
                string.Create(CultureInfo.InvariantCulture, $"The attempt on deployment '{leg.Deployment.Name}' timed out after {timeout.TotalSeconds:0.###} s."),
                canceled));
        }

        return outcome;
    }
}
