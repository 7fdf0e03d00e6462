using System.Buffers;
using System.Collections.Frozen;
using System.Text.RegularExpressions;

namespace LlmRouting;

/// <summary>
/// Detects web addresses: anything with an <c>http</c>, <c>https</c>, <c>ftp</c> or <c>ws</c> scheme, host names starting with
/// <c>www.</c>, and bare domain names (<c>example.com/path</c>) whose top-level domain is a country code or a common generic one.
/// Bare names that are usually file names or code (<c>setup.py</c>, <c>README.md</c>, <c>user.id</c>) are skipped.
/// </summary>
internal sealed partial class UrlDetector : IPiiDetector
{
    // Generic TLDs common enough in prose to be recognised without a scheme.
    private static readonly FrozenSet<string> s_genericTlds = FrozenSet.Create(StringComparer.OrdinalIgnoreCase,
        "com", "net", "org", "edu", "gov", "mil", "int", "info", "biz", "io", "ai", "app", "dev", "cloud", "online", "site",
        "tech", "store", "shop", "xyz", "blog", "news", "agency", "company", "email", "network", "digital", "media", "studio",
        "solutions", "services", "global", "group", "software", "systems", "academy", "health", "bank", "finance", "legal",
        "today", "world", "life", "live", "space", "website", "museum", "travel", "jobs", "mobi", "pro", "aero", "coop", "asia");

    // Country-code TLDs (the IANA root zone's two-letter entries) that do not double as common file extensions or code.
    private static readonly FrozenSet<string> s_countryTlds = FrozenSet.Create(StringComparer.OrdinalIgnoreCase,
        "ac", "ad", "ae", "af", "ag", "al", "ao", "aq", "ar", "au", "aw", "ax", "az", "ba", "bb", "bd", "bf", "bg", "bh", "bi",
        "bj", "bm", "bn", "bo", "br", "bs", "bt", "bw", "bz", "ca", "cc", "cd", "cf", "cg", "ch", "ci", "ck", "cl", "cm", "cn",
        "co", "cr", "cu", "cv", "cw", "cx", "cy", "cz", "de", "dj", "dk", "dm", "dz", "ec", "ee", "eg", "er", "es", "et", "eu",
        "fi", "fj", "fk", "fm", "fo", "fr", "ga", "gb", "gd", "ge", "gf", "gg", "gh", "gi", "gl", "gm", "gn", "gp", "gq", "gr",
        "gs", "gt", "gu", "gw", "gy", "hk", "hm", "hn", "hr", "ht", "hu", "ie", "il", "im", "iq", "ir", "je", "jm", "jo", "jp",
        "ke", "kg", "kh", "ki", "km", "kn", "kp", "kr", "kw", "ky", "kz", "la", "lb", "lc", "li", "lk", "lr", "ls", "lt", "lu",
        "lv", "ly", "ma", "mc", "mg", "mh", "mk", "ml", "mm", "mn", "mo", "mp", "mq", "mr", "ms", "mt", "mu", "mv", "mw", "mx",
        "mz", "na", "nc", "ne", "nf", "ng", "ni", "nl", "np", "nr", "nu", "nz", "om", "pa", "pe", "pf", "pg", "ph", "pk", "pn",
        "pr", "pt", "pw", "qa", "re", "ro", "ru", "rw", "sa", "sb", "sc", "sd", "se", "sg", "si", "sj", "sk", "sl", "sm", "sn",
        "sr", "ss", "st", "su", "sv", "sx", "sy", "sz", "tc", "td", "tf", "tg", "th", "tj", "tk", "tl", "tm", "tn", "tr", "tt",
        "tv", "tw", "tz", "ua", "ug", "uk", "uy", "uz", "va", "vc", "ve", "vg", "vi", "vn", "vu", "wf", "ws", "ye", "yt", "za",
        "zm", "zw");

    // The first labels of bare names that are code, not hosts (obj.com is rare; self.name, this.id are common).
    private static readonly FrozenSet<string> s_codeLabels = FrozenSet.Create(StringComparer.OrdinalIgnoreCase,
        "self", "this", "obj", "object", "user", "req", "request", "res", "response", "ctx", "context", "config", "np", "pd",
        "os", "sys", "math", "console", "window", "document", "args", "options", "props", "state", "data", "item", "row", "e",
        "err", "error", "event", "model", "app", "db", "df", "file", "path", "node", "client", "server", "settings", "env", "i");

    private static readonly SearchValues<char> s_dot = SearchValues.Create(".");

    public IReadOnlyCollection<string> EntityTypes { get; } = [PiiEntityTypes.Url];

    public void Detect(string text, List<PiiMatch> matches)
    {
        ReadOnlySpan<char> span = text.AsSpan();
        int lastEnd = 0;
        int i = 0;
        while (i < span.Length)
        {
            // A URL contains "://" or a dot between two host characters; jump from one such dot to the next.
            int dot = span[i..].IndexOfAny(s_dot);
            if (dot < 0)
            {
                return;
            }

            int at = i + dot;
            i = at + 1;
            if (at == 0 || at + 1 >= span.Length || at < lastEnd || !char.IsAsciiLetterOrDigit(span[at - 1]) || !(char.IsAsciiLetterOrDigit(span[at + 1]) || span[at + 1] == '/'))
            {
                continue;
            }

            // The candidate is the whitespace-delimited token around the dot.
            int start = lastEnd + span[lastEnd..at].LastIndexOfAny(s_tokenBreaks) + 1;
            int after = span[at..].IndexOfAny(s_tokenBreaks);
            int end = after < 0 ? span.Length : at + after;

            if (!MayHoldUrl(span[start..end]))
            {
                lastEnd = end;
                i = Math.Max(i, end);
                continue;
            }

            foreach (ValueMatch m in UrlPattern().EnumerateMatches(span[start..end]))
            {
                int mStart = start + m.Index;
                int length = TrimEnd(span.Slice(mStart, m.Length));
                ReadOnlySpan<char> url = span.Slice(mStart, length);
                if (length < 4)
                {
                    continue;
                }

                bool schemeOrWww = url.Contains("://", StringComparison.Ordinal) || url.StartsWith("www.", StringComparison.OrdinalIgnoreCase);
                if (!schemeOrWww && !IsBareDomain(text, mStart, url))
                {
                    continue;
                }

                matches.Add(new PiiMatch(mStart, length, PiiEntityTypes.Url));
            }

            lastEnd = end;
            i = Math.Max(i, end);
        }
    }

