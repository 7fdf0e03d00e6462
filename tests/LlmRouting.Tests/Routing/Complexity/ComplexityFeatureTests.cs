namespace LlmRouting.Tests;

[TestFixture]
public class ComplexityFeatureTests
{
    private readonly struct ListSink(List<int> buckets) : IHashedFeatureSink
    {
        public void Add(int bucket) => buckets.Add(bucket);
    }

    private static (List<int> Buckets, float[] Dense) Extract(int hashBits, params string[] pieces)
    {
        var buckets = new List<int>();
        var extractor = new ComplexityFeatureExtractor<ListSink>(hashBits, new ListSink(buckets));
        foreach (string piece in pieces)
        {
            extractor.Append(piece);
        }

        var dense = new float[ComplexityFeatureLayout.DenseCount];
        int count = extractor.Complete(dense);
        Assert.That(count, Is.EqualTo(buckets.Count), "the returned count is the number of hashed occurrences");
        return (buckets, dense);
    }

    [Test]
    public void Extraction_is_deterministic()
    {
        const string Prompt = "Write a Python function `fib(n)` that returns the n-th Fibonacci number.\nExplain its complexity: O(n)?";
        (List<int> a, float[] da) = Extract(18, Prompt);
        (List<int> b, float[] db) = Extract(18, Prompt);
        Assert.That(b, Is.EqualTo(a));
        Assert.That(db, Is.EqualTo(da));
        Assert.That(a, Has.Count.GreaterThan(20));
    }

    [Test]
    public void Hashing_is_pinned_so_a_change_cannot_silently_invalidate_the_shipped_weights()
    {
        // Unigram and bigram buckets of "Hello, world" with 18 bits: hello · , · world, and the bigrams between them.
        (List<int> buckets, _) = Extract(18, "Hello, world");
        Assert.That(buckets, Is.EqualTo(PinnedHelloWorld));
    }

    [Test]
    public void Words_are_case_insensitive_and_numbers_reduce_to_their_length()
    {
        Assert.That(Extract(18, "Hello World").Buckets, Is.EqualTo(Extract(18, "hello world").Buckets));
        Assert.That(Extract(18, "add 123 and 456").Buckets, Is.EqualTo(Extract(18, "add 789 and 012").Buckets));
        Assert.That(Extract(18, "add 12 and 456").Buckets, Is.Not.EqualTo(Extract(18, "add 123 and 456").Buckets));
        Assert.That(Extract(18, "Ünïcode Straße").Buckets, Is.EqualTo(Extract(18, "ünïcode straße").Buckets));
    }

    [Test]
    public void Pieces_behave_like_lines()
    {
        Assert.That(Extract(18, "first part", "second part"), Is.EqualTo(Extract(18, "first part\nsecond part")).Using<(List<int>, float[])>((x, y) => x.Item1.SequenceEqual(y.Item1) && x.Item2.SequenceEqual(y.Item2)));
    }

    [Test]
    public void Buckets_stay_within_the_hash_space([Values(8, 12, 18)] int bits)
    {
        (List<int> buckets, _) = Extract(bits, "int main() { return a[i] * b[j] + 42; } // ∑ π ≤ √x — 漢字 and emoji 🎉");
        Assert.That(buckets, Has.All.InRange(0, (1 << bits) - 1));
    }

    [Test]
    public void Dense_features_count_structure()
    {
        (_, float[] dense) = Extract(18, "Which is prime?\nA. 4\nB. 6\n(C) 7\nD) 9\nAnswer:");
        Assert.That(dense[12], Is.EqualTo(1f), "four multiple-choice options (A. B. (C) D)) scaled by 1/4");
        Assert.That(dense[9], Is.EqualTo(MathF.Log(2f) / 2f).Within(1e-6), "one question mark");
        Assert.That(dense[2], Is.EqualTo(MathF.Log(7f) / 4f).Within(1e-6), "six lines");

        (_, float[] code) = Extract(18, "```\nfor (int i = 0; i < n; i++) { sum += a[i]; }\n```");
        (_, float[] prose) = Extract(18, "Tell me a short story about a friendly dragon.");
        Assert.That(code[8], Is.GreaterThan(prose[8]), "code markers");
        Assert.That(code[7], Is.GreaterThan(prose[7]), "math/operator markers");

        // Exactly one length bin is set, and longer text moves to a higher bin.
        int Bin(float[] d) => Array.IndexOf(d, 1f, ComplexityFeatureLayout.LengthBinStart) - ComplexityFeatureLayout.LengthBinStart;
        Assert.That(prose.Skip(ComplexityFeatureLayout.LengthBinStart).Sum(), Is.EqualTo(1f));
        Assert.That(Bin(Extract(18, new string('a', 5000)).Dense), Is.GreaterThan(Bin(prose)));
    }

    [Test]
    public void Empty_text_has_no_hashed_features()
    {
        (List<int> buckets, float[] dense) = Extract(18, string.Empty);
        Assert.That(buckets, Is.Empty);
        Assert.That(dense[ComplexityFeatureLayout.LengthBinStart], Is.EqualTo(1f));
    }

    // Computed independently (FNV-1a over lower-cased UTF-16 code units, murmur3 finaliser, seeds of ComplexityHashing).
    private static readonly int[] PinnedHelloWorld = [78035, 221895, 39278, 44965, 93621];
}
