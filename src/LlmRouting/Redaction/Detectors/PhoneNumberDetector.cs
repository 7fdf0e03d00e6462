using System.Buffers;
using System.Text.RegularExpressions;
using PhoneNumbers;

namespace LlmRouting;

/// <summary>
/// Detects phone numbers in international (<c>+44 20 7946 0958</c>, <c>0044…</c>) and national formats
/// (<c>(415) 555-0132</c>, <c>030 1234567</c>, <c>06-12345678</c>), with extensions. Candidates are validated with
/// libphonenumber (Google's phone metadata): an international number must be a possible number for its country code; a
/// national one must be valid for one of the configured regions, or stand next to a word such as "phone", "call", "fax".
/// Shapes of other entities (dates, SSNs, IP addresses, card numbers, decimals) are skipped.
/// </summary>
internal sealed partial class PhoneNumberDetector : IProfiledPiiDetector
{
    /// <summary>The regions tried for national formats when none are configured.</summary>
    internal static readonly string[] DefaultRegions =
    [
        "US", "CA", "GB", "IE", "DE", "AT", "CH", "FR", "BE", "NL", "LU", "IT", "ES", "PT", "SE", "NO", "DK", "FI", "IS", "PL",
        "CZ", "IL", "AE", "SA", "TR", "IN", "SG", "MY", "PH", "AU", "NZ", "JP", "KR", "CN", "HK", "ZA", "NG", "BR", "MX", "AR",
    ];

    private static readonly Lazy<PhoneNumberUtil> s_util = new(PhoneNumberUtil.GetInstance, LazyThreadSafetyMode.ExecutionAndPublication);

    private static readonly SearchValues<string> s_contextBefore = SearchValues.Create(
    [
        "phone", "tel:", "tel.", "tel ", "call", "mobile", "cell", "fax", "office", "contact", "reach", "text me", "text at",
        "whatsapp", "sms", "dial", "ring me", "my number", "number is", "telefon", "telephone", "movil", "handy", "landline",
        "hotline", "answering", "messages to", "e.164", "vcard",
    ], StringComparison.OrdinalIgnoreCase);

    // Numbers after these words are identifiers, not phones (unless a phone word is closer).
    private static readonly SearchValues<string> s_notPhoneBefore = SearchValues.Create(
    [
        "case", "order", "part", "invoice", "ticket", "account", "card", "serial", "tracking", "reference", "ref.", "sku", "zip",
        "postal", "postcode", "passport", "licen", "ssn", "social security", "routing", "iban", "swift", "isbn", "version", "build",
        "prime", "timestamp", "epoch", "unix", "mod ", "compute", "round", "apt", "suite", "unit", "box", "lives at", "located at",
        "meet you at", "is at", "sent to", "address",
    ], StringComparison.OrdinalIgnoreCase);

    private static readonly SearchValues<string> s_contextAfter = SearchValues.Create(
        ["office", "fax", "mobile", "cell", "home", "work", "phone", "ext"], StringComparison.OrdinalIgnoreCase);

    private readonly string[] _regions;

    public PhoneNumberDetector(IEnumerable<string>? regions = null)
    {
        _regions = regions?.Select(r => r.Trim().ToUpperInvariant()).Distinct(StringComparer.Ordinal).ToArray() ?? DefaultRegions;
        foreach (string region in _regions)
        {
            if (region.Length != 2 || !char.IsAsciiLetterUpper(region[0]) || !char.IsAsciiLetterUpper(region[1]))
            {
                throw new ArgumentException($"PiiDetectorOptions.PhoneRegions: '{region}' is not an ISO 3166 alpha-2 region code.", nameof(regions));
            }
        }
    }

    public IReadOnlyCollection<string> EntityTypes { get; } = [PiiEntityTypes.PhoneNumber];

