using System.Buffers.Binary;
using System.Collections.Frozen;
using System.IO.Compression;
using System.Runtime.InteropServices;

namespace LlmRouting;

/// <summary>
/// A small greedy sequence tagger (averaged perceptron over hashed word, shape, context and gazetteer features) that labels
/// tokens as person, location or address (BIO). Its weights are embedded (<c>Redaction/Data/ner-model.bin.gz</c>) and were
/// trained only on <c>pii_dev.jsonl</c> by <c>dotnet run --project benchmarks/LlmRouting.Eval -- ner-train</c>.
/// </summary>
internal sealed class NerTagger
{
    /// <summary>The labels: outside, then begin/inside for PERSON, LOCATION and ADDRESS.</summary>
    public const int LabelCount = 7;

    /// <summary>The entity type of each label (null for outside).</summary>
    public static readonly string?[] LabelTypes =
        [null, PiiEntityTypes.Person, PiiEntityTypes.Person, PiiEntityTypes.Location, PiiEntityTypes.Location, PiiEntityTypes.Address, PiiEntityTypes.Address];

    private const uint ModelMagic = 0x4E45524D; // "NERM"

    private static readonly Lazy<NerTagger?> s_default = new(LoadEmbedded, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly FrozenDictionary<uint, int> _index;
    private readonly float[] _weights;

    public NerTagger(IReadOnlyDictionary<uint, float[]> weights)
    {
        var index = new Dictionary<uint, int>(weights.Count);
        _weights = new float[weights.Count * LabelCount];
        int row = 0;
        foreach ((uint feature, float[] w) in weights)
        {
            index[feature] = row;
            w.AsSpan(0, LabelCount).CopyTo(_weights.AsSpan(row * LabelCount, LabelCount));
            row++;
        }

        _index = index.ToFrozenDictionary();
    }

    /// <summary>Gets the embedded tagger, or <see langword="null"/> when the package was built without one.</summary>
    public static NerTagger? Default => s_default.Value;

    /// <summary>Gets the number of features with weights.</summary>
    public int FeatureCount => _index.Count;

    /// <summary>Labels the tokens of <paramref name="text"/> left to right.</summary>
    public void Tag(string text, List<NerToken> tokens, NerFeatures features, Span<byte> labels)
    {
        Span<float> scores = stackalloc float[LabelCount];
        var active = new List<uint>(48);
        for (int i = 0; i < tokens.Count; i++)
        {
            int p1 = i > 0 ? labels[i - 1] : 0, p2 = i > 1 ? labels[i - 2] : 0;
            active.Clear();
            features.Extract(i, p1, p2, active);
            scores.Clear();
            foreach (uint f in active)
            {
                if (_index.TryGetValue(f, out int row))
                {
                    ReadOnlySpan<float> w = _weights.AsSpan(row * LabelCount, LabelCount);
                    for (int l = 0; l < LabelCount; l++)
                    {
                        scores[l] += w[l];
                    }
                }
            }

            labels[i] = (byte)Best(scores, p1);
        }
    }

    /// <summary>Returns the best label, allowing an inside label only after a label of the same type.</summary>
    public static int Best(ReadOnlySpan<float> scores, int previous)
    {
        int best = 0;
        float bestScore = float.NegativeInfinity;
        for (int l = 0; l < LabelCount; l++)
        {
            bool inside = l is 2 or 4 or 6;
            if (inside && previous != l && previous != l - 1)
            {
                continue;
            }

            if (scores[l] > bestScore)
            {
                bestScore = scores[l];
                best = l;
            }
        }

        return best;
    }

    /// <summary>Writes the weights (gzip: magic, count, then per feature its hash and seven floats).</summary>
    public static void Save(IReadOnlyDictionary<uint, float[]> weights, Stream output)
    {
        using var gzip = new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true);
        Span<byte> header = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(header, ModelMagic);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], weights.Count);
        gzip.Write(header);
        Span<byte> row = stackalloc byte[4 + (LabelCount * 4)];
        foreach ((uint feature, float[] w) in weights.OrderBy(kv => kv.Key))
        {
            BinaryPrimitives.WriteUInt32LittleEndian(row, feature);
            for (int l = 0; l < LabelCount; l++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(row[(4 + (l * 4))..], w[l]);
            }

            gzip.Write(row);
        }
    }

    /// <summary>Reads weights written by <see cref="Save"/>.</summary>
    public static NerTagger Load(Stream input)
    {
        using var gzip = new GZipStream(input, CompressionMode.Decompress);
        Span<byte> header = stackalloc byte[8];
        gzip.ReadExactly(header);
        if (BinaryPrimitives.ReadUInt32LittleEndian(header) != ModelMagic)
        {
            throw new InvalidDataException("Not a name/place tagger model.");
        }

        int count = BinaryPrimitives.ReadInt32LittleEndian(header[4..]);
        var weights = new Dictionary<uint, float[]>(count);
        Span<byte> row = stackalloc byte[4 + (LabelCount * 4)];
        for (int k = 0; k < count; k++)
        {
            gzip.ReadExactly(row);
            var w = new float[LabelCount];
            for (int l = 0; l < LabelCount; l++)
            {
                w[l] = BinaryPrimitives.ReadSingleLittleEndian(row[(4 + (l * 4))..]);
            }

            weights[BinaryPrimitives.ReadUInt32LittleEndian(row)] = w;
        }

        return new NerTagger(weights);
    }

    private static NerTagger? LoadEmbedded()
    {
        using Stream? stream = typeof(NerTagger).Assembly.GetManifestResourceStream("LlmRouting.Redaction.ner-model.bin.gz");
        return stream is null ? null : Load(stream);
    }
}

