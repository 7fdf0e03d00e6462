using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;

namespace LlmRouting.Benchmarks;

/// <summary>
/// The shipped complexity model on a 2 KB prompt (aim: ≤ 20 µs, no allocation), and the <c>auto</c> policy ranking three
/// deployments for it (estimate + expected quality + order).
/// </summary>
[MemoryDiagnoser]
public class ComplexityModelBenchmarks
{
    private ComplexityModel _model = null!;
    private string _prompt = null!;
    private List<ChatMessage> _messages = null!;
    private ComplexityRoutingPolicy _policy = null!;
    private RoutingCandidate[] _candidates = null!;
    private RoutingPolicyContext _context = null!;

    [GlobalSetup]
    public void Setup()
    {
        _model = ComplexityModel.Default;
        // A realistic 2 KB mixed prompt: prose, a code fragment, numbers and a question.
        const string Block = """
            We are migrating the billing service to the new ledger API. Below is the current reconciliation loop:

            ```csharp
            foreach (var invoice in invoices.Where(i => i.Status == Status.Open))
            {
                decimal due = invoice.Lines.Sum(l => l.Quantity * l.UnitPrice) - invoice.Paid;
                if (due > 0.01m) { ledger.Post(invoice.Id, due, DateTime.UtcNow); }
            }
            ```

            It runs for 4,812 invoices per night and takes 37 minutes. Explain why it is slow, propose a batched version,
            and estimate the new running time if each ledger call costs 120 ms and a batch of 50 costs 400 ms?

            """;
        _prompt = string.Concat(Enumerable.Repeat(Block, 10))[..2048];
        _messages = [new ChatMessage(ChatRole.System, "You are a senior engineer."), new ChatMessage(ChatRole.User, _prompt)];
        static Deployment Tier(string name, decimal input, decimal output, double index) => new(name, "openai", name, new ModelInfo
        {
            Provider = "openai",
            ModelId = name,
            Pricing = new ModelPricing { InputPerToken = input, OutputPerToken = output },
            Priors = new ModelPriors { IntelligenceIndex = index },
        });
        RequestProfile profile = RequestProfile.Create(_messages, null, 256);
        _candidates =
        [
            new RoutingCandidate(Tier("mini", 0.00000015m, 0.0000006m, 7), 0.0003m),
            new RoutingCandidate(Tier("mid", 0.000001m, 0.000004m, 20), 0.0015m),
            new RoutingCandidate(Tier("frontier", 0.000005m, 0.000025m, 50), 0.009m),
        ];
        _context = new RoutingPolicyContext(_candidates, profile, _messages, null);
        _policy = new ComplexityRoutingPolicy();
    }

    [Benchmark(Baseline = true)]
    public ComplexityEstimate EstimateText() => _model.Estimate(_prompt.AsSpan());

    [Benchmark]
    public ComplexityEstimate EstimateMessages() => _model.Estimate(_messages);

    [Benchmark]
    public IReadOnlyList<RoutingCandidate> RankThree() => _policy.Rank(_context);
}
