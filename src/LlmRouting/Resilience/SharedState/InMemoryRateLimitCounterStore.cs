using System.Collections.Concurrent;

namespace LlmRouting;

/// <summary>
/// An <see cref="IRateLimitCounterStore"/> in process memory with one-second buckets: shares client-side request and token counts
/// between resilience layers of one process (and is the reference for distributed stores).
/// </summary>
/// <remarks>Thread-safe. A bucket counts in the window while its second is within the last 60 seconds.</remarks>
public sealed class InMemoryRateLimitCounterStore : IRateLimitCounterStore
{
    private readonly ConcurrentDictionary<string, Counters> _deployments = new(StringComparer.OrdinalIgnoreCase);

    /// <inheritdoc/>
    public void Add(string deployment, DateTimeOffset at, long requests, long tokens)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(deployment);
        _deployments.GetOrAdd(deployment, static _ => new Counters()).Add(at, requests, tokens);
    }

    /// <inheritdoc/>
    public RateLimitCounts Get(string deployment, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(deployment);
        return _deployments.TryGetValue(deployment, out Counters? counters) ? counters.Get(now) : default;
    }

    private sealed class Counters
    {
        private readonly SortedDictionary<long, (long Requests, long Tokens)> _seconds = [];

        public void Add(DateTimeOffset at, long requests, long tokens)
        {
            long second = at.ToUnixTimeSeconds();
            lock (_seconds)
            {
                (long r, long t) = _seconds.GetValueOrDefault(second);
                _seconds[second] = (r + requests, t + tokens);
            }
        }

        public RateLimitCounts Get(DateTimeOffset now)
        {
            long first = now.ToUnixTimeSeconds() - (long)IRateLimitCounterStore.Window.TotalSeconds + 1;
            long requests = 0, tokens = 0;
            long? oldest = null;
            lock (_seconds)
            {
                foreach (long stale in _seconds.Keys.TakeWhile(s => s < first).ToList())
                {
                    _seconds.Remove(stale);
                }

                foreach ((long second, (long r, long t)) in _seconds)
                {
                    requests += r;
                    tokens += t;
                    if (r > 0 && oldest is null)
                    {
                        oldest = second;
                    }
                }
            }

            return new RateLimitCounts(requests, Math.Max(0, tokens), oldest is long o ? DateTimeOffset.FromUnixTimeSeconds(o) : null);
        }
    }
}
