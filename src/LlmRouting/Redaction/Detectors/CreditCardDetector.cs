using System.Text.RegularExpressions;

namespace LlmRouting;

/// <summary>
/// Detects payment card numbers: 12 to 19 digits, optionally grouped by spaces or dashes, that pass the Luhn check and
/// fall in a known issuer range with a length that issuer uses (Visa, Mastercard, American Express, Discover, Diners Club,
/// JCB, UnionPay, Maestro, Mir, RuPay, Troy, Verve, UATP).
/// </summary>
public sealed partial class CreditCardDetector : IPiiDetector, IProfiledPiiDetector
{
    /// <inheritdoc/>
    public IReadOnlyCollection<string> EntityTypes { get; } = [PiiEntityTypes.CreditCard];

    /// <inheritdoc/>
    public void Detect(string text, List<PiiMatch> matches)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(matches);
        using TextProfile profile = TextProfile.Of(text);
        Detect(text, matches, profile);
    }

    /// <inheritdoc/>
    void IProfiledPiiDetector.Detect(string text, List<PiiMatch> matches, in TextProfile profile) => Detect(text, matches, profile);

    private static void Detect(string text, List<PiiMatch> matches, in TextProfile profile)
    {
        if (profile.MaxDigitCluster < 12)
        {
            return;
        }

        foreach (ValueMatchAt m in profile.Matches(text, CardPattern(), minDigits: 12, scanner: NextCandidate))
        {
            ReadOnlySpan<char> candidate = text.AsSpan(m.Index, m.Length);
            if (IsLuhnValid(candidate) && Issuer(candidate) is { } issuer)
            {
                matches.Add(new PiiMatch(m.Index, m.Length, PiiEntityTypes.CreditCard) { Subtype = issuer });
            }
        }
    }

    /// <summary>Checks the Luhn (mod 10) checksum of the digits in <paramref name="candidate"/>, ignoring separators.</summary>
    /// <param name="candidate">Digits, possibly with spaces or dashes.</param>
    /// <returns><see langword="true"/> if there are 12 to 19 digits and the checksum holds.</returns>
    public static bool IsLuhnValid(ReadOnlySpan<char> candidate)
    {
        int sum = 0, digits = 0;
        bool doubleIt = false;
        for (int i = candidate.Length - 1; i >= 0; i--)
        {
            char c = candidate[i];
            if (c is ' ' or '-')
            {
                continue;
            }

            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            int d = c - '0';
            if (doubleIt)
            {
                d *= 2;
                if (d > 9)
                {
                    d -= 9;
                }
            }

            sum += d;
            digits++;
            doubleIt = !doubleIt;
        }

        return digits is >= 12 and <= 19 && sum % 10 == 0;
    }

    /// <summary>Returns the card scheme whose issuer range and lengths fit <paramref name="candidate"/>, or <see langword="null"/>.</summary>
    internal static string? Issuer(ReadOnlySpan<char> candidate)
    {
        Span<char> digits = stackalloc char[19];
        int n = 0;
        foreach (char c in candidate)
        {
            if (char.IsAsciiDigit(c))
            {
                if (n == 19)
                {
                    return null;
                }

                digits[n++] = c;
            }
        }

        if (n < 12)
        {
            return null;
        }

        int p1 = digits[0] - '0', p2 = (p1 * 10) + (digits[1] - '0'), p3 = (p2 * 10) + (digits[2] - '0'), p4 = (p3 * 10) + (digits[3] - '0');
        int p6 = (p4 * 100) + ((digits[4] - '0') * 10) + (digits[5] - '0');
        return 0 switch
        {
            _ when p1 == 4 && n is 13 or 16 or 19 => "visa",
            _ when (p2 is >= 51 and <= 55 || p4 is >= 2221 and <= 2720) && n == 16 => "mastercard",
            _ when p2 is 34 or 37 && n == 15 => "amex",
            _ when (p4 == 6011 || p3 is >= 644 and <= 649 || p2 == 65 || p6 is >= 622126 and <= 622925) && n is >= 16 and <= 19 => "discover",
            _ when (p3 is >= 300 and <= 305 || p4 == 3095 || p2 is 36 or 38 or 39) && n is >= 14 and <= 19 => "diners",
            _ when p4 is >= 3500 and <= 3599 && n is >= 16 and <= 19 => "jcb",
            _ when p4 is 1800 or 2131 && n == 15 => "jcb",
            _ when p1 == 1 && n == 15 => "uatp",
            _ when p2 == 62 && n is >= 16 and <= 19 => "unionpay",
            _ when p4 is >= 2200 and <= 2204 && n is >= 16 and <= 19 => "mir",
            _ when p4 == 9792 && n == 16 => "troy",
            _ when (p6 is >= 506099 and <= 506198 || p6 is >= 650002 and <= 650027) && n is 16 or 18 or 19 => "verve",
            _ when (p2 is 60 or 81 or 82 || p3 == 508) && n == 16 => "rupay",
            _ when (p2 == 50 || p2 is >= 56 and <= 69) && n is >= 12 and <= 19 => "maestro",
            _ => null,
        };
    }

    /// <summary>
    /// Finds the next match of <see cref="CardPattern"/> in <paramref name="window"/> at or after <paramref name="position"/> (a
    /// <see cref="WindowScanner"/>): by hand in an ASCII window (12–19 digits, single spaces or dashes between them, not
    /// inside a word or a dashed code; the longest such run that ends before a non-word character, as the pattern's
    /// backtracking finds it), with the pattern itself otherwise (<c>\d</c> and <c>\w</c> also match other scripts).
    /// </summary>
    internal static bool NextCandidate(ReadOnlySpan<char> window, ref int position, out ValueMatchAt match)
    {
        if (!System.Text.Ascii.IsValid(window))
        {
            return WindowScanning.NextMatch(CardPattern(), window, ref position, out match);
        }

        Span<int> ends = stackalloc int[19];
        for (int p = position; p < window.Length; p++)
        {
            if (!char.IsAsciiDigit(window[p]) || (p > 0 && IsWordOrDash(window[p - 1])))
            {
                continue;
            }

            // Greedy: the end of each digit, one optional space or dash before each digit after the first.
            int digits = 1;
            ends[0] = p + 1;
            while (digits < 19)
            {
                int j = ends[digits - 1];
                if (j < window.Length && window[j] is ' ' or '-')
                {
                    j++;
                }

                if (j >= window.Length || !char.IsAsciiDigit(window[j]))
                {
                    break;
                }

                ends[digits++] = j + 1;
            }

            // Backtracking: the longest run of 12+ digits not followed by a word character or a dash.
            for (int k = digits; k >= 12; k--)
            {
                int end = ends[k - 1];
                if (end == window.Length || !IsWordOrDash(window[end]))
                {
                    match = new ValueMatchAt(p, end - p);
                    position = end;
                    return true;
                }
            }
        }

        position = window.Length;
        match = default;
        return false;
    }

    private static bool IsWordOrDash(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '-';

    [GeneratedRegex(@"(?<![\w-])\d(?:[ -]?\d){11,18}(?![\w-])", RegexOptions.CultureInvariant)]
    private static partial Regex CardPattern();
}
