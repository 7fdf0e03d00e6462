namespace LlmRouting.Redis;

/// <summary>
/// A store's periodic exchange with Redis, run off the request path: on a timer every interval (when started), never two at once
/// (a tick that finds one running is skipped), and never throwing (a failure is handed to the store to log; its local state stays in
/// use until the next exchange).
/// </summary>
internal sealed class BackgroundExchange : IDisposable
{
    private readonly Func<Task<bool>> _exchange;
    private readonly Action<Exception> _onFailure;
    private readonly ITimer? _timer;
    private int _running;

    /// <param name="timeProvider">The clock that drives the timer.</param>
    /// <param name="interval">How often to exchange.</param>
    /// <param name="startTimer">Whether to start the timer (tests call <see cref="RunAsync"/> themselves).</param>
    /// <param name="exchange">One exchange; returns whether Redis was reached.</param>
    /// <param name="onFailure">Called with an exception <paramref name="exchange"/> threw.</param>
    public BackgroundExchange(TimeProvider timeProvider, TimeSpan interval, bool startTimer, Func<Task<bool>> exchange, Action<Exception> onFailure)
    {
        _exchange = exchange;
        _onFailure = onFailure;
        if (startTimer)
        {
            _timer = timeProvider.CreateTimer(static s => _ = ((BackgroundExchange)s!).RunAsync(), this, interval, interval);
        }
    }

    /// <summary>Runs one exchange unless one is running.</summary>
    /// <returns><see langword="true"/> if the exchange ran and reached Redis.</returns>
    public async Task<bool> RunAsync()
    {
        if (Interlocked.Exchange(ref _running, 1) == 1)
        {
            return false;
        }

        try
        {
            return await _exchange().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A background exchange must never crash the process; the store's local state stays in use.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _onFailure(ex);
            return false;
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }

    public void Dispose() => _timer?.Dispose();
}
