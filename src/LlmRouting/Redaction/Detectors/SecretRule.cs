using System.Buffers;

namespace LlmRouting;

/// <summary>
/// One secret format: an anchor literal (a prefix such as <c>ghp_</c>, or a key word such as <c>heroku</c>) and how to read
/// the value from where the anchor is found.
/// </summary>
internal sealed class SecretRule
{
    private SecretRule(string subtype, string anchor, bool ignoreCase, SecretRuleKind kind)
    {
        Subtype = subtype;
        Anchor = anchor;
        IgnoreCase = ignoreCase;
        Kind = kind;
    }

    /// <summary>Gets the subtype reported for matches (e.g. <c>github_pat</c>).</summary>
    public string Subtype { get; }

    /// <summary>Gets the literal that must occur for the rule to be tried.</summary>
    public string Anchor { get; }

    /// <summary>Gets a value indicating whether <see cref="Anchor"/> matches in any case.</summary>
    public bool IgnoreCase { get; }

    /// <summary>Gets how the value is read.</summary>
    public SecretRuleKind Kind { get; }

    /// <summary>Gets the characters of the value (after the prefix, or of the assigned value).</summary>
    public SearchValues<char>? Body { get; private init; }

    /// <summary>Gets the minimum value length (prefix rules: body only).</summary>
    public int Min { get; private init; }

    /// <summary>Gets the maximum value length.</summary>
    public int Max { get; private init; }

    /// <summary>Gets an extra check of the whole token (prefix included), or of the assigned value.</summary>
    public Func<string, bool>? Check { get; private init; }

    /// <summary>Gets a custom reader: given the text and anchor position, returns the span of the secret or <c>(-1, 0)</c>.</summary>
    public Func<string, int, (int Start, int Length)>? Reader { get; private init; }

    /// <summary>Gets the minimum Shannon entropy (bits per character) of the value, or 0.</summary>
    public double MinEntropy { get; private init; }

    /// <summary>A token that starts with <paramref name="prefix"/> followed by <paramref name="min"/>–<paramref name="max"/> characters of <paramref name="body"/>.</summary>
    public static SecretRule Prefix(string subtype, string prefix, string body, int min, int max, bool ignoreCase = false, Func<string, bool>? check = null, double minEntropy = 0) =>
        new(subtype, prefix, ignoreCase, SecretRuleKind.Prefix) { Body = Chars(body), Min = min, Max = max, Check = check, MinEntropy = minEntropy, Scope = SecretRuleScope.TokenStart };

    /// <summary>A value assigned to a key whose name contains <paramref name="keyword"/> (<c>HEROKU_API_KEY = "…"</c>, <c>heroku: …</c>).</summary>
    public static SecretRule Keyword(string subtype, string keyword, string body, int min, int max, Func<string, bool>? check = null, double minEntropy = 0) =>
        new(subtype, keyword, true, SecretRuleKind.Keyword) { Body = Chars(body), Min = min, Max = max, Check = check, MinEntropy = minEntropy, Scope = SecretRuleScope.KeyName };

    /// <summary>A format read by custom code from the anchor position.</summary>
    /// <param name="subtype">The subtype reported.</param>
    /// <param name="anchor">The literal that must occur.</param>
    /// <param name="ignoreCase">Whether the anchor matches in any case.</param>
    /// <param name="reader">Reads the secret's span from the anchor position.</param>
    /// <param name="scope">Where the anchor is looked for.</param>
    public static SecretRule Custom(string subtype, string anchor, bool ignoreCase, Func<string, int, (int Start, int Length)> reader, SecretRuleScope scope) =>
        new(subtype, anchor, ignoreCase, SecretRuleKind.Custom) { Reader = reader, Scope = scope };

    /// <summary>Gets a value indicating whether the anchor starts the secret itself (prefix formats), rather than a key name.</summary>
    public bool AtTokenStart => Scope == SecretRuleScope.TokenStart;

    /// <summary>Gets where the rule's anchor is looked for.</summary>
    public SecretRuleScope Scope { get; private init; }

    /// <summary>Builds a character set from a compact spec such as <c>A-Za-z0-9_-</c> (a trailing or leading <c>-</c> is literal).</summary>
    public static SearchValues<char> Chars(string spec)
    {
        var chars = new List<char>();
        for (int i = 0; i < spec.Length; i++)
        {
            if (i + 2 < spec.Length && spec[i + 1] == '-')
            {
                for (char c = spec[i]; c <= spec[i + 2]; c++)
                {
                    chars.Add(c);
                }

                i += 2;
            }
            else
            {
                chars.Add(spec[i]);
            }
        }

        return SearchValues.Create(chars.ToArray());
    }
}

/// <summary>Where a <see cref="SecretRule"/>'s anchor is looked for.</summary>
internal enum SecretRuleScope
{
    /// <summary>At the start of a token (a run of key characters): prefixes such as <c>ghp_</c>.</summary>
    TokenStart,

    /// <summary>In the name before an assignment (<c>=</c>, <c>:</c>): key words such as <c>password</c> or <c>heroku</c>.</summary>
    KeyName,

    /// <summary>Inside a token of 12+ characters (e.g. Azure AD's <c>Q~</c>).</summary>
    InToken,

    /// <summary>Anywhere in the text (<c>://</c>, <c>-----BEGIN</c>, <c>curl</c>).</summary>
    Anywhere,
}

/// <summary>How a <see cref="SecretRule"/> reads its value.</summary>
internal enum SecretRuleKind
{
    /// <summary>A literal prefix followed by a body.</summary>
    Prefix,

    /// <summary>A key word, an assignment operator, then the value.</summary>
    Keyword,

    /// <summary>Custom code.</summary>
    Custom,
}
