namespace LlmRouting.Tests.Redaction.Detectors;

[TestFixture]
public class NameAndPlaceDetectorTests
{
    private static readonly IPiiDetector Names = PiiDetectors.Create(PiiEntityTypes.Person, PiiEntityTypes.Location, PiiEntityTypes.Address);

    [Test]
    public void Finds_people_places_and_addresses()
    {
        var found = Names.Find("Please draft a polite reply to Olga Moreau, who lives at 2972 Birch Way, Denver and moved here from Madagascar.");
        Assert.That(found.Select(f => (f.Type, f.Value)), Is.SupersetOf(new[]
        {
            (PiiEntityTypes.Person, "Olga Moreau"),
            (PiiEntityTypes.Location, "Madagascar"),
        }));
        Assert.That(found.Where(f => f.Type == PiiEntityTypes.Address).Select(f => f.Value), Has.Some.Contains("2972 Birch Way"));
    }

    [Test]
    public void Address_blocks_are_addresses()
    {
        var found = Names.Find("Gregory Kudryashov\n\n233 Erzsébet tér 19.\n Suite 282\n Domoszló\n Hungary 34796");
        Assert.That(found, Does.Contain((PiiEntityTypes.Person, "Gregory Kudryashov", (string?)null)));
        Assert.That(found.Where(f => f.Type == PiiEntityTypes.Address).Select(f => f.Value), Has.Some.Contains("Suite 282"));
    }

    [Test]
    public void Prose_without_names_yields_nothing()
    {
        Assert.That(Names.Find("Summarise the quarterly report in five bullet points and list the three largest risks."), Is.Empty);
    }

    [Test]
    public void The_gazetteer_and_the_model_are_embedded()
    {
        Assert.That(Gazetteer.Default.WordCount, Is.GreaterThan(50_000));
        Assert.That(NerTagger.Default, Is.Not.Null);
        Assert.That(NerTagger.Default!.FeatureCount, Is.GreaterThan(10_000));
        Assert.That(Gazetteer.Default.Lookup("madagascar") & GazetteerFlags.Country, Is.EqualTo(GazetteerFlags.Country));
    }
}
