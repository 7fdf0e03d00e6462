namespace LlmRouting;

/// <summary>Options of an <see cref="AnthropicChatClient"/>. The client copies them when it is created; later changes have no effect on it.</summary>
public sealed class AnthropicChatClientOptions
{
    /// <summary>The default provider name, <c>anthropic</c>.</summary>
    public const string DefaultProviderName = "anthropic";

    /// <summary>The default <c>anthropic-version</c> header value, <c>2023-06-01</c> (the current version of the Messages API).</summary>
    public const string DefaultApiVersion = "2023-06-01";

    /// <summary>
    /// The <c>max_tokens</c> sent when neither the call (<see cref="Microsoft.Extensions.AI.ChatOptions.MaxOutputTokens"/>) nor
    /// <see cref="DefaultMaxOutputTokens"/> nor the model catalog gives one: 4,096, the smallest maximum output of any Claude model,
    /// so it is valid for every model.
    /// </summary>
    public const int FallbackMaxOutputTokens = 4096;

    /// <summary>Gets the default endpoint, <c>https://api.anthropic.com/v1/</c>.</summary>
    public static Uri DefaultEndpoint { get; } = new("https://api.anthropic.com/v1/");

    /// <summary>
    /// Gets or sets the base URL of the API; requests go to <c>{Endpoint}/messages</c>.
    /// An endpoint whose path already ends with <c>/messages</c> is used as is.
    /// </summary>
    public Uri Endpoint { get; set; } = DefaultEndpoint;

    /// <summary>Gets or sets the API key, sent as the <c>x-api-key</c> header; no key header is sent when <see langword="null"/> (e.g. behind a gateway that adds it).</summary>
    public ApiKeySecret? ApiKey { get; set; }

    /// <summary>Gets or sets the <c>anthropic-version</c> header value.</summary>
    public string ApiVersion { get; set; } = DefaultApiVersion;

    /// <summary>Gets or sets the provider name reported in errors and in <see cref="Microsoft.Extensions.AI.ChatClientMetadata"/>.</summary>
    public string ProviderName { get; set; } = DefaultProviderName;

    /// <summary>Gets or sets the model used when <see cref="Microsoft.Extensions.AI.ChatOptions.ModelId"/> is not set.</summary>
    public string? DefaultModelId { get; set; }

    /// <summary>
    /// Gets or sets the <c>max_tokens</c> sent for <see cref="DefaultModelId"/> when the call gives no
    /// <see cref="Microsoft.Extensions.AI.ChatOptions.MaxOutputTokens"/> (<see cref="AnthropicProviderFactory"/> sets it from the catalog's
    /// <see cref="ModelInfo.MaxOutputTokens"/> of the deployment). Other models are looked up in <see cref="ModelCatalog.Default"/>;
    /// <see cref="FallbackMaxOutputTokens"/> applies when nothing is known.
    /// </summary>
    public int? DefaultMaxOutputTokens { get; set; }

    /// <summary>Gets or sets the deployment name reported in errors (<see cref="LlmProviderException.Deployment"/>).</summary>
    public string? DeploymentName { get; set; }

    /// <summary>
    /// Gets extra headers sent with every request (e.g. <c>anthropic-beta</c>).
    /// Values are sent as given; do not put secrets here.
    /// </summary>
    public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets or sets the clock used to interpret <c>Retry-After</c> dates and rate-limit reset times.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
