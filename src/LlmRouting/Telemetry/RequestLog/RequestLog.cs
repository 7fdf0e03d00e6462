using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmRouting;

/// <summary>
/// The asynchronous, bounded queue between requests and the <see cref="IRequestLogSink"/>s: a request hands its record
/// over with <see cref="Write"/>, which never blocks and never throws; one background task delivers records to every sink.
/// </summary>
/// <remarks>
/// When the queue is full (a slow or stuck sink), new records are dropped and counted in <see cref="DroppedCount"/> and the
/// <c>llm_routing.request_log.dropped</c> metric. A sink that throws is counted in <see cref="SinkFailureCount"/> and the
/// <c>llm_routing.request_log.sink_failures</c> metric, logged without the record's content, and the other sinks still
/// receive the record. Disposing drains the queue for at most <see cref="RequestLogOptions.DrainTimeout"/>; sinks are not
/// disposed (their owner, e.g. the DI container, does that). Thread-safe.
/// </remarks>
public sealed partial class RequestLog : IAsyncDisposable, IDisposable
{
    private readonly IRequestLogSink[] _sinks;
    private readonly Channel<RequestLogRecord> _channel;
    private readonly ILogger _logger;
    private readonly TimeSpan _drainTimeout;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _consumer;
    private readonly List<(long Target, TaskCompletionSource Done)> _flushWaiters = [];
    private long _submitted;
    private long _dropped;
    private long _delivered;
    private long _sinkFailures;
    private int _disposed;
    private volatile bool _idle = true;

