using System.Collections.Concurrent;
using Microsoft.Extensions.AI;

namespace LlmRouting.Testing;

/// <summary>
/// Serves deployments of the <c>simulated</c> provider with <see cref="SimulatedChatClient"/>s, one per deployment,
/// configured by shared defaults and per-deployment settings.
/// </summary>
/// <remarks>
/// <para>
/// For each client the factory creates new <see cref="SimulatedProviderOptions"/>, sets the model, deployment name and context window
/// from the deployment, the <see cref="TimeProvider"/> from the services (if one is registered), then applies the defaults
/// (<see cref="ConfigureDefaults"/>) and the deployment's own settings (<see cref="Configure"/>), in the order they were given.
/// Configure before the clients are created; settings given later apply to clients created later.
/// </para>
/// <para>Thread-safe.</para>
/// </remarks>
public sealed class SimulatedProviderFactory : IChatProviderFactory
{
    /// <summary>The provider name this factory serves: <c>simulated</c>.</summary>
    public const string ProviderName = SimulatedProviderOptions.DefaultProviderName;

    private static readonly string[] Names = [ProviderName];

    private readonly object _gate = new();
    private readonly List<Action<SimulatedProviderOptions>> _defaults = [];
    private readonly Dictionary<string, List<Action<SimulatedProviderOptions>>> _perDeployment = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, SimulatedChatClient> _clients = new(StringComparer.OrdinalIgnoreCase);

    /// <inheritdoc/>
    public IReadOnlyCollection<string> ProviderNames => Names;

    /// <summary>Gets the clients created so far, the latest per deployment name.</summary>
    public IReadOnlyDictionary<string, SimulatedChatClient> Clients => new Dictionary<string, SimulatedChatClient>(_clients, StringComparer.OrdinalIgnoreCase);

    /// <summary>Adds settings applied to the clients of every deployment, before their own settings.</summary>
    /// <param name="configure">Changes the options.</param>
    /// <returns>This factory.</returns>
    public SimulatedProviderFactory ConfigureDefaults(Action<SimulatedProviderOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        lock (_gate)
        {
            _defaults.Add(configure);
        }

        return this;
    }

    /// <summary>Adds settings applied to the client of the deployment named <paramref name="deploymentName"/> (case-insensitive), after the defaults.</summary>
    /// <param name="deploymentName">The deployment name.</param>
    /// <param name="configure">Changes the options.</param>
    /// <returns>This factory.</returns>
    /// <exception cref="ArgumentException"><paramref name="deploymentName"/> is empty.</exception>
    public SimulatedProviderFactory Configure(string deploymentName, Action<SimulatedProviderOptions> configure)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(deploymentName);
        ArgumentNullException.ThrowIfNull(configure);
        lock (_gate)
        {
            if (!_perDeployment.TryGetValue(deploymentName, out List<Action<SimulatedProviderOptions>>? actions))
            {
                actions = [];
                _perDeployment.Add(deploymentName, actions);
            }

            actions.Add(configure);
        }

        return this;
    }

    /// <summary>Creates a <see cref="SimulatedChatClient"/> for <paramref name="deployment"/> and remembers it as the deployment's client.</summary>
    /// <param name="deployment">The deployment.</param>
    /// <param name="services">The application's services; a registered <see cref="TimeProvider"/> is used for latency and timestamps.</param>
    /// <returns>The new client; the caller owns it.</returns>
    public IChatClient CreateClient(Deployment deployment, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        var options = new SimulatedProviderOptions
        {
            ModelId = deployment.Model,
            DeploymentName = deployment.Name,
            ContextWindow = deployment.ModelInfo.ContextWindow,
            TimeProvider = services?.GetService(typeof(TimeProvider)) as TimeProvider,
        };

        Action<SimulatedProviderOptions>[] actions;
        lock (_gate)
        {
            actions = _perDeployment.TryGetValue(deployment.Name, out List<Action<SimulatedProviderOptions>>? own)
                ? [.. _defaults, .. own]
                : [.. _defaults];
        }

        foreach (Action<SimulatedProviderOptions> configure in actions)
        {
            configure(options);
        }

        var client = new SimulatedChatClient(options);
        _clients[deployment.Name] = client;
        return client;
    }

    /// <summary>Gets the client created for the deployment named <paramref name="deploymentName"/> (the latest, if several were).</summary>
    /// <param name="deploymentName">The deployment name, case-insensitive.</param>
    /// <returns>The client.</returns>
    /// <exception cref="InvalidOperationException">No client was created for the deployment yet (clients are created on first use).</exception>
    public SimulatedChatClient GetClient(string deploymentName)
    {
        ArgumentNullException.ThrowIfNull(deploymentName);
        return TryGetClient(deploymentName, out SimulatedChatClient? client)
            ? client
            : throw new InvalidOperationException($"No simulated client was created for deployment '{deploymentName}' yet; clients are created when the deployment is first used.");
    }

    /// <summary>Gets the client created for the deployment named <paramref name="deploymentName"/>, if any.</summary>
    /// <param name="deploymentName">The deployment name, case-insensitive.</param>
    /// <param name="client">The client, when found.</param>
    /// <returns><see langword="true"/> if a client was created for the deployment.</returns>
    public bool TryGetClient(string deploymentName, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out SimulatedChatClient? client)
    {
        ArgumentNullException.ThrowIfNull(deploymentName);
        return _clients.TryGetValue(deploymentName, out client);
    }
}
