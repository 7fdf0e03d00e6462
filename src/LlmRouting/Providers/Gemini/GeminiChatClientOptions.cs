namespace LlmRouting;

/// <summary>Options of a <see cref="GeminiChatClient"/>. The client copies them when it is created; later changes have no effect on it.</summary>
public sealed class GeminiChatClientOptions
{
    /// <summary>The default provider name, <c>gemini</c>.</summary>
    public const string DefaultProviderName = "gemini";

    /// <summary>Gets the default endpoint, the Gemini Developer API (Google AI Studio) <c>https://generativelanguage.googleapis.com/v1beta/</c>.</summary>
    public static Uri DefaultEndpoint { get; } = new("https://generativelanguage.googleapis.com/v1beta/");

    /// <summary>
    /// Gets or sets the base URL of the API; requests go to <c>{Endpoint}/models/{model}:generateContent</c> and
    /// <c>{Endpoint}/models/{model}:streamGenerateContent?alt=sse</c>.
    /// </summary>
    public Uri Endpoint { get; set; } = DefaultEndpoint;

    /// <summary>Gets or sets the API key, sent in the <c>x-goog-api-key</c> header; no key is sent when <see langword="null"/> (e.g. behind a proxy that adds it).</summary>
    public ApiKeySecret? ApiKey { get; set; }

    /// <summary>Gets or sets the provider name reported in errors and in <see cref="Microsoft.Extensions.AI.ChatClientMetadata"/>.</summary>
    public string ProviderName { get; set; } = DefaultProviderName;

    /// <summary>Gets or sets the model used when <see cref="Microsoft.Extensions.AI.ChatOptions.ModelId"/> is not set (e.g. <c>gemini-2.5-flash</c>).</summary>
    public string? DefaultModelId { get; set; }

    /// <summary>Gets or sets the deployment name reported in errors (<see cref="LlmProviderException.Deployment"/>).</summary>
    public string? DeploymentName { get; set; }

    /// <summary>Gets extra headers sent with every request. Values are sent as given; do not put secrets here unless the provider requires it.</summary>
    public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets or sets the clock used to interpret <c>Retry-After</c> dates.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
