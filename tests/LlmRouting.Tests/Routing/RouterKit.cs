using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using LlmRouting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace LlmRouting.Tests.Routing;

/// <summary>How a test deployment answers: text, usage, latency (on the fake clock), failures.</summary>
internal sealed class Behaviour
{
    public string Answer { get; set; } = "ok";

    public Func<IReadOnlyList<ChatMessage>, ChatOptions?, string>? AnswerFactory { get; set; }

    /// <summary>Time to first token, advanced on the fake clock.</summary>
    public TimeSpan TimeToFirstToken { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Time after the first token, advanced on the fake clock.</summary>
    public TimeSpan Generation { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>A real delay (for concurrency tests), before answering.</summary>
    public TimeSpan RealDelay { get; set; }

    public int InputTokens { get; set; } = 10;

    public int OutputTokens { get; set; } = 20;

    public ChatFinishReason FinishReason { get; set; } = ChatFinishReason.Stop;

    public IList<AIContent> ExtraContents { get; } = [];

    /// <summary>Returns an exception to throw for call number n (1-based), or null.</summary>
    public Func<int, Exception?>? Fail { get; set; }

    public int Calls;
}

/// <summary>A router chain over callback deployments on a fake clock, for routing tests.</summary>
internal sealed class RouterKit
{
    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 2, 10, 0, 0, TimeSpan.Zero));

    public ProviderRegistry Registry { get; } = new();

    public Dictionary<string, Behaviour> Behaviours { get; } = new(StringComparer.OrdinalIgnoreCase);

    public ConcurrentQueue<(string Deployment, ChatOptions? Options)> Calls { get; } = new();

    public CostRouterChatClient Router { get; private set; } = null!;

    public static ModelInfo Model(
        string provider, string id, decimal inPerM, decimal outPerM, ModelCapabilities caps = ModelCapabilities.Tools | ModelCapabilities.Streaming,
        double? ttftSeconds = null, double? tokensPerSecond = null, double? intelligence = null, int? context = 128_000) => new()
        {
            Provider = provider,
            ModelId = id,
            Pricing = new ModelPricing { InputPerToken = inPerM / 1_000_000m, OutputPerToken = outPerM / 1_000_000m },
            Capabilities = caps,
            ContextWindow = context,
            Priors = ttftSeconds is null && tokensPerSecond is null && intelligence is null ? null : new ModelPriors
            {
                TimeToFirstTokenSeconds = ttftSeconds,
                OutputTokensPerSecond = tokensPerSecond,
                IntelligenceIndex = intelligence,
            },
        };

    public Behaviour Add(string name, ModelInfo info, int priority = 0, double weight = 1, string? region = null, bool isLocal = false)
    {
        var deployment = new Deployment(name, info.Provider, info.ModelId, info) { Priority = priority, Weight = weight, Region = region, IsLocal = isLocal };
        var behaviour = new Behaviour();
        Behaviours[name] = behaviour;
        Registry.Add(deployment, new TestChatClient
        {
            GetResponseAsyncCallback = (messages, options, ct) => RespondAsync(name, behaviour, messages.ToList(), options, ct),
            GetStreamingResponseAsyncCallback = (messages, options, ct) => StreamAsync(name, behaviour, messages.ToList(), options, ct),
        });
        return behaviour;
    }

    /// <summary>Builds router → redaction → resilience → telemetry → dispatcher, all on the fake clock.</summary>
    public IChatClient Build(Action<CostRouterChatClient>? configure = null, int maxAttempts = 3)
    {
        ServiceProvider services = new ServiceCollection().AddSingleton<TimeProvider>(Time).BuildServiceProvider();
        return new ChatClientBuilder(new DeploymentDispatcherChatClient(Registry))
            .UseCostRouter(Registry, r =>
            {
                r.Statistics = new InMemoryRoutingStatisticsStore(TimeSpan.FromMinutes(5), Time);
                r.BudgetStore = new InMemoryBudgetStore(Time);
                configure?.Invoke(r);
                Router = r;
            })
            .UseRedaction()
            .UseResilience(r =>
            {
                r.MaxAttempts = maxAttempts;
                // The fake clock only moves when a deployment advances it: no backoff or recovery waits, no circuits (routing tests
                // count calls per deployment); each candidate is tried once, in rank order.
                r.Options.Retry.MaxRetryAttempts = 0;
                r.Options.WaitForRecovery = false;
                r.Options.CircuitBreaker.Enabled = false;
            })
            .UseRoutingTelemetry()
            .Build(services);
    }

    public string[] CallsTo() => Calls.Select(c => c.Deployment).ToArray();

    private async Task<ChatResponse> RespondAsync(string name, Behaviour b, List<ChatMessage> messages, ChatOptions? options, CancellationToken ct)
    {
        int call = Interlocked.Increment(ref b.Calls);
        Calls.Enqueue((name, options));
        if (b.RealDelay > TimeSpan.Zero)
        {
            await Task.Delay(b.RealDelay, ct);
        }

        ct.ThrowIfCancellationRequested();
        Time.Advance(b.TimeToFirstToken);
        if (b.Fail?.Invoke(call) is { } ex)
        {
            throw ex;
        }

        Time.Advance(b.Generation);
        var message = new ChatMessage(ChatRole.Assistant, Text(b, messages, options));
        foreach (AIContent c in b.ExtraContents)
        {
            message.Contents.Add(c);
        }

        return new ChatResponse(message)
        {
            ModelId = options?.ModelId,
            ResponseId = "resp-" + name,
            FinishReason = b.FinishReason,
            Usage = new UsageDetails { InputTokenCount = b.InputTokens, OutputTokenCount = b.OutputTokens, TotalTokenCount = b.InputTokens + b.OutputTokens },
        };
    }

    private async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(
        string name, Behaviour b, List<ChatMessage> messages, ChatOptions? options, [EnumeratorCancellation] CancellationToken ct)
    {
        int call = Interlocked.Increment(ref b.Calls);
        Calls.Enqueue((name, options));
        if (b.RealDelay > TimeSpan.Zero)
        {
            await Task.Delay(b.RealDelay, ct);
        }
        else
        {
            await Task.Yield();
        }

        ct.ThrowIfCancellationRequested();
        Time.Advance(b.TimeToFirstToken);
        if (b.Fail?.Invoke(call) is { } ex)
        {
            throw ex;
        }

        string text = Text(b, messages, options);
        string[] words = text.Length == 0 ? [] : text.Split(' ');
        for (int i = 0; i < words.Length; i++)
        {
            ct.ThrowIfCancellationRequested();
            if (i == 1)
            {
                Time.Advance(b.Generation);
            }

            yield return new ChatResponseUpdate(ChatRole.Assistant, (i == 0 ? "" : " ") + words[i]) { ModelId = options?.ModelId, ResponseId = "resp-" + name, MessageId = "msg-" + name };
        }

        if (words.Length < 2)
        {
            Time.Advance(b.Generation);
        }

        var final = new ChatResponseUpdate
        {
            Role = ChatRole.Assistant,
            ModelId = options?.ModelId,
            ResponseId = "resp-" + name,
            MessageId = "msg-" + name,
            FinishReason = b.FinishReason,
            Contents = [new UsageContent(new UsageDetails { InputTokenCount = b.InputTokens, OutputTokenCount = b.OutputTokens })],
        };
        foreach (AIContent c in b.ExtraContents)
        {
            final.Contents.Add(c);
        }

        yield return final;
    }

    private static string Text(Behaviour b, List<ChatMessage> messages, ChatOptions? options) => b.AnswerFactory?.Invoke(messages, options) ?? b.Answer;
}
