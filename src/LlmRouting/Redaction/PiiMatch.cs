namespace LlmRouting;

/// <summary>A detected sensitive value in a text.</summary>
/// <param name="Start">The index of the first character.</param>
/// <param name="Length">The length in characters.</param>
/// <param name="EntityType">The entity type (e.g. <see cref="PiiEntityTypes.EmailAddress"/>).</param>
public readonly record struct PiiMatch(int Start, int Length, string EntityType)
{
    /// <summary>Gets the index just past the last character.</summary>
    public int End => Start + Length;
}
