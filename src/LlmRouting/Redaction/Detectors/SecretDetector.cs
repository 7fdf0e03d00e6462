using System.Buffers;
using System.Collections.Frozen;
using System.Runtime.CompilerServices;

namespace LlmRouting;

/// <summary>
/// Detects secrets: API keys and tokens of more than a hundred services recognised by their documented prefixes and shapes
/// (OpenAI, Anthropic, AWS, GitHub, GitLab, Slack, Stripe, Google, Azure, Hugging Face, SendGrid, …), JWTs, PEM/PGP private
/// keys, passwords in URLs, connection strings, <c>curl</c> options and configuration assignments, values of
/// <c>Authorization</c> headers, and high-entropy values assigned to key-like names. Each match carries the format in
/// <see cref="PiiMatch.Subtype"/>. Placeholders (<c>********</c>, <c>${VAR}</c>, <c>&lt;your-key&gt;</c>, <c>REPLACE_ME</c>) are skipped.
/// </summary>
/// <remarks>
/// One vectorised search for all anchors (prefixes and key words) finds the few positions worth a closer look, so text
/// without any anchor costs one pass. The formats were learned from public secret-scanner rule sets (gitleaks,
/// detect-secrets) and the services' documentation; no rule text is copied.
/// </remarks>
internal sealed partial class SecretDetector : IPiiDetector
{
    private static readonly SecretRule[] s_rules = BuildRules();

    // Key-name rules: the anchors are searched for only inside the name before an assignment operator.
    private static readonly KeyNameAnchors s_keyNameAnchors = new(s_rules.Where(r => r.Scope == SecretRuleScope.KeyName).Select(r => r.Anchor));

    private static readonly RulesByStart s_keyNameRules = new(ByFirstChar(SecretRuleScope.KeyName, ignoreCase: true));

    // Token-start rules by the first character of their prefix (both cases for case-insensitive prefixes).
    private static readonly RulesByStart s_tokenStartRules = new(ByFirstChar(SecretRuleScope.TokenStart, ignoreCase: false));

    private static readonly SecretRule[] s_inTokenRules = s_rules.Where(r => r.Scope == SecretRuleScope.InToken).ToArray();

    private static readonly SearchValues<string> s_inTokenAnchors = SearchValues.Create(
        s_inTokenRules.Select(r => r.Anchor).Distinct(StringComparer.Ordinal).ToArray(), StringComparison.Ordinal);

    private static readonly int s_longestInTokenAnchor = s_inTokenRules.Max(r => r.Anchor.Length);

    private static readonly SecretRule[] s_anywhereRules = s_rules.Where(r => r.Scope == SecretRuleScope.Anywhere).OrderByDescending(r => r.Anchor.Length).ToArray();

    private static readonly SearchValues<string> s_anywhereAnchors = SearchValues.Create(
        s_anywhereRules.Select(r => r.Anchor).Distinct(StringComparer.Ordinal).ToArray(), StringComparison.Ordinal);

    private static readonly SearchValues<char> s_assignment = SearchValues.Create("=:");

    // Characters of key-like tokens; a token worth a look contains a digit, '_' or '-' and is 12+ characters long.
    private static readonly SearchValues<char> s_tokenChars = SecretRule.Chars("A-Za-z0-9_.+/~-");
    private static readonly SearchValues<char> s_tokenTriggers = SecretRule.Chars("0-9_-");

    private static readonly FrozenSet<string> s_tokenStartSubtypes = s_rules.Where(r => r.AtTokenStart).Select(r => r.Subtype).ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Gets the distinct subtypes the rules report.</summary>
    internal static IReadOnlyList<string> Subtypes { get; } = s_rules.Select(r => r.Subtype).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();

    public IReadOnlyCollection<string> EntityTypes { get; } = [PiiEntityTypes.Secret];

    public void Detect(string text, List<PiiMatch> matches)
    {
        int first = matches.Count;
        try
        {
            ScanAssignments(text, matches);
            ScanTokens(text, matches, first);
            ScanAnchors(text, matches, first);
        }
        finally
        {
            t_placeholderText = null; // do not keep the text alive
        }
    }

