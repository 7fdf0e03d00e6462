using System.Text.RegularExpressions;

namespace LlmRouting;

/// <summary>
/// Cheap facts about a text, computed once per scan by <see cref="CompositePiiDetector"/> and shared by the number-based
/// detectors: the text's digit clusters (see <see cref="DigitClusters"/>), found in one pass, so that each detector looks only at
/// the clusters with enough digits for its entity and skips a text that has none (a card needs 12 digits in one cluster).
/// </summary>
/// <remarks>
/// The cluster buffer is borrowed from a per-thread cache and given back by <see cref="Dispose"/>; a nested scan on the same
/// thread (a user detector calling a composite detector) borrows a buffer of its own.
/// </remarks>
internal readonly struct TextProfile : IDisposable
{
    private const int MaxCachedClusters = 4096;

    [ThreadStatic]
    private static DigitCluster[]? t_buffer;

    private readonly DigitCluster[]? _clusters;
    private readonly int _count;

    private TextProfile(DigitCluster[]? clusters, int count, int maxDigitCluster)
    {
        _clusters = clusters;
        _count = count;
        MaxDigitCluster = maxDigitCluster;
    }

    /// <summary>Gets the largest number of digits in one cluster (0 when the text has no digit).</summary>
    public int MaxDigitCluster { get; }

    /// <summary>Gets the digit clusters of the text with two or more digits, in order (no detector looks at a lone digit).</summary>
    public ReadOnlySpan<DigitCluster> Clusters => _clusters is null ? default : _clusters.AsSpan(0, _count);

    /// <summary>
    /// Enumerates the matches of <paramref name="pattern"/> on the clusters of <paramref name="text"/> that hold at least
    /// <paramref name="minDigits"/> digits (and pass <paramref name="filter"/>): the number detectors' loop. The pattern runs
    /// on each cluster with two characters of context on each side (for look-arounds); matches starting before their
    /// cluster are skipped. No allocation.
    /// </summary>
    /// <param name="text">The text this profile was computed for.</param>
    /// <param name="pattern">The entity's pattern.</param>
    /// <param name="minDigits">The fewest digits a cluster must hold to be scanned.</param>
    /// <param name="filter">A cheap test that returns <see langword="false"/> only for windows where <paramref name="pattern"/>
    /// certainly has no match starting in the cluster; <see langword="null"/> to scan every cluster with enough digits.</param>
    /// <param name="scanner">A hand-written scanner that finds exactly the matches of <paramref name="pattern"/>, run instead
    /// of it; <see langword="null"/> to run the pattern.</param>
    public ClusterMatches Matches(string text, Regex pattern, int minDigits, ClusterFilter? filter = null, WindowScanner? scanner = null) =>
        new(text, Clusters, pattern, minDigits, filter, scanner);

    /// <summary>Computes the profile of <paramref name="text"/> (one vectorised pass when there are no digits).</summary>
    public static TextProfile Of(string text)
    {
        if (text.AsSpan().IndexOfAny(DetectorText.Digits) < 0)
        {
            return default;
        }

        DigitCluster[] buffer = t_buffer ?? new DigitCluster[32];
        t_buffer = null;
        int count = 0, max = 1; // the text has a digit
        var clusters = new DigitClusters(text, skipSingleDigits: true);
        while (clusters.MoveNext())
        {
            int digits = clusters.Digits;
            if (digits < 2)
            {
                continue; // every detector needs two digits in a cluster (IBAN check digits) or more
            }

            if (count == buffer.Length)
            {
                Array.Resize(ref buffer, buffer.Length * 2);
            }

            buffer[count++] = new DigitCluster(clusters.Start, clusters.End, digits);
            max = Math.Max(max, digits);
        }

        return new TextProfile(buffer, count, max);
    }

    /// <summary>Gives the cluster buffer back to the per-thread cache.</summary>
    public void Dispose()
    {
        if (_clusters is { Length: <= MaxCachedClusters })
        {
            t_buffer = _clusters;
        }
    }
}

/// <summary>A cheap test of a digit cluster before a pattern runs on it (see <see cref="TextProfile.Matches"/>).</summary>
/// <param name="window">The cluster with its two characters of context on each side, as the pattern sees it.</param>
/// <param name="cluster">The cluster alone.</param>
/// <returns><see langword="false"/> only if the pattern certainly has no match starting in the cluster.</returns>
internal delegate bool ClusterFilter(ReadOnlySpan<char> window, ReadOnlySpan<char> cluster);

/// <summary>
/// Finds the next match of a pattern in a cluster's window by hand (see <see cref="TextProfile.Matches"/>), with the
/// semantics of <see cref="Regex.EnumerateMatches(ReadOnlySpan{char}, int)"/>: the leftmost match at or after
/// <paramref name="position"/>, which then moves past it.
/// </summary>
/// <param name="window">The cluster with its two characters of context on each side.</param>
/// <param name="position">Where to look from; on return, where to look for the next match.</param>
/// <param name="match">The match found, positioned in <paramref name="window"/>.</param>
/// <returns>Whether a match was found.</returns>
internal delegate bool WindowScanner(ReadOnlySpan<char> window, ref int position, out ValueMatchAt match);

