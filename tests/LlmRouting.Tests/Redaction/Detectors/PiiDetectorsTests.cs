namespace LlmRouting.Tests.Redaction.Detectors;

[TestFixture]
public class PiiDetectorsTests
{
    private const string Mixed = "Ana Berg (ana.berg@contoso.example, +44 20 7946 0958) paid with 4111 1111 1111 1111 from 203.0.113.45.";

    [Test]
    public void The_default_set_is_every_type_but_names_places_and_addresses()
    {
        Assert.That(PiiDetectors.Default.EntityTypes, Is.EquivalentTo(PiiDetectors.DefaultEntityTypes));
        Assert.That(PiiDetectors.DefaultEntityTypes, Has.None.AnyOf(PiiEntityTypes.Person, PiiEntityTypes.Location, PiiEntityTypes.Address));
        Assert.That(RedactingChatClient.DefaultDetectors(), Is.EqualTo(new[] { PiiDetectors.Default }));
    }

    [Test]
    public void Create_detects_exactly_the_requested_types()
    {
        IPiiDetector detector = PiiDetectors.Create(PiiEntityTypes.EmailAddress, "ip_address");
        Assert.That(detector.EntityTypes, Is.EquivalentTo(new[] { PiiEntityTypes.EmailAddress, PiiEntityTypes.IpAddress }));
        Assert.That(detector.Find(Mixed).Select(m => m.Type), Is.EqualTo(new[] { PiiEntityTypes.EmailAddress, PiiEntityTypes.IpAddress }));
    }

    [Test]
    public void Options_disable_types_and_opt_into_names()
    {
        IPiiDetector detector = PiiDetectors.Create(new PiiDetectorOptions { IncludeNamesAndPlaces = true, DisabledEntityTypes = [PiiEntityTypes.CreditCard] });
        Assert.That(detector.EntityTypes, Does.Contain(PiiEntityTypes.Person).And.Not.Contain(PiiEntityTypes.CreditCard));
        var found = detector.Find(Mixed);
        Assert.That(found, Does.Contain((PiiEntityTypes.Person, "Ana Berg", (string?)null)));
        Assert.That(found.Select(m => m.Type), Does.Not.Contain(PiiEntityTypes.CreditCard));
    }

    [Test]
    public void Unknown_types_and_regions_are_rejected_with_the_setting_named()
    {
        var ex = Assert.Throws<ArgumentException>(() => PiiDetectors.Create("SOCIAL_MEDIA_HANDLE"));
        Assert.That(ex!.Message, Does.Contain("PiiDetectorOptions.EntityTypes").And.Contain("SOCIAL_MEDIA_HANDLE"));
        var ex2 = Assert.Throws<ArgumentException>(() => PiiDetectors.Create(new PiiDetectorOptions { PhoneRegions = ["Germany"] }));
        Assert.That(ex2!.Message, Does.Contain("PhoneRegions"));
    }

    [Test]
    public void Phone_regions_limit_national_formats_but_not_international_ones()
    {
        IPiiDetector usOnly = PiiDetectors.Create(new PiiDetectorOptions { EntityTypes = [PiiEntityTypes.PhoneNumber], PhoneRegions = ["US"] });
        IPiiDetector deOnly = PiiDetectors.Create(new PiiDetectorOptions { EntityTypes = [PiiEntityTypes.PhoneNumber], PhoneRegions = ["DE"] });
        const string German = "Die Nummer ist 030 12345678.";
        Assert.That(deOnly.Values(German, PiiEntityTypes.PhoneNumber), Is.EqualTo(new[] { "030 12345678" }));
        Assert.That(usOnly.Values(German, PiiEntityTypes.PhoneNumber), Is.Empty);
        Assert.That(usOnly.Values("Die Nummer ist +49 30 12345678.", PiiEntityTypes.PhoneNumber), Is.EqualTo(new[] { "+49 30 12345678" }));
    }

    [Test]
    public void Overlaps_resolve_to_the_more_specific_type()
    {
        var matches = new List<PiiMatch>
        {
            new(0, 40, PiiEntityTypes.Url),
            new(8, 20, PiiEntityTypes.Secret) { Subtype = "github_pat" },
            new(50, 10, PiiEntityTypes.PhoneNumber),
            new(50, 16, PiiEntityTypes.CreditCard),
            new(70, 5, PiiEntityTypes.EmailAddress),
            new(72, 6, PiiEntityTypes.EmailAddress),
        };
        CompositePiiDetector.Resolve(matches, 0);
        Assert.That(matches, Is.EqualTo(new[]
        {
            new PiiMatch(8, 20, PiiEntityTypes.Secret) { Subtype = "github_pat" },
            new PiiMatch(50, 16, PiiEntityTypes.CreditCard),
            new PiiMatch(70, 8, PiiEntityTypes.EmailAddress),
        }));
    }

