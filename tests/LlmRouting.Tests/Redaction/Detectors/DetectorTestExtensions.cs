namespace LlmRouting.Tests.Redaction.Detectors;

internal static class DetectorTestExtensions
{
    /// <summary>Runs <paramref name="detector"/> and returns the matched values with their types.</summary>
    public static List<(string Type, string Value, string? Subtype)> Find(this IPiiDetector detector, string text)
    {
        var matches = new List<PiiMatch>();
        detector.Detect(text, matches);
        return matches.Select(m => (m.EntityType, text.Substring(m.Start, m.Length), m.Subtype)).ToList();
    }

    /// <summary>Returns the values of <paramref name="type"/> found in <paramref name="text"/>.</summary>
    public static List<string> Values(this IPiiDetector detector, string text, string type) =>
        detector.Find(text).Where(m => m.Type == type).Select(m => m.Value).ToList();
}
