using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmRouting;

/// <summary>
/// Keeps one <see cref="DeploymentResilience"/> (Polly pipeline, circuit breaker, limiter, latency samples) per deployment name,
/// created from <see cref="ResilienceOptions"/> when the deployment is first used, and answers <see cref="IDeploymentHealth"/>.
/// </summary>
/// <remarks>Thread-safe. One instance is shared by the router (to skip unavailable deployments) and the resilience layer.</remarks>
internal sealed class DeploymentResilienceRegistry : IDeploymentHealth
{
    private readonly ConcurrentDictionary<string, DeploymentResilience> _deployments = new(StringComparer.OrdinalIgnoreCase);
    private readonly Func<string, DeploymentResilience> _factory;
    private readonly ILogger _logger;

    public DeploymentResilienceRegistry(
        ResilienceOptions options,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null,
        ICircuitStateStore? circuitStore = null,
        IRateLimitCounterStore? counterStore = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        TimeProvider = timeProvider ?? TimeProvider.System;
        CircuitStore = circuitStore;
        CounterStore = counterStore;
        _logger = (ILogger?)loggerFactory?.CreateLogger<ResilienceChatClient>() ?? NullLogger.Instance;
        _factory = name => new DeploymentResilience(name, DeploymentPolicy.Resolve(Options, name), TimeProvider, OnTransition, CircuitStore, CounterStore, _logger);
    }

    /// <summary>Gets the store circuit states are shared through, if any (else circuits are per process).</summary>
    public ICircuitStateStore? CircuitStore { get; }

    /// <summary>Gets the store request and token counts are shared through, if any (else counts are per process).</summary>
    public IRateLimitCounterStore? CounterStore { get; }

    public ResilienceOptions Options { get; }

    public TimeProvider TimeProvider { get; }

    public ILogger Logger => _logger;

    public DeploymentResilience Get(string deployment) => _deployments.GetOrAdd(deployment, _factory);

    /// <inheritdoc/>
    public DeploymentHealthState GetState(string deployment, long estimatedTokens = 0)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(deployment);
        return Get(deployment).GetState(estimatedTokens);
    }

    /// <inheritdoc/>
    public IReadOnlyList<DeploymentHealthState> GetStates() =>
        _deployments.Values.OrderBy(d => d.Name, StringComparer.OrdinalIgnoreCase).Select(d => d.GetState(0)).ToArray();

    private void OnTransition(DeploymentCircuitBreaker breaker, DeploymentCircuitState from, DeploymentCircuitState to)
    {
        ResilienceDiagnostics.RecordTransition(breaker.Deployment, to);
        ResilienceLog.CircuitChanged(_logger, breaker.Deployment, from, to);
    }
}
