namespace LlmRouting;

/// <summary>Options of a <see cref="CohereChatClient"/>. The client copies them when it is created; later changes have no effect on it.</summary>
public sealed class CohereChatClientOptions
{
    /// <summary>The default provider name, <c>cohere</c>.</summary>
    public const string DefaultProviderName = "cohere";

    /// <summary>Gets the default endpoint, <c>https://api.cohere.com/v2/</c>.</summary>
    public static Uri DefaultEndpoint { get; } = new("https://api.cohere.com/v2/");

    /// <summary>
    /// Gets or sets the base URL of the API; requests go to <c>{Endpoint}/chat</c>. An endpoint whose path already ends with <c>/chat</c> is used as is.
    /// </summary>
    public Uri Endpoint { get; set; } = DefaultEndpoint;

    /// <summary>Gets or sets the API key, sent as a bearer token; no authentication header is sent when <see langword="null"/>.</summary>
    public ApiKeySecret? ApiKey { get; set; }

    /// <summary>Gets or sets the provider name reported in errors and in <see cref="Microsoft.Extensions.AI.ChatClientMetadata"/>.</summary>
    public string ProviderName { get; set; } = DefaultProviderName;

    /// <summary>Gets or sets the model used when <see cref="Microsoft.Extensions.AI.ChatOptions.ModelId"/> is not set (e.g. <c>command-a-03-2025</c>).</summary>
    public string? DefaultModelId { get; set; }

    /// <summary>Gets or sets the deployment name reported in errors (<see cref="LlmProviderException.Deployment"/>).</summary>
    public string? DeploymentName { get; set; }

    /// <summary>Gets extra headers sent with every request (e.g. <c>X-Client-Name</c>). Values are sent as given; do not put secrets here.</summary>
    public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets or sets the clock used to interpret <c>Retry-After</c> dates.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
