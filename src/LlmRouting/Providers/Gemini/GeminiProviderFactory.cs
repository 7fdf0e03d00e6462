using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>Creates <see cref="GeminiChatClient"/>s for the <c>gemini</c> provider (the Gemini Developer API of Google AI Studio).</summary>
/// <remarks>
/// <para>The client uses <see cref="Deployment.Model"/> as its default model, <see cref="Deployment.ApiKey"/> as the <c>x-goog-api-key</c> header and
/// <see cref="Deployment.Endpoint"/> (else <see cref="GeminiChatClientOptions.DefaultEndpoint"/>).</para>
/// <para>The <see cref="HttpClient"/> comes from <see cref="IHttpClientFactory"/> (named <c>LlmRouting.gemini</c>, see
/// <see cref="OpenAIProviderFactory.HttpClientName"/>) when one is registered; otherwise a shared client with a 10-minute timeout is used.</para>
/// </remarks>
public sealed class GeminiProviderFactory : IChatProviderFactory
{
    /// <inheritdoc/>
    public IReadOnlyCollection<string> ProviderNames { get; } = [GeminiChatClientOptions.DefaultProviderName];

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The deployment's provider is not served by this factory.</exception>
    public IChatClient CreateClient(Deployment deployment, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        ArgumentNullException.ThrowIfNull(services);
        if (!ProviderNames.Contains(deployment.Provider, StringComparer.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"Provider '{deployment.Provider}' of deployment '{deployment.Name}' is not served by {nameof(GeminiProviderFactory)}.", nameof(deployment));
        }

        var options = new GeminiChatClientOptions
        {
            Endpoint = deployment.Endpoint ?? GeminiChatClientOptions.DefaultEndpoint,
            ApiKey = deployment.ApiKey,
            ProviderName = GeminiChatClientOptions.DefaultProviderName,
            DefaultModelId = deployment.Model,
            DeploymentName = deployment.Name,
            TimeProvider = services.GetService(typeof(TimeProvider)) as TimeProvider ?? TimeProvider.System,
        };

        return new GeminiChatClient(ProviderHttpClients.Get(services, options.ProviderName), options);
    }
}
