extern alias eval;

using eval::LlmRouting.Eval.Routing;

namespace LlmRouting.Tests;

/// <summary>
/// The shipped model on dev prompts it was not trained on: the trainer leaves a fixed 2% of each <c>_dev</c> file out (a hash of
/// the prompt id) and writes them to <c>Routing/Complexity/Data/*_heldout.jsonl</c> with every model's recorded quality.
/// </summary>
[TestFixture]
public class ComplexityHeldOutTests
{
    private static readonly string[] s_files = ["routellm_heldout.jsonl", "llmrouter_heldout.jsonl"];

    private static RoutingDataFile Load(string name) =>
        RoutingDataFile.Load(Path.Combine(TestContext.CurrentContext.TestDirectory, "Routing", "Complexity", "Data", name));

    /// <summary>How hard a prompt was in the data: the share of the file's models that did not answer it well.</summary>
    private static double Hardness(RoutingPrompt prompt) => 1 - prompt.Quality.Average();

    [TestCaseSource(nameof(s_files))]
    public void The_held_out_prompts_were_not_trained_on(string name)
    {
        RoutingDataFile file = Load(name);
        Assert.That(file.Prompts, Has.Count.GreaterThan(50));
        Assert.That(ComplexityModel.Default.Description, Does.Contain("held out"), "the shipped model records that it was trained without them");
    }

    [TestCaseSource(nameof(s_files))]
    public void Harder_prompts_score_higher(string name)
    {
        RoutingDataFile file = Load(name);
        var scored = file.Prompts.Select(p => (Hardness: Hardness(p), Score: ComplexityModel.Default.Estimate(p.Prompt).Score)).ToArray();

        // Pairwise ranking accuracy (an AUC): of two prompts of different hardness, how often the harder one scores higher.
        long concordant = 0, pairs = 0;
        for (int i = 0; i < scored.Length; i++)
        {
            for (int j = 0; j < scored.Length; j++)
            {
                if (scored[i].Hardness > scored[j].Hardness + 0.2)
                {
                    pairs++;
                    concordant += scored[i].Score > scored[j].Score ? 1 : 0;
                }
            }
        }

        double auc = concordant / (double)pairs;
        TestContext.Out.WriteLine($"{name}: {file.Prompts.Count} prompts, {pairs} pairs, ranking accuracy {auc:F3}");
        Assert.That(auc, Is.GreaterThan(0.6), "random scores give 0.5");

        double easy = scored.Where(s => s.Hardness <= 0.25).Average(s => s.Score);
        double hard = scored.Where(s => s.Hardness >= 0.75).Average(s => s.Score);
        Assert.That(hard, Is.GreaterThan(easy));
    }

    [Test]
    public async Task The_auto_policy_sends_held_out_prompts_the_cheap_model_failed_to_the_stronger_model_more_often([Values] bool streaming)
    {
        RoutingDataFile file = Load("routellm_heldout.jsonl");
        int weak = file.Models.ToList().IndexOf("mistralai/Mixtral-8x7B-Instruct-v0.1");
        Assume.That(weak, Is.GreaterThanOrEqualTo(0));

        var h = new ChainHarness();
        h.Add(Tier("small", 0.15m, 0.6m, 7), "small answer");
        h.Add(Tier("frontier", 2.5m, 10m, 35), "frontier answer");
        IChatClient chat = new ChatClientBuilder(new DeploymentDispatcherChatClient(h.Registry))
            .UseCostRouter(h.Registry, r => r.Policy = new ComplexityRoutingPolicy(new ComplexityRoutingOptions { QualityValueUsd = 0.05 }))
            .UseRedaction()
            .UseResilience()
            .UseRoutingTelemetry()
            .Build();

        int failedUp = 0, failed = 0, passedUp = 0, passed = 0;
        foreach (RoutingPrompt prompt in file.Prompts)
        {
            bool up = (await chat.AskAsync(streaming, prompt.Prompt)).GetRoutingReport()!.Deployment == "frontier";
            if (prompt.Quality[weak] < 0.5)
            {
                failed++;
                failedUp += up ? 1 : 0;
            }
            else
            {
                passed++;
                passedUp += up ? 1 : 0;
            }
        }

        TestContext.Out.WriteLine($"to frontier: {failedUp}/{failed} of prompts the cheap model failed, {passedUp}/{passed} of those it passed");
        Assert.That(failedUp / (double)failed, Is.GreaterThan(passedUp / (double)passed));
        Assert.That(passedUp, Is.LessThan(passed), "not everything goes to the frontier model");
        Assert.That(failedUp, Is.GreaterThan(0), "not everything stays on the cheap model");
    }

    private static Deployment Tier(string name, decimal inPerM, decimal outPerM, double index) => new(name, "openai", name + "-model", new ModelInfo
    {
        Provider = "openai",
        ModelId = name + "-model",
        Pricing = new ModelPricing { InputPerToken = inPerM / 1_000_000m, OutputPerToken = outPerM / 1_000_000m },
        Capabilities = ModelCapabilities.Streaming,
        ContextWindow = 128_000,
        Priors = new ModelPriors { IntelligenceIndex = index },
    });
}
