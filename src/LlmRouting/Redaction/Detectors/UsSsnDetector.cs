using System.Buffers;
using System.Text.RegularExpressions;

namespace LlmRouting;

/// <summary>
/// Detects United States Social Security numbers that follow the SSA's rules: no area 000, 666 or 900–999, no group 00,
/// no serial 0000, and none of the numbers known to be invalid or used in advertising (078-05-1120, 219-09-9999, …).
/// Numbers grouped 3-2-4 (<c>123-45-6789</c>, <c>123 45 6789</c>) are reported anywhere; nine plain digits and other groupings
/// only near a word such as "SSN" or "social security" (also as a CSV column header).
/// </summary>
internal sealed partial class UsSsnDetector : IProfiledPiiDetector
{
    private static readonly SearchValues<string> s_context = SearchValues.Create(
        ["ssn", "social security", "social sec", "ss#", "ss #", "ssa", "tax id", "taxpayer", "tin:", "itin"], StringComparison.OrdinalIgnoreCase);

    private static readonly SearchValues<string> s_addressWords = SearchValues.Create(["suite", "apt", "unit", "box", "no.", "#"], StringComparison.OrdinalIgnoreCase);

    public IReadOnlyCollection<string> EntityTypes { get; } = [PiiEntityTypes.UsSsn];

    /// <inheritdoc/>
    public void Detect(string text, List<PiiMatch> matches, in TextProfile profile)
    {
        if (profile.MaxDigitCluster < 9)
        {
            return;
        }

        Span<char> digits = stackalloc char[9];
        int headerEnd = text.IndexOf('\n', StringComparison.Ordinal);
        bool csvHeader = headerEnd > 0 && text.AsSpan(0, headerEnd).Contains(',') && text.AsSpan(0, headerEnd).IndexOfAny(s_context) >= 0;
        foreach (ValueMatchAt m in profile.Matches(text, SsnPattern(), minDigits: 9, MayHoldSsn))
        {
            ReadOnlySpan<char> value = text.AsSpan(m.Index, m.Length);
            int n = 0;
            int separators = 0;
            foreach (char c in value)
            {
                if (char.IsAsciiDigit(c))
                {
                    if (n == 9)
                    {
                        n++;
                        break;
                    }

                    digits[n++] = c;
                }
                else
                {
                    separators++;
                }
            }

            if (n != 9 || !IsValid(digits))
            {
                continue;
            }

            // 3-2-4 grouped (dashes, spaces or dots) is the SSN's own shape; 9 plain digits or other groupings need a context word.
            bool grouped = separators == 2 && value.Length == 11 && value[3] == value[6]
                && (value[3] == '-' || !DetectorText.KeywordBefore(text, m.Index, 12, s_addressWords));
            if (grouped || DetectorText.KeywordBefore(text, m.Index, 60, s_context) || DetectorText.KeywordAfter(text, m.Index + m.Length, 20, s_context)
                || (csvHeader && m.Index > headerEnd))
            {
                matches.Add(new PiiMatch(m.Index, m.Length, PiiEntityTypes.UsSsn));
            }
        }
    }

    /// <summary>
    /// Returns <see langword="false"/> when <see cref="SsnPattern"/> certainly has no match in <paramref name="window"/>: every
    /// match starts with a whole run of 3 digits (3-2-4 or 3-6 grouped), 5 digits (5-4) or 9 digits (ungrouped), so an ASCII
    /// window without such a run has none ("4111 1111 1111 1111", "+44 20 7946 0958"). Windows with other characters than
    /// ASCII are always scanned (<c>\d</c> and <c>\w</c> also match other scripts' digits and letters).
    /// </summary>
    internal static bool MayHoldSsn(ReadOnlySpan<char> window, ReadOnlySpan<char> cluster)
    {
        if (!System.Text.Ascii.IsValid(window))
        {
            return true;
        }

        int run = 0;
        foreach (char c in window)
        {
            if (char.IsAsciiDigit(c))
            {
                run++;
                continue;
            }

            if (run is 3 or 5 or 9)
            {
                return true;
            }

            run = 0;
        }

        return run is 3 or 5 or 9;
    }

    /// <summary>Applies the SSA allocation rules to nine digits.</summary>
    internal static bool IsValid(ReadOnlySpan<char> digits)
    {
        if (digits.Length != 9)
        {
            return false;
        }

        int area = ((digits[0] - '0') * 100) + ((digits[1] - '0') * 10) + (digits[2] - '0');
        int group = ((digits[3] - '0') * 10) + (digits[4] - '0');
        int serial = ((digits[5] - '0') * 1000) + ((digits[6] - '0') * 100) + ((digits[7] - '0') * 10) + (digits[8] - '0');
        if (area is 0 or 666 or >= 900 || group == 0 || serial == 0)
        {
            return false;
        }

        // Numbers the SSA lists as invalid or that were printed in advertising, and obvious placeholders.
        if (digits is "078051120" or "219099999" or "457555462" or "123456789" or "987654320")
        {
            return false;
        }

        return digits.ContainsAnyExcept(digits[0]);
    }

    [GeneratedRegex(@"(?<![\w-])(?:\d{3}([- .]?)\d{2}\1\d{4}|\d{3}-\d{6}|\d{5}-\d{4})(?![\w-]|[.,]\d)", RegexOptions.CultureInvariant)]
    private static partial Regex SsnPattern();
}
