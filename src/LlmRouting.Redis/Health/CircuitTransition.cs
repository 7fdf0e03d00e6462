using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace LlmRouting.Redis;

/// <summary>A circuit transition shared through <see cref="RedisCircuitStateStore"/>: open (until <see cref="OpenUntil"/>) or closed, at <see cref="ChangedAt"/>.</summary>
/// <param name="IsOpen">Whether the circuit opened (otherwise it closed).</param>
/// <param name="ChangedAt">When it changed (UTC); the newer transition wins.</param>
/// <param name="OpenUntil">For an open circuit: when its break ends (UTC).</param>
internal sealed record CircuitTransition(bool IsOpen, DateTimeOffset ChangedAt, DateTimeOffset? OpenUntil)
{
    public string Encode() => string.Create(
        CultureInfo.InvariantCulture,
        $"{(IsOpen ? 'o' : 'c')}|{ChangedAtMicroseconds}|{OpenUntil?.ToUnixTimeMilliseconds() ?? 0}");

    /// <summary>
    /// Gets <see cref="ChangedAt"/> in microseconds since the Unix epoch: the order of transitions in Redis. Microseconds, not
    /// milliseconds, so two transitions within one millisecond (a circuit opened and closed again at once) keep their order; exact
    /// in a Lua number (below 2^53).
    /// </summary>
    public long ChangedAtMicroseconds => (ChangedAt.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;

    public static bool TryDecode(string text, [NotNullWhen(true)] out CircuitTransition? transition)
    {
        transition = null;
        string[] parts = text.Split('|');
        if (parts.Length != 3 || parts[0] is not ("o" or "c")
            || !long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out long at)
            || !long.TryParse(parts[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out long until))
        {
            return false;
        }

        transition = new CircuitTransition(
            parts[0] == "o",
            DateTimeOffset.UnixEpoch.AddTicks(at * TimeSpan.TicksPerMicrosecond),
            parts[0] == "o" ? DateTimeOffset.FromUnixTimeMilliseconds(until) : null);
        return true;
    }
}
