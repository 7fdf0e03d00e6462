using System.Collections.Concurrent;

namespace LlmRouting;

/// <summary>An <see cref="ICircuitStateStore"/> in process memory: shares circuit states between resilience layers of one process (and is the reference for distributed stores).</summary>
/// <remarks>Thread-safe; the newer transition (by <see cref="SharedCircuitState.ChangedAt"/>) wins.</remarks>
public sealed class InMemoryCircuitStateStore : ICircuitStateStore
{
    private readonly ConcurrentDictionary<string, SharedCircuitState> _states = new(StringComparer.OrdinalIgnoreCase);

    /// <inheritdoc/>
    public SharedCircuitState? Get(string deployment)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(deployment);
        return _states.TryGetValue(deployment, out SharedCircuitState? state) ? state : null;
    }

    /// <inheritdoc/>
    public void Publish(string deployment, SharedCircuitState state)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(deployment);
        ArgumentNullException.ThrowIfNull(state);
        _states.AddOrUpdate(deployment, state, (_, known) => state.ChangedAt >= known.ChangedAt ? state : known);
    }
}