/// <summary>Per-token features of one text for <see cref="NerTagger"/>; computed once per text, then extracted per token.</summary>
internal sealed class NerFeatures
{
    private const uint NewlineHash = 0x9E3779B9;

    private readonly List<uint> _word = [];
    private readonly List<uint> _shape = [];
    private readonly List<uint> _prefix = [];
    private readonly List<uint> _suffix = [];
    private readonly List<GazetteerFlags> _gazetteer = [];
    private readonly List<GazetteerFlags> _phrase = [];
    private readonly List<byte> _line = [];
    private readonly List<byte> _blockLine = [];
    private uint _style;

    /// <summary>Gets the number of tokens prepared.</summary>
    public int Count => _word.Count;

    /// <summary>Returns the gazetteer categories of token <paramref name="i"/> (as a word or inside a known phrase).</summary>
    public GazetteerFlags FlagsOf(int i) => _gazetteer[i] | _phrase[i];

    /// <summary>Computes the per-token facts of <paramref name="text"/>.</summary>
    public void Prepare(string text, List<NerToken> tokens, Gazetteer gazetteer)
    {
        _word.Clear();
        _shape.Clear();
        _prefix.Clear();
        _suffix.Clear();
        _gazetteer.Clear();
        _phrase.Clear();
        _line.Clear();
        _blockLine.Clear();

        // Layout of the text: a block with blank lines (letters, signatures: each address field on its own line) or running text.
        _style = text.Contains("\n\n", StringComparison.Ordinal) ? 1u : text.Contains('\n') ? 2u : 0u;
        int linesSinceBlank = 0;
        Span<char> lower = stackalloc char[48];
        for (int i = 0; i < tokens.Count; i++)
        {
            NerToken t = tokens[i];
            ReadOnlySpan<char> raw = text.AsSpan(t.Start, t.Length);
            int n = Math.Min(raw.Length, lower.Length);
            raw[..n].ToLowerInvariant(lower);
            ReadOnlySpan<char> lw = lower[..n];
            switch (t.Kind)
            {
                case NerTokenKind.Newline:
                    _word.Add(NewlineHash);
                    break;
                case NerTokenKind.Number:
                    _word.Add(Hash(7, (uint)Math.Min(t.Length, 9)));
                    break;
                default:
                    _word.Add(Hash(1, lw));
                    break;
            }

            _shape.Add(Shape(raw, t.Kind));
            _prefix.Add(t.Kind == NerTokenKind.Word && n >= 3 ? Hash(2, lw[..3]) : 0);
            _suffix.Add(t.Kind == NerTokenKind.Word && n >= 3 ? Hash(3, lw[^3..]) : 0);
            _gazetteer.Add(t.Kind == NerTokenKind.Word ? gazetteer.Lookup(lw) : GazetteerFlags.None);
            _phrase.Add(GazetteerFlags.None);
            bool lineStart = i == 0 || tokens[i - 1].Kind == NerTokenKind.Newline;
            bool lineEnd = i == tokens.Count - 1 || tokens[i + 1].Kind == NerTokenKind.Newline;
            _line.Add((byte)((lineStart ? 1 : 0) | (lineEnd ? 2 : 0)));
            if (t.Kind == NerTokenKind.Newline)
            {
                linesSinceBlank = i > 0 && tokens[i - 1].Kind == NerTokenKind.Newline ? 0 : linesSinceBlank + 1;
            }

            _blockLine.Add((byte)Math.Min(linesSinceBlank, 6));
        }

        MarkPhrases(text, tokens, gazetteer);
    }

