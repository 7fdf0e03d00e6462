namespace LlmRouting;

/// <summary>Keeps the most recent request-log records in memory, oldest overwritten first; the data source of <see cref="RoutingReports"/>.</summary>
/// <remarks>Thread-safe.</remarks>
public sealed class RingBufferRequestLogSink : IRequestLogSink
{
    private readonly RequestLogRecord?[] _items;
    private readonly Lock _lock = new();
    private int _next;
    private int _count;
    private long _version;

    /// <summary>Initializes a new instance of the <see cref="RingBufferRequestLogSink"/> class.</summary>
    /// <param name="capacity">The number of records kept.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is less than 1.</exception>
    public RingBufferRequestLogSink(int capacity = 10_000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _items = new RequestLogRecord?[capacity];
    }

    /// <summary>Gets the number of records kept at most.</summary>
    public int Capacity => _items.Length;

    /// <summary>Gets the number of records held.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _count;
            }
        }
    }

    /// <summary>Gets a number that changes whenever the contents change (for caches over the buffer).</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>Adds a record, overwriting the oldest when full.</summary>
    /// <param name="record">The record.</param>
    /// <exception cref="ArgumentNullException"><paramref name="record"/> is <see langword="null"/>.</exception>
    public void Add(RequestLogRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        lock (_lock)
        {
            _items[_next] = record;
            _next = (_next + 1) % _items.Length;
            _count = Math.Min(_count + 1, _items.Length);
            _version++;
        }
    }

    /// <summary>Gets a copy of the records held, oldest first.</summary>
    /// <returns>The records.</returns>
    public IReadOnlyList<RequestLogRecord> Snapshot()
    {
        lock (_lock)
        {
            var result = new RequestLogRecord[_count];
            int start = (_next - _count + _items.Length) % _items.Length;
            for (int i = 0; i < _count; i++)
            {
                result[i] = _items[(start + i) % _items.Length]!;
            }

            return result;
        }
    }

    /// <summary>Replaces the quality score of the record of <paramref name="requestId"/>, if it is still held.</summary>
    /// <param name="requestId">The request id.</param>
    /// <param name="score">The score in [0, 1].</param>
    /// <returns><see langword="true"/> if the record was found.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="score"/> is outside [0, 1].</exception>
    public bool TrySetQualityScore(string requestId, double score)
    {
        ArgumentNullException.ThrowIfNull(requestId);
        if (!(score >= 0 && score <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(score), score, "A quality score is between 0 and 1.");
        }

        lock (_lock)
        {
            for (int i = 0; i < _items.Length; i++)
            {
                if (_items[i] is { } record && string.Equals(record.RequestId, requestId, StringComparison.Ordinal))
                {
                    _items[i] = record with { QualityScore = score };
                    _version++;
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>Removes every record.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            Array.Clear(_items);
            _next = 0;
            _count = 0;
            _version++;
        }
    }

    /// <inheritdoc/>
    ValueTask IRequestLogSink.WriteAsync(RequestLogRecord record, CancellationToken cancellationToken)
    {
        Add(record);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    ValueTask IRequestLogSink.FlushAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
