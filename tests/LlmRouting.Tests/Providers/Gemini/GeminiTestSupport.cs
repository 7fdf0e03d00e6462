using RichardSzalay.MockHttp;

namespace LlmRouting.Tests.Providers.Gemini;

/// <summary>Builds Gemini clients over MockHttp.</summary>
internal static class GeminiTestSupport
{
    public const string GeminiApiKey = "AIzaSyD-test-9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c";
    public const string Model = "gemini-2.5-flash";
    public const string BaseUrl = "https://generativelanguage.googleapis.com/v1beta/models/";

    public static string Url(bool streaming, string model = Model) =>
        BaseUrl + model + (streaming ? ":streamGenerateContent?alt=sse" : ":generateContent");

    public static GeminiChatClient CreateGemini(MockHttpMessageHandler handler, Action<GeminiChatClientOptions>? configure = null)
    {
        var options = new GeminiChatClientOptions
        {
            ApiKey = new ApiKeySecret(GeminiApiKey),
            DefaultModelId = Model,
        };
        configure?.Invoke(options);
        return new GeminiChatClient(handler.ToHttpClient(), options);
    }

    /// <summary>Formats events as Gemini sends them (<c>data: {json}</c> and a blank line, no terminator).</summary>
    public static string GeminiEvents(IEnumerable<string> chunks) =>
        string.Concat(chunks.Select(c => "data: " + c + "\r\n\r\n"));
}
