using System.Globalization;
using System.Runtime.CompilerServices;

namespace LlmRouting;

/// <summary>
/// What a prompt needs from a model, as estimated by an <see cref="IComplexityModel"/>, on the scale of the catalog's
/// <see cref="ModelPriors.IntelligenceIndex"/>, plus the prompt's traits (e.g. how likely it is to be a coding task).
/// </summary>
/// <remarks>
/// A model with intelligence index <c>I</c> is expected to give a good answer with probability
/// <c>σ(Slope · (I − RequiredIntelligenceIndex) + Σ loading(trait) · trait)</c> (<see cref="ExpectedQuality(double, IDictionary{string, double})"/>):
/// at the required index, without trait loadings, the chance is even; every point above it adds <see cref="Slope"/> logits.
/// Trait loadings come from a calibrated <see cref="ModelQualityProfile"/>; without one, traits do not matter.
/// The struct holds at most 32 traits inline and never allocates.
/// </remarks>
public readonly struct ComplexityEstimate : IEquatable<ComplexityEstimate>
{
    /// <summary>The largest number of traits an estimate can carry.</summary>
    public const int MaxTraits = 32;

    private readonly TraitValues _traits;
    private readonly IReadOnlyList<string>? _traitNames;

    /// <summary>Initializes a new instance of the <see cref="ComplexityEstimate"/> struct without traits.</summary>
    /// <param name="score">The complexity on a 0–1 scale (0.5 = a typical prompt of the training data).</param>
    /// <param name="requiredIntelligenceIndex">The intelligence index at which a good answer is as likely as not.</param>
    /// <param name="slope">Logits of answer quality per point of intelligence index; positive.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range or not finite.</exception>
    public ComplexityEstimate(double score, double requiredIntelligenceIndex, double slope)
        : this(score, requiredIntelligenceIndex, slope, null, [])
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ComplexityEstimate"/> struct with traits.</summary>
    /// <param name="score">The complexity on a 0–1 scale (0.5 = a typical prompt of the training data).</param>
    /// <param name="requiredIntelligenceIndex">The intelligence index at which a good answer is as likely as not.</param>
    /// <param name="slope">Logits of answer quality per point of intelligence index; positive.</param>
    /// <param name="traitNames">The trait names (kept by reference; must not change), or <see langword="null"/> for none.</param>
    /// <param name="traits">The trait values, one per name.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range or not finite.</exception>
    /// <exception cref="ArgumentException">The traits do not match the names, or there are more than <see cref="MaxTraits"/>.</exception>
    public ComplexityEstimate(double score, double requiredIntelligenceIndex, double slope, IReadOnlyList<string>? traitNames, ReadOnlySpan<double> traits)
    {
        if (!(score >= 0 && score <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(score), score, "Must be between 0 and 1.");
        }

        if (!double.IsFinite(requiredIntelligenceIndex))
        {
            throw new ArgumentOutOfRangeException(nameof(requiredIntelligenceIndex), requiredIntelligenceIndex, "Must be finite.");
        }

        if (!(slope > 0) || !double.IsFinite(slope))
        {
            throw new ArgumentOutOfRangeException(nameof(slope), slope, "Must be positive and finite.");
        }

        int count = traitNames?.Count ?? 0;
        if (traits.Length != count || count > MaxTraits)
        {
            throw new ArgumentException($"Give one value per trait name, at most {MaxTraits}.", nameof(traits));
        }

        Score = score;
        RequiredIntelligenceIndex = requiredIntelligenceIndex;
        Slope = slope;
        _traitNames = count == 0 ? null : traitNames;
        for (int i = 0; i < count; i++)
        {
            _traits[i] = double.IsFinite(traits[i]) ? (float)traits[i] : throw new ArgumentOutOfRangeException(nameof(traits), "Trait values must be finite.");
        }
    }

    /// <summary>Gets the complexity on a 0–1 scale: 0.5 is a typical prompt of the training data, higher needs a stronger model.</summary>
    public double Score { get; }

    /// <summary>Gets the intelligence index at which a model is as likely as not to answer well.</summary>
    public double RequiredIntelligenceIndex { get; }

    /// <summary>Gets how many logits of answer quality one point of intelligence index is worth.</summary>
    public double Slope { get; }

    /// <summary>Gets the number of traits.</summary>
    public int TraitCount => _traitNames?.Count ?? 0;

    /// <summary>Gets the name of a trait (e.g. <c>task:gsm8k</c>).</summary>
    /// <param name="index">The trait index, below <see cref="TraitCount"/>.</param>
    /// <returns>The name.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is out of range.</exception>
    public string GetTraitName(int index) =>
        (uint)index < (uint)TraitCount ? _traitNames![index] : throw new ArgumentOutOfRangeException(nameof(index));

    /// <summary>Gets the value of a trait (for task families, the probability that the prompt belongs to it).</summary>
    /// <param name="index">The trait index, below <see cref="TraitCount"/>.</param>
    /// <returns>The value.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is out of range.</exception>
    public double GetTrait(int index) =>
        (uint)index < (uint)TraitCount ? _traits[index] : throw new ArgumentOutOfRangeException(nameof(index));

    /// <summary>Gets the expected quality (probability of a good answer) of a model with the given intelligence index.</summary>
    /// <param name="intelligenceIndex">The model's <see cref="ModelPriors.IntelligenceIndex"/> (or calibrated index).</param>
    /// <param name="traitLoadings">The model's calibrated trait loadings (<see cref="ModelQualityProfile.TraitLoadings"/>), or <see langword="null"/>.</param>
    /// <returns>A value between 0 and 1.</returns>
    public double ExpectedQuality(double intelligenceIndex, IDictionary<string, double>? traitLoadings = null)
    {
        double z = Slope * (intelligenceIndex - RequiredIntelligenceIndex);
        if (traitLoadings is { Count: > 0 })
        {
            for (int i = 0; i < TraitCount; i++)
            {
                if (traitLoadings.TryGetValue(_traitNames![i], out double loading))
                {
                    z += loading * _traits[i];
                }
            }
        }

        return Sigmoid(z);
    }

    /// <summary>Gets the smallest intelligence index expected to reach <paramref name="targetQuality"/> (ignoring trait loadings).</summary>
    /// <param name="targetQuality">The probability of a good answer to reach, strictly between 0 and 1.</param>
    /// <returns>The minimum intelligence index.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="targetQuality"/> is not strictly between 0 and 1.</exception>
    public double MinimumIntelligenceIndex(double targetQuality)
    {
        if (!(targetQuality > 0 && targetQuality < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(targetQuality), targetQuality, "Must be strictly between 0 and 1.");
        }

        return RequiredIntelligenceIndex + (Math.Log(targetQuality / (1 - targetQuality)) / Slope);
    }

    /// <inheritdoc/>
    public bool Equals(ComplexityEstimate other)
    {
        if (!Score.Equals(other.Score) || !RequiredIntelligenceIndex.Equals(other.RequiredIntelligenceIndex) || !Slope.Equals(other.Slope)
            || TraitCount != other.TraitCount)
        {
            return false;
        }

        for (int i = 0; i < TraitCount; i++)
        {
            if (!string.Equals(_traitNames![i], other._traitNames![i], StringComparison.Ordinal) || !_traits[i].Equals(other._traits[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is ComplexityEstimate other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Score, RequiredIntelligenceIndex, Slope, TraitCount);

    /// <inheritdoc/>
    public override string ToString()
    {
        string text = string.Create(CultureInfo.InvariantCulture, $"complexity {Score:0.00}, even odds at intelligence index {RequiredIntelligenceIndex:0.0}");
        int top = -1;
        for (int i = 0; i < TraitCount; i++)
        {
            if (top < 0 || _traits[i] > _traits[top])
            {
                top = i;
            }
        }

        return top < 0 ? text : string.Create(CultureInfo.InvariantCulture, $"{text}, top trait {_traitNames![top]} {_traits[top]:0.00}");
    }

    /// <summary>Compares two estimates for equality.</summary>
    /// <param name="left">The first estimate.</param>
    /// <param name="right">The second estimate.</param>
    /// <returns><see langword="true"/> if equal.</returns>
    public static bool operator ==(ComplexityEstimate left, ComplexityEstimate right) => left.Equals(right);

    /// <summary>Compares two estimates for inequality.</summary>
    /// <param name="left">The first estimate.</param>
    /// <param name="right">The second estimate.</param>
    /// <returns><see langword="true"/> if different.</returns>
    public static bool operator !=(ComplexityEstimate left, ComplexityEstimate right) => !left.Equals(right);

    /// <summary>The expected quality with loadings aligned to the traits (the policy's fast path).</summary>
    internal double ExpectedQuality(double intelligenceIndex, double[]? alignedLoadings)
    {
        double z = Slope * (intelligenceIndex - RequiredIntelligenceIndex);
        if (alignedLoadings is not null)
        {
            int n = Math.Min(alignedLoadings.Length, TraitCount);
            for (int i = 0; i < n; i++)
            {
                z += alignedLoadings[i] * _traits[i];
            }
        }

        return Sigmoid(z);
    }

    /// <summary>Gets the trait names by reference, for aligning loadings once per model.</summary>
    internal IReadOnlyList<string>? TraitNames => _traitNames;

    private static double Sigmoid(double z) => 1.0 / (1.0 + Math.Exp(-z));

    [InlineArray(MaxTraits)]
    private struct TraitValues
    {
        private float _element;
    }
}
