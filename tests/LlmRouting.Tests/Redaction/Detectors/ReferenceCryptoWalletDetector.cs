using System.Buffers;
using System.Security.Cryptography;

namespace LlmRouting.Tests.Redaction.Detectors;

/// <summary>
/// The wallet detector as it was before it was rewritten for speed (two trigger scans, alphabet look-ups by string search,
/// a branching checksum step), kept unchanged as the reference the rewrite must agree with.
/// </summary>
internal sealed class ReferenceCryptoWalletDetector : IPiiDetector
{
    private const string Base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    private const string Bech32Alphabet = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

    private static readonly SearchValues<char> s_digitTriggers = SearchValues.Create("013");
    private static readonly SearchValues<string> s_bech32Triggers = SearchValues.Create(["bc1", "tb1"], StringComparison.OrdinalIgnoreCase);
    private static readonly SearchValues<char> s_hex = SearchValues.Create("0123456789abcdefABCDEF");
    private static readonly SearchValues<char> s_alphaNum = SearchValues.Create("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    public IReadOnlyCollection<string> EntityTypes { get; } = [PiiEntityTypes.CryptoWallet];

    public void Detect(string text, List<PiiMatch> matches)
    {
        // Addresses start a token with "0x", a base58 '1'/'3', or "bc1"/"tb1", followed by 25+ alphanumerics.
        ReadOnlySpan<char> span = text.AsSpan();
        int i = 0;
        while (i < span.Length)
        {
            int hit = span[i..].IndexOfAny(s_digitTriggers);
            if (hit < 0)
            {
                break;
            }

            i = Consider(text, i + hit, matches);
        }

        i = 0;
        while (i < span.Length)
        {
            int hit = span[i..].IndexOfAny(s_bech32Triggers);
            if (hit < 0)
            {
                break;
            }

            i = Consider(text, i + hit, matches);
        }
    }

    /// <summary>Checks the token starting at <paramref name="at"/>; returns where to continue.</summary>
    private static int Consider(string text, int at, List<PiiMatch> matches)
    {
        ReadOnlySpan<char> span = text.AsSpan();
        if (at > 0 && DetectorText.IsWordChar(span[at - 1]))
        {
            // Inside a word: so is every later position of this word, so continue after it.
            int next = at + 1;
            while (next < span.Length && DetectorText.IsWordChar(span[next]))
            {
                next++;
            }

            return next;
        }

        if ((at > 0 && span[at - 1] is '/' or '+' or '=' or '.' or '-')
            || (span[at] == '0' && !(at + 1 < span.Length && span[at + 1] is 'x' or 'X')))
        {
            return at + 1;
        }

        int run = span[at..].IndexOfAnyExcept(s_alphaNum);
        if (run < 0)
        {
            run = span.Length - at;
        }

        if (run < 26 || (at + run < span.Length && span[at + run] is '/' or '+' or '=' or '-' or '_'))
        {
            return at + Math.Max(1, run);
        }

        ReadOnlySpan<char> value = span.Slice(at, run);
        string? subtype = value switch
        {
            ['0', 'x' or 'X', ..] => value.Length == 42 && value[2..].IndexOfAnyExcept(s_hex) < 0 ? "eth" : null,
            ['b' or 'B' or 't' or 'T', _, '1', ..] => IsSegwitValid(value) ? "btc_bech32" : null,
            ['1', ..] => value.Length <= 35 && IsBase58CheckValid(value, 0x00) ? "btc_p2pkh" : null,
            ['3', ..] => value.Length <= 35 && IsBase58CheckValid(value, 0x05) ? "btc_p2sh" : null,
            _ => null,
        };
        if (subtype is not null)
        {
            matches.Add(new PiiMatch(at, run, PiiEntityTypes.CryptoWallet) { Subtype = subtype });
        }

        return at + run;
    }

    /// <summary>Decodes a base58check string and checks its length (25 bytes), version byte and double SHA-256 checksum.</summary>
    private static bool IsBase58CheckValid(ReadOnlySpan<char> value, byte version)
    {
        Span<byte> bytes = stackalloc byte[32];
        bytes.Clear();
        int length = 0; // significant bytes, little-endian at the end of the buffer
        foreach (char c in value)
        {
            int digit = Base58Alphabet.IndexOf(c, StringComparison.Ordinal);
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
    private static bool IsSegwitValid(ReadOnlySpan<char> value)
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
            int v = Bech32Alphabet.IndexOf(char.ToLowerInvariant(data[i]), StringComparison.Ordinal);
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

    private static uint PolyMod(uint check, byte value)
    {
        uint top = check >> 25;
        check = ((check & 0x1ffffff) << 5) ^ value;
        if ((top & 1) != 0)
        {
            check ^= 0x3b6a57b2;
        }

        if ((top & 2) != 0)
        {
            check ^= 0x26508e6d;
        }

        if ((top & 4) != 0)
        {
            check ^= 0x1ea119fa;
        }

        if ((top & 8) != 0)
        {
            check ^= 0x3d4233dd;
        }

        if ((top & 16) != 0)
        {
            check ^= 0x2a1462b3;
        }

        return check;
    }
}
