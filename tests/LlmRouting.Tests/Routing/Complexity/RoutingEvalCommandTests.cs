extern alias eval;

using System.Globalization;
using System.Text;
using System.Text.Json;
using eval::LlmRouting.Eval.Commands;

namespace LlmRouting.Tests;

[TestFixture]
public class RoutingEvalCommandTests
{
    private string _directory = null!;

    [SetUp]
    public void SetUp() => _directory = Directory.CreateTempSubdirectory("llmrouting-eval-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    // Everyday requests both models answer well; multi-step proofs only the strong one does. Costs: the strong model is 100x dearer per character.
    private string WriteFile(string name, int seed)
    {
        var random = new Random(seed);
        var lines = new StringBuilder();
        for (int i = 0; i < 40; i++)
        {
            bool hard = i % 2 == 0;
            string prompt = hard
                ? $"Prove step by step that the sum of the first {random.Next(5, 500)} odd numbers is a perfect square, then write a Python function that checks it for every n up to {random.Next(10, 99)} and explain the loop invariant."
                : $"Translate 'good morning, friend number {random.Next(1, 99)}' into French.";
            double strongQ = hard ? (random.NextDouble() < 0.9 ? 1 : 0) : 1;
            double weakQ = hard ? (random.NextDouble() < 0.1 ? 1 : 0) : 1;
            double cheap = prompt.Length * 1e-8, dear = prompt.Length * 1e-6;
            string models = string.Create(CultureInfo.InvariantCulture, $"\"strong\":{{\"quality\":{strongQ},\"cost_usd\":{dear}}},\"weak\":{{\"quality\":{weakQ},\"cost_usd\":{cheap}}}");
            lines.Append(CultureInfo.InvariantCulture, $"{{\"id\":\"{name}.{i}\",\"source_benchmark\":\"{(hard ? "proof" : "chat")}\",\"prompt\":\"{prompt}\",\"models\":{{{models}}}}}").Append('\n');
        }

        string path = Path.Combine(_directory, name);
        File.WriteAllText(path, lines.ToString());
        return path;
    }

    private static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int exit = await new RoutingCommand().RunAsync(args, output, error, CancellationToken.None);
        return (exit, output.ToString(), error.ToString());
    }

    [Test]
    public async Task Replays_the_file_through_the_router_and_reports_the_metrics([Values] bool streaming)
    {
        string dev = WriteFile("tiny_dev.jsonl", 1), test = WriteFile("tiny_test.jsonl", 2);
        string[] args = streaming ? ["--data", test, "--calibration", dev, "--streaming"] : ["--data", test, "--calibration", dev];
        (int exit, string output, string error) = await RunAsync(args);
        Assert.That(exit, Is.Zero, error);

        using JsonDocument json = JsonDocument.Parse(output.TrimEnd().Split('\n')[^1]);
        JsonElement r = json.RootElement;
        Assert.That(r.GetProperty("prompts").GetInt32(), Is.EqualTo(40));
        Assert.That(r.GetProperty("best_model").GetString(), Is.EqualTo("strong"));
        Assert.That(r.GetProperty("cheapest_model").GetString(), Is.EqualTo("weak"));
        Assert.That(r.GetProperty("random_apgr").GetDouble(), Is.EqualTo(0.5));
        Assert.That(r.GetProperty("oracle_quality").GetDouble(), Is.GreaterThanOrEqualTo(r.GetProperty("best_quality").GetDouble()));
        Assert.That(r.GetProperty("calibration").GetString(), Is.EqualTo("tiny_dev.jsonl"));
        Assert.That(r.GetProperty("calibration_in_sample").GetBoolean(), Is.False);
        Assert.That(r.GetProperty("streaming").GetBoolean(), Is.EqualTo(streaming));
        // Everyday requests are cheap to keep on the weak model at no loss: the router beats random routing clearly.
        Assert.That(r.GetProperty("apgr").GetDouble(), Is.GreaterThan(0.6));
        Assert.That(r.GetProperty("cost_ratio_at_100").GetDouble(), Is.LessThanOrEqualTo(1.0));
        Assert.That(r.GetProperty("max_report_cost_deviation").GetDouble(), Is.LessThan(0.1), "the routing report prices the replayed usage at the file's cost, to whole tokens");
        Assert.That(r.GetProperty("requests").GetInt64(), Is.EqualTo(40L * RoutingCommand.ValueGrid(1).Count()));
    }

    [Test]
    public async Task Calibrates_on_the_matching_dev_file_by_default()
    {
        WriteFile("tiny_dev.jsonl", 1);
        string test = WriteFile("tiny_test.jsonl", 2);
        (int exit, string output, string error) = await RunAsync("--data", test);
        Assert.That(exit, Is.Zero, error);
        using JsonDocument json = JsonDocument.Parse(output.TrimEnd().Split('\n')[^1]);
        Assert.That(json.RootElement.GetProperty("calibration").GetString(), Is.EqualTo("tiny_dev.jsonl"));
        Assert.That(json.RootElement.GetProperty("calibration_in_sample").GetBoolean(), Is.False);

        (exit, output, error) = await RunAsync("--data", test, "--no-calibration");
        Assert.That(exit, Is.Zero, error);
        using JsonDocument uncalibrated = JsonDocument.Parse(output.TrimEnd().Split('\n')[^1]);
        Assert.That(uncalibrated.RootElement.GetProperty("calibration").ValueKind, Is.EqualTo(JsonValueKind.Null));
    }

    [Test]
    public async Task Refuses_to_calibrate_on_anything_but_a_dev_file()
    {
        string test = WriteFile("tiny_test.jsonl", 2);
        (int exit, _, string error) = await RunAsync("--data", test, "--calibration", test);
        Assert.That(exit, Is.EqualTo(2));
        Assert.That(error, Does.Contain("_dev"));
    }

    [Test]
    public async Task Bad_arguments_and_files_are_reported()
    {
        Assert.That((await RunAsync("--bogus")).Exit, Is.EqualTo(2));
        Assert.That((await RunAsync("--data", WriteFile("a_test.jsonl", 3), "--mode", "sideways")).Exit, Is.EqualTo(2));
        string broken = Path.Combine(_directory, "broken_test.jsonl");
        File.WriteAllText(broken, "{\"id\":\"x\",\"prompt\":\"p\"}\n");
        (int exit, _, string error) = await RunAsync("--data", broken);
        Assert.That(exit, Is.EqualTo(1));
        Assert.That(error, Does.Contain("broken_test.jsonl:1"));
    }
}
