using System.Buffers;
using System.Security.Cryptography;

namespace LlmRouting;

/// <summary>
/// Detects cryptocurrency wallet addresses: Bitcoin legacy and script addresses (base58check with the double SHA-256
/// checksum and a P2PKH/P2SH version byte), Bitcoin segwit addresses (bech32 for witness version 0, bech32m for 1–16, with
/// their checksums and program lengths), and Ethereum addresses (<c>0x</c> + 40 hex digits).
/// </summary>
internal sealed class CryptoWalletDetector : IPiiDetector
{
    private const string Base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    private const string Bech32Alphabet = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

    /// <summary>The fewest characters of an address (a run of ASCII letters and digits); no shorter run is looked at.</summary>
    private const int MinLength = 26;

    // The digit value of each ASCII character in the two alphabets (-1 where it is not in the alphabet); bech32 in either case.
    private static readonly sbyte[] s_base58Values = AlphabetValues(Base58Alphabet, ignoreCase: false);
    private static readonly sbyte[] s_bech32Values = AlphabetValues(Bech32Alphabet, ignoreCase: true);
    private static readonly uint[] s_polyModTerms = PolyModTerms();

    private static readonly SearchValues<char> s_hex = SearchValues.Create("0123456789abcdefABCDEF");
    private static readonly SearchValues<char> s_alphaNum = SearchValues.Create("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    public IReadOnlyCollection<string> EntityTypes { get; } = [PiiEntityTypes.CryptoWallet];

    public void Detect(string text, List<PiiMatch> matches)
    {
        // An address is a whole run of 26+ ASCII letters and digits. Such a run covers every 26th position, so one look every
        // 26 characters finds them all: where the character looked at is not a letter or digit, no run of 26 starts at or
        // before it (since the last look); where it is, the run around it is found and checked, and the next look is 26
        // characters after that run. Invariant: i is 0 or follows a character that is not an ASCII letter or digit.
        ReadOnlySpan<char> span = text.AsSpan();
        int i = 0;
        while (i + MinLength <= span.Length)
        {
            int look = i + MinLength - 1;
            if (!char.IsAsciiLetterOrDigit(span[look]))
            {
                i = look + 1;
                continue;
            }

            int start = look;
            while (start > i && char.IsAsciiLetterOrDigit(span[start - 1]))
            {
                start--;
            }

            int end = span[look..].IndexOfAnyExcept(s_alphaNum);
            end = end < 0 ? span.Length : look + end;
            if (end - start >= MinLength)
            {
                Consider(span, start, end, matches);
            }

            i = end + 1;
        }
    }

    /// <summary>
    /// Checks the whole run of ASCII letters and digits <c>[start, end)</c>: an address when it starts a token ("0x", '1', '3',
    /// "bc1", "tb1"; not after a letter, digit, underscore or <c>/+=.-</c>), does not run on into <c>/+=-_</c>, and its
    /// checksum or shape is valid.
    /// </summary>
    private static void Consider(ReadOnlySpan<char> span, int start, int end, List<PiiMatch> matches)
    {
        if ((start > 0 && (DetectorText.IsWordChar(span[start - 1]) || span[start - 1] is '/' or '+' or '=' or '.' or '-'))
            || (end < span.Length && span[end] is '/' or '+' or '=' or '-' or '_'))
        {
            return;
        }

        ReadOnlySpan<char> value = span[start..end];
        string? subtype = value switch
        {
            ['0', 'x' or 'X', ..] => value.Length == 42 && value[2..].IndexOfAnyExcept(s_hex) < 0 ? "eth" : null,
            ['b' or 'B', 'c' or 'C', '1', ..] or ['t' or 'T', 'b' or 'B', '1', ..] => IsSegwitValid(value) ? "btc_bech32" : null,
            ['1', ..] => value.Length <= 35 && IsBase58CheckValid(value, 0x00) ? "btc_p2pkh" : null,
            ['3', ..] => value.Length <= 35 && IsBase58CheckValid(value, 0x05) ? "btc_p2sh" : null,
            _ => null,
        };
        if (subtype is not null)
        {
            matches.Add(new PiiMatch(start, value.Length, PiiEntityTypes.CryptoWallet) { Subtype = subtype });
        }
    }

    /// <summary>Decodes a base58check string and checks its length (25 bytes), version byte and double SHA-256 checksum.</summary>
    internal static bool IsBase58CheckValid(ReadOnlySpan<char> value, byte version)
    {
        Span<byte> bytes = stackalloc byte[32];
        bytes.Clear();
        int length = 0; // significant bytes, little-endian at the end of the buffer
        foreach (char c in value)
        {
            int digit = char.IsAscii(c) ? s_base58Values[c] : -1;
            if (digit < 0)
            {
                return false;
            }

            int carry = digit;
            for (int k = 0; k < length || carry != 0; k++)
            {
                if (k == bytes.Length)
                {
                    return false;
                }

                int i = bytes.Length - 1 - k;
                carry += bytes[i] * 58;
                bytes[i] = (byte)carry;
                carry >>= 8;
                length = Math.Max(length, k + 1);
            }
        }

        int leadingOnes = 0;
        while (leadingOnes < value.Length && value[leadingOnes] == '1')
        {
            leadingOnes++;
        }

        int total = leadingOnes + length;
        if (total != 25)
        {
            return false;
        }

        ReadOnlySpan<byte> decoded = bytes[(bytes.Length - 25)..];
        if (decoded[0] != version)
        {
            return false;
        }

        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(decoded[..21], hash);
        SHA256.HashData(hash, hash);
        return hash[..4].SequenceEqual(decoded[21..]);
    }

    /// <summary>Checks a segwit address: one case, bech32 (v0) or bech32m (v1+) checksum, and a valid program length.</summary>
    internal static bool IsSegwitValid(ReadOnlySpan<char> value)
    {
        bool hasLower = false, hasUpper = false;
        foreach (char c in value)
        {
            hasLower |= char.IsAsciiLetterLower(c);
            hasUpper |= char.IsAsciiLetterUpper(c);
        }

        if (hasLower && hasUpper || value.Length is < 14 or > 90)
        {
            return false;
        }

        int separator = value.LastIndexOf('1');
        if (separator < 1 || value.Length - separator - 1 < 7)
        {
            return false;
        }

        ReadOnlySpan<char> hrp = value[..separator];
        ReadOnlySpan<char> data = value[(separator + 1)..];
        Span<byte> values = stackalloc byte[data.Length];
        for (int i = 0; i < data.Length; i++)
        {
            char c = data[i];
            int v = char.IsAscii(c) ? s_bech32Values[c] : -1;
            if (v < 0)
            {
                return false;
            }

            values[i] = (byte)v;
        }

        uint check = 1;
        foreach (char c in hrp)
        {
            check = PolyMod(check, (byte)(char.ToLowerInvariant(c) >> 5));
        }

        check = PolyMod(check, 0);
        foreach (char c in hrp)
        {
            check = PolyMod(check, (byte)(char.ToLowerInvariant(c) & 31));
        }

        foreach (byte v in values)
        {
            check = PolyMod(check, v);
        }

        int witnessVersion = values[0];
        uint expected = witnessVersion == 0 ? 1u : 0x2bc830a3u;
        if (check != expected || witnessVersion > 16)
        {
            return false;
        }

        int programBits = (values.Length - 1 - 6) * 5;
        int programBytes = programBits / 8;
        return witnessVersion == 0 ? programBytes is 20 or 32 : programBytes is >= 2 and <= 40;
    }

    /// <summary>Looks up every ASCII character in <paramref name="alphabet"/> (lower-cased first when <paramref name="ignoreCase"/>).</summary>
    private static sbyte[] AlphabetValues(string alphabet, bool ignoreCase)
    {
        var values = new sbyte[128];
        for (int c = 0; c < values.Length; c++)
        {
            values[c] = (sbyte)alphabet.IndexOf(ignoreCase ? char.ToLowerInvariant((char)c) : (char)c, StringComparison.Ordinal);
        }

        return values;
    }

    /// <summary>One step of the bech32 checksum: shifts in <paramref name="value"/> and folds in the generator terms of the bits shifted out.</summary>
    private static uint PolyMod(uint check, byte value) => (((check & 0x1ffffff) << 5) ^ value) ^ s_polyModTerms[(check >> 25) & 31];

    /// <summary>For each value of the five bits shifted out of the checksum, the XOR of the generator terms its set bits select.</summary>
    private static uint[] PolyModTerms()
    {
        ReadOnlySpan<uint> generator = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
        var terms = new uint[32];
        for (int top = 0; top < terms.Length; top++)
        {
            for (int k = 0; k < generator.Length; k++)
            {
                if ((top & (1 << k)) != 0)
                {
                    terms[top] ^= generator[k];
                }
            }
        }

        return terms;
    }
}
