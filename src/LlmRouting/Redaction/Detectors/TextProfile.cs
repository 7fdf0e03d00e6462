namespace LlmRouting;

/// <summary>
/// Cheap facts about a text, computed once per scan by <see cref="CompositePiiDetector"/> and shared by the number-based
/// detectors so that each can skip a text that cannot contain its entity (a card needs 12 digits in one group of numbers).
/// </summary>
internal readonly struct TextProfile
{
    private TextProfile(int maxDigitCluster) => MaxDigitCluster = maxDigitCluster;

    /// <summary>Gets the largest number of digits in one cluster: digit groups joined by single spaces, dashes, dots, slashes or brackets.</summary>
    public int MaxDigitCluster { get; }

    /// <summary>Computes the profile of <paramref name="text"/> (one vectorised pass when there are no digits).</summary>
    public static TextProfile Of(string text)
    {
        ReadOnlySpan<char> span = text.AsSpan();
        int max = 0;
        int i = span.IndexOfAny(DetectorText.Digits);
        while (i >= 0 && i < span.Length)
        {
            int digits = 0;
            while (i < span.Length)
            {
                char c = span[i];
                if (char.IsAsciiDigit(c))
                {
                    digits++;
                    i++;
                }
                else if (c is ' ' or '-' or '.' or '/' or '(' or ')' && i + 1 < span.Length && (char.IsAsciiDigit(span[i + 1]) || span[i + 1] == '('))
                {
                    i++;
                }
                else
                {
                    break;
                }
            }

            max = Math.Max(max, digits);
            if (i >= span.Length)
            {
                break;
            }

            int next = span[i..].IndexOfAny(DetectorText.Digits);
            i = next < 0 ? -1 : i + next;
        }

        return new TextProfile(max);
    }
}

/// <summary>A detector that can use a <see cref="TextProfile"/> computed once for all detectors.</summary>
internal interface IProfiledPiiDetector : IPiiDetector
{
    /// <summary>Adds the matches in <paramref name="text"/> to <paramref name="matches"/>, using <paramref name="profile"/> to skip hopeless texts.</summary>
    void Detect(string text, List<PiiMatch> matches, in TextProfile profile);
}
