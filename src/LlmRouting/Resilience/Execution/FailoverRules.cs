namespace LlmRouting;

/// <summary>What the scheduler does after a failed attempt, by error kind.</summary>
internal enum FailureAction
{
    /// <summary>Try another candidate now; retry this deployment later (backoff or Retry-After) if nothing else is available.</summary>
    RetryOrFailover,

    /// <summary>Try another candidate; never this deployment again in this request.</summary>
    FailoverOnly,

    /// <summary>Continue only with the configured content-policy fallback deployments.</summary>
    ContentPolicyFallback,

    /// <summary>Continue only with candidates whose context window is larger than the failed one's and fits the estimate.</summary>
    LargerContextOnly,

    /// <summary>Fail the request with this error: it would fail the same way anywhere.</summary>
    Stop,
}

/// <summary>The failover rules: classification of failures into scheduler actions and circuit-breaker signals.</summary>
internal static class FailoverRules
{
    /// <summary>Classifies a failure.</summary>
    public static LlmErrorKind Classify(Exception error) => LlmErrorClassifier.Classify(error);

    /// <summary>Decides what a failure of <paramref name="kind"/> (before the commit point) leads to.</summary>
    public static FailureAction Decide(LlmErrorKind kind) => kind switch
    {
        LlmErrorKind.RateLimited or LlmErrorKind.Overloaded or LlmErrorKind.ServerError or LlmErrorKind.Timeout
            or LlmErrorKind.Network or LlmErrorKind.InvalidResponse or LlmErrorKind.StreamInterrupted => FailureAction.RetryOrFailover,
        LlmErrorKind.ContentFiltered => FailureAction.ContentPolicyFallback,
        LlmErrorKind.ContextLengthExceeded => FailureAction.LargerContextOnly,
        LlmErrorKind.BadRequest => FailureAction.Stop,
        _ => FailureAction.FailoverOnly, // authentication, permission, not found, quota, unknown: another deployment may work, this one will not
    };

    /// <summary>Says what a failure of <paramref name="kind"/> means for the deployment's circuit.</summary>
    public static HealthSignal Signal(LlmErrorKind kind) => kind switch
    {
        // Request errors say nothing about the deployment; rate limits are handled by cool-downs, not by breaking the circuit.
        LlmErrorKind.BadRequest or LlmErrorKind.ContentFiltered or LlmErrorKind.ContextLengthExceeded or LlmErrorKind.RateLimited => HealthSignal.Neutral,
        _ => HealthSignal.Failure,
    };
}
