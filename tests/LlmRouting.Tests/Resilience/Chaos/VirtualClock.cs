using Microsoft.Extensions.Time.Testing;

namespace LlmRouting.Chaos;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that knows its pending timers, so a driver can run an operation in virtual time: let the
/// operation run until it waits on the clock, then jump to the next timer, and repeat. Hours of simulated timeouts, backoffs and
/// break durations take milliseconds.
/// </summary>
internal sealed class VirtualClock : FakeTimeProvider
{
    private readonly object _gate = new();
    private readonly HashSet<TrackedTimer> _timers = [];

    public VirtualClock()
        : base(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero))
    {
    }

    /// <summary>Gets the due time of the earliest pending timer, if any.</summary>
    public DateTimeOffset? NextDue
    {
        get
        {
            lock (_gate)
            {
                DateTimeOffset? next = null;
                foreach (TrackedTimer t in _timers)
                {
                    if (t.Due is { } due && (next is null || due < next))
                    {
                        next = due;
                    }
                }

                return next;
            }
        }
    }

    /// <inheritdoc/>
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var tracked = new TrackedTimer(this);
        tracked.Inner = base.CreateTimer(
            s =>
            {
                tracked.OnFired();
                callback(s);
            },
            state,
            dueTime,
            period);
        tracked.Schedule(dueTime, period);
        return tracked;
    }

    /// <summary>Runs <paramref name="operation"/> to completion in virtual time.</summary>
    /// <param name="operation">The operation; started on the calling thread.</param>
    /// <param name="maxVirtualTime">A bound on the virtual time the operation may take, against bugs that would wait forever.</param>
    public async Task<T> RunAsync<T>(Func<Task<T>> operation, TimeSpan? maxVirtualTime = null)
    {
        DateTimeOffset limit = GetUtcNow() + (maxVirtualTime ?? TimeSpan.FromHours(1));
        Task<T> task = operation();
        int idleRounds = 0;
        while (!task.IsCompleted)
        {
            await SettleAsync(task).ConfigureAwait(false);
            if (task.IsCompleted)
            {
                break;
            }

            if (NextDue is not { } due)
            {
                // Nothing scheduled: the operation is running on another thread, or stuck.
                await Task.WhenAny(task, Task.Delay(1)).ConfigureAwait(false);
                if (++idleRounds > 5_000)
                {
                    throw new InvalidOperationException("The operation neither completes nor waits on the virtual clock.");
                }

                continue;
            }

            idleRounds = 0;
            if (due > limit)
            {
                throw new TimeoutException($"The operation did not finish within {maxVirtualTime} of virtual time.");
            }

            TimeSpan step = due - GetUtcNow();
            Advance(step > TimeSpan.Zero ? step : TimeSpan.Zero);
            if (NextDue is { } still && still <= GetUtcNow())
            {
                // A timer due now that did not fire on a zero advance: move past it.
                Advance(TimeSpan.FromTicks(1));
            }
        }

        return await task.ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="operation"/> to completion in virtual time.</summary>
    public Task RunAsync(Func<Task> operation, TimeSpan? maxVirtualTime = null) =>
        RunAsync(async () =>
        {
            await operation().ConfigureAwait(false);
            return true;
        }, maxVirtualTime);

    /// <summary>Waits until the thread pool has no work queued for a few rounds (continuations of what the last advance released).</summary>
    private static async Task SettleAsync(Task task)
    {
        int quiet = 0;
        for (int round = 0; round < 200 && quiet < 3; round++)
        {
            await Task.Yield();
            if (task.IsCompleted)
            {
                return;
            }

            quiet = ThreadPool.PendingWorkItemCount == 0 ? quiet + 1 : 0;
        }
    }

    private sealed class TrackedTimer(VirtualClock clock) : ITimer
    {
        public ITimer Inner { get; set; } = null!;

        public DateTimeOffset? Due { get; private set; }

        private bool FiredOnce { get; set; }

        private TimeSpan Period { get; set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            bool changed = Inner.Change(dueTime, period);
            Schedule(dueTime, period);
            return changed;
        }

        public void Schedule(TimeSpan dueTime, TimeSpan period)
        {
            lock (clock._gate)
            {
                Period = period;
                if (dueTime == Timeout.InfiniteTimeSpan || (FiredOnce && (period == Timeout.InfiniteTimeSpan || period == TimeSpan.Zero) && dueTime == TimeSpan.Zero))
                {
                    Due = null;
                    clock._timers.Remove(this);
                }
                else
                {
                    Due = clock.GetUtcNow() + dueTime;
                    clock._timers.Add(this);
                }
            }
        }

        public void OnFired()
        {
            lock (clock._gate)
            {
                FiredOnce = true;
                if (Period == Timeout.InfiniteTimeSpan || Period == TimeSpan.Zero)
                {
                    Due = null;
                    clock._timers.Remove(this);
                }
                else
                {
                    Due = clock.GetUtcNow() + Period;
                }
            }
        }

        public void Dispose()
        {
            lock (clock._gate)
            {
                Due = null;
                clock._timers.Remove(this);
            }

            Inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
