using System.Text.RegularExpressions;

namespace LlmRouting;

/// <summary>Detects e-mail addresses.</summary>
public sealed partial class EmailDetector : IPiiDetector
{
    /// <inheritdoc/>
    public IReadOnlyCollection<string> EntityTypes { get; } = [PiiEntityTypes.EmailAddress];

    /// <inheritdoc/>
    public void Detect(string text, List<PiiMatch> matches)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(matches);
        if (text.IndexOf('@', StringComparison.Ordinal) < 0)
        {
            return;
        }

        foreach (ValueMatch m in EmailPattern().EnumerateMatches(text))
        {
            matches.Add(new PiiMatch(m.Index, m.Length, PiiEntityTypes.EmailAddress));
        }
    }

    [GeneratedRegex(@"(?<![\w.%+-])[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,63})@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![\w-])", RegexOptions.CultureInvariant)]
    private static partial Regex EmailPattern();
}
