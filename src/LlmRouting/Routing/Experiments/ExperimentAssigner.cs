using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace LlmRouting;

/// <summary>Sticky, uniform assignment of a key to an experiment's variants: SHA-256 of the experiment name and the key, in 1/10,000 steps.</summary>
internal static class ExperimentAssigner
{
    private const int Buckets = 10_000;

    public static int Bucket(string experiment, string key)
    {
        int bytes = Encoding.UTF8.GetMaxByteCount(experiment.Length + key.Length + 1);
        Span<byte> input = bytes <= 512 ? stackalloc byte[bytes] : new byte[bytes];
        int n = Encoding.UTF8.GetBytes(experiment, input);
        input[n++] = 0x1F; // unit separator: "ab"+"c" and "a"+"bc" differ
        n += Encoding.UTF8.GetBytes(key, input[n..]);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(input[..n], hash);
        return (int)(BinaryPrimitives.ReadUInt64BigEndian(hash) % Buckets);
    }

    /// <summary>Picks the variant of <paramref name="key"/>, or <see langword="null"/> when it falls outside the enrolled percentage; variants are taken in ordinal name order, so the split is stable across processes.</summary>
    public static string? Assign(string experiment, ExperimentOptions options, string key)
    {
        int bucket = Bucket(experiment, key);
        double cumulative = 0;
        string? last = null;
        foreach ((string name, ExperimentVariantOptions variant) in options.Variants.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            if (variant is null || !(variant.Percent > 0))
            {
                continue;
            }

            cumulative += variant.Percent;
            last = name;
            if (bucket < cumulative * (Buckets / 100.0))
            {
                return name;
            }
        }

        // Percentages adding up to 100 cover every bucket (up to rounding); below 100, the rest of the traffic is not enrolled.
        return cumulative >= 100 - 1e-9 ? last : null;
    }
}
