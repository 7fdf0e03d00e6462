namespace LlmRouting;

/// <summary>
/// How <see cref="OpenAIProviderFactory"/> addresses Azure OpenAI (provider <c>azure-openai</c>): deployment URLs
/// <c>{Endpoint}/openai/deployments/{deployment}/chat/completions?api-version={ApiVersion}</c> with the <c>api-key</c> header, or the
/// version-less v1 API <c>{Endpoint}/openai/v1/chat/completions</c> when <c>ApiVersion</c> is <c>v1</c>.
/// </summary>
/// <remarks>
/// <para>Deployment settings: <c>ApiVersion</c> (default <see cref="DefaultApiVersion"/>, the latest GA inference version) and
/// <c>DeploymentName</c> (the Azure deployment in the URL; default <see cref="Deployment.Model"/>). The deployment's <c>Endpoint</c> is the resource
/// URL (<c>https://{resource}.openai.azure.com/</c>) and is required. On deployment URLs the body carries no <c>model</c> (the URL names the
/// deployment); on the v1 API <c>model</c> is <see cref="Deployment.Model"/>, which must then be the Azure deployment name. Either way, point
/// <c>CatalogModel</c> at the underlying model (e.g. <c>openai/gpt-4o</c>) when the deployment name is not a model id, so prices and
/// capabilities are known.</para>
/// <para>Azure's content-filter errors (<c>code: content_filter</c>, <c>ResponsibleAIPolicyViolation</c>) are classified as
/// <see cref="LlmErrorKind.ContentFiltered"/>; a filtered completion ends with <see cref="Microsoft.Extensions.AI.ChatFinishReason.ContentFilter"/>.
/// Request ids come from <c>apim-request-id</c> when <c>x-request-id</c> is absent; Retry-After also from <c>x-ms-retry-after-ms</c>.</para>
/// </remarks>
internal static class AzureOpenAIDeployments
{
    /// <summary>The provider name, <c>azure-openai</c>.</summary>
    public const string ProviderName = "azure-openai";

    /// <summary>The <c>api-version</c> used when the deployment sets none: <c>2024-10-21</c>, the latest GA data-plane inference version.</summary>
    public const string DefaultApiVersion = "2024-10-21";

    /// <summary>The value of the <c>ApiVersion</c> setting that selects the v1 API.</summary>
    public const string V1 = "v1";

    /// <summary>Gets the wire differences on deployment URLs: OpenAI's, without <c>model</c> in the body.</summary>
    public static OpenAICompatibleQuirks DeploymentUrlQuirks { get; } = new() { SendModel = false };

    /// <summary>Builds the client options of an Azure OpenAI deployment.</summary>
    /// <param name="deployment">The deployment.</param>
    /// <param name="options">The options to complete (endpoint, authentication, quirks).</param>
    /// <exception cref="ArgumentException">The deployment has no endpoint, or its settings are invalid.</exception>
    public static void Configure(Deployment deployment, OpenAIChatCompletionsClientOptions options)
    {
        string? problem = Problem(deployment.Endpoint, deployment.Settings);
        if (problem is not null)
        {
            throw new ArgumentException($"Azure OpenAI deployment '{deployment.Name}': {problem}", nameof(deployment));
        }

        string apiVersion = Setting(deployment.Settings, "ApiVersion") ?? DefaultApiVersion;
        // The resource URL, or a gateway URL with a path prefix; an "/openai" suffix is tolerated.
        string resource = deployment.Endpoint!.GetLeftPart(UriPartial.Path).TrimEnd('/');
        if (resource.EndsWith("/openai", StringComparison.OrdinalIgnoreCase))
        {
            resource = resource[..^"/openai".Length];
        }

        options.AuthenticationStyle = OpenAIAuthenticationStyle.ApiKeyHeader;
        if (string.Equals(apiVersion, V1, StringComparison.OrdinalIgnoreCase))
        {
            options.Endpoint = new Uri(resource + "/openai/v1/");
            options.Quirks = OpenAICompatibleQuirks.OpenAI;
            return;
        }

        string azureDeployment = Setting(deployment.Settings, "DeploymentName") ?? deployment.Model;
        options.Endpoint = new Uri($"{resource}/openai/deployments/{Uri.EscapeDataString(azureDeployment)}/chat/completions?api-version={Uri.EscapeDataString(apiVersion)}");
        options.Quirks = DeploymentUrlQuirks;
    }

    /// <summary>Validates a configured deployment.</summary>
    /// <param name="path">The configuration path of the deployment.</param>
    /// <param name="deployment">The configured deployment.</param>
    /// <returns>The problems found.</returns>
    public static IEnumerable<string> Validate(string path, DeploymentOptions deployment)
    {
        if (deployment.Endpoint is null)
        {
            yield return $"{path}:Endpoint is required for Azure OpenAI (the resource URL, e.g. https://my-resource.openai.azure.com/).";
        }
        else if (Problem(deployment.Endpoint, new Dictionary<string, string>(deployment.Settings, StringComparer.OrdinalIgnoreCase)) is { } problem)
        {
            yield return $"{path}: {problem}";
        }
    }

    private static string? Problem(Uri? endpoint, IReadOnlyDictionary<string, string> settings)
    {
        if (endpoint is null)
        {
            return "Endpoint is required (the resource URL, e.g. https://my-resource.openai.azure.com/).";
        }

        if (!endpoint.IsAbsoluteUri || endpoint.Scheme is not ("https" or "http"))
        {
            return "Endpoint must be an absolute http(s) URL.";
        }

        if (settings.TryGetValue("ApiVersion", out string? version) && !string.IsNullOrEmpty(version) && string.IsNullOrWhiteSpace(version))
        {
            return "Settings:ApiVersion must not be blank.";
        }

        return null;
    }

    private static string? Setting(IReadOnlyDictionary<string, string> settings, string name) =>
        settings.TryGetValue(name, out string? value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
}
