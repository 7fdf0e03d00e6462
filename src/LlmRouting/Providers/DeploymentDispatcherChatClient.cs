using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>
/// The innermost client of the chain: sends each attempt to the provider client of the deployment the
/// resilience layer chose (<see cref="AttemptContext"/>), after removing LlmRouting's per-request state from the options.
/// </summary>
/// <remarks>Thread-safe.</remarks>
public sealed class DeploymentDispatcherChatClient : IChatClient
{
    private const string RoutingKeyPrefix = "LlmRouting.";
    private readonly ProviderRegistry _registry;

    /// <summary>Initializes a new instance of the <see cref="DeploymentDispatcherChatClient"/> class.</summary>
    /// <param name="registry">The deployments and their clients.</param>
    /// <exception cref="ArgumentNullException"><paramref name="registry"/> is <see langword="null"/>.</exception>
    public DeploymentDispatcherChatClient(ProviderRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _registry = registry;
    }

    /// <summary>Gets the registry this client dispatches to.</summary>
    public ProviderRegistry Registry => _registry;

    /// <inheritdoc/>
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        (IChatClient client, ChatOptions? providerOptions) = Resolve(options);
        return client.GetResponseAsync(messages, providerOptions, cancellationToken);
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        (IChatClient client, ChatOptions? providerOptions) = Resolve(options);
        return client.GetStreamingResponseAsync(messages, providerOptions, cancellationToken);
    }

    /// <inheritdoc/>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is null && serviceType.IsInstanceOfType(this))
        {
            return this;
        }

        return serviceKey is null && serviceType == typeof(ProviderRegistry) ? _registry : null;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        // The registry is owned by whoever created it (DI or the application).
    }

    private (IChatClient Client, ChatOptions? Options) Resolve(ChatOptions? options)
    {
        Deployment deployment;
        if (AttemptContext.TryGet(options, out AttemptContext? attempt))
        {
            deployment = attempt.Deployment;
        }
        else if (LlmRequestContext.TryGet(options, out LlmRequestContext? request) && request.Candidates.Count > 0)
        {
            deployment = request.Candidates[0];
        }
        else
        {
            deployment = FindByModelId(options?.ModelId);
        }

        return (_registry.GetClient(deployment), ForProvider(options, deployment));
    }

    private Deployment FindByModelId(string? modelId)
    {
        IReadOnlyList<Deployment> all = _registry.Deployments;
        if (modelId is not null)
        {
            if (_registry.TryGetDeployment(modelId, out Deployment? byName))
            {
                return byName;
            }

            foreach (Deployment d in all)
            {
                if (string.Equals(d.Model, modelId, StringComparison.OrdinalIgnoreCase))
                {
                    return d;
                }
            }
        }

        return all.Count == 1
            ? all[0]
            : throw new InvalidOperationException(
                "No deployment was chosen for this request. Put the router (UseCostRouter) and the resilience layer (UseResilience) above the dispatcher, or set ChatOptions.ModelId to a deployment name.");
    }

    /// <summary>Clones the options for the provider: the deployment's model id, and no LlmRouting state.</summary>
    private static ChatOptions ForProvider(ChatOptions? options, Deployment deployment)
    {
        ChatOptions clone = options?.Clone() ?? new ChatOptions();
        clone.ModelId = deployment.Model;
        if (clone.AdditionalProperties is { } props)
        {
            AdditionalPropertiesDictionary? filtered = null;
            foreach (KeyValuePair<string, object?> kv in props)
            {
                if (!kv.Key.StartsWith(RoutingKeyPrefix, StringComparison.Ordinal))
                {
                    (filtered ??= [])[kv.Key] = kv.Value;
                }
            }

            clone.AdditionalProperties = filtered;
        }

        return clone;
    }
}
