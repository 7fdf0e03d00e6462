namespace LlmRouting.Tests.Redaction.Detectors;

/// <summary>The digit clusters computed once per scan and shared by the number detectors.</summary>
[TestFixture]
public class TextProfileTests
{
    private static List<(int Start, int End, int Digits)> Enumerated(string text)
    {
        var list = new List<(int, int, int)>();
        var clusters = new DigitClusters(text);
        while (clusters.MoveNext())
        {
            list.Add((clusters.Start, clusters.End, clusters.Current.ToString().Count(char.IsAsciiDigit)));
        }

        return list;
    }

    private static List<(int Start, int End, int Digits)> Profiled(in TextProfile profile)
    {
        var list = new List<(int, int, int)>();
        foreach (DigitCluster c in profile.Clusters)
        {
            list.Add((c.Start, c.End, c.Digits));
        }

        return list;
    }

    [TestCase("no digits at all")]
    [TestCase("Call +44 (20) 7946-0958 ext. 12 or 030 1234567; card 4111 1111 1111 1111, IP 203.0.113.45/24, v2.8.1, 12x34")]
    [TestCase("1")]
    [TestCase("ends with a number 42")]
    [TestCase("sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z 7 +1 (5) 12 x 9 a1b22c333")]
    public void The_profile_holds_the_clusters_of_the_text_and_the_largest_digit_count(string text)
    {
        using TextProfile profile = TextProfile.Of(text);

        List<(int Start, int End, int Digits)> all = Enumerated(text);
        Assert.That(Profiled(profile), Is.EqualTo(all.Where(c => c.Digits >= 2).ToList()), "clusters of two or more digits");
        Assert.That(profile.MaxDigitCluster, Is.EqualTo(all.Count == 0 ? 0 : all.Max(c => c.Digits)));
    }

    [Test]
    public void A_text_with_more_clusters_than_the_buffer_grows_it()
    {
        string text = string.Join(" a ", Enumerable.Range(0, 500).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        using TextProfile profile = TextProfile.Of(text);

        Assert.That(profile.Clusters.Length, Is.EqualTo(490), "0 to 9 are lone digits");
        Assert.That(profile.Clusters[489], Is.EqualTo(new DigitCluster(text.Length - 3, text.Length, 3)));
    }

    [Test]
    public void Two_live_profiles_on_one_thread_do_not_share_their_clusters()
    {
        using TextProfile outer = TextProfile.Of("first 123 and 4567");
        using (TextProfile inner = TextProfile.Of("99"))
        {
            Assert.That(Profiled(inner), Is.EqualTo(new[] { (0, 2, 2) }));
        }

        Assert.That(Profiled(outer), Is.EqualTo(new[] { (6, 9, 3), (14, 18, 4) }));
        using TextProfile reused = TextProfile.Of("x 55");
        Assert.That(Profiled(reused), Is.EqualTo(new[] { (2, 4, 2) }));
        Assert.That(Profiled(outer), Is.EqualTo(new[] { (6, 9, 3), (14, 18, 4) }), "the outer profile still owns its buffer");
    }
}
