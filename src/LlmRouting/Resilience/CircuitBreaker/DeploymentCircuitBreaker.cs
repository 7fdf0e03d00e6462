namespace LlmRouting;

/// <summary>
/// The circuit breaker of one deployment: a failure ratio over a rolling window (split into buckets) with a minimum throughput,
/// a break duration, and one half-open probe at a time. Unlike Polly's built-in breaker, it can be told the outcome of a stream
/// that ended after the attempt's pipeline returned, it ignores cancellations (a cancelled probe frees the probe slot instead of
/// closing the circuit), and it reports when it will accept requests again, which the failover scheduler waits for.
/// </summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class DeploymentCircuitBreaker
{
    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private readonly Action<DeploymentCircuitBreaker, DeploymentCircuitState, DeploymentCircuitState>? _onTransition;
    private readonly long _bucketLength;
    private readonly Bucket[] _buckets = new Bucket[CircuitBreakerConstants.WindowBuckets];
    private readonly ICircuitStateStore? _shared;
    private DeploymentCircuitState _state;
    private long _openUntil;
    private bool _probeInFlight;
    private DateTimeOffset _lastChange = DateTimeOffset.MinValue;
    private SharedCircuitState? _toPublish;

    public DeploymentCircuitBreaker(
        string deployment,
        double failureRatio,
        TimeSpan samplingDuration,
        int minimumThroughput,
        TimeSpan breakDuration,
        bool enabled,
        TimeProvider time,
        Action<DeploymentCircuitBreaker, DeploymentCircuitState, DeploymentCircuitState>? onTransition = null,
        ICircuitStateStore? shared = null)
    {
        _shared = shared;
        Deployment = deployment;
        FailureRatio = failureRatio;
        SamplingDuration = samplingDuration;
        MinimumThroughput = Math.Max(1, minimumThroughput);
        BreakDuration = breakDuration;
        Enabled = enabled;
        _time = time;
        _onTransition = onTransition;
        _bucketLength = Math.Max(1, ToTimestampUnits(samplingDuration) / CircuitBreakerConstants.WindowBuckets);
    }

    public string Deployment { get; }

    public double FailureRatio { get; }

    public TimeSpan SamplingDuration { get; }

    public int MinimumThroughput { get; }

    public TimeSpan BreakDuration { get; }

    public bool Enabled { get; }

    /// <summary>Gets the current state (an open circuit whose break has passed still reads <see cref="DeploymentCircuitState.Open"/> until a probe enters).</summary>
    public DeploymentCircuitState State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    /// <summary>Asks to send an attempt.</summary>
    /// <param name="stateAtEntry">The state the attempt ran under (<see cref="DeploymentCircuitState.HalfOpen"/> for the probe).</param>
    /// <param name="recoversIn">When refused: how long until a probe may enter, if known.</param>
    /// <returns><see langword="true"/> if the attempt may go ahead.</returns>
    public bool TryEnter(out DeploymentCircuitState stateAtEntry, out TimeSpan? recoversIn)
    {
        recoversIn = null;
        if (!Enabled)
        {
            stateAtEntry = DeploymentCircuitState.Closed;
            return true;
        }

        DeploymentCircuitState? from = null;
        (DeploymentCircuitState From, DeploymentCircuitState To)? adopted;
        bool allowed;
        lock (_gate)
        {
            long now = _time.GetTimestamp();
            adopted = AdoptShared(now);
            switch (_state)
            {
                case DeploymentCircuitState.Closed:
                    stateAtEntry = DeploymentCircuitState.Closed;
                    allowed = true;
                    break;
                case DeploymentCircuitState.Open when now >= _openUntil:
                    from = _state;
                    _state = DeploymentCircuitState.HalfOpen;
                    _probeInFlight = true;
                    stateAtEntry = DeploymentCircuitState.HalfOpen;
                    allowed = true;
                    break;
                case DeploymentCircuitState.Open:
                    stateAtEntry = DeploymentCircuitState.Open;
                    recoversIn = _time.GetElapsedTime(now, _openUntil);
                    allowed = false;
                    break;
                case DeploymentCircuitState.HalfOpen when !_probeInFlight:
                    _probeInFlight = true;
                    stateAtEntry = DeploymentCircuitState.HalfOpen;
                    allowed = true;
                    break;
                default:
                    stateAtEntry = DeploymentCircuitState.HalfOpen;
                    allowed = false;
                    break;
            }
        }

        if (adopted is { } a)
        {
            _onTransition?.Invoke(this, a.From, a.To);
        }

        if (from is { } previous)
        {
            _onTransition?.Invoke(this, previous, DeploymentCircuitState.HalfOpen);
        }

        return allowed;
    }

    /// <summary>Records how an attempt that entered with <paramref name="stateAtEntry"/> ended.</summary>
    /// <param name="signal">What the outcome says about the deployment.</param>
    /// <param name="stateAtEntry">The state returned by <see cref="TryEnter"/>.</param>
    public void Record(HealthSignal signal, DeploymentCircuitState stateAtEntry)
    {
        if (!Enabled)
        {
            return;
        }

        DeploymentCircuitState from, to;
        lock (_gate)
        {
            long now = _time.GetTimestamp();
            from = _state;
            bool probe = stateAtEntry == DeploymentCircuitState.HalfOpen && _state == DeploymentCircuitState.HalfOpen;
            if (probe)
            {
                _probeInFlight = false;
                switch (signal)
                {
                    case HealthSignal.Success:
                        _state = DeploymentCircuitState.Closed;
                        Array.Clear(_buckets);
                        Changed(new SharedCircuitState(DeploymentCircuitState.Closed, _time.GetUtcNow(), null));
                        break;
                    case HealthSignal.Failure:
                        Open(now);
                        break;
                    default:
                        // A cancelled or inconclusive probe proves nothing: the next request probes again.
                        break;
                }
            }
            else if (signal != HealthSignal.Neutral)
            {
                ref Bucket bucket = ref CurrentBucket(now);
                if (signal == HealthSignal.Success)
                {
                    bucket.Successes++;
                }
                else
                {
                    bucket.Failures++;
                }

                if (_state == DeploymentCircuitState.Closed && signal == HealthSignal.Failure)
                {
                    (int total, int failures) = Totals(now);
                    if (total >= MinimumThroughput && failures >= FailureRatio * total)
                    {
                        Open(now);
                    }
                }
            }

            to = _state;
        }

        PublishPending();
        if (from != to)
        {
            _onTransition?.Invoke(this, from, to);
        }
    }

    /// <summary>Gets a consistent view of the breaker.</summary>
    /// <returns>The state, whether it accepts an attempt now, when it will if not (null when unknown), and the window's figures.</returns>
    public (DeploymentCircuitState State, bool Accepts, TimeSpan? RecoversIn, int Samples, double Ratio) Snapshot()
    {
        lock (_gate)
        {
            long now = _time.GetTimestamp();
            if (Enabled)
            {
                _ = AdoptShared(now); // transitions are announced by TryEnter and Record; a snapshot only reads
            }

            (int total, int failures) = Totals(now);
            double ratio = total == 0 ? 0 : (double)failures / total;
            return _state switch
            {
                _ when !Enabled => (DeploymentCircuitState.Closed, true, null, total, ratio),
                DeploymentCircuitState.Closed => (_state, true, null, total, ratio),
                DeploymentCircuitState.Open when now >= _openUntil => (_state, true, TimeSpan.Zero, total, ratio),
                DeploymentCircuitState.Open => (_state, false, _time.GetElapsedTime(now, _openUntil), total, ratio),
                _ => (_state, !_probeInFlight, _probeInFlight ? null : TimeSpan.Zero, total, ratio),
            };
        }
    }

    private void Open(long now)
    {
        _state = DeploymentCircuitState.Open;
        _openUntil = now + ToTimestampUnits(BreakDuration);
        Array.Clear(_buckets);
        DateTimeOffset wall = _time.GetUtcNow();
        Changed(new SharedCircuitState(DeploymentCircuitState.Open, wall, wall + BreakDuration));
    }

    /// <summary>Notes a local transition to publish once the lock is released (under the lock).</summary>
    private void Changed(SharedCircuitState state)
    {
        _lastChange = state.ChangedAt;
        if (_shared is not null)
        {
            _toPublish = state;
        }
    }

    private void PublishPending()
    {
        SharedCircuitState? state;
        lock (_gate)
        {
            state = _toPublish;
            _toPublish = null;
        }

        if (state is not null)
        {
            _shared!.Publish(Deployment, state);
        }
    }

    /// <summary>Adopts a transition another instance published after this breaker's last change (under the lock).</summary>
    /// <returns>The local transition it caused, if any.</returns>
    private (DeploymentCircuitState From, DeploymentCircuitState To)? AdoptShared(long now)
    {
        if (_shared?.Get(Deployment) is not { } shared || shared.ChangedAt <= _lastChange)
        {
            return null;
        }

        _lastChange = shared.ChangedAt;
        DeploymentCircuitState from = _state;
        DateTimeOffset wall = _time.GetUtcNow();
        if (shared.State == DeploymentCircuitState.Open && shared.OpenUntil is { } until && until > wall)
        {
            _state = DeploymentCircuitState.Open;
            _openUntil = now + ToTimestampUnits(until - wall);
            _probeInFlight = false;
            Array.Clear(_buckets);
        }
        else if (shared.State == DeploymentCircuitState.Closed && _state != DeploymentCircuitState.Closed)
        {
            _state = DeploymentCircuitState.Closed;
            _probeInFlight = false;
            Array.Clear(_buckets);
        }

        return from != _state ? (from, _state) : null;
    }

    private ref Bucket CurrentBucket(long now)
    {
        long start = now - (now % _bucketLength);
        ref Bucket bucket = ref _buckets[(int)((start / _bucketLength) % _buckets.Length)];
        if (bucket.Start != start)
        {
            bucket = new Bucket { Start = start };
        }

        return ref bucket;
    }

    private (int Total, int Failures) Totals(long now)
    {
        long oldest = now - (_bucketLength * _buckets.Length);
        int total = 0, failures = 0;
        foreach (Bucket b in _buckets)
        {
            if (b.Start > oldest && b.Start <= now)
            {
                total += b.Successes + b.Failures;
                failures += b.Failures;
            }
        }

        return (total, failures);
    }

    private long ToTimestampUnits(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);

    private struct Bucket
    {
        public long Start;
        public int Successes;
        public int Failures;
    }
}
