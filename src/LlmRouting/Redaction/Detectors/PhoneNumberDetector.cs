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
internal sealed partial class PhoneNumberDetector : IPiiDetector
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
        "phone", "tel", "call", "mobile", "cell", "fax", "office", "contact", "reach", "text me", "text at", "whatsapp", "sms",
        "dial", "ring", "number", "no.", "nr", "telefon", "téléphone", "móvil", "handy", "landline", "hotline", "answering",
        "messages to", "☎", "📞",
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

    public void Detect(string text, List<PiiMatch> matches)
    {
        if (text.AsSpan().IndexOfAny(DetectorText.Digits) < 0)
        {
            return;
        }

        foreach (ValueMatch m in CandidatePattern().EnumerateMatches(text))
        {
            int length = m.Length;
            ReadOnlySpan<char> candidate = text.AsSpan(m.Index, length);
            int extension = FindExtension(candidate);
            ReadOnlySpan<char> number = extension >= 0 ? candidate[..extension].TrimEnd() : candidate;
            int digits = DetectorText.CountDigits(number);
            if (digits is < 7 or > 15 || IsOtherShape(number))
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
        bool context = DetectorText.KeywordBefore(text, start, 48, s_contextBefore) || DetectorText.KeywordAfter(text, end, 12, s_contextAfter);
        if (international)
        {
            string e164 = number[0] == '+' ? number.ToString() : string.Concat("+", number[2..]);
            return TryParse(e164, "ZZ", out PhoneNumber? parsed) && s_util.Value.IsPossibleNumber(parsed) && (separated || context || s_util.Value.IsValidNumber(parsed));
        }

        if (context)
        {
            return true;
        }

        if (!separated || digits < 8)
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

    /// <summary>Shapes of other entities that look like phone numbers: dates, SSNs, IPv4, decimals, times, card numbers.</summary>
    private static bool IsOtherShape(ReadOnlySpan<char> number)
    {
        return DatePattern().IsMatch(number) || SsnShapePattern().IsMatch(number) || DottedPattern().IsMatch(number)
            || (DetectorText.CountDigits(number) >= 13 && CreditCardDetector.IsLuhnValid(number) && CreditCardDetector.Issuer(number) is not null);
    }

    [GeneratedRegex(@"(?<![\w@/.:+=#-]|[.-]\d)(?:\+[ ]?|00)?(?:\(\d{1,5}\)|\d{1,5})(?:(?:[ .\-]|[ ]?-[ ]?)?(?:\(\d{1,5}\)|\d{1,6})){1,7}(?:[ ]?(?:x|ext\.?|#)[ ]?\d{1,6})?(?!\d|[\w@]|[.-]\d)", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex CandidatePattern();

    [GeneratedRegex(@"^(?:\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./](?:\d{4}|\d{2}))$", RegexOptions.CultureInvariant)]
    private static partial Regex DatePattern();

    [GeneratedRegex(@"^\d{3}([- ])\d{2}\1\d{4}$", RegexOptions.CultureInvariant)]
    private static partial Regex SsnShapePattern();

    [GeneratedRegex(@"^(?:\d{1,3}\.){3}\d{1,3}$|^\d+\.\d+$|^\d{1,3}(?:\.\d{1,3}){1,2}$", RegexOptions.CultureInvariant)]
    private static partial Regex DottedPattern();
}