    /// <inheritdoc/>
    public void Detect(string text, List<PiiMatch> matches, in TextProfile profile)
    {
        if (profile.MaxDigitCluster < 6)
        {
            return;
        }

        foreach (ValueMatchAt m in profile.Matches(text, CandidatePattern(), minDigits: 6, MayStartCandidate))
        {
            int length = m.Length;
            ReadOnlySpan<char> candidate = text.AsSpan(m.Index, length);
            int extension = FindExtension(candidate);
            ReadOnlySpan<char> number = extension >= 0 ? candidate[..extension].TrimEnd() : candidate;
            int digits = DetectorText.CountDigits(number);
            if (digits is < 6 or > 15 || IsOtherShape(text, m.Index, number))
            {
                continue;
            }

            if (IsPhone(text, m.Index, m.Index + length, number, digits))
            {
                matches.Add(new PiiMatch(m.Index, length, PiiEntityTypes.PhoneNumber));
            }
        }
    }

    private bool IsPhone(string text, int start, int end, ReadOnlySpan<char> number, int digits)
    {
        bool international = number[0] == '+' || number.StartsWith("00", StringComparison.Ordinal);
        bool separated = number.ContainsAny(' ', '-', '.') || number.Contains('(');
        if (international)
        {
            string e164 = number[0] == '+' ? number.ToString() : string.Concat("+", number[2..]);
            return TryParse(e164, "ZZ", out PhoneNumber? parsed) && s_util.Value.IsPossibleNumber(parsed)
                && (separated || HasContext(text, start, end) || s_util.Value.IsValidNumber(parsed));
        }

        int lineStart = start == 0 ? 0 : text.LastIndexOf('\n', start - 1) + 1;
        bool identifier = DetectorText.KeywordBefore(text, start, Math.Min(24, start - lineStart), s_notPhoneBefore);
        if (StreetFollows(text, end))
        {
            return false; // "call a taxi to 14 3684 Court Street"
        }

        if (NumberShape.IsBracketedNanp(number))
        {
            return !identifier;
        }

        if (HasContext(text, start, end) && !(identifier && !DetectorText.KeywordBefore(text, start, 24, s_contextBefore)))
        {
            return digits >= 7 || separated;
        }

        // Without a phone word: a national number valid in one of the regions, not after an identifier word, not followed by
        // more words of the same phrase, and (unseparated) starting with a trunk prefix or shaped like a 10-digit national number
        // that is not an epoch timestamp.
        if (identifier || digits < 8 || FollowedByWord(text, end) || (!separated && !(number[0] == '0' ? digits >= 10 : digits == 10 && number[0] != '1')))
        {
            return false;
        }

        string national = number.ToString();
        foreach (string region in _regions)
        {
            if (TryParse(national, region, out PhoneNumber? parsed) && s_util.Value.IsValidNumberForRegion(parsed, region))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Returns whether a phone word stands shortly before or after the candidate.</summary>
    private static bool HasContext(string text, int start, int end) =>
        DetectorText.KeywordBefore(text, start, 48, s_contextBefore) || DetectorText.KeywordAfter(text, end, 12, s_contextAfter);

    private static readonly SearchValues<string> s_streetWords = SearchValues.Create(
    [
        " street", " st ", " st.", " st,", " avenue", " ave", " road", " rd", " lane", " ln", " drive", " dr.", " boulevard", " blvd",
        " way", " court", " ct", " place", " pl.", " parkway", " square", " terrace", " highway", " hwy", " crescent", " close",
        " strasse", " str.", " rue ", " via ", " calle ", " vej", "gatan", "katu", "weg", "laan", " utca",
    ], StringComparison.OrdinalIgnoreCase);

    /// <summary>Returns whether a street word follows within the next few words (the number is a house number).</summary>
    private static bool StreetFollows(string text, int end)
    {
        int limit = Math.Min(text.Length, end + 32);
        int newline = text.IndexOf('\n', end, limit - end);
        if (newline >= 0)
        {
            limit = newline;
        }

        return limit > end && end < text.Length && text[end] == ' ' && text.AsSpan(end, limit - end).IndexOfAny(s_streetWords) >= 0;
    }

    private static bool FollowedByWord(string text, int end)
    {
        int i = end;
        while (i < text.Length && text[i] == ' ')
        {
            i++;
        }

        return i > end && i < text.Length && char.IsLetter(text[i]);
    }

    private static bool TryParse(string number, string region, out PhoneNumber? parsed)
    {
        try
        {
            parsed = s_util.Value.Parse(number, region);
            return true;
        }
        catch (NumberParseException)
        {
            parsed = null;
            return false;
        }
    }

    /// <summary>Finds an extension marker (<c>x123</c>, <c>ext. 12</c>, <c>#12</c>) and returns its index, or -1.</summary>
    private static int FindExtension(ReadOnlySpan<char> candidate)
    {
        for (int i = 1; i < candidate.Length; i++)
        {
            if (candidate[i] is 'x' or 'X' or '#' || (candidate[i] is 'e' or 'E' && candidate[i..].StartsWith("ext", StringComparison.OrdinalIgnoreCase)))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Shapes of other entities that look like phone numbers: dates, timestamps, SSNs, IPv4, decimals, card numbers, IBAN groups.</summary>
    private static bool IsOtherShape(string text, int start, ReadOnlySpan<char> number)
    {
        if (NumberShape.IsDateSsnZipOrDotted(number) || NumberShape.StartsWithIsoDate(number)
            || (DetectorText.CountDigits(number) >= 12 && CreditCardDetector.IsLuhnValid(number) && CreditCardDetector.Issuer(number) is not null))
        {
            return true;
        }

        // The tail of an IBAN or another code: "NL98 TVOE 9222 0906 78".
        int i = start - 1;
        while (i >= 0 && text[i] == ' ')
        {
            i--;
        }

        int wordEnd = i;
        while (i >= 0 && char.IsAsciiLetterOrDigit(text[i]))
        {
            i--;
        }

        ReadOnlySpan<char> previous = text.AsSpan(i + 1, wordEnd - i);
        return wordEnd < start - 1 && previous.Length is >= 2 and <= 6 && previous.ContainsAnyInRange('A', 'Z') && !previous.ContainsAnyInRange('a', 'z') && previous.IndexOfAnyExcept(s_upperDigits) < 0;
    }

    /// <summary>
    /// The <see cref="ClusterFilter"/> of <see cref="CandidatePattern"/>: a candidate starts with <c>+</c>, <c>(</c> or a digit
    /// not preceded by a character of <c>[\w@/.:+=#-]</c> (its look-behind), so a cluster without such a position (digits
    /// glued to a token: <c>xoxb-123456789012-…</c>) cannot hold the start of one. Non-ASCII characters are left to the pattern.
    /// </summary>
    internal static bool MayStartCandidate(ReadOnlySpan<char> window, ReadOnlySpan<char> cluster)
    {
        if (!window.Overlaps(cluster, out int offset))
        {
            return true;
        }

        // Matches may also start in the two characters of context after the cluster (the enumerator keeps those).
        for (int p = offset; p < window.Length; p++)
        {
            char c = window[p];
            if (!(char.IsAsciiDigit(c) || c is '+' or '(' || c >= 128))
            {
                continue;
            }

            if (p == 0)
            {
                return true;
            }

            char before = window[p - 1];
            if (before >= 128 || !(char.IsAsciiLetterOrDigit(before) || before is '_' or '@' or '/' or '.' or ':' or '+' or '=' or '#' or '-'))
            {
                return true;
            }
        }

        return false;
    }

    private static readonly SearchValues<char> s_upperDigits = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");

    [GeneratedRegex(@"(?<![\w@/.:+=#-]|[.-]\d)(?:\+[ ]?|00)?(?:\(\d{1,5}\)|\d{1,5})(?:(?:[ .\-]|[ ]?-[ ]?)?(?:\(\d{1,5}\)|\d{1,6})){1,7}(?:[ ]?(?:x|ext\.?|#)[ ]?\d{1,6})?(?!\d|[\w@]|[.:-]\d)", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    internal static partial Regex CandidatePattern();
}
