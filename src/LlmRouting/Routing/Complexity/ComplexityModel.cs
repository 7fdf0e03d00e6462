using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;
using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>
/// The shipped prompt-complexity model: linear heads over hashed word/symbol n-grams and hand-crafted features (length,
/// lines, digits, math and code markers, questions, multiple-choice options) that estimate from the prompt alone how
/// capable a model the request needs, on the scale of the catalog's <see cref="ModelPriors.IntelligenceIndex"/>, and the
/// prompt's traits (which task family it resembles, and learned latent traits).
/// </summary>
/// <remarks>
/// <para>It is an item-response model: a model with intelligence index <c>I</c> is expected to answer a prompt well with
/// probability <c>σ(Slope · (I − RequiredIntelligenceIndex) + Σ loading · trait)</c>; loadings come from a calibrated
/// <see cref="ModelQualityProfile"/> and are zero without one. The weights are trained by
/// <c>src/LlmRouting.ComplexityTrainer</c> on the <c>_dev</c> routing data files only and embedded in the package (int8
/// quantised); no network, no extra dependency. An estimate takes microseconds and allocates nothing.</para>
/// <para>Instances are immutable and thread-safe.</para>
/// </remarks>
public sealed class ComplexityModel : IComplexityModel
{
    internal const string ResourceName = "LlmRouting.Routing.Complexity.complexity-model.bin";
    private const uint Magic = 0x5843524C; // "LRCX"
    private const int FormatVersion = 1;

    // The least discrimination (how much ability matters) a prompt can have; keeps the required index finite.
    private const double MinDiscrimination = 0.25;

