namespace LlmRouting;

/// <summary>The answer of <see cref="ISharedRateLimitGate.TryAcquireAsync"/>: whether an attempt may start, and what was counted.</summary>
/// <remarks>Create it with <see cref="Admitted"/> or <see cref="Refused"/>; the <see langword="default"/> value is a refusal without a reason.</remarks>
public readonly record struct SharedAdmission
{
    /// <summary>Gets a value indicating whether the attempt may start.</summary>
    public bool IsAcquired { get; private init; }

    /// <summary>Gets, for a refusal, which limit refused it: <c>requests_per_minute</c> or <c>tokens_per_minute</c>.</summary>
    public string? Reason { get; private init; }

    /// <summary>Gets, for a refusal, how long until the window has room, if known.</summary>
    public TimeSpan? RetryAfter { get; private init; }

    /// <summary>Gets a value indicating whether the shared state was unreachable, so only the instance's own limits applied (fail-open).</summary>
    public bool IsLocalOnly { get; private init; }

    /// <summary>Gets the tokens counted for the admitted request (its estimate), to be settled to the actual usage.</summary>
    public long Tokens { get; private init; }

    /// <summary>Gets a value of the gate's choosing that identifies where the request was counted (e.g. its one-second bucket), for settling.</summary>
    public long Ticket { get; private init; }

    /// <summary>Creates an admission.</summary>
    /// <param name="tokens">The tokens counted.</param>
    /// <param name="ticket">Where the request was counted, for <see cref="ISharedRateLimitGate.SettleAsync"/>.</param>
    /// <param name="isLocalOnly">Whether only local limits applied because the shared state was unreachable.</param>
    /// <returns>The admission.</returns>
    public static SharedAdmission Admitted(long tokens, long ticket = 0, bool isLocalOnly = false) =>
        new() { IsAcquired = true, Tokens = tokens, Ticket = ticket, IsLocalOnly = isLocalOnly };

    /// <summary>Creates a refusal.</summary>
    /// <param name="reason">Which limit refused: <c>requests_per_minute</c> or <c>tokens_per_minute</c>.</param>
    /// <param name="retryAfter">How long until the window has room, if known.</param>
    /// <returns>The refusal.</returns>
    /// <exception cref="ArgumentException"><paramref name="reason"/> is empty.</exception>
    public static SharedAdmission Refused(string reason, TimeSpan? retryAfter)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return new() { Reason = reason, RetryAfter = retryAfter };
    }
}
