using System.Runtime.CompilerServices;
using LlmRouting.Testing;

namespace LlmRouting.Tests;

/// <summary>Builds the full chain over callback-driven deployments for tests.</summary>
internal sealed class ChainHarness
{
    public ProviderRegistry Registry { get; } = new();

    public Dictionary<string, TestChatClient> Clients { get; } = new(StringComparer.OrdinalIgnoreCase);

    public List<(string Deployment, List<ChatMessage> Messages, ChatOptions? Options)> Calls { get; } = [];

    public static ModelInfo Model(string provider, string id, decimal inPerM, decimal outPerM, ModelCapabilities caps = ModelCapabilities.Tools | ModelCapabilities.Streaming, int? context = 128_000) => new()
    {
        Provider = provider,
        ModelId = id,
        Pricing = new ModelPricing { InputPerToken = inPerM / 1_000_000m, OutputPerToken = outPerM / 1_000_000m },
        Capabilities = caps,
        ContextWindow = context,
    };

    /// <summary>Adds a deployment whose client answers with <paramref name="answer"/> (or runs <paramref name="behaviour"/>).</summary>
    public TestChatClient Add(Deployment deployment, string answer = "ok", Func<int, Exception?>? failOnCall = null, int usageIn = 10, int usageOut = 5)
    {
        int calls = 0;
        var client = new TestChatClient
        {
            GetResponseAsyncCallback = (messages, options, ct) =>
            {
                ct.ThrowIfCancellationRequested();
                lock (Calls)
                {
                    Calls.Add((deployment.Name, messages.ToList(), options));
                }

                if (failOnCall?.Invoke(Interlocked.Increment(ref calls)) is { } ex)
                {
                    throw ex;
                }

                return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, answer))
                {
                    ModelId = options?.ModelId,
                    ResponseId = "resp-" + deployment.Name,
                    FinishReason = ChatFinishReason.Stop,
                    Usage = new UsageDetails { InputTokenCount = usageIn, OutputTokenCount = usageOut, TotalTokenCount = usageIn + usageOut },
                });
            },
            GetStreamingResponseAsyncCallback = (messages, options, ct) =>
            {
                lock (Calls)
                {
                    Calls.Add((deployment.Name, messages.ToList(), options));
                }

                Exception? ex = failOnCall?.Invoke(Interlocked.Increment(ref calls));
                return Stream(answer, options?.ModelId, deployment.Name, ex, usageIn, usageOut, ct);
            },
        };
        Registry.Add(deployment, client);
        Clients[deployment.Name] = client;
        return client;
    }

    public IChatClient Build(Action<ChatClientBuilder>? extra = null)
    {
        var builder = new ChatClientBuilder(new DeploymentDispatcherChatClient(Registry));
        builder.UseLlmRouting(Registry);
        extra?.Invoke(builder);
        return builder.Build();
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> Stream(
        string answer, string? model, string deployment, Exception? failure, int usageIn, int usageOut, [EnumeratorCancellation] CancellationToken ct)
    {
        await Task.Yield();
        ct.ThrowIfCancellationRequested();
        if (failure is not null)
        {
            throw failure;
        }

        foreach (string word in answer.Split(' '))
        {
            ct.ThrowIfCancellationRequested();
            yield return new ChatResponseUpdate(ChatRole.Assistant, word + " ") { ModelId = model, ResponseId = "resp-" + deployment, MessageId = "msg-" + deployment };
        }

        yield return new ChatResponseUpdate
        {
            Role = ChatRole.Assistant,
            ModelId = model,
            ResponseId = "resp-" + deployment,
            MessageId = "msg-" + deployment,
            FinishReason = ChatFinishReason.Stop,
            Contents = [new UsageContent(new UsageDetails { InputTokenCount = usageIn, OutputTokenCount = usageOut })],
        };
    }
}

internal static class ChatClientTestExtensions
{
    /// <summary>Runs a request streaming or not, and returns the merged response.</summary>
    public static async Task<ChatResponse> AskAsync(this IChatClient client, bool streaming, IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken ct = default)
    {
        if (!streaming)
        {
            return await client.GetResponseAsync(messages, options, ct);
        }

        var updates = new List<ChatResponseUpdate>();
        await foreach (ChatResponseUpdate u in client.GetStreamingResponseAsync(messages, options, ct))
        {
            updates.Add(u);
        }

        Assert.That(updates[^1].GetRoutingReport(), Is.Not.Null, "the last update of a routed stream carries the report");
        return updates.ToChatResponse();
    }

    public static Task<ChatResponse> AskAsync(this IChatClient client, bool streaming, string prompt, ChatOptions? options = null, CancellationToken ct = default) =>
        client.AskAsync(streaming, [new ChatMessage(ChatRole.User, prompt)], options, ct);
}
