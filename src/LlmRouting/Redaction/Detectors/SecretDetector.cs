using System.Buffers;
using System.Collections.Frozen;

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

    private static readonly SearchValues<string> s_anchors = SearchValues.Create(
        s_rules.Select(r => r.Anchor).Distinct(StringComparer.OrdinalIgnoreCase).ToArray(), StringComparison.OrdinalIgnoreCase);

    // Rules by the lower-cased first character of their anchor.
    private static readonly FrozenDictionary<char, SecretRule[]> s_byFirstChar = s_rules
        .GroupBy(r => char.ToLowerInvariant(r.Anchor[0]))
        .ToFrozenDictionary(g => g.Key, g => g.OrderByDescending(r => r.Anchor.Length).ToArray());

    /// <summary>Gets the distinct subtypes the rules report.</summary>
    internal static IReadOnlyList<string> Subtypes { get; } = s_rules.Select(r => r.Subtype).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();

    public IReadOnlyCollection<string> EntityTypes { get; } = [PiiEntityTypes.Secret];

    public void Detect(string text, List<PiiMatch> matches)
    {
        ReadOnlySpan<char> span = text.AsSpan();
        int position = 0;
        while (position < span.Length)
        {
            int found = span[position..].IndexOfAny(s_anchors);
            if (found < 0)
            {
                return;
            }

            int at = position + found;
            int next = at + 1;
            if (TryRulesAt(text, at, tokenStartOnly: false, out PiiMatch match))
            {
                if (!IsTokenStartSubtype(match) && TryRulesAt(text, match.Start, tokenStartOnly: true, out PiiMatch specific))
                {
                    match = specific; // OPENAI_API_KEY=sk-…: report the key's own format
                }

                matches.Add(match);
                next = Math.Max(next, match.End);
            }

            position = next;
        }
    }

    private static bool IsTokenStartSubtype(PiiMatch match) => s_tokenStartSubtypes.Contains(match.Subtype!);

    private static readonly FrozenSet<string> s_tokenStartSubtypes = s_rules.Where(r => r.AtTokenStart).Select(r => r.Subtype).ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Tries the rules whose anchor occurs at <paramref name="at"/>, longest anchor first.</summary>
    private static bool TryRulesAt(string text, int at, bool tokenStartOnly, out PiiMatch match)
    {
        match = default;
        if (at < 0 || at >= text.Length || !s_byFirstChar.TryGetValue(char.ToLowerInvariant(text[at]), out SecretRule[]? rules))
        {
            return false;
        }

        ReadOnlySpan<char> rest = text.AsSpan(at);
        foreach (SecretRule rule in rules)
        {
            if ((tokenStartOnly && !rule.AtTokenStart) || !rest.StartsWith(rule.Anchor, rule.IgnoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal))
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

        if (bodyLength > rule.Max)
        {
            // A fixed-length token glued to more token characters is something else.
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
        (int start, int length) = FindAssignedValue(text, at + rule.Anchor.Length, rule.Body!);
        if (length < rule.Min || length > rule.Max)
        {
            return (-1, 0);
        }

        ReadOnlySpan<char> value = text.AsSpan(start, length);
        if (IsPlaceholder(value) || (rule.MinEntropy > 0 && DetectorText.Entropy(value) < rule.MinEntropy)
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
        while (i < text.Length && text[i] is '=' or ':' or '>' or '?' or '|' or ',' && i - op < 4)
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

        return value.IndexOfAny(s_placeholderWords) >= 0;
    }

    private static readonly SearchValues<string> s_placeholderWords = SearchValues.Create(
    [
        "replace_me", "replaceme", "changeme", "change_me", "your_", "your-", "yourkey", "your key", "placeholder", "example", "dummy",
        "redacted", "xxxx", "****", "...", "todo", "fixme", "insert", "<", ">", "secrets.", "env.", "process.env", "os.environ", "getenv",
    ], StringComparison.OrdinalIgnoreCase);

    private static bool IsTokenChar(char c) => DetectorText.IsWordChar(c) || c is '-' or '.';
}
