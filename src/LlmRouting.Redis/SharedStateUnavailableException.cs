namespace LlmRouting.Redis;

/// <summary>
/// Thrown when Redis is unreachable and the shared state a request needs is configured to fail closed
/// (<see cref="LlmRoutingRedisOptions.BudgetFailureMode"/> = <see cref="RedisFailureMode.FailClosed"/>).
/// </summary>
/// <remarks>The message names the setting; it never contains the connection string.</remarks>
public sealed class SharedStateUnavailableException : LlmRoutingException
{
    /// <summary>Initializes a new instance of the <see cref="SharedStateUnavailableException"/> class.</summary>
    public SharedStateUnavailableException()
        : this("Redis is unreachable and the shared state is configured to fail closed.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="SharedStateUnavailableException"/> class with a message.</summary>
    /// <param name="message">The message.</param>
    public SharedStateUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="SharedStateUnavailableException"/> class with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public SharedStateUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
