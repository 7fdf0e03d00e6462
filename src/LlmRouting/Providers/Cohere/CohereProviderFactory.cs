using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>Creates <see cref="CohereChatClient"/>s for the <c>cohere</c> provider (Chat API v2).</summary>
/// <remarks>
/// <para>The client uses <see cref="Deployment.Model"/> as its default model, <see cref="Deployment.ApiKey"/> as a bearer token and
/// <see cref="Deployment.Endpoint"/> (else <see cref="CohereChatClientOptions.DefaultEndpoint"/>). The deployment setting <c>ClientName</c> is sent as the
/// <c>X-Client-Name</c> header.</para>
/// <para>The <see cref="HttpClient"/> comes from <see cref="IHttpClientFactory"/> (named <c>LlmRouting.cohere</c>, see
/// <see cref="OpenAIProviderFactory.HttpClientName"/>) when one is registered; otherwise a shared client with a 10-minute timeout is used.</para>
/// </remarks>
public sealed class CohereProviderFactory : IChatProviderFactory
{
    /// <inheritdoc/>
    public IReadOnlyCollection<string> ProviderNames { get; } = [CohereChatClientOptions.DefaultProviderName];

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The deployment's provider is not served by this factory.</exception>
    public IChatClient CreateClient(Deployment deployment, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        ArgumentNullException.ThrowIfNull(services);
        if (!ProviderNames.Contains(deployment.Provider, StringComparer.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"Provider '{deployment.Provider}' of deployment '{deployment.Name}' is not served by {nameof(CohereProviderFactory)}.", nameof(deployment));
        }

        var options = new CohereChatClientOptions
        {
            Endpoint = deployment.Endpoint ?? CohereChatClientOptions.DefaultEndpoint,
            ApiKey = deployment.ApiKey,
            ProviderName = CohereChatClientOptions.DefaultProviderName,
            DefaultModelId = deployment.Model,
            DeploymentName = deployment.Name,
            TimeProvider = services.GetService(typeof(TimeProvider)) as TimeProvider ?? TimeProvider.System,
        };

        if (deployment.Settings.TryGetValue("ClientName", out string? clientName) && !string.IsNullOrWhiteSpace(clientName))
        {
            options.Headers["X-Client-Name"] = clientName;
        }

        return new CohereChatClient(ProviderHttpClients.Get(services, options.ProviderName), options);
    }
}
