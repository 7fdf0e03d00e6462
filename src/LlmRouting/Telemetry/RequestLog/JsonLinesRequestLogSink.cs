using System.Globalization;
using System.Text.Json;

namespace LlmRouting;

/// <summary>
/// Writes one JSON object per line (JSON Lines, source-generated serialisation) to files named
/// <c>{prefix}-{period}-{sequence}.jsonl</c>, starting a new file when the current one would exceed
/// <see cref="JsonLinesRequestLogSinkOptions.MaxFileSizeBytes"/> or a new <see cref="JsonLinesRequestLogSinkOptions.RollingInterval"/>
/// period begins, and deleting the oldest files beyond <see cref="JsonLinesRequestLogSinkOptions.RetainedFileCount"/>.
/// </summary>
/// <remarks>
/// Called by the <see cref="RequestLog"/>'s single background task; not meant for concurrent calls. Durations are in
/// milliseconds (<c>*_ms</c>), property names in snake_case, and the record holds no content, keys or raw user ids.
/// </remarks>
public sealed class JsonLinesRequestLogSink : IRequestLogSink, IAsyncDisposable, IDisposable
{
    private static readonly byte[] s_newLine = "\n"u8.ToArray();
    private readonly JsonLinesRequestLogSinkOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly string _directory;
    private FileStream? _stream;
    private string? _period;
    private int _sequence;

    /// <summary>Initializes a new instance of the <see cref="JsonLinesRequestLogSink"/> class.</summary>
    /// <param name="options">The settings; <see cref="JsonLinesRequestLogSinkOptions.Directory"/> is required.</param>
    /// <param name="timeProvider">The clock that decides the rolling period; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">The directory or prefix is missing, or the size or retention is out of range.</exception>
    public JsonLinesRequestLogSink(JsonLinesRequestLogSinkOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Directory))
        {
            throw new ArgumentException("LlmRouting:Telemetry:RequestLog:JsonLines:Directory is required.", nameof(options));
        }

        if (string.IsNullOrWhiteSpace(options.FileNamePrefix) || options.FileNamePrefix.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
        {
            throw new ArgumentException("LlmRouting:Telemetry:RequestLog:JsonLines:FileNamePrefix must be a valid, non-empty file name.", nameof(options));
        }

        if (options.MaxFileSizeBytes < 1024)
        {
            throw new ArgumentException("LlmRouting:Telemetry:RequestLog:JsonLines:MaxFileSizeBytes must be at least 1024.", nameof(options));
        }

        if (options.RetainedFileCount < 0)
        {
            throw new ArgumentException("LlmRouting:Telemetry:RequestLog:JsonLines:RetainedFileCount cannot be negative.", nameof(options));
        }

        _options = options;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _directory = Path.GetFullPath(options.Directory);
    }

    /// <summary>Gets the path of the file being written, if one is open.</summary>
    public string? CurrentFile => _stream?.Name;

    /// <inheritdoc/>
    public async ValueTask WriteAsync(RequestLogRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        byte[] line = JsonSerializer.SerializeToUtf8Bytes(record, RequestLogJsonContext.Default.RequestLogRecord);
        FileStream stream = GetStream(line.Length + 1);
        await stream.WriteAsync(line, cancellationToken).ConfigureAwait(false);
        await stream.WriteAsync(s_newLine, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (_stream is { } stream)
        {
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_stream is { } stream)
        {
            _stream = null;
            await stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _stream?.Dispose();
        _stream = null;
    }

    private FileStream GetStream(int bytes)
    {
        string period = Period(_timeProvider.GetUtcNow());
        if (_stream is { } current && period == _period && current.Length + bytes <= _options.MaxFileSizeBytes)
        {
            return current;
        }

        if (_stream is not null && period == _period && _stream.Length == 0)
        {
            return _stream; // a single record larger than the limit still goes somewhere
        }

        _stream?.Dispose();
        _stream = null;
        Directory.CreateDirectory(_directory);
        if (period != _period)
        {
            _period = period;
            _sequence = LastSequence(period);
        }
        else
        {
            _sequence++;
        }

        // Continue the last file of the period if it has room (e.g. after a restart), otherwise start the next one.
        while (true)
        {
            string path = Path.Combine(_directory, FileName(period, _sequence));
            var info = new FileInfo(path);
            if (!info.Exists || info.Length == 0 || info.Length + bytes <= _options.MaxFileSizeBytes)
            {
                _stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, 4096, FileOptions.Asynchronous);
                break;
            }

            _sequence++;
        }

        DeleteOldFiles();
        return _stream;
    }

    private string Period(DateTimeOffset now) => _options.RollingInterval switch
    {
        RequestLogRollingInterval.Hour => now.UtcDateTime.ToString("yyyyMMdd'T'HH", CultureInfo.InvariantCulture),
        RequestLogRollingInterval.Day => now.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture),
        _ => "all",
    };

    private string FileName(string period, int sequence) =>
        string.Create(CultureInfo.InvariantCulture, $"{_options.FileNamePrefix}-{period}-{sequence:D3}.jsonl");

    private int LastSequence(string period)
    {
        int last = 0;
        string prefix = _options.FileNamePrefix + "-" + period + "-";
        foreach (string file in Directory.EnumerateFiles(_directory, prefix + "*.jsonl"))
        {
            string name = Path.GetFileNameWithoutExtension(file);
            if (int.TryParse(name.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > last)
            {
                last = n;
            }
        }

        return last;
    }

    private static (string Period, int Sequence) SplitName(string path)
    {
        string name = Path.GetFileNameWithoutExtension(path);
        int dash = name.LastIndexOf('-');
        return dash > 0 && int.TryParse(name.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int sequence)
            ? (name[..dash], sequence)
            : (name, 0);
    }

    private void DeleteOldFiles()
    {
        if (_options.RetainedFileCount <= 0)
        {
            return;
        }

        string[] files = Directory.GetFiles(_directory, _options.FileNamePrefix + "-*.jsonl");
        if (files.Length <= _options.RetainedFileCount)
        {
            return;
        }

        // Oldest first: by period (zero-padded UTC time), then by sequence number.
        Array.Sort(files, static (a, b) =>
        {
            (string periodA, int sequenceA) = SplitName(a);
            (string periodB, int sequenceB) = SplitName(b);
            int byPeriod = string.CompareOrdinal(periodA, periodB);
            return byPeriod != 0 ? byPeriod : sequenceA.CompareTo(sequenceB);
        });
        string? current = _stream?.Name;
        for (int i = 0; i < files.Length - _options.RetainedFileCount; i++)
        {
            if (!string.Equals(files[i], current, StringComparison.Ordinal))
            {
                try
                {
                    File.Delete(files[i]);
                }
                catch (IOException)
                {
                    // Another reader holds it; retention is retried at the next rotation.
                }
                catch (UnauthorizedAccessException)
                {
                    // Same as above.
                }
            }
        }
    }
}