    /// <summary>
    /// Returns whether the pattern can find a URL in <paramref name="token"/> that is reported: one with a scheme, one starting
    /// with <c>www.</c>, or a bare name whose host ends in a known top-level domain, which then follows a dot and is followed by
    /// no further letter. Tokens without any of these (numbers, JWTs, file names, e-mail domains of unknown TLDs) skip the pattern.
    /// </summary>
    private static bool MayHoldUrl(ReadOnlySpan<char> token)
    {
        if (token.Contains("://", StringComparison.Ordinal) || token.Contains("www.", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        int i = 0;
        while (i < token.Length)
        {
            int dot = token[i..].IndexOf('.');
            if (dot < 0)
            {
                return false;
            }

            int from = i + dot + 1;
            int run = 0;
            while (from + run < token.Length && char.IsAsciiLetter(token[from + run]))
            {
                run++;
            }

            ReadOnlySpan<char> label = token.Slice(from, run);
            if (run >= 2 && (s_genericTlds.GetAlternateLookup<ReadOnlySpan<char>>().Contains(label)
                || (run == 2 && s_countryTlds.GetAlternateLookup<ReadOnlySpan<char>>().Contains(label))))
            {
                return true;
            }

            i = from;
        }

        return false;
    }

    // What ends a candidate token: white space (every char.IsWhiteSpace character), quotes, brackets and list separators.
    private static readonly SearchValues<char> s_tokenBreaks = SearchValues.Create(
        [.. Enumerable.Range(0, char.MaxValue + 1).Select(c => (char)c).Where(char.IsWhiteSpace), '"', '\'', '`', '<', '>', '(', ')', '[', ']', '{', '}', ',', ';', '|', '\\']);

    /// <summary>Drops trailing punctuation that ends a sentence rather than the URL; keeps a closing bracket that has an opening one.</summary>
    private static int TrimEnd(ReadOnlySpan<char> url)
    {
        int length = url.Length;
        while (length > 0)
        {
            char c = url[length - 1];
            if (c is '.' or ',' or ';' or ':' or '!' or '?' or '\'' or '"' or '*' or '>' || (c == ')' && url[..length].Count('(') < url[..length].Count(')'))
                || (c == ']' && url[..length].Count('[') < url[..length].Count(']')))
            {
                length--;
                continue;
            }

            break;
        }

        return length;
    }

    private static bool IsBareDomain(string text, int start, ReadOnlySpan<char> url)
    {
        if (start > 0 && text[start - 1] is '@' or '.' or '/' or '\\' or '$' or '-' or '_' or '%' or '=' or '#')
        {
            return false;
        }

        int hostEnd = url.IndexOfAny('/', '?', '#');
        ReadOnlySpan<char> host = hostEnd >= 0 ? url[..hostEnd] : url;
        int colon = host.IndexOf(':');
        if (colon >= 0)
        {
            host = host[..colon];
        }

        int lastDot = host.LastIndexOf('.');
        if (lastDot <= 0)
        {
            return false;
        }

        ReadOnlySpan<char> tld = host[(lastDot + 1)..];
        ReadOnlySpan<char> firstLabel = host[..host.IndexOf('.')];
        if (s_codeLabels.GetAlternateLookup<ReadOnlySpan<char>>().Contains(firstLabel))
        {
            return false;
        }

        // A method call or property access (obj.co(...), a.at[0]) is code.
        int after = start + url.Length;
        if (hostEnd < 0 && after < text.Length && text[after] is '(' or '[' or '@' or '=')
        {
            return false;
        }

        // Mixed-case TLDs (Foo.Com) are rare in real addresses; all-caps (EXAMPLE.COM) is fine.
        bool tldKnown = s_genericTlds.GetAlternateLookup<ReadOnlySpan<char>>().Contains(tld)
            || (tld.Length == 2 && s_countryTlds.GetAlternateLookup<ReadOnlySpan<char>>().Contains(tld));
        return tldKnown && (IsAll(tld, char.IsAsciiLetterLower) || IsAll(tld, char.IsAsciiLetterUpper));
    }

    private static bool IsAll(ReadOnlySpan<char> value, Func<char, bool> predicate)
    {
        foreach (char c in value)
        {
            if (!predicate(c))
            {
                return false;
            }
        }

        return true;
    }

    [GeneratedRegex(
        @"\b(?:(?:https?|ftps?|wss?)://[^\s<>""'`\\{}|^]+|(?<![\w.@/-])(?:www\.)?(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?::\d{2,5})?(?:[/?#][^\s<>""'`\\{}|^]*)?(?![\w@-]|\.\w))",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex UrlPattern();
}
