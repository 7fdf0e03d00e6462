namespace LlmRouting.Tests;

[TestFixture]
public class ComplexityModelTests
{
    // An everyday request. (A bare greeting is not a good "easy" example: the training benchmarks have no small talk, and short
    // questions resemble their exact-match trivia sets, so the model rates them harder than they are; see the README.)
    internal const string Everyday = "Translate 'good morning' into French.";

    internal const string HardTask = """
        Prove that for every integer n ≥ 1 the sum 1^3 + 2^3 + … + n^3 equals (n(n+1)/2)^2, then write a Python function
        `check(n: int) -> bool` that verifies the identity for all k ≤ n in O(n) time without floating point, explain why
        the loop invariant holds, and derive the closed form of Σ_{k=1}^{n} k^4 step by step using the same technique.
        """;

    [Test]
    public void The_default_model_loads_from_the_embedded_resource()
    {
        using Stream? resource = typeof(ComplexityModel).Assembly.GetManifestResourceStream(ComplexityModel.ResourceName);
        Assert.That(resource, Is.Not.Null, "the weights ship inside the LlmRouting assembly");

        ComplexityModel model = ComplexityModel.Default;
        Assert.That(model, Is.SameAs(ComplexityModel.Default));
        Assert.That(model.Description, Does.Contain("_dev.jsonl").And.Not.Contain("_test"), "trained on dev files only");
        Assert.That(model.Slope, Is.GreaterThan(0));
        Assert.That(model.TraitNames, Is.Not.Empty);
        Assert.That(model.TraitNames, Has.All.Not.Contain(':'), "trait names are configuration keys");
        Assert.That(model.TraitNames, Has.Some.StartsWith("task."));
    }

    [Test]
    public void Save_and_load_round_trip_gives_identical_estimates()
    {
        using var stream = new MemoryStream();
        ComplexityModel.Default.Save(stream);
        stream.Position = 0;
        ComplexityModel copy = ComplexityModel.Load(stream);
        Assert.That(copy.Estimate(HardTask), Is.EqualTo(ComplexityModel.Default.Estimate(HardTask)));
        Assert.That(copy.Description, Is.EqualTo(ComplexityModel.Default.Description));
    }

    [Test]
    public void Load_rejects_other_and_truncated_files()
    {
        Assert.Throws<InvalidDataException>(() => ComplexityModel.Load(new MemoryStream("not a model at all"u8.ToArray())));

        using var stream = new MemoryStream();
        ComplexityModel.Default.Save(stream);
        byte[] truncated = stream.ToArray()[..(int)(stream.Length / 2)];
        Assert.Throws<InvalidDataException>(() => ComplexityModel.Load(new MemoryStream(truncated)));
    }

    [Test]
    public void An_everyday_request_needs_less_than_a_multi_step_proof_and_code_task()
    {
        ComplexityEstimate easy = ComplexityModel.Default.Estimate(Everyday);
        ComplexityEstimate hard = ComplexityModel.Default.Estimate(HardTask);
        Assert.That(hard.RequiredIntelligenceIndex, Is.GreaterThan(easy.RequiredIntelligenceIndex + 5));
        Assert.That(hard.Score, Is.GreaterThan(easy.Score));
        Assert.That(easy.Score, Is.InRange(0.0, 1.0));
        Assert.That(hard.Score, Is.InRange(0.0, 1.0));
        // The same model is expected to do worse on the hard task.
        Assert.That(hard.ExpectedQuality(10), Is.LessThan(easy.ExpectedQuality(10)));
    }

    [Test]
    public void Estimates_are_deterministic_and_use_the_last_user_message()
    {
        ComplexityEstimate direct = ComplexityModel.Default.Estimate(HardTask);
        ChatMessage[] conversation =
        [
            new(ChatRole.System, "You are a helpful assistant."),
            new(ChatRole.User, Everyday),
            new(ChatRole.Assistant, "Hello! How can I help?"),
            new(ChatRole.User, HardTask),
            new(ChatRole.Assistant, "Let me think."),
        ];
        Assert.That(ComplexityModel.Default.Estimate(conversation), Is.EqualTo(direct));
        Assert.That(ComplexityModel.Default.Estimate(conversation.AsEnumerable().Select(m => m)), Is.EqualTo(direct), "lazy sequences too");
        Assert.That(ComplexityModel.Default.Estimate(HardTask), Is.EqualTo(direct));
    }

    [Test]
    public void Task_family_traits_are_probabilities()
    {
        ComplexityEstimate estimate = ComplexityModel.Default.Estimate(HardTask);
        double sum = 0;
        for (int t = 0; t < estimate.TraitCount; t++)
        {
            if (estimate.GetTraitName(t).StartsWith("task.", StringComparison.Ordinal))
            {
                Assert.That(estimate.GetTrait(t), Is.InRange(0.0, 1.0));
                sum += estimate.GetTrait(t);
            }
        }

        Assert.That(sum, Is.EqualTo(1.0).Within(1e-5));
        Assert.Throws<ArgumentOutOfRangeException>(() => estimate.GetTrait(estimate.TraitCount));
    }

    [Test]
    public void Expected_quality_rises_with_the_index_and_inverts_to_a_minimum_index()
    {
        ComplexityEstimate e = ComplexityModel.Default.Estimate(HardTask);
        Assert.That(e.ExpectedQuality(e.RequiredIntelligenceIndex), Is.EqualTo(0.5).Within(1e-12));
        Assert.That(e.ExpectedQuality(e.RequiredIntelligenceIndex + 10), Is.GreaterThan(e.ExpectedQuality(e.RequiredIntelligenceIndex + 1)));
        Assert.That(e.ExpectedQuality(e.MinimumIntelligenceIndex(0.9)), Is.EqualTo(0.9).Within(1e-9));
        Assert.Throws<ArgumentOutOfRangeException>(() => e.MinimumIntelligenceIndex(1.0));

        // A trait loading shifts the logit by loading × trait value.
        string top = Enumerable.Range(0, e.TraitCount).Select(e.GetTraitName).MaxBy(n => e.GetTrait(Enumerable.Range(0, e.TraitCount).First(i => e.GetTraitName(i) == n)))!;
        Assert.That(e.ExpectedQuality(e.RequiredIntelligenceIndex, new Dictionary<string, double> { [top] = -3 }), Is.LessThan(0.5));
    }

    [Test]
    public void An_estimate_allocates_nothing()
    {
        ComplexityModel model = ComplexityModel.Default;
        string prompt = string.Concat(Enumerable.Repeat(HardTask, 5));
        model.Estimate(prompt);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            model.Estimate(prompt);
        }

        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }

    [Test]
    public void Custom_estimates_validate_their_arguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ComplexityEstimate(1.5, 10, 0.2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ComplexityEstimate(0.5, double.NaN, 0.2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ComplexityEstimate(0.5, 10, 0));
        Assert.Throws<ArgumentException>(() => new ComplexityEstimate(0.5, 10, 0.2, ["a", "b"], [1.0]));
        var e = new ComplexityEstimate(0.5, 10, 0.2, ["task.x"], [0.25]);
        Assert.That(e.GetTrait(0), Is.EqualTo(0.25));
        Assert.That(e.GetTraitName(0), Is.EqualTo("task.x"));
        Assert.That(e.ExpectedQuality(10, new Dictionary<string, double> { ["task.x"] = 4 }), Is.EqualTo(1 / (1 + Math.Exp(-1))).Within(1e-12));
    }
}
