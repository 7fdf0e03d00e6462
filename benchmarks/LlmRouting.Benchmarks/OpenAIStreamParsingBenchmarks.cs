using System.ClientModel;
using System.ClientModel.Primitives;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;
using OpenAI;

namespace LlmRouting.Benchmarks;

/// <summary>
/// Parses one 2,000-chunk Chat Completions stream through LlmRouting's <see cref="OpenAIChatCompletionsClient"/> and through
/// Microsoft.Extensions.AI.OpenAI (the official OpenAI SDK behind <c>AsIChatClient()</c>), both over the same in-memory
/// <see cref="HttpMessageHandler"/> that replays the same bytes, so only request building and stream parsing are measured.
/// </summary>
/// <remarks>
/// The stream is in OpenAI's exact wire format (<c>chat.completion.chunk</c> objects with <c>service_tier</c>, <c>system_fingerprint</c>,
/// <c>logprobs</c>, <c>obfuscation</c> padding, a role chunk first, a finish chunk, a usage chunk and <c>[DONE]</c>), built once from a
/// fixed text so that every run replays identical bytes.
/// </remarks>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class OpenAIStreamParsingBenchmarks : IDisposable
{
    /// <summary>The number of content chunks in the stream.</summary>
    public const int ContentChunks = 2_000;

    private const string Model = "gpt-4o-mini";
    private const string Key = "sk-benchmark-0000000000000000000000000000";

    private HttpClient _httpClient = null!;
    private IChatClient _ours = null!;
    private IChatClient _official = null!;
    private List<ChatMessage> _messages = null!;

    /// <summary>Gets the recorded stream's bytes.</summary>
    public static byte[] Stream { get; } = BuildStream();

    [GlobalSetup]
    public void Setup()
    {
        _httpClient = new HttpClient(new ReplayHandler(Stream));
        _ours = new OpenAIChatCompletionsClient(_httpClient, new OpenAIChatCompletionsClientOptions { ApiKey = new ApiKeySecret(Key), DefaultModelId = Model });
        _official = new OpenAI.Chat.ChatClient(
            Model,
            new ApiKeyCredential(Key),
            new OpenAIClientOptions { Transport = new HttpClientPipelineTransport(_httpClient), RetryPolicy = new ClientRetryPolicy(0) }).AsIChatClient();
        _messages = [new ChatMessage(ChatRole.User, "Write a long essay about the history of the printing press.")];

        // Both clients must read the same answer from the same bytes, or the comparison means nothing.
        int ours = ConsumeAsync(_ours).GetAwaiter().GetResult();
        int official = ConsumeAsync(_official).GetAwaiter().GetResult();
        if (ours != official || ours == 0)
        {
            throw new InvalidOperationException($"The clients disagree on the streamed text: {ours} vs {official} characters.");
        }
    }

    public void Dispose()
    {
        _ours?.Dispose();
        _official?.Dispose();
        _httpClient?.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark(Baseline = true, Description = "Microsoft.Extensions.AI.OpenAI")]
    public Task<int> OfficialSdk() => ConsumeAsync(_official);

    [Benchmark(Description = "LlmRouting OpenAIChatCompletionsClient")]
    public Task<int> LlmRouting() => ConsumeAsync(_ours);

    /// <summary>Reads the whole stream and returns the number of characters of text received (checked to be the same for both clients).</summary>
    public async Task<int> ConsumeAsync(IChatClient client)
    {
        int characters = 0;
        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync(_messages))
        {
            foreach (AIContent content in update.Contents)
            {
                if (content is TextContent text)
                {
                    characters += text.Text.Length;
                }
            }
        }

        return characters;
    }

    private static byte[] BuildStream()
    {
        string[] words =
        [
            " The", " printing", " press", ",", " developed", " by", " Johannes", " Gutenberg", " around", " 1440", ",", " changed",
            " how", " knowledge", " spread", " across", " Europe", ".", " Movable", " metal", " type", " made", " books", " cheaper",
            " and", " faster", " to", " produce", ";", " literacy", " rose", " and", " ideas", " travelled", " further", " than", " ever", ".",
        ];
        const string Id = "chatcmpl-CBkq3Xa9vJ2mN7pR5sT8uW1yZ4bD6";
        const string Head = "{\"id\":\"" + Id + "\",\"object\":\"chat.completion.chunk\",\"created\":1756473212,\"model\":\"gpt-4o-mini-2024-07-18\",\"service_tier\":\"default\",\"system_fingerprint\":\"fp_560af6e559\",\"choices\":[";
        var sb = new StringBuilder(ContentChunks * 330);
        sb.Append("data: ").Append(Head).Append("{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null,\"obfuscation\":\"q5Vx\"}\n\n");
        for (int i = 0; i < ContentChunks; i++)
        {
            string word = words[i % words.Length];
            sb.Append("data: ").Append(Head)
              .Append("{\"index\":0,\"delta\":{\"content\":\"").Append(word).Append("\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null,\"obfuscation\":\"")
              .Append("abcdefgh", 0, 1 + (i % 8)).Append("\"}\n\n");
        }

        sb.Append("data: ").Append(Head).Append("{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":null,\"obfuscation\":\"Zr\"}\n\n");
        sb.Append("data: ").Append(Head).Append("],\"usage\":{\"prompt_tokens\":19,\"completion_tokens\":")
          .Append(ContentChunks.ToString(CultureInfo.InvariantCulture))
          .Append(",\"total_tokens\":").Append((ContentChunks + 19).ToString(CultureInfo.InvariantCulture))
          .Append(",\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":0},\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0,\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}},\"obfuscation\":\"Kp\"}\n\n");
        sb.Append("data: [DONE]\n\n");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    /// <summary>Answers every request with the same event-stream bytes, without touching the network.</summary>
    private sealed class ReplayHandler(byte[] body) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("text/event-stream");
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content, RequestMessage = request });
        }
    }
}
