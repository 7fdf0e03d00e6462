namespace LlmRouting;

/// <summary>Finds sensitive values of one or more entity types in text. Implementations must be thread-safe and allocation-light.</summary>
public interface IPiiDetector
{
    /// <summary>Gets the entity types this detector reports.</summary>
    IReadOnlyCollection<string> EntityTypes { get; }

    /// <summary>Adds every match found in <paramref name="text"/> to <paramref name="matches"/>.</summary>
    /// <param name="text">The text to scan.</param>
    /// <param name="matches">The list to add matches to.</param>
    void Detect(string text, List<PiiMatch> matches);
}