    /// <summary>Adds the feature hashes of token <paramref name="i"/>, given the two previous labels.</summary>
    public void Extract(int i, int previous, int previous2, List<uint> features)
    {
        int n = _word.Count;
        features.Add(Hash(10, 0));
        features.Add(Hash(11, _word[i]));
        features.Add(Hash(12, i > 0 ? _word[i - 1] : 1));
        features.Add(Hash(13, i + 1 < n ? _word[i + 1] : 1));
        features.Add(Hash(14, i > 1 ? _word[i - 2] : 1));
        features.Add(Hash(15, i + 2 < n ? _word[i + 2] : 1));
        features.Add(Hash(16, _shape[i]));
        features.Add(Hash(17, i > 0 ? _shape[i - 1] : 1));
        features.Add(Hash(18, i + 1 < n ? _shape[i + 1] : 1));
        features.Add(Hash(19, _shape[i], i > 0 ? _shape[i - 1] : 1));
        features.Add(Hash(20, _shape[i], i + 1 < n ? _shape[i + 1] : 1));
        if (_prefix[i] != 0)
        {
            features.Add(Hash(21, _prefix[i]));
            features.Add(Hash(22, _suffix[i]));
        }

        AddFlags(features, 23, _gazetteer[i]);
        AddFlags(features, 24, _phrase[i]);
        AddFlags(features, 25, i > 0 ? _gazetteer[i - 1] | _phrase[i - 1] : GazetteerFlags.None);
        AddFlags(features, 26, i + 1 < n ? _gazetteer[i + 1] | _phrase[i + 1] : GazetteerFlags.None);
        features.Add(Hash(27, (uint)_gazetteer[i], _shape[i]));
        features.Add(Hash(28, (uint)previous));
        features.Add(Hash(29, (uint)previous, (uint)previous2));
        features.Add(Hash(30, (uint)previous, _shape[i]));
        features.Add(Hash(31, (uint)previous, _word[i]));
        features.Add(Hash(32, _line[i], _shape[i]));
        features.Add(Hash(33, i > 0 ? _word[i - 1] : 1, _shape[i]));
        features.Add(Hash(34, _word[i], i + 1 < n ? _shape[i + 1] : 1));
        features.Add(Hash(35, (uint)previous, (uint)(_gazetteer[i] | _phrase[i])));
        features.Add(Hash(36, i > 0 ? _word[i - 1] : 1, _word[i]));
        features.Add(Hash(37, _style, (uint)(_gazetteer[i] | _phrase[i])));
        features.Add(Hash(38, _style, (uint)previous));
        features.Add(Hash(39, _style * 16 + _blockLine[i], _shape[i]));
        features.Add(Hash(40, _style, _line[i]));
    }

