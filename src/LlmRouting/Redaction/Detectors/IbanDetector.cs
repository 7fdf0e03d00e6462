using System.Collections.Frozen;

namespace LlmRouting;

/// <summary>
/// Detects international bank account numbers: a country code, two check digits and the country's basic account number,
/// optionally grouped by spaces or dashes; the total length must match the country's (IBAN registry) and the mod-97 check
/// must hold.
/// </summary>
internal sealed class IbanDetector : IProfiledPiiDetector
{
    // IBAN lengths by country (the SWIFT IBAN registry, plus the French overseas territories and the long-standing
    // "experimental" African and Middle-Eastern formats that banks accept).
    private static readonly FrozenDictionary<string, int> s_lengths = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["AD"] = 24, ["AE"] = 23, ["AL"] = 28, ["AT"] = 20, ["AZ"] = 28, ["BA"] = 20, ["BE"] = 16, ["BG"] = 22, ["BH"] = 22,
        ["BI"] = 27, ["BR"] = 29, ["BY"] = 28, ["CH"] = 21, ["CR"] = 22, ["CY"] = 28, ["CZ"] = 24, ["DE"] = 22, ["DJ"] = 27,
        ["DK"] = 18, ["DO"] = 28, ["EE"] = 20, ["EG"] = 29, ["ES"] = 24, ["FI"] = 18, ["FK"] = 18, ["FO"] = 18, ["FR"] = 27,
        ["GB"] = 22, ["GE"] = 22, ["GI"] = 23, ["GL"] = 18, ["GR"] = 27, ["GT"] = 28, ["HN"] = 28, ["HR"] = 21, ["HU"] = 28,
        ["IE"] = 22, ["IL"] = 23, ["IQ"] = 23, ["IS"] = 26, ["IT"] = 27, ["JO"] = 30, ["KW"] = 30, ["KZ"] = 20, ["LB"] = 28,
        ["LC"] = 32, ["LI"] = 21, ["LT"] = 20, ["LU"] = 20, ["LV"] = 21, ["LY"] = 25, ["MC"] = 27, ["MD"] = 24, ["ME"] = 22,
        ["MK"] = 19, ["MN"] = 20, ["MR"] = 27, ["MT"] = 31, ["MU"] = 30, ["NI"] = 28, ["NL"] = 18, ["NO"] = 15, ["OM"] = 23,
        ["PK"] = 24, ["PL"] = 28, ["PS"] = 29, ["PT"] = 25, ["QA"] = 29, ["RO"] = 24, ["RS"] = 22, ["RU"] = 33, ["SA"] = 24,
        ["SC"] = 31, ["SD"] = 18, ["SE"] = 24, ["SI"] = 19, ["SK"] = 24, ["SM"] = 27, ["SO"] = 23, ["ST"] = 25, ["SV"] = 28,
        ["TL"] = 23, ["TN"] = 24, ["TR"] = 26, ["UA"] = 29, ["VA"] = 22, ["VG"] = 24, ["XK"] = 20, ["YE"] = 30,
        ["GF"] = 27, ["GP"] = 27, ["MQ"] = 27, ["RE"] = 27, ["PF"] = 27, ["TF"] = 27, ["YT"] = 27, ["NC"] = 27, ["PM"] = 27,
        ["WF"] = 27, ["BL"] = 27, ["MF"] = 27,
        ["AO"] = 25, ["BF"] = 28, ["BJ"] = 28, ["CF"] = 27, ["CG"] = 27, ["CI"] = 28, ["CM"] = 27, ["CV"] = 25, ["DZ"] = 26,
        ["GA"] = 27, ["GQ"] = 27, ["GW"] = 25, ["IR"] = 26, ["KM"] = 27, ["MA"] = 28, ["MG"] = 27, ["ML"] = 28, ["MZ"] = 25,
        ["NE"] = 28, ["SN"] = 28, ["TD"] = 27, ["TG"] = 28, ["HT"] = 28,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public IReadOnlyCollection<string> EntityTypes { get; } = [PiiEntityTypes.IbanCode];