    private static FrozenDictionary<char, SecretRule[]> ByFirstChar(SecretRuleScope scope, bool ignoreCase)
    {
        var map = new Dictionary<char, List<SecretRule>>();
        foreach (SecretRule rule in s_rules.Where(r => r.Scope == scope).OrderByDescending(r => r.Anchor.Length))
        {
            char c = rule.Anchor[0];
            IEnumerable<char> keys = ignoreCase || rule.IgnoreCase ? [char.ToLowerInvariant(c), char.ToUpperInvariant(c)] : [c];
            foreach (char key in keys.Distinct())
            {
                (map.TryGetValue(key, out List<SecretRule>? list) ? list : map[key] = []).Add(rule);
            }
        }

        return map.ToFrozenDictionary(kv => kv.Key, kv => kv.Value.ToArray());
    }

    /// <summary>Pass 1: at each <c>=</c> or <c>:</c>, looks for key words in the name before it (<c>DB_PASSWORD=…</c>, <c>"api_key": "…"</c>).</summary>
    private static void ScanAssignments(string text, List<PiiMatch> matches)
    {
        ReadOnlySpan<char> span = text.AsSpan();
        int i = 0;
        while (i < span.Length)
        {
            int found = span[i..].IndexOfAny(s_assignment);
            if (found < 0)
            {
                return;
            }

            int op = i + found;
            i = op + 1;
            int nameEnd = op;
            while (nameEnd > 0 && op - nameEnd < 4 && span[nameEnd - 1] is ' ' or '\t' or '"' or '\'' or ']' or '`' or '?' or ':')
            {
                nameEnd--;
            }

            int nameStart = nameEnd;
            while (nameStart > 0 && nameEnd - nameStart < 64 && (DetectorText.IsWordChar(span[nameStart - 1]) || span[nameStart - 1] is '.' or '-'))
            {
                nameStart--;
            }

            ReadOnlySpan<char> name = span[nameStart..nameEnd];
            int p = 0;
            while (p < name.Length)
            {
                int k = s_keyNameAnchors.IndexIn(name[p..]);
                if (k < 0)
                {
                    break;
                }

                int at = nameStart + p + k;
                if (TryRulesAt(text, at, s_keyNameRules, out PiiMatch match))
                {
                    if (!s_tokenStartSubtypes.Contains(match.Subtype!) && TryRulesAt(text, match.Start, s_tokenStartRules, out PiiMatch specific))
                    {
                        match = specific; // OPENAI_API_KEY=sk-…: report the key's own format
                    }

                    matches.Add(match);
                    i = Math.Max(i, match.End);
                    break;
                }

                p += k + 1;
            }
        }
    }

    /// <summary>Pass 2: tokens of 12+ key characters that contain a digit, '_' or '-' are tried against the prefix formats.</summary>
    private static void ScanTokens(string text, List<PiiMatch> matches, int first)
    {
        ReadOnlySpan<char> span = text.AsSpan();
        int i = 0, lastEnd = 0;

        // Where the next in-token anchor (Azure AD's "Q~", …) occurs: tokens that end well before it cannot hold one.
        int nextInTokenAnchor = -1;
        while (i < span.Length)
        {
            int found = span[i..].IndexOfAny(s_tokenTriggers);
            if (found < 0)
            {
                return;
            }

            int at = i + found;
            int start = at;
            while (start > lastEnd && IsKeyTokenChar(span[start - 1]))
            {
                start--;
            }

            int length = span[at..].IndexOfAnyExcept(s_tokenChars);
            int end = length < 0 ? span.Length : at + length;
            lastEnd = end;
            i = Math.Max(end, at + 1);
            if (end - start < 12)
            {
                continue;
            }

            while (start < end && !char.IsAsciiLetterOrDigit(span[start]))
            {
                start++; // "//ghp_…" after a scheme, "--token"
            }

            if (Overlaps(matches, first, start, end))
            {
                continue;
            }

            if (nextInTokenAnchor != int.MaxValue && nextInTokenAnchor < start)
            {
                int next = span[start..].IndexOfAny(s_inTokenAnchors);
                nextInTokenAnchor = next < 0 ? int.MaxValue : start + next;
            }

            if (TryRulesAt(text, start, s_tokenStartRules, out PiiMatch match)
                || (nextInTokenAnchor < end + s_longestInTokenAnchor && TryInToken(text, start, end, out match)))
            {
                matches.Add(match);
                lastEnd = Math.Max(lastEnd, match.End);
                i = Math.Max(i, match.End);
            }
        }
    }

