using LlmRouting;
using LlmRouting.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace TelemetrySample;

/// <summary>Simulated deployments with real catalog prices, realistic latencies and a switchable outage.</summary>
internal static class SampleFleet
{
    public static readonly (string Name, string CatalogModel)[] Deployments =
    [
        ("gemini-flash-lite", "gemini/gemini-2.5-flash-lite"),
        ("gpt-4o-mini", "openai/gpt-4o-mini"),
        ("claude-haiku", "anthropic/claude-haiku-4-5"),
    ];

    public static void Configure(SimulatedProviderFactory factory)
    {
        factory.ConfigureDefaults(o =>
        {
            o.ReplyFunction = static (messages, _) => "A short simulated answer to a prompt of " + (messages.Count > 0 ? messages[^1].Text.Length : 0) + " characters.";
            o.StreamChunkCount = 8;
            o.TimeToFirstToken = TimeSpan.FromMilliseconds(20);
            o.ChunkDelay = TimeSpan.FromMilliseconds(2);
        });
        factory.Configure("claude-haiku", o => o.TimeToFirstToken = TimeSpan.FromMilliseconds(40));
    }

    /// <summary>The cheapest deployment starts answering 429 with Retry-After, so requests fail over.</summary>
    public static void StartOutage(IServiceProvider services)
    {
        SimulatedProviderFactory factory = services.GetServices<IChatProviderFactory>().OfType<SimulatedProviderFactory>().Single();
        factory.GetClient("gemini-flash-lite").Options.FaultRates[SimulatedFaultKind.RateLimited] = 1.0;
    }
}

/// <summary>One request of the batch with the hints the sample attaches.</summary>
internal sealed record SampleRequest(string Prompt, string Tenant, string User, string[] Tags, string Category, bool Streaming)
{
    public const string TenantKey = "sample.tenant";
    public const string UserKey = "sample.user";
    public const string TagsKey = "sample.tags";
    public const string CategoryKey = "sample.category";

    public ChatOptions Options() => new()
    {
        AdditionalProperties = new AdditionalPropertiesDictionary
        {
            [TenantKey] = Tenant,
            [UserKey] = User,
            [TagsKey] = Tags,
            [CategoryKey] = Category,
        },
    };

    public static IReadOnlyList<SampleRequest> Batch()
    {
        string[] tenants = ["acme", "globex", "initech"];
        (string Prompt, string Category, string[] Tags)[] prompts =
        [
            ("What is the capital of Portugal?", "qa", ["feature:chat"]),
            ("Summarise: revenue grew 12% while costs stayed flat across all regions.", "summarisation", ["feature:summary"]),
            ("Write a C# method that reverses a linked list in place.", "code", ["feature:code", "team:platform"]),
            ("Please reply to ana@example.com with the delivery date.", "email", ["feature:mail"]),
        ];
        var batch = new List<SampleRequest>();
        for (int i = 0; i < 24; i++)
        {
            (string prompt, string category, string[] tags) = prompts[i % prompts.Length];
            batch.Add(new SampleRequest(prompt, tenants[i % tenants.Length], "user-" + (i % 5), tags, category, Streaming: i % 2 == 0));
        }

        return batch;
    }
}

/// <summary>Copies the sample's hints from <see cref="ChatOptions.AdditionalProperties"/> into the per-request context.</summary>
internal sealed class SampleHintsChatClient(IChatClient inner) : DelegatingChatClient(inner)
{
    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Apply(options);
        return base.GetResponseAsync(messages, options, cancellationToken);
    }

    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Apply(options);
        return base.GetStreamingResponseAsync(messages, options, cancellationToken);
    }

    private static void Apply(ChatOptions? options)
    {
        if (options?.AdditionalProperties is not { } properties || !LlmRequestContext.TryGet(options, out LlmRequestContext? context))
        {
            return;
        }

        context.Tenant = properties.TryGetValue(SampleRequest.TenantKey, out string? tenant) ? tenant : null;
        context.User = properties.TryGetValue(SampleRequest.UserKey, out string? user) ? user : null;
        context.Tags = properties.TryGetValue(SampleRequest.TagsKey, out string[]? tags) ? tags : [];
        context.PromptCategory = properties.TryGetValue(SampleRequest.CategoryKey, out string? category) ? category : null;
    }
}
