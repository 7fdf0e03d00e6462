using System.Globalization;

namespace LlmRouting;

/// <summary>
/// The router's health filter: drops candidates whose circuit is open (<c>circuit_open</c>) or whose client-side limits are saturated
/// (<c>rate_limited_locally</c>), recording each as a rejection — unless that would leave none, in which case all stay
/// ("healthy or panic": the resilience layer then waits for the earliest to recover within the request's deadline).
/// </summary>
internal static class DeploymentHealthFilter
{
    public static void Apply(IDeploymentHealth? health, List<RoutingCandidate> eligible, IList<CandidateRejection> rejections, long estimatedTokens)
    {
        if (health is null || eligible.Count == 0)
        {
            return;
        }

        DeploymentHealthState[] states = new DeploymentHealthState[eligible.Count];
        bool anyAvailable = false, anyUnavailable = false;
        for (int i = 0; i < eligible.Count; i++)
        {
            states[i] = health.GetState(eligible[i].Deployment.Name, estimatedTokens);
            anyAvailable |= states[i].IsAvailable;
            anyUnavailable |= !states[i].IsAvailable;
        }

        if (!anyAvailable || !anyUnavailable)
        {
            return;
        }

        for (int i = eligible.Count - 1; i >= 0; i--)
        {
            DeploymentHealthState state = states[i];
            if (state.IsAvailable)
            {
                continue;
            }

            Deployment d = eligible[i].Deployment;
            string when = state.AvailableIn is { } t ? string.Create(CultureInfo.InvariantCulture, $"; available again in {t.TotalSeconds:0.###} s") : string.Empty;
            rejections.Add(state.CircuitAcceptsRequests
                ? new CandidateRejection(d.Name, d.Provider, d.Model, RateLimitingConstants.RejectionReason, $"The client-side limit '{state.SaturationReason}' is reached{when}.")
                : new CandidateRejection(d.Name, d.Provider, d.Model, CircuitBreakerConstants.RejectionReason, $"The deployment's circuit is {ResilienceDiagnostics.Name(state.Circuit)}{when}."));
            eligible.RemoveAt(i);
        }
    }
}
