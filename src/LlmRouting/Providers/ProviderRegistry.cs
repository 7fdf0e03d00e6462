using System.Collections.Concurrent;
using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>
/// The deployments a router may choose from and the provider clients that serve them.
/// Clients are created lazily by the matching <see cref="IChatProviderFactory"/> or supplied directly.
/// </summary>
/// <remarks>Thread-safe. Disposing the registry disposes the clients it created.</remarks>
public sealed class ProviderRegistry : IDisposable
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<Deployment> _deployments = [];
    private readonly ConcurrentDictionary<string, Lazy<IChatClient>> _created = new(StringComparer.OrdinalIgnoreCase);
    private readonly IServiceProvider _services;
    private readonly object _gate = new();
    private bool _disposed;

    /// <summary>Initializes a new, empty instance of the <see cref="ProviderRegistry"/> class.</summary>
    /// <param name="services">Services passed to provider factories; an empty provider when <see langword="null"/>.</param>
    public ProviderRegistry(IServiceProvider? services = null)
    {
        _services = services ?? EmptyServiceProvider.Instance;
    }

    /// <summary>Gets the registered deployments in registration order.</summary>
    public IReadOnlyList<Deployment> Deployments
    {
        get
        {
            lock (_gate)
            {
                return _deployments.ToArray();
            }
        }
    }

    /// <summary>Adds a deployment served by an existing client. The registry does not dispose <paramref name="client"/>.</summary>
    /// <param name="deployment">The deployment.</param>
    /// <param name="client">The client that serves it.</param>
    /// <returns>This registry.</returns>
    /// <exception cref="ArgumentException">A deployment with the same name exists.</exception>
    public ProviderRegistry Add(Deployment deployment, IChatClient client)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        ArgumentNullException.ThrowIfNull(client);
        return Add(deployment, new Entry(deployment, client, null));
    }

    /// <summary>Adds a deployment whose client is created on first use by <paramref name="factory"/>; the registry disposes that client.</summary>
    /// <param name="deployment">The deployment.</param>
    /// <param name="factory">The provider factory.</param>
    /// <returns>This registry.</returns>
    /// <exception cref="ArgumentException">A deployment with the same name exists.</exception>
    public ProviderRegistry Add(Deployment deployment, IChatProviderFactory factory)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        ArgumentNullException.ThrowIfNull(factory);
        return Add(deployment, new Entry(deployment, null, factory));
    }

    /// <summary>Finds a deployment by name.</summary>
    /// <param name="name">The deployment name.</param>
    /// <param name="deployment">The deployment, when found.</param>
    /// <returns><see langword="true"/> if found.</returns>
    public bool TryGetDeployment(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Deployment? deployment)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(name, out Entry? entry))
            {
                deployment = entry.Deployment;
                return true;
            }
        }

        deployment = null;
        return false;
    }

    /// <summary>Gets the client that serves <paramref name="deployment"/>, creating it on first use.</summary>
    /// <param name="deployment">A registered deployment.</param>
    /// <returns>The client.</returns>
    /// <exception cref="ArgumentException">The deployment is not registered.</exception>
    /// <exception cref="ObjectDisposedException">The registry is disposed.</exception>
    public IChatClient GetClient(Deployment deployment)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        ObjectDisposedException.ThrowIf(_disposed, this);
        Entry? entry;
        lock (_gate)
        {
            if (!_entries.TryGetValue(deployment.Name, out entry))
            {
                throw new ArgumentException($"Deployment '{deployment.Name}' is not registered.", nameof(deployment));
            }
        }

        if (entry.Client is not null)
        {
            return entry.Client;
        }

        IChatProviderFactory factory = entry.Factory!;
        Deployment target = entry.Deployment;
        return _created.GetOrAdd(
            deployment.Name,
            _ => new Lazy<IChatClient>(() => factory.CreateClient(target, _services), LazyThreadSafetyMode.ExecutionAndPublication)).Value;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (Lazy<IChatClient> client in _created.Values)
        {
            if (client.IsValueCreated)
            {
                client.Value.Dispose();
            }
        }

        _created.Clear();
    }

    private ProviderRegistry Add(Deployment deployment, Entry entry)
    {
        lock (_gate)
        {
            if (!_entries.TryAdd(deployment.Name, entry))
            {
                throw new ArgumentException($"A deployment named '{deployment.Name}' is already registered.", nameof(deployment));
            }

            _deployments.Add(deployment);
        }

        return this;
    }

    private sealed record Entry(Deployment Deployment, IChatClient? Client, IChatProviderFactory? Factory);

    private sealed class EmptyServiceProvider : IServiceProvider
    {
        public static readonly EmptyServiceProvider Instance = new();

        public object? GetService(Type serviceType) => null;
    }
}
