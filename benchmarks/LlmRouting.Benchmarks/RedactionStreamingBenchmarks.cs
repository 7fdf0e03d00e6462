using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;

namespace LlmRouting.Benchmarks;

/// <summary>
/// Redaction plus placeholder restoration on a streamed answer: 100 chunks, three placeholders each split across two chunks,
/// against the same stream without the redactor. The prompt carries two e-mail addresses and a card number (placeholders on).
/// </summary>
[MemoryDiagnoser]
public class RedactionStreamingBenchmarks : IDisposable
{
    private const int Chunks = 100;
    private ScriptedStreamClient _bare = null!;
    private RedactingChatClient _redactor = null!;
    private ScriptedStreamClient _bareOne = null!;
    private RedactingChatClient _redactorOne = null!;
    private List<ChatMessage> _messages = null!;
    private ChatResponseUpdate[] _withPlaceholders = null!;
    private ChatResponseUpdate[] _plain = null!;
    private Dictionary<string, string> _placeholders = null!;

    [GlobalSetup]
    public void Setup()
    {
        _messages =
        [
            new ChatMessage(ChatRole.System, "You are a concise support agent."),
            new ChatMessage(ChatRole.User, "Please send the refund confirmation to ana.berg@contoso.example and copy j.smith@example.co.uk; the card was 4111 1111 1111 1111."),
        ];

        // The answer repeats the three placeholders the request produces, each split across two chunks.
        _withPlaceholders = new ChatResponseUpdate[Chunks];
        for (int i = 0; i < Chunks; i++)
        {
            _withPlaceholders[i] = Update("tok ");
        }

        (int At, string Head, string Tail)[] splits = [(10, "to <EMA", "IL_1> "), (40, "and <EMAIL", "_2> "), (70, "card <CRED", "IT_CARD_1>. ")];
        foreach ((int at, string head, string tail) in splits)
        {
            _withPlaceholders[at] = Update(head);
            _withPlaceholders[at + 1] = Update(tail);
        }

        _plain = Enumerable.Range(0, Chunks).Select(_ => Update("tok ")).ToArray();
        _placeholders = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["<EMAIL_1>"] = "ana.berg@contoso.example",
            ["<EMAIL_2>"] = "j.smith@example.co.uk",
            ["<CREDIT_CARD_1>"] = "4111 1111 1111 1111",
        };

        _bare = new ScriptedStreamClient(_withPlaceholders);
        _redactor = new RedactingChatClient(_bare);
        _bareOne = new ScriptedStreamClient([Update("Done.")]);
        _redactorOne = new RedactingChatClient(_bareOne);
    }

    private static ChatResponseUpdate Update(string text) => new(ChatRole.Assistant, text) { ResponseId = "resp-1", MessageId = "msg-1", ModelId = "bench-model" };

    public void Dispose()
    {
        _redactor?.Dispose();
        _redactorOne?.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>The stream without the redactor.</summary>
    [Benchmark(Baseline = true)]
    public Task<int> BareStreaming() => StreamCounting.CountAsync(_bare, _messages);

    /// <summary>The stream through the redactor: request redaction (3 values → placeholders) once, then restoration of every chunk.</summary>
    [Benchmark]
    public Task<int> RedactedStreaming() => StreamCounting.CountAsync(_redactor, _messages);

    /// <summary>A one-chunk stream without the redactor: with <see cref="RedactedOneChunk"/>, isolates the per-request cost.</summary>
    [Benchmark]
    public Task<int> BareOneChunk() => StreamCounting.CountAsync(_bareOne, _messages);

    /// <summary>A one-chunk stream through the redactor: the per-request cost (request redaction, restorer, iterator).</summary>
    [Benchmark]
    public Task<int> RedactedOneChunk() => StreamCounting.CountAsync(_redactorOne, _messages);

    /// <summary>Restoration alone over the 100 chunks with three split placeholders.</summary>
    [Benchmark]
    public int RestoreChunks()
    {
        var restorer = new PlaceholderRestorer(_placeholders, "<CREDIT_CARD_1>".Length, AIJsonUtilities.DefaultOptions);
        int length = 0;
        foreach (ChatResponseUpdate update in _withPlaceholders)
        {
            length += restorer.RestoreUpdate(update).Contents.Count;
        }

        return length;
    }

    /// <summary>Restoration alone over 100 chunks that contain no '&lt;' (the common case).</summary>
    [Benchmark]
    public int RestorePlainChunks()
    {
        var restorer = new PlaceholderRestorer(_placeholders, "<CREDIT_CARD_1>".Length, AIJsonUtilities.DefaultOptions);
        int length = 0;
        foreach (ChatResponseUpdate update in _plain)
        {
            length += restorer.RestoreUpdate(update).Contents.Count;
        }

        return length;
    }

    /// <summary>Answers from precomputed updates.</summary>
    private sealed class ScriptedStreamClient(ChatResponseUpdate[] updates) : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(updates.ToChatResponse());

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
            IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            foreach (ChatResponseUpdate update in updates)
            {
                yield return update;
            }

            await Task.CompletedTask.ConfigureAwait(false);
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
