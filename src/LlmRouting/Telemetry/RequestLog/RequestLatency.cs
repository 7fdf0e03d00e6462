using System.Text.Json.Serialization;

namespace LlmRouting;

/// <summary>Where the time of one request went. Serialised in milliseconds (<c>*_ms</c>).</summary>
/// <remarks>
/// <see cref="Total"/> ≈ <see cref="Routing"/> + <see cref="Redaction"/> + <see cref="LimitWait"/> + <see cref="Provider"/> + the
/// gateway's own overhead; for streams, <see cref="Provider"/> includes <see cref="Streaming"/>.
/// </remarks>
public sealed record RequestLatency
{
    /// <summary>Gets the time from the start of the request to its end (for streams: the last update).</summary>
    [JsonPropertyName("total_ms")]
    [JsonConverter(typeof(MillisecondsJsonConverter))]
    public TimeSpan Total { get; init; }

    /// <summary>Gets the time the router spent choosing candidates, if measured.</summary>
    [JsonPropertyName("routing_ms")]
    [JsonConverter(typeof(NullableMillisecondsJsonConverter))]
    public TimeSpan? Routing { get; init; }

    /// <summary>Gets the time the redactor spent on the request, if measured.</summary>
    [JsonPropertyName("redaction_ms")]
    [JsonConverter(typeof(NullableMillisecondsJsonConverter))]
    public TimeSpan? Redaction { get; init; }

    /// <summary>Gets the time spent waiting on client-side limits (rate limiters, concurrency, Retry-After).</summary>
    [JsonPropertyName("limit_wait_ms")]
    [JsonConverter(typeof(MillisecondsJsonConverter))]
    public TimeSpan LimitWait { get; init; }

    /// <summary>Gets the wall-clock time during which at least one provider call was running (overlapping hedges counted once).</summary>
    [JsonPropertyName("provider_ms")]
    [JsonConverter(typeof(MillisecondsJsonConverter))]
    public TimeSpan Provider { get; init; }

    /// <summary>Gets the time from the start of the request to the first streamed update reaching the caller.</summary>
    [JsonPropertyName("time_to_first_token_ms")]
    [JsonConverter(typeof(NullableMillisecondsJsonConverter))]
    public TimeSpan? TimeToFirstToken { get; init; }

    /// <summary>Gets the time from the answering attempt's first update to its last (streams only).</summary>
    [JsonPropertyName("streaming_ms")]
    [JsonConverter(typeof(NullableMillisecondsJsonConverter))]
    public TimeSpan? Streaming { get; init; }
}
