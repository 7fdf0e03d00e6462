using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace LlmRouting;

/// <summary>
/// Detects IPv4 addresses (four octets of 0–255, optional CIDR suffix) and IPv6 addresses (every form, validated by the
/// framework's parser: compressed, IPv4-embedded, zone ids, prefixes). Version-like numbers after words such as
/// "version" or "build" are skipped.
/// </summary>
internal sealed partial class IpAddressDetector : IProfiledPiiDetector
{
    private static readonly SearchValues<string> s_versionWords = SearchValues.Create(
        ["version", "ver.", "build", "release", "v.", "firmware", "update", "upgrade", "oid", "snmp", "isbn"], StringComparison.OrdinalIgnoreCase);

    public IReadOnlyCollection<string> EntityTypes { get; } = [PiiEntityTypes.IpAddress];

    /// <inheritdoc/>
    public void Detect(string text, List<PiiMatch> matches, in TextProfile profile)
    {
        ReadOnlySpan<char> span = text.AsSpan();
        int before = matches.Count;

        // An address is digits joined by three dots, which a cluster never splits: fewer dots, no address.
        foreach (ValueMatchAt w in profile.Matches(text, V4Pattern(), minDigits: 4, static (_, cluster) => cluster.Count('.') >= 3))
        {
            int index = w.Index;
            if ((index > 0 && text[index - 1] == 'v') || DetectorText.KeywordBefore(text, index, 16, s_versionWords))
            {
                continue;
            }

            matches.Add(new PiiMatch(index, w.Length, PiiEntityTypes.IpAddress) { Subtype = "v4" });
        }

        // IPv6: only tokens with two colons are candidates.
        int i = 0;
        while (i < span.Length)
        {
            int colon = span[i..].IndexOf(':');
            if (colon < 0)
            {
                return;
            }

            int at = i + colon;
            int next = span[(at + 1)..].IndexOf(':');
            if (next < 0)
            {
                return;
            }

            if (next > 5)
            {
                i = at + 1;
                continue;
            }

            int start = at;
            while (start > 0 && IsV6Char(span[start - 1]))
            {
                start--;
            }

            int end = at;
            while (end < span.Length && IsV6Char(span[end]))
            {
                end++;
            }

            foreach (ValueMatch m in V6Pattern().EnumerateMatches(span[start..end]))
            {
                AddV6(text, matches, before, start + m.Index, m.Length);
            }

            i = Math.Max(end, at + 1);
        }
    }

    private static bool IsV6Char(char c) => char.IsAsciiHexDigit(c) || c is ':' or '.' or '%' or '/' || char.IsAsciiLetter(c) || c == '_';

    private static void AddV6(string text, List<PiiMatch> matches, int before, int index, int length)
    {
        ReadOnlySpan<char> candidate = text.AsSpan(index, length);
        int slash = candidate.IndexOf('/');
        ReadOnlySpan<char> address = slash >= 0 ? candidate[..slash] : candidate;
        int zone = address.IndexOf('%');
        ReadOnlySpan<char> bare = zone >= 0 ? address[..zone] : address;
        if (!IsPlausibleV6(bare) || !IPAddress.TryParse(bare, out IPAddress? parsed) || parsed.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return;
        }

        for (int k = before; k < matches.Count; k++)
        {
            if (matches[k].Start >= index && matches[k].Start < index + length)
            {
                matches[k] = new PiiMatch(index, length, PiiEntityTypes.IpAddress) { Subtype = "v6" };
                return;
            }
        }

        matches.Add(new PiiMatch(index, length, PiiEntityTypes.IpAddress) { Subtype = "v6" });
    }

    /// <summary>Rejects colon-separated look-alikes: times (<c>10:11:12</c>), C++ scopes, MAC addresses, lone <c>::</c>.</summary>
    private static bool IsPlausibleV6(ReadOnlySpan<char> bare)
    {
        int colons = bare.Count(':');
        int hexDigits = 0;
        foreach (char c in bare)
        {
            if (char.IsAsciiHexDigit(c))
            {
                hexDigits++;
            }
        }

        bool compressed = bare.Contains("::", StringComparison.Ordinal);
        return hexDigits >= 1 && (compressed ? colons >= 2 && (hexDigits >= 3 || bare is "::1") : colons == 7 || (colons == 6 && bare.Contains('.')));
    }

    [GeneratedRegex(@"(?<![\w.]|\d\.)(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}(?:/(?:3[0-2]|[12]?\d))?(?!\w|\.\d)", RegexOptions.CultureInvariant)]
    private static partial Regex V4Pattern();

    [GeneratedRegex(@"(?<![\w:.%])(?:[0-9A-Fa-f]{1,4}|:)?(?::[0-9A-Fa-f]{0,4}){2,7}(?:(?<=:)\d{1,3}(?:\.\d{1,3}){3})?(?:%[0-9A-Za-z_.]+)?(?:/\d{1,3})?(?![\w:]|\.\d)", RegexOptions.CultureInvariant)]
    private static partial Regex V6Pattern();
}
