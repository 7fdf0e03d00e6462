namespace LlmRouting;

/// <summary>Which request-log records a report covers.</summary>
public sealed record ReportQuery
{
    /// <summary>Gets the earliest start time included, if any.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Gets the start time before which records are included, if any (exclusive).</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>Gets the only tenant included, if any.</summary>
    public string? Tenant { get; init; }

    /// <summary>Gets a tag every included request carries, if any.</summary>
    public string? Tag { get; init; }

    internal bool Includes(RequestLogRecord record) =>
        (From is not { } from || record.StartedAt >= from)
        && (To is not { } to || record.StartedAt < to)
        && (Tenant is null || string.Equals(record.Tenant, Tenant, StringComparison.Ordinal))
        && (Tag is null || record.Tags.Contains(Tag, StringComparer.Ordinal));
}
