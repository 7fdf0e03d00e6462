using System.Runtime.CompilerServices;

namespace LlmRouting;

/// <summary>Receives the hashed features of a prompt, one call per occurrence.</summary>
internal interface IHashedFeatureSink
{
    /// <summary>Adds one occurrence of the feature hashed to <paramref name="bucket"/>.</summary>
    /// <param name="bucket">The bucket, in <c>[0, 2^hashBits)</c>.</param>
    void Add(int bucket);
}

/// <summary>
/// Turns prompt text into the complexity model's features in one pass, without allocating: hashed word and symbol
/// unigrams and bigrams (lower-cased words; numbers reduced to their digit count; every symbol its own token; line
/// breaks as tokens), and <see cref="ComplexityFeatureLayout.DenseCount"/> hand-crafted features (length, lines, digit/upper-case/non-ASCII/symbol
/// ratios, math and code markers, questions, multiple-choice options, length bins).
/// </summary>
/// <remarks>
/// The trainer (<c>LlmRouting.ComplexityTrainer</c>) uses this very type, so training and inference see identical
/// features. Changing anything here changes the features: bump <see cref="Version"/> and retrain.
/// Hashed features are later scaled by <c>1/sqrt(count)</c>, so long and short prompts are on one scale.
/// </remarks>
/// <typeparam name="TSink">The receiver of hashed features; a struct so calls are inlined.</typeparam>
internal struct ComplexityFeatureExtractor<TSink>
    where TSink : struct, IHashedFeatureSink
{
    /// <summary>The sink receiving hashed features.</summary>
    public TSink Sink;

    private readonly uint _mask;
    private uint _previous;
    private bool _hasPrevious;
    private int _chars, _letters, _digits, _upper, _nonAscii, _symbols, _lines, _words, _numbers;
    private int _mathMarks, _codeMarks, _questions, _options, _lineLength, _maxLineLength, _hashed;
    private bool _lineStart;

    /// <summary>Initializes a new instance of the <see cref="ComplexityFeatureExtractor{TSink}"/> struct.</summary>
    /// <param name="hashBits">The number of hash bits (buckets = 2^hashBits).</param>
    /// <param name="sink">The sink.</param>
    public ComplexityFeatureExtractor(int hashBits, TSink sink)
    {
        Sink = sink;
        _mask = (1u << hashBits) - 1;
        _lineStart = true;
        _lines = 1;
    }

    /// <summary>Gets the number of hashed feature occurrences emitted so far.</summary>
    public readonly int HashedCount => _hashed;

    /// <summary>Feeds a piece of text; several pieces behave as if separated by a line break.</summary>
    /// <param name="text">The text.</param>
    public void Append(ReadOnlySpan<char> text)
    {
        if (_chars > 0)
        {
            _chars++; // the implied line break
            NewLine();
        }

        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (char.IsLetterOrDigit(c))
            {
                int start = i;
                uint hash = ComplexityHashing.FnvOffset;
                bool allDigits = true;
                while (i < text.Length && char.IsLetterOrDigit(text[i]))
                {
                    char w = text[i];
                    if (w < 128)
                    {
                        if (w is >= 'A' and <= 'Z')
                        {
                            _upper++;
                            _letters++;
                            allDigits = false;
                            w = (char)(w | 0x20);
                        }
                        else if (w is >= '0' and <= '9')
                        {
                            _digits++;
                        }
                        else
                        {
                            _letters++;
                            allDigits = false;
                        }
                    }
                    else
                    {
                        _nonAscii++;
                        allDigits &= char.IsDigit(w);
                        if (char.IsLetter(w))
                        {
                            _letters++;
                            if (char.IsUpper(w))
                            {
                                _upper++;
                                w = char.ToLowerInvariant(w);
                            }
                        }
                        else
                        {
                            _digits++;
                        }
                    }

                    hash = (hash ^ w) * ComplexityHashing.FnvPrime;
                    i++;
                }

                int length = i - start;
                if (_lineStart && length == 1 && text[start] is >= 'A' and <= 'E' && i < text.Length && text[i] is '.' or ')')
                {
                    _options++;
                }

                _lineStart = false;
                _lineLength += length;
                _chars += length;
                if (allDigits)
                {
                    _numbers++;
                    Token(ComplexityHashing.Mix(ComplexityHashing.NumberSeed + (uint)Math.Min(length, 6)));
                }
                else
                {
                    _words++;
                    Token(ComplexityHashing.Mix(hash));
                }

                continue;
            }

            _chars++;
            i++;
            if (c == '\n')
            {
                NewLine();
                continue;
            }

            if (char.IsWhiteSpace(c))
            {
                _lineLength++;
                continue;
            }

            _lineLength++;
            if (c >= 128)
            {
                _nonAscii++;
            }

            if (_lineStart && c == '(' && i + 1 < text.Length && text[i] is >= 'A' and <= 'E' && text[i + 1] == ')')
            {
                _options++;
            }

            _lineStart = false;
            _symbols++;
            switch (c)
            {
                case '=' or '+' or '^' or '\\' or '$' or '*' or '/' or '<' or '>' or '|' or '%' or '√' or '∑' or '∫' or 'π' or '≤' or '≥' or '×' or '÷':
                    _mathMarks++;
                    break;
                case '{' or '}' or ';' or '`' or '[' or ']' or '#' or '_':
                    _codeMarks++;
                    break;
                case '?':
                    _questions++;
                    break;
            }

            Token(ComplexityHashing.Mix(ComplexityHashing.SymbolSeed + c));
        }
    }

    /// <summary>Writes the dense features and returns the number of hashed occurrences.</summary>
    /// <param name="dense">Receives <see cref="ComplexityFeatureLayout.DenseCount"/> values.</param>
    /// <returns>The number of hashed feature occurrences.</returns>
    public readonly int Complete(Span<float> dense)
    {
        if (dense.Length < ComplexityFeatureLayout.DenseCount)
        {
            throw new ArgumentException("The dense buffer is too small.", nameof(dense));
        }

        int maxLine = Math.Max(_maxLineLength, _lineLength);
        float chars = Math.Max(_chars, 1);
        dense[0] = Log(_chars) / 8f;
        dense[1] = Log(_words) / 6f;
        dense[2] = Log(_lines) / 4f;
        dense[3] = _digits / chars;
        dense[4] = _letters == 0 ? 0f : _upper / (float)_letters;
        dense[5] = _nonAscii / chars;
        dense[6] = _symbols / chars;
        dense[7] = Log(_mathMarks) / 4f;
        dense[8] = Log(_codeMarks) / 4f;
        dense[9] = Log(_questions) / 2f;
        dense[10] = Log(maxLine) / 8f;
        dense[11] = _words == 0 ? 0f : Math.Min(_letters / (float)_words, 20f) / 10f;
        dense[12] = Math.Min(_options, 8) / 4f;
        dense[13] = Log(_numbers) / 4f;
        dense.Slice(ComplexityFeatureLayout.LengthBinStart, ComplexityFeatureLayout.LengthBins).Clear();
        dense[ComplexityFeatureLayout.LengthBinStart + LengthBin(_chars)] = 1f;
        return _hashed;
    }

    private static float Log(int count) => MathF.Log(1f + count);

    private static int LengthBin(int chars)
    {
        // < 64, < 128, ..., < 16384, >= 16384: ten bins.
        int bin = 0;
        for (int limit = 64; bin < ComplexityFeatureLayout.LengthBins - 1 && chars >= limit; limit <<= 1)
        {
            bin++;
        }

        return bin;
    }

    private void NewLine()
    {
        _lines++;
        _maxLineLength = Math.Max(_maxLineLength, _lineLength);
        _lineLength = 0;
        if (!_lineStart)
        {
            Token(ComplexityHashing.NewLineToken);
        }

        _lineStart = true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Token(uint token)
    {
        Sink.Add((int)(ComplexityHashing.Mix(token ^ ComplexityHashing.UnigramSeed) & _mask));
        if (_hasPrevious)
        {
            Sink.Add((int)(ComplexityHashing.Mix((_previous * ComplexityHashing.BigramMultiplier) ^ token) & _mask));
            _hashed += 2;
        }
        else
        {
            _hashed++;
        }

        _previous = token;
        _hasPrevious = true;
    }
}

