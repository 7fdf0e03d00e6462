using System.Buffers;
using System.Collections.Frozen;
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
    private readonly FrozenDictionary<int, string[]> _byPair;

    /// <summary>Builds the set from <paramref name="anchors"/> (ASCII, at least two characters each).</summary>
    public KeyNameAnchors(IEnumerable<string> anchors)
    {
        string[] distinct = anchors.Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        _searchValues = SearchValues.Create(distinct, StringComparison.OrdinalIgnoreCase);
        var byPair = new Dictionary<int, List<string>>();
        foreach (string anchor in distinct)
        {
            if (anchor.Length < 2 || !Ascii.IsValid(anchor))
            {
                throw new ArgumentException($"Key-name anchor '{anchor}' must be ASCII and at least two characters long.", nameof(anchors));
            }

            int pair = (Fold(anchor[0]) << 7) | Fold(anchor[1]);
            _pairs[pair >> 6] |= 1UL << (pair & 63);
            (byPair.TryGetValue(pair, out List<string>? list) ? list : byPair[pair] = []).Add(anchor);
        }

        _byPair = byPair.ToFrozenDictionary(kv => kv.Key, kv => kv.Value.ToArray());
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
            int pair = (Fold(name[p]) << 7) | Fold(name[p + 1]);
            if ((_pairs[pair >> 6] & (1UL << (pair & 63))) == 0)
            {
                continue;
            }

            // Only the anchors that start with these two characters; the last character rules most of them out cheaply.
            ReadOnlySpan<char> rest = name[p..];
            foreach (string anchor in _byPair[pair])
            {
                if (anchor.Length <= rest.Length && Fold(rest[anchor.Length - 1]) == Fold(anchor[^1])
                    && rest[..anchor.Length].Equals(anchor, StringComparison.OrdinalIgnoreCase))
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
