namespace LlmRouting;

/// <summary>What one request knows about one of its candidate deployments.</summary>
internal sealed class CandidateState
{
    public CandidateState(Deployment deployment, DeploymentResilience resilience)
    {
        Deployment = deployment;
        Resilience = resilience;
    }

    public Deployment Deployment { get; }

    public DeploymentResilience Resilience { get; }

    /// <summary>Gets or sets the attempts started on this deployment.</summary>
    public int Attempts { get; set; }

    /// <summary>Gets or sets the failed attempts on this deployment.</summary>
    public int Failures { get; set; }

    /// <summary>Gets or sets the timestamp before which this deployment is not tried again (backoff or Retry-After).</summary>
    public long NotBefore { get; set; }

    /// <summary>Gets or sets why this deployment is out of the request, or <see langword="null"/>.</summary>
    public string? Excluded { get; set; }

    /// <summary>Gets or sets the last reason this candidate was skipped, to record each skip reason once.</summary>
    public string? LastSkipReason { get; set; }
}