    [Test]
    public void Matches_with_the_same_span_resolve_the_same_whatever_order_the_detectors_reported_them_in()
    {
        PiiMatch[] reported =
        [
            new(10, 12, PiiEntityTypes.PhoneNumber),
            new(10, 12, PiiEntityTypes.UsSsn),
            new(10, 12, "EMPLOYEE_ID"),
            new(10, 12, "BADGE_ID"),
            new(30, 8, PiiEntityTypes.Secret) { Subtype = "b_format" },
            new(30, 8, PiiEntityTypes.Secret) { Subtype = "a_format" },
        ];
        var expected = new[]
        {
            new PiiMatch(10, 12, PiiEntityTypes.UsSsn), // the type that wins overlaps
            new PiiMatch(30, 8, PiiEntityTypes.Secret) { Subtype = "a_format" }, // then by subtype name
        };
        foreach (PiiMatch[] order in new[] { reported, reported.Reverse().ToArray(), [.. reported.Skip(3), .. reported.Take(3)] })
        {
            var matches = new List<PiiMatch>(order);
            CompositePiiDetector.Resolve(matches, 0);
            Assert.That(matches, Is.EqualTo(expected), string.Join(", ", order));
        }

        // Unknown types tie on priority (0): the ordinal type name decides.
        var unknown = new List<PiiMatch> { new(0, 5, "EMPLOYEE_ID"), new(0, 5, "BADGE_ID") };
        CompositePiiDetector.Resolve(unknown, 0);
        Assert.That(unknown, Is.EqualTo(new[] { new PiiMatch(0, 5, "BADGE_ID") }));
    }

    [Test]
    public void Resolving_many_random_matches_agrees_with_a_direct_reading_of_the_rules()
    {
        // The rules: matches are taken by start (longer first, then the type that wins overlaps); a match that overlaps a kept
        // one of its type or of an equal or higher priority extends it (same type) or is dropped; otherwise it replaces every
        // kept match it overlaps. Only the matches after 'first' are resolved.
        string[] types = [PiiEntityTypes.Secret, PiiEntityTypes.Url, PiiEntityTypes.PhoneNumber, PiiEntityTypes.CreditCard, PiiEntityTypes.EmailAddress];
        var random = new Random(6);
        for (int round = 0; round < 300; round++)
        {
            var before = new PiiMatch(0, 3, PiiEntityTypes.Url);
            var matches = new List<PiiMatch> { before };
            int n = random.Next(2, 150);
            for (int i = 0; i < n; i++)
            {
                matches.Add(new PiiMatch(random.Next(0, 400), random.Next(1, 40), types[random.Next(types.Length)]));
            }

            List<PiiMatch> expected = [before, .. ResolveDirectly(matches.Skip(1))];
            CompositePiiDetector.Resolve(matches, 1);
            Assert.That(matches, Is.EqualTo(expected), $"round {round}");
        }

        static List<PiiMatch> ResolveDirectly(IEnumerable<PiiMatch> input)
        {
            int Rank(string type) => Array.IndexOf([PiiEntityTypes.Url, PiiEntityTypes.PhoneNumber, PiiEntityTypes.EmailAddress, PiiEntityTypes.CreditCard, PiiEntityTypes.Secret], type);
            var kept = new List<PiiMatch>();
            foreach (PiiMatch m in input.OrderBy(m => m.Start).ThenByDescending(m => m.Length).ThenByDescending(m => Rank(m.EntityType)))
            {
                int blocker = kept.FindIndex(o => o.End > m.Start && m.End > o.Start && (o.EntityType == m.EntityType || Rank(o.EntityType) >= Rank(m.EntityType)));
                if (blocker >= 0)
                {
                    if (kept[blocker].EntityType == m.EntityType && m.End > kept[blocker].End)
                    {
                        kept[blocker] = kept[blocker] with { Length = m.End - kept[blocker].Start };
                    }

                    continue;
                }

                kept.RemoveAll(o => o.End > m.Start && m.End > o.Start);
                kept.Add(m);
            }

            return [.. kept.OrderBy(m => m.Start).ThenByDescending(m => m.Length).ThenByDescending(m => Rank(m.EntityType))];
        }
    }

    [Test]
    public void User_detectors_compose_with_the_built_in_ones()
    {
        var chain = new RedactingChatClient(new LlmRouting.Testing.TestChatClient(), [PiiDetectors.Default, new EmployeeIdDetector()]);
        string redacted = chain.RedactText("Employee EMP-004211 (ana@example.com) called.");
        Assert.That(redacted, Does.Not.Contain("EMP-004211").And.Not.Contain("ana@example.com"));
    }

    [Test]
    public void Clean_text_is_scanned_without_allocating()
    {
        var matches = new List<PiiMatch>(16);
        string clean = string.Concat(Enumerable.Repeat("Summarise the quarterly report in 5 bullet points; revenue grew 12% to 4.2 million in Q3 2024. ", 10));
        IPiiDetector detector = PiiDetectors.Default;
        detector.Detect(clean, matches); // warm up
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++)
        {
            detector.Detect(clean, matches);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Multiple(() =>
        {
            Assert.That(matches, Is.Empty);
            Assert.That(allocated, Is.Zero);
        });
    }

    [Test]
    public void Detectors_are_thread_safe()
    {
        IPiiDetector detector = PiiDetectors.Create(new PiiDetectorOptions { IncludeNamesAndPlaces = true });
        var expected = detector.Find(Mixed);
        var results = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 200, _ => results.Add(string.Join("|", detector.Find(Mixed))));
        Assert.That(results.Distinct(), Is.EqualTo(new[] { string.Join("|", expected) }));
    }

    private sealed class EmployeeIdDetector : IPiiDetector
    {
        public IReadOnlyCollection<string> EntityTypes { get; } = ["EMPLOYEE_ID"];

        public void Detect(string text, List<PiiMatch> matches)
        {
            for (int i = text.IndexOf("EMP-", StringComparison.Ordinal); i >= 0; i = text.IndexOf("EMP-", i + 1, StringComparison.Ordinal))
            {
                matches.Add(new PiiMatch(i, 10, "EMPLOYEE_ID"));
            }
        }
    }
}
