namespace LlmRouting;

/// <summary>Defaults of the timeouts.</summary>
internal static class TimeoutConstants
{
    public static readonly TimeSpan DefaultTotalRequestTimeout = TimeSpan.FromMinutes(5);

    public static readonly TimeSpan DefaultAttemptTimeout = TimeSpan.FromSeconds(100);

    public static readonly TimeSpan DefaultTimeToFirstTokenTimeout = TimeSpan.FromSeconds(30);

    public static readonly TimeSpan DefaultStreamIdleTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Returns the timeout to apply, or <see langword="null"/> when <paramref name="value"/> turns it off (null, zero, infinite).</summary>
    public static TimeSpan? Effective(TimeSpan? value) =>
        value is { } v && v > TimeSpan.Zero && v != Timeout.InfiniteTimeSpan ? v : null;
}