    /// <summary>Initializes a new instance of the <see cref="RequestLog"/> class and starts its background delivery task.</summary>
    /// <param name="sinks">The sinks every record goes to.</param>
    /// <param name="options">Queue settings; defaults when <see langword="null"/>.</param>
    /// <param name="logger">Receives sink failures (never record content); none when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="sinks"/> is <see langword="null"/> or contains <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The queue capacity is less than 1.</exception>
    public RequestLog(IEnumerable<IRequestLogSink> sinks, RequestLogOptions? options = null, ILogger<RequestLog>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(sinks);
        _sinks = sinks.ToArray();
        if (Array.IndexOf(_sinks, null) >= 0)
        {
            throw new ArgumentNullException(nameof(sinks), "A sink is null.");
        }

        options ??= new RequestLogOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.QueueCapacity, 1, nameof(options));
        Capacity = options.QueueCapacity;
        _drainTimeout = options.DrainTimeout;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _channel = Channel.CreateBounded<RequestLogRecord>(
            new BoundedChannelOptions(options.QueueCapacity)
            {
                FullMode = BoundedChannelFullMode.DropWrite,
                SingleReader = true,
                SingleWriter = false,
                AllowSynchronousContinuations = false,
            },
            OnDropped);
        _consumer = Task.Run(ConsumeAsync);
    }

    /// <summary>Gets the sinks records are delivered to.</summary>
    public IReadOnlyList<IRequestLogSink> Sinks => _sinks;

    /// <summary>Gets the queue's capacity.</summary>
    public int Capacity { get; }

    /// <summary>Gets the number of records handed to <see cref="Write"/> (including dropped ones).</summary>
    public long SubmittedCount => Interlocked.Read(ref _submitted);

    /// <summary>Gets the number of records dropped because the queue was full or the log was shutting down.</summary>
    public long DroppedCount => Interlocked.Read(ref _dropped);

    /// <summary>Gets the number of records delivered to the sinks (each counted once, whatever the number of sinks).</summary>
    public long DeliveredCount => Interlocked.Read(ref _delivered);

    /// <summary>Gets the number of failed sink calls (writes and flushes).</summary>
    public long SinkFailureCount => Interlocked.Read(ref _sinkFailures);

    /// <summary>Queues a record for the sinks. Never blocks and never throws; drops (and counts) the record when the queue is full.</summary>
    /// <param name="record">The record.</param>
    /// <exception cref="ArgumentNullException"><paramref name="record"/> is <see langword="null"/>.</exception>
    public void Write(RequestLogRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        Interlocked.Increment(ref _submitted);
        if (!_channel.Writer.TryWrite(record))
        {
            // Only after shutdown: a full queue drops through OnDropped and TryWrite still reports success.
            OnDropped(record);
        }
    }

    /// <summary>Waits until every record accepted before the call has been delivered to the sinks and the sinks were flushed.</summary>
    /// <param name="cancellationToken">Cancels the wait (not the delivery).</param>
    /// <returns>A task that completes when the records are delivered.</returns>
    public Task FlushAsync(CancellationToken cancellationToken = default)
    {
        long target = Interlocked.Read(ref _submitted) - Interlocked.Read(ref _dropped);
        TaskCompletionSource done;
        lock (_flushWaiters)
        {
            if (Interlocked.Read(ref _delivered) >= target && _channel.Reader.Count == 0 && _idle)
            {
                return Task.CompletedTask;
            }

            done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _flushWaiters.Add((target, done));
        }

        // The consumer releases the waiter when it has delivered up to the target and flushed the sinks.
        return done.Task.WaitAsync(cancellationToken);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _channel.Writer.TryComplete();
        try
        {
            await _consumer.WaitAsync(_drainTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            LogDrainTimedOut(_logger, _channel.Reader.Count);
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _channel.Writer.TryComplete();
        if (!_consumer.Wait(_drainTimeout))
        {
            LogDrainTimedOut(_logger, _channel.Reader.Count);
        }

        _stopping.Cancel();
        _stopping.Dispose();
    }

    private void OnDropped(RequestLogRecord record)
    {
        Interlocked.Increment(ref _dropped);
        if (LlmRoutingDiagnostics.RequestLogDropped.Enabled)
        {
            LlmRoutingDiagnostics.RequestLogDropped.Add(1);
        }
    }

    private async Task ConsumeAsync()
    {
        ChannelReader<RequestLogRecord> reader = _channel.Reader;
        CancellationToken stopping = _stopping.Token;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            _idle = false;
            while (reader.TryRead(out RequestLogRecord? record))
            {
                foreach (IRequestLogSink sink in _sinks)
                {
                    try
                    {
                        await sink.WriteAsync(record, stopping).ConfigureAwait(false);
                    }
                    catch (Exception ex)
                    {
                        SinkFailed(sink, ex);
                    }
                }

                Interlocked.Increment(ref _delivered);
            }

            await FlushSinksAsync(stopping).ConfigureAwait(false);
            _idle = true;
            ReleaseFlushWaiters();
        }

        _idle = true;
        ReleaseFlushWaiters(all: true);
    }

    private async Task FlushSinksAsync(CancellationToken stopping)
    {
        foreach (IRequestLogSink sink in _sinks)
        {
            try
            {
                await sink.FlushAsync(stopping).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                SinkFailed(sink, ex);
            }
        }
    }

    private void ReleaseFlushWaiters(bool all = false)
    {
        long delivered = Interlocked.Read(ref _delivered);
        lock (_flushWaiters)
        {
            for (int i = _flushWaiters.Count - 1; i >= 0; i--)
            {
                if (all || _flushWaiters[i].Target <= delivered)
                {
                    _flushWaiters[i].Done.TrySetResult();
                    _flushWaiters.RemoveAt(i);
                }
            }
        }
    }

    private void SinkFailed(IRequestLogSink sink, Exception ex)
    {
        Interlocked.Increment(ref _sinkFailures);
        string name = sink.GetType().Name;
        if (LlmRoutingDiagnostics.RequestLogSinkFailures.Enabled)
        {
            LlmRoutingDiagnostics.RequestLogSinkFailures.Add(1, new KeyValuePair<string, object?>(LlmRoutingDiagnostics.Tags.Sink, name));
        }

        // The exception type only: a sink's message could quote the record.
        LogSinkFailed(_logger, name, ex.GetType().FullName ?? ex.GetType().Name);
    }

    [LoggerMessage(EventId = 7101, Level = LogLevel.Warning, Message = "Request-log sink {Sink} failed with {ExceptionType}; the record was counted as a sink failure.")]
    private static partial void LogSinkFailed(ILogger logger, string sink, string exceptionType);

    [LoggerMessage(EventId = 7102, Level = LogLevel.Warning, Message = "The request log did not drain within its timeout; {Remaining} records were not delivered.")]
    private static partial void LogDrainTimedOut(ILogger logger, int remaining);
}
