using System.Buffers;
using System.Text;

namespace LlmRouting;

/// <summary>
/// The key words of the secret detector's key-name rules (<c>password</c>, <c>api_key</c>, <c>heroku</c>, …), searched for
/// case-insensitively inside the short name before each assignment operator. A <see cref="SearchValues{T}"/> of strings
/// costs about 50 ns per call however short the name; for ASCII names (nearly all) a table of the anchors' first two
/// characters rules out almost every position with two loads, and only the remaining positions are compared.
/// </summary>
internal sealed class KeyNameAnchors
{
    private readonly SearchValues<string> _searchValues;
    private readonly ulong[] _pairs = new ulong[128 * 128 / 64];
    private readonly string[][] _byFirst = new string[128][];

    /// <summary>Builds the set from <paramref name="anchors"/> (ASCII, at least two characters each).</summary>
    public KeyNameAnchors(IEnumerable<string> anchors)
    {
        string[] distinct = anchors.Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        _searchValues = SearchValues.Create(distinct, StringComparison.OrdinalIgnoreCase);
        var byFirst = new List<string>[128];
        foreach (string anchor in distinct)
        {
            if (anchor.Length < 2 || !Ascii.IsValid(anchor))
            {
                throw new ArgumentException($"Key-name anchor '{anchor}' must be ASCII and at least two characters long.", nameof(anchors));
            }

            int first = Fold(anchor[0]), second = Fold(anchor[1]);
            int pair = (first << 7) | second;
            _pairs[pair >> 6] |= 1UL << (pair & 63);
            (byFirst[first] ??= []).Add(anchor);
        }

        for (int c = 0; c < 128; c++)
        {
            _byFirst[c] = byFirst[c]?.ToArray() ?? [];
        }
    }

    /// <summary>
    /// Returns the index of the first position in <paramref name="name"/> where one of the anchors occurs (ignoring case,
    /// whole anchor inside <paramref name="name"/>), or -1: the same answer as <c>name.IndexOfAny(searchValues)</c>.
    /// </summary>
    public int IndexIn(ReadOnlySpan<char> name)
    {
        if (!Ascii.IsValid(name))
        {
            return name.IndexOfAny(_searchValues); // ordinal case-insensitivity also folds some non-ASCII letters ('ſ' = 's')
        }

        for (int p = 0; p < name.Length - 1; p++)
        {
            int first = Fold(name[p]);
            int pair = (first << 7) | Fold(name[p + 1]);
            if ((_pairs[pair >> 6] & (1UL << (pair & 63))) == 0)
            {
                continue;
            }

            ReadOnlySpan<char> rest = name[p..];
            foreach (string anchor in _byFirst[first])
            {
                if (anchor.Length <= rest.Length && rest[..anchor.Length].Equals(anchor, StringComparison.OrdinalIgnoreCase))
                {
                    return p;
                }
            }
        }

        return -1;
    }

    /// <summary>
    /// Returns <see langword="false"/> only when <paramref name="c"/> certainly differs from the anchor character
    /// <paramref name="anchor"/> (both ASCII; compared ignoring ASCII case when <paramref name="ignoreCase"/>).
    /// </summary>
    public static bool MayEqual(char c, char anchor, bool ignoreCase) =>
        c >= 128 || anchor >= 128 || (ignoreCase ? Fold(c) == Fold(anchor) : c == anchor);

    private static int Fold(char c) => char.IsAsciiLetterUpper(c) ? c | 0x20 : c;
}
