namespace LlmRouting;

/// <summary>
/// A delay on a <see cref="TimeProvider"/> whose continuation runs where the timer fires (with <see cref="TimeProvider.System"/>, a
/// thread-pool thread) instead of being queued again: the failover scheduler's backoff, recovery and hedging waits then cost no extra
/// thread hop, and under a virtual clock they resume inside the clock's advance, which keeps tests deterministic.
/// </summary>
internal static class TimerDelay
{
    public static Task WaitAsync(TimeSpan delay, TimeProvider time, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        if (delay <= TimeSpan.Zero)
        {
            return Task.CompletedTask;
        }

        var state = new DelayState(cancellationToken);
        state.Timer = time.CreateTimer(static s => ((DelayState)s!).Complete(), state, delay, Timeout.InfiniteTimeSpan);
        if (cancellationToken.CanBeCanceled)
        {
            state.Registration = cancellationToken.UnsafeRegister(static s => ((DelayState)s!).Cancel(), state);
        }

        return state.Task;
    }

    private sealed class DelayState(CancellationToken cancellationToken) : TaskCompletionSource
    {
        public ITimer? Timer { get; set; }

        public CancellationTokenRegistration Registration { get; set; }

        public void Complete()
        {
            if (TrySetResult())
            {
                Cleanup();
            }
        }

        public void Cancel()
        {
            if (TrySetCanceled(cancellationToken))
            {
                Cleanup();
            }
        }

        private void Cleanup()
        {
            Timer?.Dispose();
            Registration.Dispose();
        }
    }
}
