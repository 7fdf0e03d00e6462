using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using RichardSzalay.MockHttp;

namespace LlmRouting.Tests.Providers.OpenAI;

/// <summary>A request as the mock server saw it.</summary>
internal sealed class CapturedRequest
{
    public HttpMethod? Method { get; set; }

    public Uri? Uri { get; set; }

    public string Body { get; set; } = string.Empty;

    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>Builds clients over MockHttp and canned OpenAI replies.</summary>
internal static class OpenAITestSupport
{
    public const string ApiKey = "sk-test-4f9a2c7e1b8d4e6fa3c5b7d9e1f2a4c6";
    public const string ChatUrl = "https://api.openai.com/v1/chat/completions";

    public static OpenAIChatCompletionsClient CreateClient(MockHttpMessageHandler handler, Action<OpenAIChatCompletionsClientOptions>? configure = null)
    {
        var options = new OpenAIChatCompletionsClientOptions
        {
            ApiKey = new ApiKeySecret(ApiKey),
            DefaultModelId = "gpt-4o-mini",
        };
        configure?.Invoke(options);
        return new OpenAIChatCompletionsClient(handler.ToHttpClient(), options);
    }

    /// <summary>Registers one expected POST that captures the request and answers with <paramref name="respond"/>.</summary>
    public static CapturedRequest Expect(MockHttpMessageHandler handler, Func<HttpResponseMessage> respond, string url = ChatUrl)
    {
        var captured = new CapturedRequest();
        handler.Expect(HttpMethod.Post, url).Respond(async request =>
        {
            captured.Method = request.Method;
            captured.Uri = request.RequestUri;
            foreach (KeyValuePair<string, IEnumerable<string>> h in request.Headers)
            {
                captured.Headers[h.Key] = string.Join(",", h.Value);
            }

            if (request.Content is not null)
            {
                foreach (KeyValuePair<string, IEnumerable<string>> h in request.Content.Headers)
                {
                    captured.Headers[h.Key] = string.Join(",", h.Value);
                }

                captured.Body = await request.Content.ReadAsStringAsync();
            }

            return respond();
        });
        return captured;
    }

    public static HttpResponseMessage Json(string json, HttpStatusCode status = HttpStatusCode.OK, params (string Name, string Value)[] headers)
    {
        var response = new HttpResponseMessage(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        foreach ((string name, string value) in headers)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        return response;
    }

    public static HttpResponseMessage Sse(string body, params (string Name, string Value)[] headers)
    {
        var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8) };
        response.Content.Headers.ContentType = new MediaTypeHeaderValue("text/event-stream");
        foreach ((string name, string value) in headers)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        return response;
    }

    /// <summary>Formats chunks as an event stream; <c>[DONE]</c> is appended when <paramref name="done"/>.</summary>
    public static string Events(IEnumerable<string> chunks, bool done = true)
    {
        var sb = new StringBuilder();
        foreach (string chunk in chunks)
        {
            sb.Append("data: ").Append(chunk).Append("\n\n");
        }

        if (done)
        {
            sb.Append("data: [DONE]\n\n");
        }

        return sb.ToString();
    }

    /// <summary>Asserts two JSON texts are structurally equal, showing both on failure.</summary>
    public static void AssertJsonEqual(string expected, string actual)
    {
        JsonNode? e = JsonNode.Parse(expected);
        JsonNode? a = JsonNode.Parse(actual);
        Assert.That(JsonNode.DeepEquals(e, a), Is.True, $"JSON differs.\nExpected: {e?.ToJsonString()}\nActual:   {a?.ToJsonString()}");
    }

    public static async Task<ChatResponse> GetAsync(IChatClient client, bool streaming, IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (!streaming)
        {
            return await client.GetResponseAsync(messages, options, cancellationToken);
        }

        var updates = new List<ChatResponseUpdate>();
        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync(messages, options, cancellationToken))
        {
            updates.Add(update);
        }

        return updates.ToChatResponse();
    }
}

/// <summary>A response body fed by the test, chunk by chunk, to observe incremental reading and mid-stream failures.</summary>
internal sealed class GatedStream : AsyncReadOnlyStream
{
    private readonly Channel<byte[]?> _chunks = Channel.CreateUnbounded<byte[]?>();
    private byte[] _current = [];
    private int _offset;
    private Exception? _failure;

    public void Write(string text) => _chunks.Writer.TryWrite(Encoding.UTF8.GetBytes(text));

    public void End() => _chunks.Writer.TryWrite(null);

    public void Fail(Exception exception)
    {
        _failure = exception;
        _chunks.Writer.TryWrite(null);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_offset >= _current.Length)
        {
            byte[]? next = await _chunks.Reader.ReadAsync(cancellationToken);
            if (next is null)
            {
                if (_failure is not null)
                {
                    throw _failure;
                }

                _chunks.Writer.TryWrite(null);
                return 0;
            }

            _current = next;
            _offset = 0;
        }

        int n = Math.Min(buffer.Length, _current.Length - _offset);
        _current.AsMemory(_offset, n).CopyTo(buffer);
        _offset += n;
        return n;
    }
}