    private static readonly Lazy<ComplexityModel> s_default = new(LoadEmbedded, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly sbyte[] _hashed;
    private readonly float _hashedScale;
    private readonly float[] _dense;
    private readonly string[] _traitNames;
    private readonly int _families;
    private readonly sbyte[] _traitHashed;
    private readonly float[] _traitScale;
    private readonly float[] _traitDense;
    private readonly float[] _traitBias;
    private readonly float[] _familyDifficulty;
    private readonly float[] _familyDiscrimination;
    private readonly int _traitMask;

    internal ComplexityModel(ComplexityModelWeights weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        int traits = weights.TraitNames.Length;
        if (weights.HashBits is < 8 or > 24 || weights.Hashed.Length != 1 << weights.HashBits || weights.Dense.Length != ComplexityFeatureLayout.DenseCount
            || weights.TraitHashBits is < 0 or > 20 || traits > ComplexityEstimate.MaxTraits || weights.Families > traits
            || weights.TraitHashed.Length != (traits == 0 ? 0 : (1 << weights.TraitHashBits) * traits)
            || weights.TraitDense.Length != traits * ComplexityFeatureLayout.DenseCount || weights.TraitBias.Length != traits
            || weights.FamilyDifficulty.Length != weights.Families || weights.FamilyDiscrimination.Length != weights.Families
            || weights.FamilyDiscrimination.Any(d => !(d >= MinDiscrimination) || !float.IsFinite(d)))
        {
            throw new ArgumentException("The complexity model's weights do not match its feature layout.", nameof(weights));
        }

        if (!(weights.Slope > 0) || !double.IsFinite(weights.Offset) || !(weights.RequiredIndexStdDev > 0) || !double.IsFinite(weights.RequiredIndexMean)
            || !float.IsFinite(weights.HashedScale) || weights.TraitScale.Length != traits || !weights.TraitScale.All(float.IsFinite))
        {
            throw new ArgumentException("The complexity model's calibration is invalid.", nameof(weights));
        }

        HashBits = weights.HashBits;
        _hashed = weights.Hashed;
        _hashedScale = weights.HashedScale;
        _dense = weights.Dense;
        _traitNames = weights.TraitNames;
        _families = weights.Families;
        _traitHashed = weights.TraitHashed;
        _traitScale = weights.TraitScale;
        _traitDense = weights.TraitDense;
        _traitBias = weights.TraitBias;
        _familyDifficulty = weights.FamilyDifficulty;
        _familyDiscrimination = weights.FamilyDiscrimination;
        TraitHashBits = weights.TraitHashBits;
        _traitMask = traits == 0 ? 0 : (1 << weights.TraitHashBits) - 1;
        Offset = weights.Offset;
        Slope = weights.Slope;
        RequiredIndexMean = weights.RequiredIndexMean;
        RequiredIndexStdDev = weights.RequiredIndexStdDev;
        Description = weights.Description;
    }

    /// <summary>Gets the model embedded in the package.</summary>
    /// <exception cref="InvalidOperationException">The embedded model is missing or unreadable (a broken build).</exception>
    public static ComplexityModel Default => s_default.Value;

    /// <summary>Gets how the model was trained (data files, prompts, settings).</summary>
    public string Description { get; }

    /// <summary>Gets how many logits of answer quality one point of intelligence index is worth.</summary>
    public double Slope { get; }

    /// <summary>Gets the names of the traits the model estimates: task families (<c>task:…</c>, probabilities summing to 1) and latent traits (<c>latent:…</c>).</summary>
    public IReadOnlyList<string> TraitNames => _traitNames;

    internal int HashBits { get; }

    internal int TraitHashBits { get; }

    /// <summary>Gets the logit offset of the ability scale: <c>ability = Offset + Slope · index</c>.</summary>
    internal double Offset { get; }

    /// <summary>Gets the mean required index over the training prompts (<see cref="ComplexityEstimate.Score"/> 0.5).</summary>
    internal double RequiredIndexMean { get; }

    internal double RequiredIndexStdDev { get; }

    /// <inheritdoc/>
    /// <remarks>The task is the last user message's text; earlier turns and instructions do not change the estimate.</remarks>
    public ComplexityEstimate Estimate(IEnumerable<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var extractor = new ComplexityFeatureExtractor<DotSink>(HashBits, new DotSink(this));
        if (LastUserMessage(messages) is { } message)
        {
            IList<AIContent> contents = message.Contents;
            for (int i = 0; i < contents.Count; i++)
            {
                if (contents[i] is TextContent { Text: { } text })
                {
                    extractor.Append(text);
                }
            }
        }

        return Complete(ref extractor);
    }

    /// <summary>Estimates the complexity of a single prompt text.</summary>
    /// <param name="prompt">The prompt.</param>
    /// <returns>The estimate.</returns>
    public ComplexityEstimate Estimate(ReadOnlySpan<char> prompt)
    {
        var extractor = new ComplexityFeatureExtractor<DotSink>(HashBits, new DotSink(this));
        extractor.Append(prompt);
        return Complete(ref extractor);
    }

    /// <summary>Loads a model written by the trainer.</summary>
    /// <param name="stream">The model file.</param>
    /// <returns>The model.</returns>
    /// <exception cref="InvalidDataException">The stream is not a complexity model of a supported version.</exception>
    public static ComplexityModel Load(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        try
        {
            using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
            if (reader.ReadUInt32() != Magic)
            {
                throw new InvalidDataException("Not a complexity model file.");
            }

            int format = reader.ReadInt32();
            int features = reader.ReadInt32();
            if (format != FormatVersion || features != ComplexityFeatureLayout.Version)
            {
                throw new InvalidDataException(
                    $"Complexity model format {format} with features v{features} is not supported (expected format {FormatVersion}, features v{ComplexityFeatureLayout.Version}).");
            }

            int hashBits = reader.ReadInt32();
            int traitHashBits = reader.ReadInt32();
            int denseCount = reader.ReadInt32();
            int traits = reader.ReadInt32();
            int families = reader.ReadInt32();
            if (hashBits is < 8 or > 24 || traitHashBits is < 0 or > 20 || denseCount != ComplexityFeatureLayout.DenseCount
                || traits is < 0 or > ComplexityEstimate.MaxTraits || families < 0 || families > traits)
            {
                throw new InvalidDataException("The complexity model's feature layout does not match this version of LlmRouting.");
            }

            var weights = new ComplexityModelWeights
            {
                HashBits = hashBits,
                TraitHashBits = traitHashBits,
                Families = families,
                Offset = reader.ReadDouble(),
                Slope = reader.ReadDouble(),
                RequiredIndexMean = reader.ReadDouble(),
                RequiredIndexStdDev = reader.ReadDouble(),
                Description = reader.ReadString(),
                TraitNames = ReadStrings(reader, traits),
                Dense = ReadSingles(reader, denseCount),
                HashedScale = reader.ReadSingle(),
                Hashed = ReadSBytes(stream, 1 << hashBits),
                TraitBias = ReadSingles(reader, traits),
                TraitDense = ReadSingles(reader, traits * denseCount),
                TraitScale = ReadSingles(reader, traits),
                TraitHashed = ReadSBytes(stream, traits == 0 ? 0 : (1 << traitHashBits) * traits),
                FamilyDifficulty = ReadSingles(reader, families),
                FamilyDiscrimination = ReadSingles(reader, families),
            };
            return new ComplexityModel(weights);
        }
        catch (Exception ex) when (ex is EndOfStreamException or ArgumentException)
        {
            throw new InvalidDataException("The complexity model file is truncated or corrupt.", ex);
        }
    }

    /// <summary>Writes the model in the format <see cref="Load"/> reads.</summary>
    internal void Save(Stream stream)
    {
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        writer.Write(Magic);
        writer.Write(FormatVersion);
        writer.Write(ComplexityFeatureLayout.Version);
        writer.Write(HashBits);
        writer.Write(TraitHashBits);
        writer.Write(_dense.Length);
        writer.Write(_traitNames.Length);
        writer.Write(_families);
        writer.Write(Offset);
        writer.Write(Slope);
        writer.Write(RequiredIndexMean);
        writer.Write(RequiredIndexStdDev);
        writer.Write(Description);
        foreach (string name in _traitNames)
        {
            writer.Write(name);
        }

        WriteSingles(writer, _dense);
        writer.Write(_hashedScale);
        writer.Write(MemoryMarshal.AsBytes(_hashed.AsSpan()));
        WriteSingles(writer, _traitBias);
        WriteSingles(writer, _traitDense);
        WriteSingles(writer, _traitScale);
        writer.Write(MemoryMarshal.AsBytes(_traitHashed.AsSpan()));
        WriteSingles(writer, _familyDifficulty);
        WriteSingles(writer, _familyDiscrimination);
    }

    private static ChatMessage? LastUserMessage(IEnumerable<ChatMessage> messages)
    {
        if (messages is IList<ChatMessage> list)
        {
            for (int i = list.Count - 1; i >= 0; i--)
            {
                if (list[i].Role == ChatRole.User)
                {
                    return list[i];
                }
            }

            return null;
        }

        ChatMessage? last = null;
        foreach (ChatMessage message in messages)
        {
            if (message.Role == ChatRole.User)
            {
                last = message;
            }
        }

        return last;
    }

    private static ComplexityModel LoadEmbedded()
    {
        using Stream stream = typeof(ComplexityModel).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded complexity model '{ResourceName}' is missing from the LlmRouting assembly.");
        return Load(stream);
    }

    private static string[] ReadStrings(BinaryReader reader, int count)
    {
        var values = new string[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = reader.ReadString();
        }

        return values;
    }

    private static float[] ReadSingles(BinaryReader reader, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = reader.ReadSingle();
        }

        return values;
    }

