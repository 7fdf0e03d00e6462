namespace LlmRouting;

/// <summary>
/// A cancellation source driven by a <see cref="TimeProvider"/> timer that cancels on the thread the timer fires on. Unlike a
/// <see cref="CancellationTokenSource"/> created with a <see cref="TimeProvider"/>, it does not queue the cancellation to the
/// thread pool once more (with <see cref="TimeProvider.System"/> the timer already fires on a pool thread), and under a virtual
/// clock the cancellation and everything it releases run inside the clock's advance, which keeps tests deterministic.
/// </summary>
internal sealed class TimerCancellation : IDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private readonly ITimer _timer;

    public TimerCancellation(TimeProvider time, TimeSpan? delay = null)
    {
        _timer = time.CreateTimer(static s => ((TimerCancellation)s!).Cancel(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        if (delay is { } d)
        {
            CancelAfter(d);
        }
    }

    public CancellationToken Token => _cts.Token;

    public bool IsCancellationRequested => _cts.IsCancellationRequested;

    /// <summary>Cancels after <paramref name="delay"/> from now (replacing any earlier schedule); <see cref="Timeout.InfiniteTimeSpan"/> disarms.</summary>
    public void CancelAfter(TimeSpan delay)
    {
        try
        {
            _timer.Change(delay < TimeSpan.Zero && delay != Timeout.InfiniteTimeSpan ? TimeSpan.Zero : delay, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // Already disposed: nothing left to time.
        }
    }

    public void Cancel()
    {
        try
        {
            _cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Disposed while the timer fired.
        }
    }

    public void Dispose()
    {
        _timer.Dispose();
        _cts.Dispose();
    }
}
