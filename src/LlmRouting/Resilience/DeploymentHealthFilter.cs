using System.Globalization;

namespace LlmRouting;

/// <summary>
/// The router's health filter: moves candidates whose circuit is open or whose client-side limits are saturated behind the
/// available ones (keeping the router's order within each group, the unavailable ones by when they recover), so that routing
/// skips them while another candidate can serve the request. They stay in the list as a last resort: a cool-down of a second
/// must not take a deployment out of a request that every other candidate then fails ("healthy or panic": the resilience layer
/// waits for the earliest to recover within the request's deadline). Each one moved back is reported as a <c>circuit_open</c> or
/// <c>rate_limited_locally</c> rejection whose detail says it was kept as a last resort.
/// </summary>
internal static class DeploymentHealthFilter
{
    public static void Apply(IDeploymentHealth? health, List<RoutingCandidate> eligible, IList<CandidateRejection> rejections, long estimatedTokens)
    {
        if (health is null || eligible.Count < 2)
        {
            return;
        }

        List<(RoutingCandidate Candidate, TimeSpan RecoversIn)>? unavailable = null;
        var states = new List<DeploymentHealthState>();
        for (int i = 0; i < eligible.Count; i++)
        {
            DeploymentHealthState state = health.GetState(eligible[i].Deployment.Name, estimatedTokens);
            if (!state.IsAvailable)
            {
                (unavailable ??= []).Add((eligible[i], state.AvailableIn ?? TimeSpan.MaxValue));
                states.Add(state);
            }
        }

        if (unavailable is null || unavailable.Count == eligible.Count)
        {
            return;
        }

        for (int i = 0; i < unavailable.Count; i++)
        {
            Deployment d = unavailable[i].Candidate.Deployment;
            DeploymentHealthState state = states[i];
            eligible.Remove(unavailable[i].Candidate);
            string when = state.AvailableIn is { } t ? string.Create(CultureInfo.InvariantCulture, $"; available again in {t.TotalSeconds:0.###} s") : string.Empty;
            rejections.Add(state.CircuitAcceptsRequests
                ? new CandidateRejection(d.Name, d.Provider, d.Model, RateLimitingConstants.RejectionReason, $"The client-side limit '{state.SaturationReason}' is reached{when}; kept behind the available candidates as a last resort.")
                : new CandidateRejection(d.Name, d.Provider, d.Model, CircuitBreakerConstants.RejectionReason, $"The deployment's circuit is {ResilienceDiagnostics.Name(state.Circuit)}{when}; kept behind the available candidates as a last resort."));
        }

        // Stable: candidates recovering at the same time keep the router's order.
        foreach ((RoutingCandidate candidate, _) in unavailable.OrderBy(u => u.RecoversIn))
        {
            eligible.Add(candidate);
        }
    }
}
