using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using RichardSzalay.MockHttp;

namespace LlmRouting.Tests.Providers.Conformance;

/// <summary>A request as the mock provider saw it: method, URL, headers (request and content) and body.</summary>
public sealed class ObservedRequest
{
    public HttpMethod? Method { get; set; }

    public Uri? Uri { get; set; }

    public string Body { get; set; } = string.Empty;

    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>Provider-neutral helpers to script a mock provider over RichardSzalay.MockHttp.</summary>
public static class ConformanceHttp
{
    /// <summary>Registers one expected POST to <paramref name="url"/> that records the request and answers with <paramref name="respond"/>.</summary>
    public static ObservedRequest Expect(MockHttpMessageHandler handler, string url, Func<HttpResponseMessage> respond)
    {
        var observed = new ObservedRequest();
        handler.Expect(HttpMethod.Post, url).Respond(async request =>
        {
            observed.Method = request.Method;
            observed.Uri = request.RequestUri;
            foreach (KeyValuePair<string, IEnumerable<string>> h in request.Headers)
            {
                observed.Headers[h.Key] = string.Join(",", h.Value);
            }

            if (request.Content is not null)
            {
                foreach (KeyValuePair<string, IEnumerable<string>> h in request.Content.Headers)
                {
                    observed.Headers[h.Key] = string.Join(",", h.Value);
                }

                observed.Body = await request.Content.ReadAsStringAsync();
            }

            return respond();
        });
        return observed;
    }

    /// <summary>A JSON reply.</summary>
    public static HttpResponseMessage Json(string json, HttpStatusCode status = HttpStatusCode.OK, params (string Name, string Value)[] headers) =>
        WithHeaders(new HttpResponseMessage(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") }, headers);

    /// <summary>An event-stream reply with the given raw body.</summary>
    public static HttpResponseMessage Sse(string body, params (string Name, string Value)[] headers)
    {
        var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8) };
        response.Content.Headers.ContentType = new MediaTypeHeaderValue("text/event-stream");
        return WithHeaders(response, headers);
    }

    /// <summary>Formats <c>data:</c>-only events (OpenAI, Gemini, Cohere style).</summary>
    public static string DataEvents(IEnumerable<string> data, string? terminator = null)
    {
        var sb = new StringBuilder();
        foreach (string d in data)
        {
            sb.Append("data: ").Append(d).Append("\n\n");
        }

        if (terminator is not null)
        {
            sb.Append("data: ").Append(terminator).Append("\n\n");
        }

        return sb.ToString();
    }

    /// <summary>Formats named events (<c>event:</c> + <c>data:</c>, Anthropic style).</summary>
    public static string NamedEvents(IEnumerable<(string Event, string Data)> events)
    {
        var sb = new StringBuilder();
        foreach ((string name, string data) in events)
        {
            sb.Append("event: ").Append(name).Append('\n').Append("data: ").Append(data).Append("\n\n");
        }

        return sb.ToString();
    }

    /// <summary>Asserts two JSON texts are structurally equal, showing both (shortened) on failure.</summary>
    public static void AssertJsonEqual(string expected, string actual, string? because = null)
    {
        JsonNode? e = JsonNode.Parse(expected);
        JsonNode? a = JsonNode.Parse(actual);
        if (!JsonNode.DeepEquals(e, a))
        {
            Assert.Fail($"{because ?? "JSON differs"}.\nExpected: {Shorten(e?.ToJsonString())}\nActual:   {Shorten(a?.ToJsonString())}");
        }
    }

    /// <summary>Runs a call streaming or not and returns the response (streamed updates merged with <c>ToChatResponse()</c>).</summary>
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

    private static HttpResponseMessage WithHeaders(HttpResponseMessage response, (string Name, string Value)[] headers)
    {
        foreach ((string name, string value) in headers)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        return response;
    }

    private static string? Shorten(string? json) =>
        json is { Length: > 4000 } ? json[..2000] + " … " + json[^1500..] : json;
}
