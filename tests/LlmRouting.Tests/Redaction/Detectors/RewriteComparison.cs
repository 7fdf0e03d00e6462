using System.Text.RegularExpressions;

namespace LlmRouting.Tests.Redaction.Detectors;

/// <summary>
/// Shared by the tests that compare a hand-written scanner or a rewritten detector with what it replaces: random inputs, and
/// the comparison itself (every input must give the same matches; the count of matches shows the inputs exercised matching).
/// </summary>
internal static class RewriteComparison
{
    /// <summary><paramref name="count"/> strings of <paramref name="minLength"/> to <paramref name="maxLength"/> - 1 characters drawn from <paramref name="alphabet"/>.</summary>
    public static IEnumerable<string> RandomStrings(Random random, string alphabet, int minLength, int maxLength, int count) =>
        Enumerable.Range(0, count).Select(_ =>
            new string(Enumerable.Range(0, random.Next(minLength, maxLength)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray()));

    /// <summary>Compares a window scanner with the pattern's matches in every window; returns how many matches there were.</summary>
    public static int Compare(Regex pattern, WindowScanner scanner, IEnumerable<string> windows)
    {
        int matched = 0;
        foreach (string window in windows)
        {
            List<(int, int)> expected = [];
            foreach (ValueMatch m in pattern.EnumerateMatches(window))
            {
                expected.Add((m.Index, m.Length));
            }

            List<(int, int)> actual = [];
            for (int position = 0; scanner(window, ref position, out ValueMatchAt found);)
            {
                actual.Add((found.Index, found.Length));
            }

            matched += expected.Count;
            Assert.That(actual, Is.EqualTo(expected), window);
        }

        return matched;
    }

    /// <summary>Compares a detector with the one it replaces on every text (matches in start order); returns how many matches there were.</summary>
    public static int Compare(IPiiDetector reference, IPiiDetector detector, IEnumerable<string> texts)
    {
        int matched = 0;
        foreach (string text in texts)
        {
            List<(int, int, string, string?)> expected = Run(reference, text), actual = Run(detector, text);
            matched += expected.Count;
            Assert.That(actual, Is.EqualTo(expected), text);
        }

        return matched;
    }

    /// <summary>The matches in start order (the previous wallet scan reported segwit addresses after all others).</summary>
    private static List<(int Start, int Length, string Type, string? Subtype)> Run(IPiiDetector detector, string text)
    {
        var matches = new List<PiiMatch>();
        detector.Detect(text, matches);
        return matches.Select(m => (m.Start, m.Length, m.EntityType, m.Subtype)).OrderBy(m => m.Start).ToList();
    }
}
