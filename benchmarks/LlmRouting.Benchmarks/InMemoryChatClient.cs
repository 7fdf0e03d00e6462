using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace LlmRouting.Benchmarks;

/// <summary>A provider that answers instantly from precomputed objects, so benchmarks measure only the layers above it.</summary>
internal sealed class InMemoryChatClient : IChatClient
{
    private readonly ChatResponse _response;
    private readonly ChatResponseUpdate[] _updates;

    public InMemoryChatClient(int chunks)
    {
        _response = new ChatResponse(new ChatMessage(ChatRole.Assistant, "The answer is forty-two."))
        {
            ResponseId = "resp-1",
            ModelId = "bench-model",
            FinishReason = ChatFinishReason.Stop,
            Usage = new UsageDetails { InputTokenCount = 256, OutputTokenCount = 100, TotalTokenCount = 356 },
        };
        _updates = new ChatResponseUpdate[chunks];
        for (int i = 0; i < chunks; i++)
        {
            _updates[i] = new ChatResponseUpdate(ChatRole.Assistant, "tok ") { ResponseId = "resp-1", MessageId = "msg-1", ModelId = "bench-model" };
        }

        _updates[^1] = new ChatResponseUpdate
        {
            Role = ChatRole.Assistant,
            ResponseId = "resp-1",
            MessageId = "msg-1",
            ModelId = "bench-model",
            FinishReason = ChatFinishReason.Stop,
            Contents = [new UsageContent(new UsageDetails { InputTokenCount = 256, OutputTokenCount = 100 })],
        };
    }

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(_response);

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (ChatResponseUpdate update in _updates)
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
