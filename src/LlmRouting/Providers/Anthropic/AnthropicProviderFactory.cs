using System.Globalization;
using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>Creates <see cref="AnthropicChatClient"/>s for deployments whose provider is <c>anthropic</c>.</summary>
/// <remarks>
/// <para>The client uses <see cref="Deployment.Model"/> as its default model, <see cref="Deployment.ApiKey"/> as the <c>x-api-key</c> header,
/// <see cref="Deployment.Endpoint"/> (else <c>https://api.anthropic.com/v1/</c>) and, as the default <c>max_tokens</c>, the catalog's
/// <see cref="ModelInfo.MaxOutputTokens"/> of the deployment's model.</para>
/// <para>Deployment settings: <c>ApiVersion</c> (the <c>anthropic-version</c> header, default <see cref="AnthropicChatClientOptions.DefaultApiVersion"/>),
/// <c>Beta</c> (sent as the <c>anthropic-beta</c> header, e.g. <c>extended-cache-ttl-2025-04-11</c>) and <c>MaxOutputTokens</c> (a default
/// <c>max_tokens</c> that overrides the catalog's, e.g. to cap long answers).</para>
/// <para>The <see cref="HttpClient"/> comes from <see cref="IHttpClientFactory"/> (named <c>LlmRouting.anthropic</c>, see
/// <see cref="OpenAIProviderFactory.HttpClientName"/>) when one is registered; otherwise a shared client with a 10-minute timeout is used.</para>
/// </remarks>
public sealed class AnthropicProviderFactory : IChatProviderFactory, IProviderDeploymentValidator
{
    /// <summary>The provider name this factory serves, <c>anthropic</c>.</summary>
    public const string ProviderName = AnthropicChatClientOptions.DefaultProviderName;

    /// <inheritdoc/>
    public IReadOnlyCollection<string> ProviderNames { get; } = [ProviderName];

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The deployment's provider is not <c>anthropic</c>, or its <c>MaxOutputTokens</c> setting is not a positive integer.</exception>
    public IChatClient CreateClient(Deployment deployment, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        ArgumentNullException.ThrowIfNull(services);
        if (!string.Equals(deployment.Provider, ProviderName, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"Provider '{deployment.Provider}' of deployment '{deployment.Name}' is not served by {nameof(AnthropicProviderFactory)}.", nameof(deployment));
        }

        int? maxOutputTokens = deployment.ModelInfo.MaxOutputTokens is > 0 ? deployment.ModelInfo.MaxOutputTokens : null;
        if (deployment.Settings.TryGetValue("MaxOutputTokens", out string? configured) && !string.IsNullOrWhiteSpace(configured))
        {
            maxOutputTokens = ParseMaxOutputTokens(configured)
                ?? throw new ArgumentException($"Setting MaxOutputTokens of deployment '{deployment.Name}' must be a positive integer.", nameof(deployment));
        }

        var options = new AnthropicChatClientOptions
        {
            Endpoint = deployment.Endpoint ?? AnthropicChatClientOptions.DefaultEndpoint,
            ApiKey = deployment.ApiKey,
            DefaultModelId = deployment.Model,
            DefaultMaxOutputTokens = maxOutputTokens,
            DeploymentName = deployment.Name,
            TimeProvider = services.GetService(typeof(TimeProvider)) as TimeProvider ?? TimeProvider.System,
        };

        if (deployment.Settings.TryGetValue("ApiVersion", out string? version) && !string.IsNullOrWhiteSpace(version))
        {
            options.ApiVersion = version;
        }

        if (deployment.Settings.TryGetValue("Beta", out string? beta) && !string.IsNullOrWhiteSpace(beta))
        {
            options.Headers["anthropic-beta"] = beta;
        }

        return new AnthropicChatClient(ProviderHttpClients.Get(services, ProviderName), options);
    }

    /// <inheritdoc/>
    IEnumerable<string> IProviderDeploymentValidator.Validate(string path, DeploymentOptions deployment)
    {
        if (deployment.Settings.TryGetValue("MaxOutputTokens", out string? configured) && !string.IsNullOrWhiteSpace(configured) && ParseMaxOutputTokens(configured) is null)
        {
            yield return $"{path}:Settings:MaxOutputTokens must be a positive integer (was '{configured}').";
        }
    }

    private static int? ParseMaxOutputTokens(string value) =>
        int.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int parsed) && parsed > 0 ? parsed : null;
}
