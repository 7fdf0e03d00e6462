using LlmRouting.Testing;
using static LlmRouting.Tests.Testing.SimulatedTestHelpers;

namespace LlmRouting.Tests.Testing;

public class SimulatedChatClientUsageTests
{
    [Test]
    public async Task Input_tokens_are_estimated_from_all_message_text_and_output_tokens_from_the_reply([Values] bool streaming)
    {
        using var client = new SimulatedChatClient();
        client.EnqueueReplies(new string('r', 40));
        List<ChatMessage> messages =
        [
            new(ChatRole.System, new string('s', 20)),
            new(ChatRole.User, new string('u', 60)),
            new(ChatRole.Assistant, [new FunctionCallContent("c1", "fn")]),
            new(ChatRole.Tool, [new FunctionResultContent("c1", new string('t', 18))]),
        ];

        ChatResponse response = await GetAsync(client, streaming, messages);

        using (Assert.EnterMultipleScope())
        {
            // 20 + 60 + 2 ("fn") + 18 = 100 characters -> 25 tokens; 40 characters -> 10 tokens.
            Assert.That(response.Usage!.InputTokenCount, Is.EqualTo(25));
            Assert.That(response.Usage.OutputTokenCount, Is.EqualTo(10));
            Assert.That(response.Usage.TotalTokenCount, Is.EqualTo(35));
            Assert.That(response.Usage.CachedInputTokenCount, Is.Null);
            Assert.That(response.Usage.ReasoningTokenCount, Is.Null);
            Assert.That(response.Usage.AdditionalCounts, Is.Null);
        }
    }