    private static void AddFlags(List<uint> features, uint template, GazetteerFlags flags)
    {
        for (uint bit = 1; bit <= (uint)GazetteerFlags.Unit; bit <<= 1)
        {
            if (((uint)flags & bit) != 0)
            {
                features.Add(Hash(template, bit));
            }
        }
    }

    private void MarkPhrases(string text, List<NerToken> tokens, Gazetteer gazetteer)
    {
        Span<char> lower = stackalloc char[48];
        for (int i = 0; i < tokens.Count; i++)
        {
            if (tokens[i].Kind != NerTokenKind.Word || tokens[i].Length > lower.Length)
            {
                continue;
            }

            ReadOnlySpan<char> raw = text.AsSpan(tokens[i].Start, tokens[i].Length);
            raw.ToLowerInvariant(lower);
            foreach ((string[] words, GazetteerFlags flags) in gazetteer.PhrasesStartingWith(lower[..raw.Length]))
            {
                int k = i, w = 0;
                while (w < words.Length && k < tokens.Count)
                {
                    if (tokens[k].Kind != NerTokenKind.Word)
                    {
                        if (tokens[k].Kind == NerTokenKind.Punctuation && text[tokens[k].Start] is '.' or '-' or '\'')
                        {
                            k++;
                            continue;
                        }

                        break;
                    }

                    if (!text.AsSpan(tokens[k].Start, tokens[k].Length).Equals(words[w], StringComparison.OrdinalIgnoreCase))
                    {
                        break;
                    }

                    k++;
                    w++;
                }

                if (w == words.Length)
                {
                    for (int m = i; m < k; m++)
                    {
                        _phrase[m] |= flags;
                    }

                    break;
                }
            }
        }
    }

    private static uint Shape(ReadOnlySpan<char> raw, NerTokenKind kind)
    {
        switch (kind)
        {
            case NerTokenKind.Newline:
                return 2;
            case NerTokenKind.Number:
                return 100 + (uint)Math.Min(raw.Length, 6);
            case NerTokenKind.Punctuation:
                return 200u + raw[0];
        }

        bool firstUpper = char.IsUpper(raw[0]);
        int upper = 0;
        foreach (char c in raw)
        {
            if (char.IsUpper(c))
            {
                upper++;
            }
        }

        uint length = raw.Length switch { 1 => 1, 2 => 2, <= 4 => 3, _ => 4 };
        uint caps = upper == raw.Length ? 3u : firstUpper ? (upper == 1 ? 1u : 4u) : (upper == 0 ? 0u : 5u);
        bool ascii = System.Text.Ascii.IsValid(raw);
        return 10 + (caps * 10) + length + (ascii ? 0u : 5u);
    }

    /// <summary>FNV-1a over a template id and a value.</summary>
    public static uint Hash(uint template, uint value)
    {
        uint h = 2166136261;
        h = (h ^ template) * 16777619;
        h = (h ^ (value & 0xFF)) * 16777619;
        h = (h ^ ((value >> 8) & 0xFF)) * 16777619;
        h = (h ^ ((value >> 16) & 0xFF)) * 16777619;
        h = (h ^ (value >> 24)) * 16777619;
        return h;
    }

    /// <summary>FNV-1a over a template id and two values.</summary>
    public static uint Hash(uint template, uint value, uint value2) => Hash(Hash(template, value), value2);

    /// <summary>FNV-1a over a template id and characters.</summary>
    public static uint Hash(uint template, ReadOnlySpan<char> value)
    {
        uint h = (2166136261 ^ template) * 16777619;
        foreach (byte b in MemoryMarshal.AsBytes(value))
        {
            h = (h ^ b) * 16777619;
        }

        return h;
    }
}
