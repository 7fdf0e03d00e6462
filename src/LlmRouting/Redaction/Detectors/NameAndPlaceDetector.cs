namespace LlmRouting;

internal sealed class NameAndPlaceDetector : IPiiDetector
{
    public NameAndPlaceDetector(bool person, bool location, bool address)
    {
        EntityTypes = new[] { person ? PiiEntityTypes.Person : null, location ? PiiEntityTypes.Location : null, address ? PiiEntityTypes.Address : null }.OfType<string>().ToArray();
    }

    public IReadOnlyCollection<string> EntityTypes { get; }

    public void Detect(string text, List<PiiMatch> matches)
    {
    }
}