    [Test]
    public async Task Token_counts_are_at_least_one([Values] bool streaming)
    {
        using var client = new SimulatedChatClient();
        client.EnqueueReplies("ok");

        ChatResponse response = await GetAsync(client, streaming, "hi");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.Usage!.InputTokenCount, Is.EqualTo(1));
            Assert.That(response.Usage.OutputTokenCount, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task Characters_per_token_is_configurable([Values] bool streaming)
    {
        using var client = new SimulatedChatClient(new SimulatedProviderOptions { CharactersPerToken = 2 });
        client.EnqueueReplies(new string('r', 10));

        ChatResponse response = await GetAsync(client, streaming, new string('u', 40));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.Usage!.InputTokenCount, Is.EqualTo(20));
            Assert.That(response.Usage.OutputTokenCount, Is.EqualTo(5));
        }
    }

    [Test]
    public async Task Cached_input_cache_writes_and_reasoning_follow_the_fractions([Values] bool streaming)
    {
        using var client = new SimulatedChatClient(new SimulatedProviderOptions
        {
            CachedInputFraction = 0.5,
            CacheWriteInputFraction = 0.25,
            ReasoningTokenRatio = 3,
        });
        client.EnqueueReplies(new string('r', 40));

        ChatResponse response = await GetAsync(client, streaming, new string('u', 400));

        UsageDetails usage = response.Usage!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(usage.InputTokenCount, Is.EqualTo(100));
            Assert.That(usage.CachedInputTokenCount, Is.EqualTo(50));
            Assert.That(usage.AdditionalCounts![LlmUsageKeys.CacheWriteInputTokens], Is.EqualTo(25));
            Assert.That(usage.ReasoningTokenCount, Is.EqualTo(30));
            Assert.That(usage.OutputTokenCount, Is.EqualTo(40), "output includes reasoning");
            Assert.That(usage.TotalTokenCount, Is.EqualTo(140));
        }
    }

    [Test]
    public async Task Fixed_cached_and_reasoning_tokens_override_the_fractions_and_are_clamped([Values] bool streaming)
    {
        using var client = new SimulatedChatClient(new SimulatedProviderOptions
        {
            CachedInputFraction = 0.1,
            CachedInputTokens = 1_000,
            CacheWriteInputFraction = 0.5,
            ReasoningTokenRatio = 10,
            ReasoningTokens = 7,
        });
        client.EnqueueReplies(new string('r', 40));

        ChatResponse response = await GetAsync(client, streaming, new string('u', 40));

        UsageDetails usage = response.Usage!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(usage.InputTokenCount, Is.EqualTo(10));
            Assert.That(usage.CachedInputTokenCount, Is.EqualTo(10), "clamped to the input");
            Assert.That(usage.AdditionalCounts![LlmUsageKeys.CacheWriteInputTokens], Is.Zero, "no input left to write");
            Assert.That(usage.ReasoningTokenCount, Is.EqualTo(7));
            Assert.That(usage.OutputTokenCount, Is.EqualTo(17));
        }
    }

    [Test]
    public async Task Explicit_usage_of_a_scripted_reply_is_reported_verbatim([Values] bool streaming)
    {
        using var client = new SimulatedChatClient(new SimulatedProviderOptions { CachedInputFraction = 0.9 });
        var usage = new UsageDetails
        {
            InputTokenCount = 1234,
            OutputTokenCount = 56,
            TotalTokenCount = 1290,
            AdditionalCounts = new AdditionalPropertiesDictionary<long> { ["custom"] = 3 },
        };
        client.EnqueueReplies(new SimulatedReply("x") { Usage = usage }, new SimulatedReply("y") { Usage = usage });

        ChatResponse response = await GetAsync(client, streaming, "q");
        ChatResponse again = await GetAsync(client, streaming, "q");

        AssertSameUsage(response.Usage, usage);
        AssertSameUsage(again.Usage, usage);
        Assert.That(response.Usage, Is.Not.SameAs(usage));
    }

    [Test]
    public async Task Usage_is_the_last_streamed_content_only()
    {
        using var client = new SimulatedChatClient();
        client.EnqueueReplies("several words in this reply");

        List<ChatResponseUpdate> updates = await StreamAsync(client, Prompt("q"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(updates.SelectMany(u => u.Contents).OfType<UsageContent>().Count(), Is.EqualTo(1));
            Assert.That(updates[^1].Contents[^1], Is.TypeOf<UsageContent>());
        }
    }

    [Test]
    public async Task Usage_prices_through_model_pricing([Values] bool streaming)
    {
        using var client = new SimulatedChatClient(new SimulatedProviderOptions { CachedInputFraction = 0.5, ReasoningTokenRatio = 1 });
        client.EnqueueReplies(new string('r', 40));
        var pricing = new ModelPricing { InputPerToken = 1m, CachedInputPerToken = 0.1m, OutputPerToken = 10m, ReasoningPerToken = 20m };

        ChatResponse response = await GetAsync(client, streaming, new string('u', 80));

        // 20 input (10 cached), 20 output (10 reasoning): 10*1 + 10*0.1 + 10*10 + 10*20.
        Assert.That(pricing.CalculateCost(response.Usage), Is.EqualTo(311m));
    }

    [Test]
    public async Task Context_window_overflow_fails_with_context_length_exceeded([Values] bool streaming)
    {
        using var client = new SimulatedChatClient(new SimulatedProviderOptions { ContextWindow = 30 });

        ChatResponse fits = await GetAsync(client, streaming, new string('u', 80), new ChatOptions { MaxOutputTokens = 10 });
        LlmProviderException? ex = await Assert.CatchAsync<LlmProviderException>(
            async () => await GetAsync(client, streaming, new string('u', 80), new ChatOptions { MaxOutputTokens = 11 }));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(fits.Usage!.InputTokenCount, Is.EqualTo(20));
            Assert.That(ex!.Kind, Is.EqualTo(LlmErrorKind.ContextLengthExceeded));
            Assert.That(ex.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.BadRequest));
            Assert.That(client.LastCall!.Fault, Is.EqualTo(SimulatedFaultKind.ContextLengthExceeded));
        }
    }
}
