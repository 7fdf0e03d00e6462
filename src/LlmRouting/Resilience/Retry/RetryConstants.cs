namespace LlmRouting;

/// <summary>Defaults and names of the retry strategy.</summary>
internal static class RetryConstants
{
    public const int DefaultMaxRetryAttempts = 2;

    public static readonly TimeSpan DefaultBaseDelay = TimeSpan.FromMilliseconds(500);

    public static readonly TimeSpan DefaultMaxDelay = TimeSpan.FromSeconds(10);

    public static readonly TimeSpan DefaultMaxRetryAfter = TimeSpan.FromSeconds(10);

    /// <summary>The prefix of <see cref="RoutingAttempt.FailoverReason"/> when the next attempt retried the same deployment.</summary>
    public const string RetryReasonPrefix = "retry:";

    /// <summary>The prefix of <see cref="RoutingAttempt.FailoverReason"/> when the next attempt went to another deployment.</summary>
    public const string FailoverReasonPrefix = "failover:";
}
