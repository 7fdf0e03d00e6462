namespace LlmRouting;

/// <summary>An eligible deployment with the router's estimates for the current request.</summary>
/// <param name="Deployment">The deployment.</param>
/// <param name="EstimatedCostUsd">The estimated cost of the request on this deployment, in US dollars.</param>
public sealed record RoutingCandidate(Deployment Deployment, decimal EstimatedCostUsd);