    private static sbyte[] ReadSBytes(Stream stream, int count)
    {
        var values = new sbyte[count];
        stream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }

    private static void WriteSingles(BinaryWriter writer, float[] values)
    {
        foreach (float v in values)
        {
            writer.Write(v);
        }
    }

    private ComplexityEstimate Complete(ref ComplexityFeatureExtractor<DotSink> extractor)
    {
        Span<float> dense = stackalloc float[ComplexityFeatureLayout.DenseCount];
        int count = extractor.Complete(dense);
        double norm = count == 0 ? 0 : 1.0 / Math.Sqrt(count);
        double difficulty = extractor.Sink.Sum * (double)_hashedScale * norm;
        for (int i = 0; i < dense.Length; i++)
        {
            difficulty += dense[i] * _dense[i];
        }

        int traits = _traitNames.Length;
        Span<double> values = stackalloc double[traits];
        for (int t = 0; t < traits; t++)
        {
            double z = _traitBias[t] + (extractor.Sink.Traits[t] * (double)_traitScale[t] * norm);
            for (int j = 0; j < dense.Length; j++)
            {
                z += dense[j] * _traitDense[(j * traits) + t];
            }

            values[t] = z;
        }

        double discrimination = _families > 0 ? 0 : 1;
        if (_families > 0)
        {
            // Task families are a softmax group; each adds its share of the family's difficulty and discrimination.
            Span<double> families = values[.._families];
            double max = double.NegativeInfinity, sum = 0;
            foreach (double z in families)
            {
                max = Math.Max(max, z);
            }

            for (int f = 0; f < families.Length; f++)
            {
                families[f] = Math.Exp(families[f] - max);
                sum += families[f];
            }

            for (int f = 0; f < families.Length; f++)
            {
                families[f] /= sum;
                difficulty += families[f] * _familyDifficulty[f];
                discrimination += families[f] * _familyDiscrimination[f];
            }
        }

        // P(good) = σ(a · ability − difficulty), ability = Offset + Slope · index, a = the families' discrimination:
        // even odds at index R = (difficulty / a − Offset) / Slope, and each index point is worth a · Slope logits.
        double a = Math.Max(discrimination, MinDiscrimination);
        double required = ((difficulty / a) - Offset) / Slope;
        double score = 1.0 / (1.0 + Math.Exp(-(required - RequiredIndexMean) / RequiredIndexStdDev));
        return traits == 0
            ? new ComplexityEstimate(score, required, a * Slope)
            : new ComplexityEstimate(score, required, a * Slope, _traitNames, values);
    }

