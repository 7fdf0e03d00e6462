using System.Text.RegularExpressions;

namespace LlmRouting;

/// <summary>Detects payment card numbers (13–19 digits, optionally grouped by spaces or dashes) that pass the Luhn check.</summary>
public sealed partial class CreditCardDetector : IPiiDetector
{
    /// <inheritdoc/>
    public IReadOnlyCollection<string> EntityTypes { get; } = [PiiEntityTypes.CreditCard];

    /// <inheritdoc/>
    public void Detect(string text, List<PiiMatch> matches)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(matches);
        foreach (ValueMatch m in CardPattern().EnumerateMatches(text))
        {
            if (IsLuhnValid(text.AsSpan(m.Index, m.Length)))
            {
                matches.Add(new PiiMatch(m.Index, m.Length, PiiEntityTypes.CreditCard));
            }
        }
    }

    /// <summary>Checks the Luhn (mod 10) checksum of the digits in <paramref name="candidate"/>, ignoring separators.</summary>
    /// <param name="candidate">Digits, possibly with spaces or dashes.</param>
    /// <returns><see langword="true"/> if there are 13 to 19 digits and the checksum holds.</returns>
    public static bool IsLuhnValid(ReadOnlySpan<char> candidate)
    {
        int sum = 0, digits = 0;
        bool doubleIt = false;
        for (int i = candidate.Length - 1; i >= 0; i--)
        {
            char c = candidate[i];
            if (c is ' ' or '-')
            {
                continue;
            }

            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            int d = c - '0';
            if (doubleIt)
            {
                d *= 2;
                if (d > 9)
                {
                    d -= 9;
                }
            }

            sum += d;
            digits++;
            doubleIt = !doubleIt;
        }

        return digits is >= 13 and <= 19 && sum % 10 == 0;
    }

    [GeneratedRegex(@"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])", RegexOptions.CultureInvariant)]
    private static partial Regex CardPattern();
}
