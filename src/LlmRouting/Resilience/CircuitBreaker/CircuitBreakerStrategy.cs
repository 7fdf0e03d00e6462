using Polly;

namespace LlmRouting;

/// <summary>
/// The Polly strategy that puts a <see cref="DeploymentCircuitBreaker"/> into a deployment's pipeline: refuses attempts while the
/// circuit is open and records each attempt's outcome. A streamed attempt whose first update arrived is recorded later, when its stream ends.
/// </summary>
internal sealed class CircuitBreakerStrategy : ResilienceStrategy
{
    private readonly DeploymentCircuitBreaker _breaker;

    public CircuitBreakerStrategy(DeploymentCircuitBreaker breaker) => _breaker = breaker;

    protected override async ValueTask<Outcome<TResult>> ExecuteCore<TResult, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback, ResilienceContext context, TState state)
    {
        if (!_breaker.TryEnter(out DeploymentCircuitState entered, out TimeSpan? recoversIn))
        {
            return Outcome.FromException<TResult>(new CircuitOpenRejectedException(entered, recoversIn));
        }

        AttemptLeg? leg = context.Properties.GetValue(AttemptLeg.PropertyKey, null!);
        if (leg is not null)
        {
            leg.CircuitAtEntry = entered;
        }

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

        if (leg is null)
        {
            _breaker.Record(outcome.Exception is null ? HealthSignal.Success : HealthSignal.Failure, entered);
        }
        else if (!leg.HealthDeferred)
        {
            _breaker.Record(leg.Signal(outcome.Exception), entered);
        }

        return outcome;
    }
}
