using System.Runtime.ExceptionServices;

namespace LlmRouting.Chaos;

/// <summary>
/// A virtual clock that runs operations deterministically: the operation runs on a thread of its own (no synchronization context,
/// a large stack); whenever it has nothing left to do but wait on the clock, the clock jumps to the next pending timer and invokes
/// its callback on that same thread, so the continuations it releases run there too, inline. Hours of simulated timeouts, backoffs
/// and break durations take milliseconds, and results do not depend on thread scheduling.
/// </summary>
/// <remarks>
/// Unlike <c>FakeTimeProvider</c>, whose timer callbacks were observed to resume <c>ConfigureAwait(false)</c> continuations on
/// thread-pool threads (so work could still run while the test advanced the clock again), this clock fires every callback inline
/// in <see cref="Advance"/>; it also knows its next due timer, which a driver needs to skip idle time.
/// </remarks>
internal sealed class VirtualClock : TimeProvider
{
    private readonly object _gate = new();
    private readonly HashSet<VirtualTimer> _timers = [];
    private long _now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks;
    private long _sequence;
    private int _busyBaseline;

    /// <inheritdoc/>
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <summary>Gets the due time of the earliest pending timer, if any.</summary>
    public DateTimeOffset? NextDue
    {
        get
        {
            lock (_gate)
            {
                VirtualTimer? next = Earliest(long.MaxValue);
                return next is null ? null : new DateTimeOffset(next.Due, TimeSpan.Zero);
            }
        }
    }

    /// <inheritdoc/>
    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _now), TimeSpan.Zero);

    /// <inheritdoc/>
    public override long GetTimestamp() => Interlocked.Read(ref _now);

    /// <inheritdoc/>
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new VirtualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Moves the clock forward, invoking every timer that comes due, in order, on the calling thread.</summary>
    /// <param name="delta">How far.</param>
    public void Advance(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        long target = GetTimestamp() + delta.Ticks;
        while (true)
        {
            VirtualTimer? due;
            lock (_gate)
            {
                due = Earliest(target);
                if (due is null)
                {
                    Interlocked.Exchange(ref _now, target);
                    return;
                }

                Interlocked.Exchange(ref _now, Math.Max(_now, due.Due));
                if (due.Period > 0)
                {
                    due.Due += due.Period;
                }
                else
                {
                    _timers.Remove(due);
                }
            }

            due.Fire();
        }
    }

    /// <summary>Runs <paramref name="operation"/> to completion in virtual time, on the calling thread.</summary>
    /// <param name="operation">The operation.</param>
    /// <param name="maxVirtualTime">A bound on the virtual time it may take, against bugs that would wait forever.</param>
    /// <returns>The operation's result.</returns>
    public T Run<T>(Func<Task<T>> operation, TimeSpan? maxVirtualTime = null)
    {
        // A thread of our own with a large stack: .NET runs a continuation inline only while the stack has room, and queues it to the
        // thread pool otherwise, which would let the clock move while the operation is still running.
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(
            () =>
            {
                try
                {
                    result = RunHere(operation, maxVirtualTime);
                }
#pragma warning disable CA1031 // Rethrown on the caller's thread.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    failure = ex;
                }
            },
            maxStackSize: 256 * 1024 * 1024);
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            ExceptionDispatchInfo.Throw(failure);
        }

        return result;
    }

    private T RunHere<T>(Func<Task<T>> operation, TimeSpan? maxVirtualTime)
    {
        // No synchronization context on this thread: every continuation released by a timer callback (which runs inside Advance)
        // then runs inline, to the operation's next wait on the clock, before Advance returns.
        SynchronizationContext.SetSynchronizationContext(null);
        // Pool threads busy with someone else's work (e.g. the end of a previous run) must not raise the baseline: take the least
        // seen over a few milliseconds.
        _busyBaseline = BusyWorkers();
        for (int sample = 0; sample < 20 && _busyBaseline > 0; sample++)
        {
            Thread.Sleep(1);
            _busyBaseline = Math.Min(_busyBaseline, BusyWorkers());
        }

        DateTimeOffset limit = GetUtcNow() + (maxVirtualTime ?? TimeSpan.FromHours(1));
        Task<T> task = operation();
        int idle = 0;
        while (!task.IsCompleted)
        {
            // Work that went to the thread pool anyway may still be running: give it the chance to finish before moving the clock.
            if (!ThreadPoolIsIdle() && ++idle < 100_000)
            {
                Thread.Yield();
                continue;
            }

            if (NextDue is not { } due)
            {
                // Nothing scheduled: something still runs elsewhere, or the operation is stuck.
                if (++idle > 100_000)
                {
                    throw new InvalidOperationException("The operation neither completes nor waits on the virtual clock.");
                }

                Thread.Sleep(idle < 1_000 ? 0 : 1);
                continue;
            }

            idle = 0;
            if (due > limit)
            {
                throw new TimeoutException($"The operation did not finish within {maxVirtualTime ?? TimeSpan.FromHours(1)} of virtual time.");
            }

            TimeSpan step = due - GetUtcNow();
            Advance(step > TimeSpan.Zero ? step : TimeSpan.Zero);
        }

        return task.GetAwaiter().GetResult();
    }

    /// <summary>Runs <paramref name="operation"/> to completion in virtual time, on the calling thread.</summary>
    public void Run(Func<Task> operation, TimeSpan? maxVirtualTime = null) =>
        Run(async () =>
        {
            await operation();
            return true;
        }, maxVirtualTime);

    /// <summary>
    /// Gets a value indicating whether no work item is queued on the thread pool and no more pool threads are busy than when the
    /// run started: a continuation that went to the pool (e.g. one of a <c>TaskCompletionSource</c> created with
    /// <see cref="TaskCreationOptions.RunContinuationsAsynchronously"/>) is no longer pending while it runs, so both are needed
    /// before the clock may move.
    /// </summary>
    private bool ThreadPoolIsIdle()
    {
        for (int check = 0; check < 2; check++)
        {
            if (ThreadPool.PendingWorkItemCount != 0 || BusyWorkers() > _busyBaseline)
            {
                return false;
            }

            Thread.SpinWait(10);
        }

        return true;
    }

    private static int BusyWorkers()
    {
        ThreadPool.GetMaxThreads(out int max, out _);
        ThreadPool.GetAvailableThreads(out int available, out _);
        return max - available;
    }

    private VirtualTimer? Earliest(long notAfter)
    {
        VirtualTimer? next = null;
        foreach (VirtualTimer t in _timers)
        {
            if (t.Due <= notAfter && (next is null || t.Due < next.Due || (t.Due == next.Due && t.Sequence < next.Sequence)))
            {
                next = t;
            }
        }

        return next;
    }

    private sealed class VirtualTimer(VirtualClock clock, TimerCallback callback, object? state) : ITimer
    {
        public long Due { get; set; }

        public long Period { get; private set; }

        public long Sequence { get; private set; }

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (clock._gate)
            {
                clock._timers.Remove(this);
                if (dueTime == Timeout.InfiniteTimeSpan)
                {
                    return true;
                }

                Due = clock._now + Math.Max(0, dueTime.Ticks);
                Period = period == Timeout.InfiniteTimeSpan ? 0 : Math.Max(0, period.Ticks);
                Sequence = ++clock._sequence;
                clock._timers.Add(this);
                return true;
            }
        }

        public void Dispose()
        {
            lock (clock._gate)
            {
                clock._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
