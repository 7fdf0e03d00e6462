namespace LlmRouting.Redis;

/// <summary>What a Redis-backed component does while Redis cannot be reached.</summary>
public enum RedisFailureMode
{
    /// <summary>Keep serving requests on local, per-instance state; log a warning and count the fallback.</summary>
    FailOpen = 0,

    /// <summary>Refuse the operation (e.g. a budget reservation) until Redis is back.</summary>
    FailClosed,
}