    private static bool TryInToken(string text, int start, int end, out PiiMatch match)
    {
        foreach (SecretRule rule in s_inTokenRules)
        {
            int limit = Math.Min(text.Length, end + rule.Anchor.Length);
            int at = text.IndexOf(rule.Anchor, start, limit - start, StringComparison.Ordinal);
            if (at >= 0)
            {
                (int s, int length) = rule.Reader!(text, at);
                if (length > 0)
                {
                    match = new PiiMatch(s, length, PiiEntityTypes.Secret) { Subtype = rule.Subtype };
                    return true;
                }
            }
        }

        match = default;
        return false;
    }

    /// <summary>Pass 3: formats anchored anywhere (<c>://user:pass@</c>, <c>-----BEGIN … PRIVATE KEY-----</c>, <c>curl -u</c>).</summary>
    private static void ScanAnchors(string text, List<PiiMatch> matches, int first)
    {
        ReadOnlySpan<char> span = text.AsSpan();
        int i = 0;
        while (i < span.Length)
        {
            int found = span[i..].IndexOfAny(s_anywhereAnchors);
            if (found < 0)
            {
                return;
            }

            int at = i + found;
            i = at + 1;
            foreach (SecretRule rule in s_anywhereRules)
            {
                if (!span[at..].StartsWith(rule.Anchor, StringComparison.Ordinal))
                {
                    continue;
                }

                (int start, int length) = rule.Reader!(text, at);
                if (length > 0)
                {
                    if (!Overlaps(matches, first, start, start + length))
                    {
                        matches.Add(new PiiMatch(start, length, PiiEntityTypes.Secret) { Subtype = rule.Subtype });
                    }

                    i = Math.Max(i, start + length);
                    break;
                }
            }
        }
    }

