using System.Security.Cryptography;
using System.Text;

namespace LlmRouting;

/// <summary>Turns user identifiers into keyed pseudonyms (<c>u_</c> + 16 hex digits of HMAC-SHA256) for spans and the request log.</summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class UserPseudonymizer
{
    private static readonly byte[] s_processKey = RandomNumberGenerator.GetBytes(32);
    private readonly byte[] _key;

    public UserPseudonymizer(string? key)
    {
        _key = string.IsNullOrEmpty(key) ? s_processKey : Encoding.UTF8.GetBytes(key);
    }

    public static UserPseudonymizer PerProcess { get; } = new(null);

    public string? Pseudonymize(string? user)
    {
        if (string.IsNullOrEmpty(user))
        {
            return null;
        }

        int max = Encoding.UTF8.GetMaxByteCount(user.Length);
        byte[]? rented = null;
        Span<byte> input = max <= 512 ? stackalloc byte[max] : (rented = System.Buffers.ArrayPool<byte>.Shared.Rent(max));
        try
        {
            int length = Encoding.UTF8.GetBytes(user, input);
            Span<byte> hash = stackalloc byte[32];
            HMACSHA256.HashData(_key, input[..length], hash);
            return "u_" + Convert.ToHexStringLower(hash[..8]);
        }
        finally
        {
            if (rented is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(rented, clearArray: true);
            }
        }
    }
}
