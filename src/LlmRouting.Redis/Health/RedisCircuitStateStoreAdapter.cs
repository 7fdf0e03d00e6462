namespace LlmRouting.Redis;

/// <summary>The resilience layer's <see cref="ICircuitStateStore"/> seam over <see cref="RedisCircuitStateStore"/>: circuits are shared by the fleet.</summary>
/// <remarks>Both members answer from memory / publish in the background, as the seam requires. Thread-safe.</remarks>
internal sealed class RedisCircuitStateStoreAdapter(RedisCircuitStateStore store) : ICircuitStateStore
{
    /// <inheritdoc/>
    public SharedCircuitState? Get(string deployment) => store.Get(deployment) is { } t
        ? new SharedCircuitState(t.IsOpen ? DeploymentCircuitState.Open : DeploymentCircuitState.Closed, t.ChangedAt, t.OpenUntil)
        : null;

    /// <inheritdoc/>
    public void Publish(string deployment, SharedCircuitState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.State == DeploymentCircuitState.HalfOpen)
        {
            return; // probes stay per instance
        }

        store.Publish(deployment, new CircuitTransition(state.State == DeploymentCircuitState.Open, state.ChangedAt, state.OpenUntil));
    }
}