    private static bool Overlaps(List<PiiMatch> matches, int first, int start, int end)
    {
        for (int k = first; k < matches.Count; k++)
        {
            if (matches[k].Start < end && start < matches[k].End)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Tries the rules whose anchor occurs at <paramref name="at"/>, longest anchor first.</summary>
    // Kept out of line: inlined into the assignment pass, the pass ran 50 % slower in some processes (depending on what tiered,
    // profile-guided compilation made of it; see benchmarks/README.md, PII speed) and was no faster in the others.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool TryRulesAt(string text, int at, RulesByStart rulesByStart, out PiiMatch match)
    {
        match = default;
        if (at < 0 || at >= text.Length)
        {
            return false;
        }

        ReadOnlySpan<char> rest = text.AsSpan(at);
        foreach (SecretRule rule in rulesByStart.At(rest))
        {
            string anchor = rule.Anchor;
            if (anchor.Length > rest.Length || !rest.StartsWith(anchor, rule.IgnoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal))
            {
                continue;
            }

            (int start, int length) = rule.Kind switch
            {
                SecretRuleKind.Prefix => ReadPrefixed(text, at, rule),
                SecretRuleKind.Keyword => ReadAssigned(text, at, rule),
                _ => rule.Reader!(text, at),
            };
            if (length > 0)
            {
                match = new PiiMatch(start, length, PiiEntityTypes.Secret) { Subtype = rule.Subtype };
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Rules by the characters their anchor starts with. For two ASCII characters, the rules of the first character whose
    /// anchor's second character can match the second (one lookup instead of a test per rule); otherwise the rules of the
    /// first character whose second character cannot be ruled out. The order (longest anchor first) is kept.
    /// </summary>
    private sealed class RulesByStart
    {
        private readonly FrozenDictionary<char, SecretRule[]> _byFirst;
        private readonly FrozenDictionary<int, SecretRule[]> _byAsciiPair;

        public RulesByStart(FrozenDictionary<char, SecretRule[]> byFirst)
        {
            _byFirst = byFirst;
            var pairs = new Dictionary<int, SecretRule[]>();
            foreach ((char first, SecretRule[] rules) in byFirst)
            {
                if (first >= 128)
                {
                    continue;
                }

                for (char second = (char)0; second < 128; second++)
                {
                    SecretRule[] possible = rules.Where(r => r.Anchor.Length < 2 || KeyNameAnchors.MayEqual(second, r.Anchor[1], r.IgnoreCase)).ToArray();
                    if (possible.Length > 0)
                    {
                        pairs[Pair(first, second)] = possible;
                    }
                }
            }

            _byAsciiPair = pairs.ToFrozenDictionary();
        }

        /// <summary>The rules that may match at the start of <paramref name="rest"/> (not empty).</summary>
        public ReadOnlySpan<SecretRule> At(ReadOnlySpan<char> rest)
        {
            char first = rest[0];
            if (first < 128 && rest.Length > 1 && rest[1] < 128)
            {
                return _byAsciiPair.TryGetValue(Pair(first, rest[1]), out SecretRule[]? pairRules) ? pairRules : default;
            }

            return _byFirst.TryGetValue(first, out SecretRule[]? rules) ? rules : default;
        }

        private static int Pair(char first, char second) => (first << 7) | second;
    }

    private static (int, int) ReadPrefixed(string text, int at, SecretRule rule)
    {
        if (at > 0 && DetectorText.IsWordChar(rule.Anchor[0]) && IsTokenChar(text[at - 1]))
        {
            return (-1, 0);
        }

        int bodyStart = at + rule.Anchor.Length;
        int bodyLength = text.AsSpan(bodyStart).IndexOfAnyExcept(rule.Body!);
        if (bodyLength < 0)
        {
            bodyLength = text.Length - bodyStart;
        }

        if (bodyLength < rule.Min)
        {
            return (-1, 0);
        }

        if (bodyLength > rule.Max || (bodyLength > 0 && text.AsSpan(bodyStart, bodyLength).IndexOfAnyExcept(text[bodyStart]) < 0))
        {
            // A fixed-length token glued to more token characters is something else; XXXXXXXX is a placeholder.
            return (-1, 0);
        }

        string? token = null;
        if (rule.Check is not null && !rule.Check(token = text.Substring(at, rule.Anchor.Length + bodyLength)))
        {
            return (-1, 0);
        }

        if (rule.MinEntropy > 0 && DetectorText.Entropy(text.AsSpan(bodyStart, bodyLength)) < rule.MinEntropy)
        {
            return (-1, 0);
        }

        _ = token;
        return (at, rule.Anchor.Length + bodyLength);
    }

    /// <summary>Reads <c>keyword[\w.-]{0,24}["']? (=|:|:=|=>|?=|,) ["'`]? value</c> on the same line.</summary>
    private static (int, int) ReadAssigned(string text, int at, SecretRule rule)
    {
        ReadOnlySpan<char> keyword = text.AsSpan(at, rule.Anchor.Length);
        bool lower = keyword.IndexOfAnyInRange('A', 'Z') < 0, upper = keyword.IndexOfAnyInRange('a', 'z') < 0;
        bool title = char.IsUpper(keyword[0]) && keyword[1..].IndexOfAnyInRange('A', 'Z') < 0;
        bool exact = keyword.SequenceEqual(rule.Anchor);
        if ((at > 0 && char.IsAsciiLetterLower(text[at - 1]) && char.IsAsciiLetterLower(text[at])) || !(lower || upper || title || exact))
        {
            return (-1, 0); // inside a word ("rookTable") or camel-case mismatch ("sumOfExposures")
        }

        (int start, int length) = FindAssignedValue(text, at + rule.Anchor.Length, rule.Body!);
        if (length < rule.Min || length > rule.Max)
        {
            return (-1, 0);
        }

        ReadOnlySpan<char> value = text.AsSpan(start, length);
        if (IsPlaceholder(text, start, length) || (rule.MinEntropy > 0 && DetectorText.Entropy(value) < rule.MinEntropy)
            || (rule.Check is not null && !rule.Check(value.ToString())))
        {
            return (-1, 0);
        }

        return (start, length);
    }

    /// <summary>
    /// From just after a key word, skips the rest of the key name, closing quotes or brackets, an assignment operator and an
    /// opening quote, and returns the value's span (the run of <paramref name="body"/> characters), or <c>(-1, 0)</c>.
    /// </summary>
    internal static (int Start, int Length) FindAssignedValue(string text, int i, SearchValues<char> body)
    {
        int limit = Math.Min(text.Length, i + 32);
        while (i < limit && (DetectorText.IsWordChar(text[i]) || text[i] is '.' or '-'))
        {
            i++;
        }

        while (i < text.Length && text[i] is '"' or '\'' or '`' or ']' or ' ' or '\t' or ')')
        {
            i++;
        }

        int op = i;
        while (i < text.Length && (text[i] is '=' or ':' or '>' or '|' or ',' || (text[i] == '?' && i + 1 < text.Length && text[i + 1] == '=')) && i - op < 4)
        {
            i++;
        }

        if (i == op)
        {
            return (-1, 0);
        }

        int spaces = 0;
        while (i < text.Length && text[i] is ' ' or '\t' or '"' or '\'' or '`' && spaces++ < 6)
        {
            i++;
        }

        int start = i;
        int length = text.AsSpan(start).IndexOfAnyExcept(body);
        if (length < 0)
        {
            length = text.Length - start;
        }

        return length == 0 ? (-1, 0) : (start, length);
    }

    // The last placeholder test of this thread's scan: several key words in one name (aws_secret_access_key: five rules) read
    // the same value, and the word search is the costly part of their tests.
    [ThreadStatic]
    private static string? t_placeholderText;
    [ThreadStatic]
    private static int t_placeholderStart;
    [ThreadStatic]
    private static int t_placeholderLength;
    [ThreadStatic]
    private static bool t_placeholderResult;

    /// <summary>
    /// <see cref="IsPlaceholder(ReadOnlySpan{char})"/> of <c>text[start..(start + length)]</c>, remembering the last answer of
    /// this thread's scan (the text is forgotten when the scan ends).
    /// </summary>
    internal static bool IsPlaceholder(string text, int start, int length)
    {
        if (ReferenceEquals(t_placeholderText, text) && t_placeholderStart == start && t_placeholderLength == length)
        {
            return t_placeholderResult;
        }

        bool result = IsPlaceholder(text.AsSpan(start, length));
        t_placeholderText = text;
        t_placeholderStart = start;
        t_placeholderLength = length;
        t_placeholderResult = result;
        return result;
    }

    /// <summary>Returns whether a value is a placeholder, a template variable or an obviously fake value.</summary>
    internal static bool IsPlaceholder(ReadOnlySpan<char> value)
    {
        if (value.Length == 0 || value.IndexOfAnyExcept(value[0]) < 0)
        {
            return true; // "********", "xxxxxxxx"
        }

        if (value.StartsWith("${", StringComparison.Ordinal) || value.StartsWith("{{", StringComparison.Ordinal) || value.StartsWith("<", StringComparison.Ordinal)
            || value.StartsWith("%", StringComparison.Ordinal) || value.StartsWith("$", StringComparison.Ordinal) || value.EndsWith("...", StringComparison.Ordinal))
        {
            return true;
        }

        // Angle brackets are tested apart from the words: one-character strings would make the word search several times slower.
        return value.ContainsAny('<', '>') || value.IndexOfAny(s_placeholderWords) >= 0;
    }

    private static readonly SearchValues<string> s_placeholderWords = SearchValues.Create(
    [
        "replace_me", "replaceme", "changeme", "change_me", "your_", "your-", "yourkey", "your key", "placeholder", "example", "dummy",
        "redacted", "xxxx", "****", "...", "todo", "fixme", "insert", "secrets.", "env.", "process.env", "os.environ", "getenv",
    ], StringComparison.OrdinalIgnoreCase);

    // s_tokenChars as a bit mask of the ASCII range, for the character-by-character walk back to a token's start.
    private const ulong KeyTokenCharsBelow64 = (1UL << '+') | (1UL << '-') | (1UL << '.') | (1UL << '/') | (0x3FFUL << '0');
    private const ulong KeyTokenCharsFrom64 = (0x3FFFFFFUL << ('A' - 64)) | (1UL << ('_' - 64)) | (0x3FFFFFFUL << ('a' - 64)) | (1UL << ('~' - 64));

    /// <summary>Returns whether <paramref name="c"/> is one of <see cref="s_tokenChars"/> (<c>A-Za-z0-9_.+/~-</c>).</summary>
    internal static bool IsKeyTokenChar(char c) =>
        c < 64 ? ((KeyTokenCharsBelow64 >> c) & 1) != 0 : c < 128 && ((KeyTokenCharsFrom64 >> (c - 64)) & 1) != 0;

    private static bool IsTokenChar(char c) => DetectorText.IsWordChar(c) || c is '-' or '.';
}