/// <summary>The layout of the complexity model's dense features.</summary>
internal static class ComplexityFeatureLayout
{
    /// <summary>The feature definition version; a model file records the version it was trained with.</summary>
    public const int Version = 1;

    /// <summary>The index of the first length bin.</summary>
    public const int LengthBinStart = 14;

    /// <summary>The number of length bins.</summary>
    public const int LengthBins = 10;

    /// <summary>The number of dense features.</summary>
    public const int DenseCount = LengthBinStart + LengthBins;
}

/// <summary>Fixed, platform-independent hashing for the complexity features (FNV-1a over UTF-16 code units, murmur3 finaliser).</summary>
internal static class ComplexityHashing
{
    public const uint FnvOffset = 2166136261;
    public const uint FnvPrime = 16777619;
    public const uint NumberSeed = 0x6E756D00;
    public const uint SymbolSeed = 0x73796D00;
    public const uint UnigramSeed = 0x9E3779B9;
    public const uint BigramMultiplier = 0x85EBCA6B;
    public const uint NewLineToken = 0x0A0A0A0A;

    /// <summary>The murmur3 32-bit finaliser.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Mix(uint h)
    {
        h ^= h >> 16;
        h *= 0x85EBCA6B;
        h ^= h >> 13;
        h *= 0xC2B2AE35;
        h ^= h >> 16;
        return h;
    }
}
