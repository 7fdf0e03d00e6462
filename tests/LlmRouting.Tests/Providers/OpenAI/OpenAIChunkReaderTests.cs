using System.Text;
using System.Text.Json;

namespace LlmRouting.Tests.Providers.OpenAI;

/// <summary>The streaming fast path reads the common chunk shape exactly as the source-generated deserializer does, and declines everything else.</summary>
public sealed class OpenAIChunkReaderTests
{
    private const string Head = """{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1756473212,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_560af6e559",""";

    [TestCase(Head + """ "choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"q5Vx"}""")]
    [TestCase(Head + """ "choices":[{"index":0,"delta":{"content":" Gr\u00fc\u00dfe \"quoted\" \\ \ud83d\udc4b"},"logprobs":null,"finish_reason":null}],"usage":null}""")]
    [TestCase(Head + """ "choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}""")]
    [TestCase(Head + """ "choices":[{"index":0,"delta":{"reasoning_content":"Let me think."},"finish_reason":null}]}""")]
    [TestCase(Head + """ "choices":[{"index":0,"delta":{"refusal":"I can't help with that."},"finish_reason":null}]}""")]
    [TestCase(Head + """ "choices":[{"index":0,"delta":{"content":"a","tool_calls":[]},"finish_reason":null}]}""")]
    [TestCase(Head + """ "choices":[]}""")]
    [TestCase("""{"choices":[{"delta":{"content":"x"},"index":1,"finish_reason":"length","extra":{"nested":[1,{"a":null}]}}],"model":"m"}""")]
    public void Common_chunks_read_the_same_as_the_deserializer(string json)
    {
        var reader = new OpenAIChunkReader();

        bool read = reader.TryRead(Encoding.UTF8.GetBytes(json), out OpenAIChatCompletionDto? fast);
        OpenAIChatCompletionDto general = JsonSerializer.Deserialize(json, OpenAIJsonContext.Default.OpenAIChatCompletionDto)!;

        Assert.That(read, Is.True);
        Assert.That(Describe(fast!), Is.EqualTo(Describe(general)));
    }

    [TestCase(Head + """ "choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"f","arguments":""}}]},"finish_reason":null}]}""")]
    [TestCase(Head + """ "choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}""")]
    [TestCase("""{"error":{"message":"Overloaded","type":"overloaded_error"}}""")]
    [TestCase(Head + """ "choices":[{"index":0,"message":{"role":"assistant","content":"whole"},"finish_reason":"stop"}]}""")]
    [TestCase(Head + """ "choices":[{"index":"0","delta":{"content":"x"}}]}""")]
    [TestCase(Head + """ "choices":[{"index":0,"delta":{"content":[{"type":"text","text":"parts"}]}}]}""")]
    [TestCase(Head + """ "choices":[{"index":0,"delta":{"content":"x"}}]} trailing""")]
    [TestCase(Head + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x")]
    [TestCase("[]")]
    [TestCase("")]
    public void Other_shapes_are_left_to_the_deserializer(string json)
    {
        var reader = new OpenAIChunkReader();

        Assert.That(reader.TryRead(Encoding.UTF8.GetBytes(json), out _), Is.False);
    }

    [Test]
    public void Repeated_ids_and_models_are_one_string_per_stream()
    {
        var reader = new OpenAIChunkReader();
        byte[] chunk = Encoding.UTF8.GetBytes(Head + """ "choices":[{"index":0,"delta":{"content":"x"}}]}""");

        reader.TryRead(chunk, out OpenAIChatCompletionDto? first);
        reader.TryRead(chunk, out OpenAIChatCompletionDto? second);

        Assert.That(second!.Id, Is.SameAs(first!.Id));
        Assert.That(second.Model, Is.SameAs(first.Model));
        Assert.That(second.Object, Is.SameAs(first.Object));
    }

    private static string Describe(OpenAIChatCompletionDto dto) =>
        $"{dto.Id}|{dto.Object}|{dto.Created}|{dto.Model}|{dto.Usage is null}|{dto.Error is null}|" +
        string.Join(";", (dto.Choices ?? []).Select(c =>
            $"{c.Index}:{c.FinishReason}:{c.Message is null}:{c.Delta is null}:{c.Delta?.Role}:{c.Delta?.Content}:{c.Delta?.Refusal}:{c.Delta?.ReasoningContent}:{c.Delta?.ToolCalls?.Count}"));
}