/// <summary>Helpers of <see cref="WindowScanner"/>s.</summary>
internal static class WindowScanning
{
    /// <summary>
    /// The next match of <paramref name="pattern"/> in <paramref name="window"/> at or after <paramref name="position"/>, which
    /// then moves past it: what a hand-written scanner falls back to where it does not apply (windows with non-ASCII text).
    /// </summary>
    public static bool NextMatch(Regex pattern, ReadOnlySpan<char> window, ref int position, out ValueMatchAt match)
    {
        foreach (ValueMatch m in pattern.EnumerateMatches(window, position))
        {
            match = new ValueMatchAt(m.Index, m.Length);
            position = m.Index + Math.Max(1, m.Length);
            return true;
        }

        position = window.Length;
        match = default;
        return false;
    }
}

/// <summary>The matches of a pattern on the digit clusters of a text (see <see cref="TextProfile.Matches"/>); a <c>foreach</c> enumerator.</summary>
internal ref struct ClusterMatches
{
    private readonly string _text;
    private readonly ReadOnlySpan<DigitCluster> _clusters;
    private readonly Regex _pattern;
    private readonly int _minDigits;
    private readonly ClusterFilter? _filter;
    private readonly WindowScanner? _scanner;
    private ReadOnlySpan<char> _window;
    private int _position;
    private int _next;
    private int _from;
    private int _clusterStart;
    private bool _scanning;
    private Regex.ValueMatchEnumerator _matches;

    internal ClusterMatches(string text, ReadOnlySpan<DigitCluster> clusters, Regex pattern, int minDigits, ClusterFilter? filter, WindowScanner? scanner)
    {
        _scanner = scanner;
        _window = default;
        _position = 0;
        _text = text;
        _clusters = clusters;
        _pattern = pattern;
        _minDigits = minDigits;
        _filter = filter;
        _next = 0;
        _from = _clusterStart = 0;
        _scanning = false;
        _matches = default;
        Current = default;
    }

    /// <summary>Gets the current match, positioned in the whole text.</summary>
    public ValueMatchAt Current { get; private set; }

    /// <summary>Returns this enumerator (for <c>foreach</c>).</summary>
    public readonly ClusterMatches GetEnumerator() => this;

    /// <summary>Moves to the next match.</summary>
    public bool MoveNext()
    {
        while (true)
        {
            while (_scanning)
            {
                ValueMatchAt m;
                if (_scanner is not null)
                {
                    if (!_scanner(_window, ref _position, out m))
                    {
                        break;
                    }
                }
                else if (_matches.MoveNext())
                {
                    m = new ValueMatchAt(_matches.Current.Index, _matches.Current.Length);
                }
                else
                {
                    break;
                }

                if (_from + m.Index >= _clusterStart)
                {
                    Current = new ValueMatchAt(_from + m.Index, m.Length);
                    return true;
                }
            }

            if (!NextCluster())
            {
                return false;
            }
        }
    }

    private bool NextCluster()
    {
        while (_next < _clusters.Length)
        {
            DigitCluster cluster = _clusters[_next++];
            if (cluster.Digits < _minDigits)
            {
                continue;
            }

            (int from, int to) = cluster.Window(_text.Length);
            if (_filter is not null && !_filter(_text.AsSpan(from, to - from), _text.AsSpan(cluster.Start, cluster.End - cluster.Start)))
            {
                continue;
            }

            _from = from;
            _clusterStart = cluster.Start;
            _window = _text.AsSpan(from, to - from);
            _position = 0;
            if (_scanner is null)
            {
                _matches = _pattern.EnumerateMatches(_window);
            }

            _scanning = true;
            return true;
        }

        return false;
    }
}

/// <summary>One digit cluster of a text (see <see cref="DigitClusters"/>).</summary>
/// <param name="Start">The index of the cluster's first character.</param>
/// <param name="End">The index just past the cluster.</param>
/// <param name="Digits">The number of ASCII digits in the cluster.</param>
internal readonly record struct DigitCluster(int Start, int End, int Digits)
{
    /// <summary>Gets the cluster with two characters of context on each side (for patterns with look-arounds), clamped to the text.</summary>
    public (int From, int To) Window(int textLength) => (Math.Max(0, Start - 2), Math.Min(textLength, End + 2));
}

/// <summary>
/// A detector that can use a <see cref="TextProfile"/> computed once for all detectors. Used on its own, it computes the
/// profile itself.
/// </summary>
internal interface IProfiledPiiDetector : IPiiDetector
{
    /// <inheritdoc/>
    void IPiiDetector.Detect(string text, List<PiiMatch> matches)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(matches);
        using TextProfile profile = TextProfile.Of(text);
        Detect(text, matches, profile);
    }

    /// <summary>Adds the matches in <paramref name="text"/> to <paramref name="matches"/>, using <paramref name="profile"/> to skip hopeless texts.</summary>
    void Detect(string text, List<PiiMatch> matches, in TextProfile profile);
}
