namespace LlmRouting;

/// <summary>
/// What the redactor found in one request and where the request went: one event per deployment attempted, or one with
/// <see cref="Sent"/> = <see langword="false"/> when the request was refused. Never contains the values themselves.
/// </summary>
public sealed record RedactionAuditEvent
{
    /// <summary>Gets the request id, when the router is in the chain.</summary>
    public string? RequestId { get; init; }

    /// <summary>Gets the tenant the request was made for, if one was named.</summary>
    public string? Tenant { get; init; }

    /// <summary>Gets the deployment that received the redacted request, or <see langword="null"/> if none did or it is unknown (no router).</summary>
    public string? Deployment { get; init; }

    /// <summary>Gets the provider of <see cref="Deployment"/>.</summary>
    public string? Provider { get; init; }

    /// <summary>Gets the model of <see cref="Deployment"/>.</summary>
    public string? Model { get; init; }

    /// <summary>Gets the attempt number (from 1) of the request at <see cref="Deployment"/>.</summary>
    public int? Attempt { get; init; }

    /// <summary>Gets a value indicating whether the redacted request was handed on towards a provider (<see langword="false"/> when it was blocked or no deployment was eligible).</summary>
    public bool Sent { get; init; }

    /// <summary>Gets the entity types found, with counts and actions.</summary>
    public IReadOnlyList<RedactionAuditEntry> Entries { get; init; } = [];

    /// <summary>Gets when the event was recorded.</summary>
    public DateTimeOffset Timestamp { get; init; }
}
