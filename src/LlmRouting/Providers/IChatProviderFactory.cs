using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>Creates the <see cref="IChatClient"/> that talks to a provider for a deployment. Register implementations in DI to add providers.</summary>
public interface IChatProviderFactory
{
    /// <summary>Gets the provider names this factory serves (e.g. <c>openai</c>, <c>groq</c>, <c>ollama</c>), compared case-insensitively.</summary>
    IReadOnlyCollection<string> ProviderNames { get; }

    /// <summary>Creates a client for <paramref name="deployment"/>.</summary>
    /// <param name="deployment">The deployment, with endpoint, key and settings.</param>
    /// <param name="services">The application's services (e.g. for <c>IHttpClientFactory</c>).</param>
    /// <returns>The client. The registry owns it and disposes it.</returns>
    IChatClient CreateClient(Deployment deployment, IServiceProvider services);
}
