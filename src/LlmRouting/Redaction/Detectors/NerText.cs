using System.Collections.Frozen;
using System.IO.Compression;
using System.Reflection;

namespace LlmRouting;

/// <summary>A token of the name/place tagger: a word, a number, a newline or one punctuation character.</summary>
internal readonly record struct NerToken(int Start, int Length, NerTokenKind Kind);

/// <summary>The kind of a <see cref="NerToken"/>.</summary>
internal enum NerTokenKind : byte
{
    /// <summary>Letters (with inner apostrophes or hyphens).</summary>
    Word,

    /// <summary>Digits.</summary>
    Number,

    /// <summary>A line break.</summary>
    Newline,

    /// <summary>Any other single character.</summary>
    Punctuation,
}

/// <summary>Gazetteer categories a word or phrase belongs to.</summary>
[Flags]
internal enum GazetteerFlags : ushort
{
    /// <summary>None.</summary>
    None = 0,

    /// <summary>A first (given) name.</summary>
    First = 1,

    /// <summary>A last (family) name.</summary>
    Last = 2,

    /// <summary>A city or town.</summary>
    City = 4,

    /// <summary>A country.</summary>
    Country = 8,

    /// <summary>A state, province or region.</summary>
    State = 16,

    /// <summary>A word of a street name.</summary>
    Street = 32,

    /// <summary>A street type (Street, Rd, Gasse, rue, …).</summary>
    StreetSuffix = 64,

    /// <summary>A unit word (Apt., Suite, Box, PSC, …).</summary>
    Unit = 128,
}

/// <summary>Splits text into <see cref="NerToken"/>s.</summary>
internal static class NerTokenizer
{
    /// <summary>Adds the tokens of <paramref name="text"/> to <paramref name="tokens"/>.</summary>
    public static void Tokenize(ReadOnlySpan<char> text, List<NerToken> tokens)
    {
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (c == '\n')
            {
                tokens.Add(new NerToken(i, 1, NerTokenKind.Newline));
                i++;
            }
            else if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (char.IsLetter(c))
            {
                int start = i++;
                while (i < text.Length && (char.IsLetter(text[i]) || char.GetUnicodeCategory(text[i]) is System.Globalization.UnicodeCategory.NonSpacingMark
                    || (text[i] is '\'' or '’' or '-' && i + 1 < text.Length && char.IsLetter(text[i + 1]))))
                {
                    i++;
                }

                tokens.Add(new NerToken(start, i - start, NerTokenKind.Word));
            }
            else if (char.IsAsciiDigit(c))
            {
                int start = i++;
                while (i < text.Length && char.IsAsciiDigit(text[i]))
                {
                    i++;
                }

                tokens.Add(new NerToken(start, i - start, NerTokenKind.Number));
            }
            else
            {
                tokens.Add(new NerToken(i, 1, NerTokenKind.Punctuation));
                i++;
            }
        }
    }
}

/// <summary>
/// The embedded name and place lists (<c>Redaction/Data/gazetteer.txt.gz</c>, built from MIT-licensed npm packages by
/// <c>build-gazetteer.mjs</c>): single words with their categories, and multi-word entries matched as phrases.
/// </summary>
internal sealed class Gazetteer
{
    private static readonly Lazy<Gazetteer> s_default = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly FrozenDictionary<string, GazetteerFlags> _words;
    private readonly FrozenDictionary<string, (string[] Words, GazetteerFlags Flags)[]> _phrases;

    private Gazetteer(FrozenDictionary<string, GazetteerFlags> words, FrozenDictionary<string, (string[] Words, GazetteerFlags Flags)[]> phrases)
    {
        _words = words;
        _phrases = phrases;
    }

    /// <summary>Gets the embedded gazetteer.</summary>
    public static Gazetteer Default => s_default.Value;

    /// <summary>Gets the number of single words.</summary>
    public int WordCount => _words.Count;

    /// <summary>Gets the categories of a lower-case word.</summary>
    public GazetteerFlags Lookup(ReadOnlySpan<char> lowerWord) =>
        _words.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(lowerWord, out GazetteerFlags flags) ? flags : GazetteerFlags.None;

    /// <summary>Returns the phrases (lower-case words) that start with <paramref name="lowerWord"/>.</summary>
    public ReadOnlySpan<(string[] Words, GazetteerFlags Flags)> PhrasesStartingWith(ReadOnlySpan<char> lowerWord) =>
        _phrases.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(lowerWord, out (string[] Words, GazetteerFlags Flags)[]? list) ? list : [];

    private static Gazetteer Load()
    {
        Assembly assembly = typeof(Gazetteer).Assembly;
        using Stream stream = assembly.GetManifestResourceStream("LlmRouting.Redaction.gazetteer.txt.gz")
            ?? throw new InvalidOperationException("The embedded gazetteer resource is missing from the LlmRouting assembly.");
        using var gzip = new GZipStream(stream, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        var words = new Dictionary<string, GazetteerFlags>(StringComparer.Ordinal);
        var phrases = new Dictionary<string, List<(string[], GazetteerFlags)>>(StringComparer.Ordinal);
        var tokens = new List<NerToken>();
        while (reader.ReadLine() is { } line)
        {
            int tab = line.IndexOf('\t', StringComparison.Ordinal);
            if (tab <= 0)
            {
                continue;
            }

            GazetteerFlags flag = line.AsSpan(0, tab) switch
            {
                "first" => GazetteerFlags.First,
                "last" => GazetteerFlags.Last,
                "city" => GazetteerFlags.City,
                "country" => GazetteerFlags.Country,
                "state" => GazetteerFlags.State,
                "street" => GazetteerFlags.Street,
                "street_suffix" => GazetteerFlags.StreetSuffix,
                "unit" => GazetteerFlags.Unit,
                _ => GazetteerFlags.None,
            };
            string entry = line[(tab + 1)..].ToLowerInvariant();
            tokens.Clear();
            NerTokenizer.Tokenize(entry, tokens);
            string[] parts = tokens.Where(t => t.Kind is NerTokenKind.Word).Select(t => entry.Substring(t.Start, t.Length)).ToArray();
            if (parts.Length == 0)
            {
                continue;
            }

            if (parts.Length == 1 || flag is GazetteerFlags.Street)
            {
                // Street names are matched word by word (their words recur across many streets).
                foreach (string part in flag is GazetteerFlags.Street ? parts : [parts[0]])
                {
                    words[part] = words.TryGetValue(part, out GazetteerFlags f) ? f | flag : flag;
                }
            }

            if (parts.Length > 1 && flag is not GazetteerFlags.Street)
            {
                (phrases.TryGetValue(parts[0], out var list) ? list : phrases[parts[0]] = []).Add((parts, flag));
            }
        }

        return new Gazetteer(
            words.ToFrozenDictionary(StringComparer.Ordinal),
            phrases.ToFrozenDictionary(kv => kv.Key, kv => kv.Value.OrderByDescending(p => p.Item1.Length).ToArray(), StringComparer.Ordinal));
    }
}
