namespace LlmRouting;

/// <summary>Options of an <see cref="OpenAIChatCompletionsClient"/>. The client copies them when it is created; later changes have no effect on it.</summary>
public sealed class OpenAIChatCompletionsClientOptions
{
    /// <summary>The default provider name, <c>openai</c>.</summary>
    public const string DefaultProviderName = "openai";

    /// <summary>Gets the default endpoint, <c>https://api.openai.com/v1/</c>.</summary>
    public static Uri DefaultEndpoint { get; } = new("https://api.openai.com/v1/");

    /// <summary>
    /// Gets or sets the base URL of the API; requests go to <c>{Endpoint}/chat/completions</c>.
    /// An endpoint whose path already ends with <c>/chat/completions</c> is used as is.
    /// </summary>
    public Uri Endpoint { get; set; } = DefaultEndpoint;

    /// <summary>Gets or sets the API key; no authentication header is sent when <see langword="null"/> (e.g. a local server).</summary>
    public ApiKeySecret? ApiKey { get; set; }

    /// <summary>Gets or sets how the API key is sent.</summary>
    public OpenAIAuthenticationStyle AuthenticationStyle { get; set; } = OpenAIAuthenticationStyle.BearerToken;

    /// <summary>Gets or sets the provider name reported in errors and in <see cref="Microsoft.Extensions.AI.ChatClientMetadata"/>.</summary>
    public string ProviderName { get; set; } = DefaultProviderName;

    /// <summary>Gets or sets the model used when <see cref="Microsoft.Extensions.AI.ChatOptions.ModelId"/> is not set.</summary>
    public string? DefaultModelId { get; set; }

    /// <summary>Gets or sets the deployment name reported in errors (<see cref="LlmProviderException.Deployment"/>).</summary>
    public string? DeploymentName { get; set; }

    /// <summary>
    /// Gets extra headers sent with every request (e.g. <c>OpenAI-Organization</c>, <c>OpenAI-Project</c>).
    /// Values are sent as given; do not put secrets here unless the provider requires it.
    /// </summary>
    public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets or sets the clock used to interpret <c>Retry-After</c> dates.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Gets or sets the wire differences of an OpenAI-compatible provider; set by <see cref="OpenAIProviderFactory"/> presets.</summary>
    internal OpenAICompatibleQuirks Quirks { get; set; } = OpenAICompatibleQuirks.OpenAI;
}
