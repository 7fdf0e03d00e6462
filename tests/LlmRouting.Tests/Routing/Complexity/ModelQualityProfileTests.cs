namespace LlmRouting.Tests;

[TestFixture]
public class ModelQualityProfileTests
{
    private static readonly string[] Prompts =
    [
        ComplexityModelTests.Everyday,
        ComplexityModelTests.HardTask,
        "What is the capital of France?",
        "Translate 'good morning' into Spanish.",
        "Write a SQL query that returns the top 3 customers by total order value per country, with ties broken by name.",
        "A train leaves at 3 pm at 60 km/h; another leaves the same station at 4 pm at 80 km/h. When does the second catch up?",
        "Which of these is a mammal?\nA. Shark\nB. Dolphin\nC. Trout\nD. Octopus\nAnswer:",
        "Implement a lock-free multi-producer single-consumer queue in C++ and prove it linearizable.",
        "Summarise the plot of Hamlet in two sentences.",
        "def add(a, b):\n    \"\"\"Return the sum of a and b.\"\"\"\n",
    ];

    [Test]
    public void Fit_recovers_the_index_that_generated_the_qualities()
    {
        const double TrueIndex = 12.5;
        ComplexityModel model = ComplexityModel.Default;
        // Soft labels: the expected quality of a model at the true index, repeated over varied prompts.
        GradedPrompt[] samples = Enumerable.Range(0, 20).SelectMany(_ => Prompts)
            .Select(p => new GradedPrompt(p, model.Estimate(p).ExpectedQuality(TrueIndex)))
            .ToArray();

        ModelQualityProfile profile = ModelQualityProfile.Fit(model, samples, fitTraits: false);
        Assert.That(profile.IntelligenceIndex, Is.EqualTo(TrueIndex).Within(0.05));
        Assert.That(profile.TraitLoadings, Is.Empty);

        ModelQualityProfile withTraits = ModelQualityProfile.Fit(model, samples);
        Assert.That(withTraits.IntelligenceIndex, Is.EqualTo(TrueIndex).Within(0.5));
        Assert.That(withTraits.TraitLoadings.Keys, Is.EquivalentTo(model.TraitNames));
        Assert.That(withTraits.TraitLoadings.Values, Has.All.InRange(-0.5, 0.5), "no trait explains anything beyond the index");
    }

    [Test]
    public void A_model_that_fails_one_kind_of_prompt_gets_a_negative_loading_for_it()
    {
        ComplexityModel model = ComplexityModel.Default;
        const string Code = "def add(a, b):\n    \"\"\"Return the sum of a and b.\"\"\"\n";
        GradedPrompt[] samples = Enumerable.Range(0, 30).SelectMany(_ => Prompts)
            .Select(p => new GradedPrompt(p, p == Code ? 0.0 : model.Estimate(p).ExpectedQuality(20)))
            .ToArray();
        ModelQualityProfile profile = ModelQualityProfile.Fit(model, samples);
        ComplexityEstimate code = model.Estimate(Code);
        Assert.That(code.ExpectedQuality(profile.IntelligenceIndex!.Value, profile.TraitLoadings), Is.LessThan(0.5 * code.ExpectedQuality(20)));
    }

    [Test]
    public void Fit_rejects_bad_input()
    {
        Assert.Throws<ArgumentException>(() => ModelQualityProfile.Fit(ComplexityModel.Default, []));
        Assert.Throws<ArgumentException>(() => ModelQualityProfile.Fit(ComplexityModel.Default, [new GradedPrompt("x", 1.5)]));
        Assert.Throws<ArgumentException>(() => ModelQualityProfile.Fit(ComplexityModel.Default, [new GradedPrompt("x", 1)], loadingPenalty: -1));
    }
}