    private struct DotSink(ComplexityModel model) : IHashedFeatureSink
    {
        private readonly sbyte[] _hashed = model._hashed;
        private readonly sbyte[] _traitHashed = model._traitHashed;
        private readonly int _traitMask = model._traitMask;
        private readonly int _traits = model._traitNames.Length;

        public int Sum;

        public TraitSums Traits;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Add(int bucket)
        {
            Sum += Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_hashed), bucket);
            if (_traits > 0)
            {
                ref sbyte row = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_traitHashed), (bucket & _traitMask) * _traits);
                ref int sums = ref Unsafe.As<TraitSums, int>(ref Traits);
                int t = 0;
                if (Vector128.IsHardwareAccelerated)
                {
                    // 16 traits per step: widen the int8 weights to int32 and add (the row has at least 16 bytes when _traits >= 16).
                    for (; t + 16 <= _traits; t += 16)
                    {
                        (Vector128<short> lo, Vector128<short> hi) = Vector128.Widen(Vector128.LoadUnsafe(ref row, (nuint)t));
                        (Vector128<int> a, Vector128<int> b) = Vector128.Widen(lo);
                        (Vector128<int> c, Vector128<int> d) = Vector128.Widen(hi);
                        (Vector128.LoadUnsafe(ref sums, (nuint)t) + a).StoreUnsafe(ref sums, (nuint)t);
                        (Vector128.LoadUnsafe(ref sums, (nuint)(t + 4)) + b).StoreUnsafe(ref sums, (nuint)(t + 4));
                        (Vector128.LoadUnsafe(ref sums, (nuint)(t + 8)) + c).StoreUnsafe(ref sums, (nuint)(t + 8));
                        (Vector128.LoadUnsafe(ref sums, (nuint)(t + 12)) + d).StoreUnsafe(ref sums, (nuint)(t + 12));
                    }
                }

                for (; t < _traits; t++)
                {
                    Unsafe.Add(ref sums, t) += Unsafe.Add(ref row, t);
                }
            }
        }
    }

    [InlineArray(ComplexityEstimate.MaxTraits)]
    private struct TraitSums
    {
        private int _element;
    }
}

/// <summary>The raw parts of a <see cref="ComplexityModel"/>, as the trainer produces them and the file stores them.</summary>
internal sealed class ComplexityModelWeights
{
    public required int HashBits { get; init; }

    public required int TraitHashBits { get; init; }

    /// <summary>The number of leading traits that are task families (a softmax group).</summary>
    public required int Families { get; init; }

    public required double Offset { get; init; }

    public required double Slope { get; init; }

    public required double RequiredIndexMean { get; init; }

    public required double RequiredIndexStdDev { get; init; }

    public required string Description { get; init; }

    public required string[] TraitNames { get; init; }

    public required float[] Dense { get; init; }

    public required float HashedScale { get; init; }

    public required sbyte[] Hashed { get; init; }

    public required float[] TraitBias { get; init; }

    /// <summary>Dense trait weights, [j * traits + t].</summary>
    public required float[] TraitDense { get; init; }

    /// <summary>The int8 quantisation scale of each trait's hashed weights.</summary>
    public required float[] TraitScale { get; init; }

    /// <summary>Hashed trait weights, [bucket * traits + t].</summary>
    public required sbyte[] TraitHashed { get; init; }

    /// <summary>The difficulty (logits) each task family adds in proportion to its probability.</summary>
    public required float[] FamilyDifficulty { get; init; }

    /// <summary>Per task family, how much general ability matters (1 = as much as on average); a prompt's is the probability-weighted mix.</summary>
    public required float[] FamilyDiscrimination { get; init; }
}
