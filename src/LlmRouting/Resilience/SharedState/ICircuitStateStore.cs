namespace LlmRouting;

/// <summary>
/// Where deployments' circuit states are shared between application instances (the seam for a distributed store such as Redis).
/// Each instance keeps its own circuit breaker per deployment (failure window, probe); it publishes every transition here and,
/// before letting a request through, adopts a newer transition another instance published: a circuit one instance opened is open
/// for all until its break ends, and a circuit another instance's probe closed is closed again.
/// </summary>
/// <remarks>
/// <para>
/// Both members are called on the request path, under the breaker's lock: they must answer from memory and never block on I/O.
/// A distributed implementation keeps a local mirror (refreshed by a subscription or by polling) and publishes in the background.
/// Times are wall-clock UTC (<see cref="TimeProvider.GetUtcNow"/>), comparable between instances. Implementations are thread-safe.
/// </para>
/// <para>
/// Without a store (the default), circuits are per process. <see cref="InMemoryCircuitStateStore"/> shares them between clients in
/// one process. Register an implementation in DI (<c>services.AddSingleton&lt;ICircuitStateStore, …&gt;()</c>) before
/// <c>AddLlmRouting()</c> builds the resilience registry.
/// </para>
/// </remarks>
public interface ICircuitStateStore
{
    /// <summary>Gets the latest transition any instance published for a deployment's circuit.</summary>
    /// <param name="deployment">The deployment name.</param>
    /// <returns>The transition, or <see langword="null"/> when none is known.</returns>
    SharedCircuitState? Get(string deployment);

    /// <summary>Publishes a transition of this instance's circuit for a deployment.</summary>
    /// <param name="deployment">The deployment name.</param>
    /// <param name="state">The transition.</param>
    void Publish(string deployment, SharedCircuitState state);
}

/// <summary>A circuit transition as shared through an <see cref="ICircuitStateStore"/>.</summary>
/// <param name="State">The state the circuit moved to (<see cref="DeploymentCircuitState.Open"/> or <see cref="DeploymentCircuitState.Closed"/>; half-open probes stay per instance).</param>
/// <param name="ChangedAt">When it moved (UTC); a newer transition wins.</param>
/// <param name="OpenUntil">For an open circuit: when its break ends (UTC).</param>
public sealed record SharedCircuitState(DeploymentCircuitState State, DateTimeOffset ChangedAt, DateTimeOffset? OpenUntil);
