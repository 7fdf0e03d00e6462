using Microsoft.Extensions.AI;

namespace LlmRouting.Benchmarks;

/// <summary>Reads a whole stream, as a caller would, and returns the number of updates.</summary>
internal static class StreamCounting
{
    public static async Task<int> CountAsync(IChatClient client, IEnumerable<ChatMessage> messages, ChatOptions? options = null)
    {
        int n = 0;
        await foreach (ChatResponseUpdate _ in client.GetStreamingResponseAsync(messages, options).ConfigureAwait(false))
        {
            n++;
        }

        return n;
    }
}
