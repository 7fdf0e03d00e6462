using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;

namespace LlmRouting.Benchmarks;

/// <summary>The full chain (router → redactor → failover → telemetry → dispatcher) over an in-memory provider, against the bare provider.</summary>
[MemoryDiagnoser]
public class ChainOverheadBenchmarks : IDisposable
{
    private const int Chunks = 100;
    private IChatClient _bare = null!;
    private IChatClient _chain = null!;
    private List<ChatMessage> _messages = null!;

    [GlobalSetup]
    public void Setup()
    {
        _bare = new InMemoryChatClient(Chunks);
        var registry = new ProviderRegistry();
        var cheap = new ModelInfo { Provider = "openai", ModelId = "gpt-4o-mini", Pricing = new ModelPricing { InputPerToken = 0.00000015m, OutputPerToken = 0.0000006m }, ContextWindow = 128_000, Capabilities = ModelCapabilities.Tools | ModelCapabilities.Streaming };
        var premium = new ModelInfo { Provider = "openai", ModelId = "gpt-4o", Pricing = new ModelPricing { InputPerToken = 0.0000025m, OutputPerToken = 0.00001m }, ContextWindow = 128_000, Capabilities = ModelCapabilities.Tools | ModelCapabilities.Streaming };
        registry.Add(new Deployment("premium", "openai", "gpt-4o", premium), _bare);
        registry.Add(new Deployment("cheap", "openai", "gpt-4o-mini", cheap), _bare);
        _chain = new ChatClientBuilder(new DeploymentDispatcherChatClient(registry)).UseLlmRouting(registry).Build();

        // A 1 KB prompt with no personal data.
        string prompt = string.Concat(Enumerable.Repeat("Summarise the quarterly report and list the three largest risks. ", 16))[..1024];
        _messages = [new ChatMessage(ChatRole.System, "You are a concise analyst."), new ChatMessage(ChatRole.User, prompt)];
    }

    public void Dispose()
    {
        _chain?.Dispose();
        _bare?.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark(Baseline = true)]
    public Task<ChatResponse> Bare() => _bare.GetResponseAsync(_messages);

    [Benchmark]
    public Task<ChatResponse> Chain() => _chain.GetResponseAsync(_messages);

    [Benchmark]
    public Task<int> BareStreaming() => StreamCounting.CountAsync(_bare, _messages);

    [Benchmark]
    public Task<int> ChainStreaming() => StreamCounting.CountAsync(_chain, _messages);
}
