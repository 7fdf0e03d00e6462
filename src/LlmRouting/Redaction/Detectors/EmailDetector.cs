using System.Buffers;
using System.Text.RegularExpressions;

namespace LlmRouting;

/// <summary>Detects e-mail addresses.</summary>
public sealed partial class EmailDetector : IPiiDetector
{
    /// <inheritdoc/>
    public IReadOnlyCollection<string> EntityTypes { get; } = [PiiEntityTypes.EmailAddress];

    /// <inheritdoc/>
    public void Detect(string text, List<PiiMatch> matches)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(matches);
        // Only the neighbourhood of each '@' is matched against the pattern.
        ReadOnlySpan<char> span = text.AsSpan();
        int i = 0, lastEnd = 0;
        while (i < span.Length)
        {
            int at = span[i..].IndexOf('@');
            if (at < 0)
            {
                return;
            }

            at += i;
            int from = at;
            while (from > lastEnd && at - from < 65 && s_addressChars.Contains(span[from - 1]))
            {
                from--;
            }

            int to = at + 1;
            while (to < span.Length && to - at < 256 && s_addressChars.Contains(span[to]))
            {
                to++;
            }

            int windowStart = Math.Max(0, from - 1), windowEnd = Math.Min(span.Length, to + 1);
            foreach (ValueMatch m in EmailPattern().EnumerateMatches(span[windowStart..windowEnd]))
            {
                matches.Add(new PiiMatch(windowStart + m.Index, m.Length, PiiEntityTypes.EmailAddress));
                lastEnd = Math.Max(lastEnd, windowStart + m.Index + m.Length);
            }

            i = Math.Max(to, at + 1);
        }
    }

    private static readonly SearchValues<char> s_addressChars = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._%+-");

    [GeneratedRegex(@"(?<![\w.%+-])[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,63})@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![\w-])", RegexOptions.CultureInvariant)]
    private static partial Regex EmailPattern();
}
