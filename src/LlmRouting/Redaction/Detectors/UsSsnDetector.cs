using System.Buffers;
using System.Text.RegularExpressions;

namespace LlmRouting;

/// <summary>
/// Detects United States Social Security numbers that follow the SSA's rules: no area 000, 666 or 900–999, no group 00,
/// no serial 0000, and none of the numbers known to be invalid or used in advertising (078-05-1120, 219-09-9999, …).
/// <c>123-45-6789</c>-style dashed numbers are reported anywhere; undashed or space-separated ones only near a word such as
/// "SSN" or "social security".
/// </summary>
internal sealed partial class UsSsnDetector : IPiiDetector
{
    private static readonly SearchValues<string> s_context = SearchValues.Create(
        ["ssn", "social security", "social sec", "ss#", "ss #", "ssa", "tax id", "taxpayer", "tin:", "itin"], StringComparison.OrdinalIgnoreCase);

    public IReadOnlyCollection<string> EntityTypes { get; } = [PiiEntityTypes.UsSsn];

    public void Detect(string text, List<PiiMatch> matches)
    {
        if (text.AsSpan().IndexOfAny(DetectorText.Digits) < 0)
        {
            return;
        }

        Span<char> digits = stackalloc char[9];
        foreach (ValueMatch m in SsnPattern().EnumerateMatches(text))
        {
            ReadOnlySpan<char> value = text.AsSpan(m.Index, m.Length);
            int n = 0;
            bool dashed = true;
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
                    dashed &= c == '-';
                }
            }

            if (n != 9 || !IsValid(digits))
            {
                continue;
            }

            // 3-2-4 with dashes is the canonical form; anything else needs a context word.
            bool canonical = dashed && separators == 2 && value[3] == '-' && value[6] == '-';
            if (canonical || DetectorText.KeywordBefore(text, m.Index, 60, s_context) || DetectorText.KeywordAfter(text, m.Index + m.Length, 20, s_context))
            {
                matches.Add(new PiiMatch(m.Index, m.Length, PiiEntityTypes.UsSsn));
            }
        }
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
