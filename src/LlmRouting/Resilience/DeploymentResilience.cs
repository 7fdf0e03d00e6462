using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.RateLimiting;

namespace LlmRouting;

/// <summary>
/// The resilience state of one deployment: its Polly pipeline (client-side rate limiter → circuit breaker → attempt timeout),
/// the breaker and limiter behind it, and its observed latencies. One per deployment, kept by <see cref="DeploymentResilienceRegistry"/>.
/// </summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class DeploymentResilience
{
    public DeploymentResilience(
        string name,
        DeploymentPolicy policy,
        TimeProvider time,
        Action<DeploymentCircuitBreaker, DeploymentCircuitState, DeploymentCircuitState>? onTransition,
        ICircuitStateStore? sharedCircuits = null,
        IRateLimitCounterStore? sharedCounters = null,
        ILogger? logger = null)
    {
        Name = name;
        Policy = policy;
        Breaker = new DeploymentCircuitBreaker(
            name, policy.FailureRatio, policy.SamplingDuration, policy.MinimumThroughput, policy.BreakDuration, policy.CircuitBreakerEnabled, time, onTransition, sharedCircuits);
        Limiter = new DeploymentRateLimiter(
            policy.RequestsPerMinute, policy.TokensPerMinute, policy.MaxConcurrency, policy.HonorProviderHeaders, time, sharedCounters, name, logger);
        ResilienceDiagnostics.Track(Breaker);

        Pipeline = new ResiliencePipelineBuilder { Name = "LlmRouting." + name, TimeProvider = time }
            .AddRateLimiter(new RateLimiterStrategyOptions
            {
                Name = "rate-limiter",
                RateLimiter = args =>
                {
                    AttemptLeg? leg = args.Context.Properties.GetValue(AttemptLeg.PropertyKey, null!);
                    long tokens = leg?.EstimatedTokens ?? 0;
                    var lease = (DeploymentLease)Limiter.AttemptAcquire((int)Math.Min(int.MaxValue, tokens));
                    if (!lease.IsAcquired)
                    {
                        leg?.RecordRejectedLimit(lease.Reason);
                        ResilienceDiagnostics.RecordLocalRejection(name, lease.Reason ?? "limit");
                        return new ValueTask<RateLimitLease>(lease);
                    }

                    if (lease.NeedsAdmission)
                    {
                        // The fleet's gate: one round trip, outside the limiter's lock, before the provider is called.
                        return AdmitAsync(name, lease, leg, args.Context.CancellationToken);
                    }

                    if (leg is not null)
                    {
                        leg.Lease = lease;
                    }

                    return new ValueTask<RateLimitLease>(lease);
                },
            })
            .AddStrategy(_ => new CircuitBreakerStrategy(Breaker))
            .AddStrategy(_ => new AttemptTimeoutStrategy(time))
            .Build();
    }

    public string Name { get; }

    public DeploymentPolicy Policy { get; }

    public DeploymentCircuitBreaker Breaker { get; }

    public DeploymentRateLimiter Limiter { get; }

    public ResiliencePipeline Pipeline { get; }

    /// <summary>Gets the times to first update of successful streamed attempts.</summary>
    public LatencyTracker TimeToFirstToken { get; } = new();

    /// <summary>Gets the durations of successful non-streamed attempts.</summary>
    public LatencyTracker ResponseTime { get; } = new();

    /// <summary>Gets the observed hedging delay of this deployment for a streamed or non-streamed request, if enough samples exist.</summary>
    public TimeSpan? ObservedLatency(bool streaming) =>
        (streaming ? TimeToFirstToken : ResponseTime).Percentile(HedgingConstants.Percentile, HedgingConstants.MinimumSamples);

    public DeploymentHealthState GetState(long estimatedTokens)
    {
        (DeploymentCircuitState state, bool accepts, TimeSpan? recoversIn, int samples, double ratio) = Breaker.Snapshot();
        (bool available, string? reason, TimeSpan? retryAfter) = Limiter.Check(estimatedTokens);
        TimeSpan? availableIn = null;
        if (!accepts || !available)
        {
            availableIn = !accepts && recoversIn is null ? null
                : !available && retryAfter is null ? null
                : Max(accepts ? TimeSpan.Zero : recoversIn!.Value, available ? TimeSpan.Zero : retryAfter!.Value);
        }

        return new DeploymentHealthState
        {
            Deployment = Name,
            Circuit = state,
            CircuitAcceptsRequests = accepts,
            IsSaturated = !available,
            SaturationReason = reason,
            AvailableIn = availableIn,
            FailureRatio = ratio,
            SampleCount = samples,
            InFlight = Limiter.InFlight,
            TimeToFirstTokenP90 = ObservedLatency(streaming: true),
        };
    }

    private static async ValueTask<RateLimitLease> AdmitAsync(string name, DeploymentLease lease, AttemptLeg? leg, CancellationToken cancellationToken)
    {
        SharedAdmission admission;
        try
        {
            admission = await lease.AdmitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            lease.Revoke();
            throw;
        }

        if (!admission.IsAcquired)
        {
            lease.Revoke();
            string reason = RateLimitingConstants.Fleet(admission.Reason);
            leg?.RecordRejectedLimit(reason);
            ResilienceDiagnostics.RecordLocalRejection(name, reason);
            return DeploymentLease.Rejected(reason, admission.RetryAfter);
        }

        lease.Admission = admission;
        if (leg is not null)
        {
            leg.Lease = lease;
        }

        return lease;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
