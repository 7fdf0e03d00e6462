namespace LlmRouting;

/// <summary>How one attempt of a request ended.</summary>
public enum AttemptOutcome
{
    /// <summary>The attempt is still running (seen only while a request is in flight).</summary>
    Pending = 0,

    /// <summary>The deployment answered successfully.</summary>
    Succeeded,

    /// <summary>The deployment failed; see <see cref="RoutingAttempt.ErrorKind"/>.</summary>
    Failed,

    /// <summary>The caller cancelled the request, or another attempt won a hedge.</summary>
    Cancelled,
}
