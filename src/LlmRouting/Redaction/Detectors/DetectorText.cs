using System.Buffers;

namespace LlmRouting;

/// <summary>Small text helpers shared by the detectors (context words, character classes, entropy).</summary>
internal static class DetectorText
{
    /// <summary>ASCII digits.</summary>
    public static readonly SearchValues<char> Digits = SearchValues.Create("0123456789");

    /// <summary>Returns whether <paramref name="c"/> is a letter, digit or underscore.</summary>
    public static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_';

    /// <summary>Returns whether one of <paramref name="keywords"/> occurs in the <paramref name="window"/> characters before <paramref name="index"/>.</summary>
    public static bool KeywordBefore(string text, int index, int window, SearchValues<string> keywords)
    {
        int from = Math.Max(0, index - window);
        return text.AsSpan(from, index - from).IndexOfAny(keywords) >= 0;
    }

    /// <summary>Returns whether one of <paramref name="keywords"/> occurs in the <paramref name="window"/> characters after <paramref name="index"/>.</summary>
    public static bool KeywordAfter(string text, int index, int window, SearchValues<string> keywords)
    {
        int to = Math.Min(text.Length, index + window);
        return index < to && text.AsSpan(index, to - index).IndexOfAny(keywords) >= 0;
    }

    /// <summary>Computes the Shannon entropy of <paramref name="value"/> in bits per character.</summary>
    public static double Entropy(ReadOnlySpan<char> value)
    {
        if (value.Length == 0)
        {
            return 0;
        }

        Span<int> counts = stackalloc int[128];
        counts.Clear();
        int other = 0;
        foreach (char c in value)
        {
            if (c < 128)
            {
                counts[c]++;
            }
            else
            {
                other++;
            }
        }

        double entropy = 0, n = value.Length;
        foreach (int count in counts)
        {
            if (count > 0)
            {
                double p = count / n;
                entropy -= p * Math.Log2(p);
            }
        }

        if (other > 0)
        {
            double p = other / n;
            entropy -= p * Math.Log2(p);
        }

        return entropy;
    }

    /// <summary>Counts the ASCII digits in <paramref name="value"/>.</summary>
    public static int CountDigits(ReadOnlySpan<char> value)
    {
        int n = 0;
        foreach (char c in value)
        {
            if (char.IsAsciiDigit(c))
            {
                n++;
            }
        }

        return n;
    }
}

/// <summary>A match position in the whole text (a <see cref="System.Text.RegularExpressions.ValueMatch"/> found in a slice, shifted).</summary>
internal readonly record struct ValueMatchAt(int Index, int Length);
