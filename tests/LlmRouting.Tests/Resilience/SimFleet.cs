using LlmRouting.Chaos;
using LlmRouting.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace LlmRouting.Tests;

/// <summary>The full chain over simulated deployments on a virtual clock, for resilience tests.</summary>
internal sealed class SimFleet
{
    public SimFleet(VirtualClock? clock = null) => Clock = clock ?? new VirtualClock();

    public VirtualClock Clock { get; }

    public ProviderRegistry Registry { get; } = new();

    public Dictionary<string, SimulatedChatClient> Clients { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets the options; tests change them before the first request.</summary>
    public ResilienceOptions Options { get; } = new();

    public ResilienceChatClient? Resilience { get; private set; }

    public IDeploymentHealth Health => Resilience!.Health;

    /// <summary>Adds a deployment answering "{name}: {prompt}", priced so that deployments added earlier are cheaper.</summary>
    public SimulatedChatClient Add(string name, Action<SimulatedProviderOptions>? configure = null, int? contextWindow = 128_000, decimal? pricePerMillion = null)
    {
        string model = "model-" + name;
        decimal price = pricePerMillion ?? (Clients.Count + 1);
        var info = new ModelInfo
        {
            Provider = "simulated",
            ModelId = model,
            Pricing = new ModelPricing { InputPerToken = price / 1_000_000m, OutputPerToken = price * 2 / 1_000_000m },
            Capabilities = ModelCapabilities.Tools | ModelCapabilities.Streaming,
            ContextWindow = contextWindow,
        };
        var options = new SimulatedProviderOptions
        {
            TimeProvider = Clock,
            DeploymentName = name,
            ModelId = model,
            RetryAfter = null,
            ReplyFunction = (messages, _) => $"{name} says: {messages.LastOrDefault(m => m.Role == ChatRole.User)?.Text}",
        };
        configure?.Invoke(options);
        var client = new SimulatedChatClient(options);
        Registry.Add(new Deployment(name, "simulated", model, info), client);
        Clients[name] = client;
        return client;
    }

    public IChatClient Build(Action<ResilienceChatClient>? configure = null) => Build(null, null, configure);

    /// <summary>Builds the chain with its circuit states and request counts shared through stores.</summary>
    public IChatClient Build(ICircuitStateStore? circuits, IRateLimitCounterStore? counters, Action<ResilienceChatClient>? configure = null)
    {
        ServiceProvider services = new ServiceCollection().AddSingleton<TimeProvider>(Clock).BuildServiceProvider();
        return new ChatClientBuilder(new DeploymentDispatcherChatClient(Registry))
            .UseCostRouter(Registry)
            .UseRedaction()
            .Use(inner =>
            {
                Resilience = new ResilienceChatClient(inner, Options, circuits, counters, Clock, null) { Randomizer = () => 0.5 };
                configure?.Invoke(Resilience);
                return Resilience;
            })
            .UseRoutingTelemetry()
            .Build(services);
    }

    /// <summary>Sends one request in virtual time.</summary>
    public Task<ChatResponse> AskAsync(IChatClient client, bool streaming, string prompt = "hello", ChatOptions? options = null, CancellationToken ct = default) =>
        Task.FromResult(Clock.Run(() => client.AskAsync(streaming, prompt, options, ct)));

    /// <summary>Sends one request in virtual time and returns how much virtual time it took.</summary>
    public async Task<(ChatResponse Response, TimeSpan Elapsed)> TimedAskAsync(IChatClient client, bool streaming, string prompt = "hello", ChatOptions? options = null)
    {
        DateTimeOffset start = Clock.GetUtcNow();
        ChatResponse response = await AskAsync(client, streaming, prompt, options);
        return (response, Clock.GetUtcNow() - start);
    }

    /// <summary>Sends one request that must fail, in virtual time, and returns the exception and the virtual time it took.</summary>
    public async Task<(T Error, TimeSpan Elapsed)> FailAsync<T>(IChatClient client, bool streaming, string prompt = "hello", ChatOptions? options = null)
        where T : Exception
    {
        DateTimeOffset start = Clock.GetUtcNow();
        try
        {
            await AskAsync(client, streaming, prompt, options);
        }
        catch (T ex)
        {
            return (ex, Clock.GetUtcNow() - start);
        }

        Assert.Fail($"Expected {typeof(T).Name}.");
        throw new InvalidOperationException();
    }

    public static string[] Summary(RoutingReport report) =>
        report.Attempts.Select(a => $"{a.Deployment}:{a.Outcome}{(a.ErrorKind is { } k ? ":" + k.ToTelemetryName() : string.Empty)}").ToArray();
}