    /// <summary>Gets the number of countries whose IBAN length is known.</summary>
    internal static int CountryCount => s_lengths.Count;

    /// <inheritdoc/>
    public void Detect(string text, List<PiiMatch> matches, in TextProfile profile)
    {
        if (profile.MaxDigitCluster < 2)
        {
            return;
        }

        // An IBAN starts with two letters and two check digits at the start of a word. The check digits then begin a digit
        // cluster (a digit after a letter is never inside one: the letters that join a cluster, x and ext, fail the test below).
        ReadOnlySpan<char> span = text.AsSpan();
        int next = 0;
        foreach (DigitCluster cluster in profile.Clusters)
        {
            int at = cluster.Start; // first check digit
            if (at < next || cluster.Digits < 2 || at < 2 || at + 1 >= span.Length || !char.IsAsciiDigit(span[at]) || !char.IsAsciiDigit(span[at + 1])
                || (at > 2 && char.IsAsciiLetterOrDigit(span[at - 3])) || span[at - 3 < 0 ? 0 : at - 3] == '_')
            {
                continue;
            }

            char c1 = span[at - 2], c2 = span[at - 1];
            bool upper = char.IsAsciiLetterUpper(c1) && char.IsAsciiLetterUpper(c2);
            bool lower = char.IsAsciiLetterLower(c1) && char.IsAsciiLetterLower(c2);
            if (!upper && !lower)
            {
                continue;
            }

            int start = at - 2;
            Span<char> country = [char.ToUpperInvariant(c1), char.ToUpperInvariant(c2)];
            if (s_lengths.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(country, out int length)
                && TryRead(text, start, length, lower, out int end) && IsChecksumValid(span[start..end]))
            {
                matches.Add(new PiiMatch(start, end - start, PiiEntityTypes.IbanCode) { Subtype = country.ToString() });
                next = end;
            }
        }
    }

    /// <summary>Reads <paramref name="length"/> alphanumerics from <paramref name="start"/>, allowing one space or dash between groups.</summary>
    private static bool TryRead(string text, int start, int length, bool lower, out int end)
    {
        int count = 0, i = start;
        end = start;
        while (i < text.Length && count < length)
        {
            char c = text[i];
            if (char.IsAsciiDigit(c) || (lower ? char.IsAsciiLetterLower(c) : char.IsAsciiLetterUpper(c)))
            {
                count++;
                i++;
            }
            else if (!lower && count >= 4 && c is ' ' or '-' && i + 1 < text.Length && (char.IsAsciiDigit(text[i + 1]) || char.IsAsciiLetterUpper(text[i + 1])))
            {
                i++;
            }
            else
            {
                break;
            }
        }

        if (count != length || (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_')))
        {
            return false;
        }

        end = i;
        return true;
    }

    /// <summary>Computes the ISO 7064 mod-97-10 check of an IBAN (separators ignored).</summary>
    internal static bool IsChecksumValid(ReadOnlySpan<char> iban)
    {
        Span<char> compact = stackalloc char[40];
        int n = 0;
        foreach (char c in iban)
        {
            if (c is ' ' or '-')
            {
                continue;
            }

            if (n == compact.Length)
            {
                return false;
            }

            compact[n++] = char.ToUpperInvariant(c);
        }

        if (n < 15)
        {
            return false;
        }

        int remainder = 0;
        for (int k = 0; k < n; k++)
        {
            char c = compact[(k + 4) % n];
            if (char.IsAsciiDigit(c))
            {
                remainder = ((remainder * 10) + (c - '0')) % 97;
            }
            else if (char.IsAsciiLetterUpper(c))
            {
                remainder = ((remainder * 100) + (c - 'A' + 10)) % 97;
            }
            else
            {
                return false;
            }
        }

        return remainder == 1;
    }

}
