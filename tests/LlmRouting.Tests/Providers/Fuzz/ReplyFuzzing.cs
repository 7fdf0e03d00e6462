using System.Net;
using System.Net.Http.Headers;
using System.Text;
using LlmRouting.Tests.Providers.OpenAI;

namespace LlmRouting.Tests.Providers;

/// <summary>
/// Property-style checks for a provider's reply parsers: whatever bytes arrive (truncated, corrupted, huge, trickled), a call either succeeds
/// or fails with a typed <see cref="LlmProviderException"/> — never another exception, never a hang.
/// </summary>
internal static class ReplyFuzzing
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    /// <summary>The prefixes of <paramref name="body"/> cut every <paramref name="step"/> bytes (plus the empty body).</summary>
    public static IEnumerable<byte[]> Truncations(byte[] body, int step)
    {
        for (int length = 0; length < body.Length; length += step)
        {
            yield return body[..length];
        }
    }

    /// <summary>Copies of <paramref name="body"/> with random bytes overwritten, inserted or deleted (deterministic for a seed).</summary>
    public static IEnumerable<byte[]> Corruptions(byte[] body, int count, int seed)
    {
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            var bytes = new List<byte>(body);
            int edits = 1 + random.Next(4);
            for (int e = 0; e < edits && bytes.Count > 0; e++)
            {
                int at = random.Next(bytes.Count);
                switch (random.Next(3))
                {
                    case 0:
                        bytes[at] = (byte)random.Next(256);
                        break;
                    case 1:
                        bytes.Insert(at, (byte)random.Next(256));
                        break;
                    default:
                        bytes.RemoveAt(at);
                        break;
                }
            }

            yield return [.. bytes];
        }
    }

    /// <summary>An event stream with one 2 MB data line of garbage after the first events.</summary>
    public static byte[] HugeLine(byte[] body)
    {
        int cut = Array.IndexOf(body, (byte)'\n', body.Length / 3);
        var sb = new StringBuilder("data: {\"x\":\"");
        sb.Append('A', 2 * 1024 * 1024).Append("\"\n\n");
        return [.. body[..(cut + 1)], .. Encoding.UTF8.GetBytes("\n" + sb), .. body[(cut + 1)..]];
    }

    /// <summary>Runs one call over a reply with <paramref name="body"/> and returns how it ended; fails the test on any other exception or a hang.</summary>
    public static async Task<string> RunAsync(Func<HttpMessageHandler, IChatClient> createClient, bool streaming, byte[] body, bool trickle = false)
    {
        using var handler = new BytesHandler(body, streaming, trickle);
        using IChatClient client = createClient(handler);
        try
        {
            ChatResponse response = await OpenAITestSupport.GetAsync(client, streaming, [new ChatMessage(ChatRole.User, "Hi")]).WaitAsync(Deadline);
            return "ok:" + response.Text;
        }
        catch (LlmProviderException ex)
        {
            return "error:" + ex.Kind;
        }
        catch (TimeoutException)
        {
            Assert.Fail($"The call hung on a {body.Length}-byte reply.");
            throw;
        }
        catch (Exception ex)
        {
            Assert.Fail($"An untyped {ex.GetType().Name} escaped for a {body.Length}-byte reply: {ex}");
            throw;
        }
    }

    /// <summary>Answers with the given bytes as an event stream or as JSON; optionally one byte per read.</summary>
    private sealed class BytesHandler(byte[] body, bool streaming, bool trickle) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            HttpContent content = trickle ? new StreamContent(new TrickleStream(body)) : new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue(streaming ? "text/event-stream" : "application/json");
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content });
        }
    }

    /// <summary>A body that yields one byte per read, asynchronously.</summary>
    private sealed class TrickleStream(byte[] body) : AsyncReadOnlyStream
    {
        private int _position;

        public override long Length => body.Length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            if (_position >= body.Length || buffer.Length == 0)
            {
                return 0;
            }

            buffer.Span[0] = body[_position++];
            return 1;
        }
    }
}
