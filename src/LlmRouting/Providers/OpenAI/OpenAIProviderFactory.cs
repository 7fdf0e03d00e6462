using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>
/// Creates <see cref="OpenAIChatCompletionsClient"/>s for OpenAI, Azure OpenAI and the OpenAI-compatible providers in its preset table:
/// <c>openai</c>, <c>azure-openai</c>, <c>deepseek</c>, <c>mistral</c>, <c>groq</c>, <c>together</c>, <c>fireworks</c>, <c>xai</c>, <c>openrouter</c>,
/// <c>cerebras</c>, <c>perplexity</c>, <c>dashscope</c>, <c>yi</c>, <c>ollama</c>, <c>vllm</c>, <c>llamacpp</c> and <c>lmstudio</c>.
/// </summary>
/// <remarks>
/// <para>The client uses <see cref="Deployment.Model"/> as its default model, <see cref="Deployment.ApiKey"/> as a bearer token, and
/// <see cref="Deployment.Endpoint"/> (else the preset's base URL). Deployment settings <c>Organization</c> and <c>Project</c> are sent as the
/// <c>OpenAI-Organization</c> and <c>OpenAI-Project</c> headers.</para>
/// <para><c>azure-openai</c> deployments need an <c>Endpoint</c> (the resource URL) and are called on deployment URLs
/// <c>{Endpoint}/openai/deployments/{DeploymentName}/chat/completions?api-version={ApiVersion}</c> with the <c>api-key</c> header; settings
/// <c>ApiVersion</c> (default <c>2024-10-21</c>; <c>v1</c> selects the version-less v1 API) and <c>DeploymentName</c> (default the deployment's model).</para>
/// <para>The <see cref="HttpClient"/> comes from <see cref="IHttpClientFactory"/> (named <c>LlmRouting.{provider}</c>, see <see cref="HttpClientName"/>)
/// when one is registered; otherwise a shared client with a 10-minute timeout is used.</para>
/// </remarks>
public sealed class OpenAIProviderFactory : IChatProviderFactory, IProviderDeploymentValidator
{
    /// <summary>The prefix of the named <see cref="HttpClient"/> requested from <see cref="IHttpClientFactory"/>.</summary>
    public const string HttpClientNamePrefix = "LlmRouting.";

    /// <inheritdoc/>
    public IReadOnlyCollection<string> ProviderNames { get; } = [.. OpenAICompatiblePresets.All.Keys];

    /// <summary>Gets the name of the <see cref="HttpClient"/> requested from <see cref="IHttpClientFactory"/> for a provider.</summary>
    /// <param name="provider">The provider name.</param>
    /// <returns><c>LlmRouting.{provider}</c>, lower-case.</returns>
    public static string HttpClientName(string provider)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(provider);
        return HttpClientNamePrefix + provider.ToLowerInvariant();
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The deployment's provider is not served by this factory.</exception>
    public IChatClient CreateClient(Deployment deployment, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        ArgumentNullException.ThrowIfNull(services);
        if (!OpenAICompatiblePresets.All.TryGetValue(deployment.Provider, out OpenAICompatiblePreset? preset))
        {
            throw new ArgumentException($"Provider '{deployment.Provider}' of deployment '{deployment.Name}' is not served by {nameof(OpenAIProviderFactory)}.", nameof(deployment));
        }

        var options = new OpenAIChatCompletionsClientOptions
        {
            Endpoint = deployment.Endpoint ?? preset.BaseUrl ?? throw new ArgumentException($"Deployment '{deployment.Name}' of provider '{preset.Name}' needs an Endpoint.", nameof(deployment)),
            ApiKey = deployment.ApiKey,
            ProviderName = preset.Name,
            DefaultModelId = deployment.Model,
            DeploymentName = deployment.Name,
            TimeProvider = services.GetService(typeof(TimeProvider)) as TimeProvider ?? TimeProvider.System,
            Quirks = preset.Quirks,
        };

        if (string.Equals(preset.Name, AzureOpenAIDeployments.ProviderName, StringComparison.OrdinalIgnoreCase))
        {
            AzureOpenAIDeployments.Configure(deployment, options);
        }

        if (deployment.Settings.TryGetValue("Organization", out string? organization) && !string.IsNullOrWhiteSpace(organization))
        {
            options.Headers["OpenAI-Organization"] = organization;
        }

        if (deployment.Settings.TryGetValue("Project", out string? project) && !string.IsNullOrWhiteSpace(project))
        {
            options.Headers["OpenAI-Project"] = project;
        }

        return new OpenAIChatCompletionsClient(ProviderHttpClients.Get(services, preset.Name), options);
    }

    /// <inheritdoc/>
    IEnumerable<string> IProviderDeploymentValidator.Validate(string path, DeploymentOptions deployment) =>
        string.Equals(deployment.Provider, AzureOpenAIDeployments.ProviderName, StringComparison.OrdinalIgnoreCase)
            ? AzureOpenAIDeployments.Validate(path, deployment)
            : [];
}
