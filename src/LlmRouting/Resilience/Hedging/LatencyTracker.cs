namespace LlmRouting;

/// <summary>The most recent latency samples of one deployment, for a percentile hedging delay. Thread-safe.</summary>
internal sealed class LatencyTracker
{
    private readonly double[] _samples = new double[HedgingConstants.SampleCapacity];
    private int _count;
    private int _next;

    public int Count
    {
        get
        {
            lock (_samples)
            {
                return _count;
            }
        }
    }

    public void Record(TimeSpan latency)
    {
        lock (_samples)
        {
            _samples[_next] = latency.TotalMilliseconds;
            _next = (_next + 1) % _samples.Length;
            _count = Math.Min(_count + 1, _samples.Length);
        }
    }

    /// <summary>Gets the <paramref name="percentile"/> of the samples, when there are at least <paramref name="minimumSamples"/>.</summary>
    public TimeSpan? Percentile(double percentile, int minimumSamples)
    {
        Span<double> copy = stackalloc double[HedgingConstants.SampleCapacity];
        int n;
        lock (_samples)
        {
            n = _count;
            if (n < minimumSamples || n == 0)
            {
                return null;
            }

            _samples.AsSpan(0, n).CopyTo(copy);
        }

        Span<double> used = copy[..n];
        used.Sort();
        int index = Math.Clamp((int)Math.Ceiling(percentile * n) - 1, 0, n - 1);
        return TimeSpan.FromMilliseconds(used[index]);
    }
}
