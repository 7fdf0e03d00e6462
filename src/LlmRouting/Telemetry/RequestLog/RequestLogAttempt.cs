using System.Text.Json.Serialization;

namespace LlmRouting;

/// <summary>One attempt of a request, as recorded in the request log.</summary>
public sealed record RequestLogAttempt
{
    /// <summary>Gets the attempt number, starting at 1.</summary>
    public int Number { get; init; }

    /// <summary>Gets the deployment called.</summary>
    public required string Deployment { get; init; }

    /// <summary>Gets the deployment's provider.</summary>
    public required string Provider { get; init; }

    /// <summary>Gets the model requested.</summary>
    public required string Model { get; init; }

    /// <summary>Gets the model the provider says answered, if reported.</summary>
    public string? ResponseModel { get; init; }

    /// <summary>Gets how the attempt ended.</summary>
    public AttemptOutcome Outcome { get; init; }

    /// <summary>Gets the error classification of a failed attempt (e.g. <c>rate_limited</c>).</summary>
    public string? ErrorType { get; init; }

    /// <summary>Gets the HTTP status of a failed attempt, if any.</summary>
    public int? StatusCode { get; init; }

    /// <summary>Gets when the attempt started, relative to the start of the request.</summary>
    [JsonPropertyName("start_offset_ms")]
    [JsonConverter(typeof(MillisecondsJsonConverter))]
    public TimeSpan StartOffset { get; init; }

    /// <summary>Gets how long the attempt ran.</summary>
    [JsonPropertyName("duration_ms")]
    [JsonConverter(typeof(MillisecondsJsonConverter))]
    public TimeSpan Duration { get; init; }

    /// <summary>Gets the time from the attempt's start to its first streamed update.</summary>
    [JsonPropertyName("time_to_first_token_ms")]
    [JsonConverter(typeof(NullableMillisecondsJsonConverter))]
    public TimeSpan? TimeToFirstToken { get; init; }

    /// <summary>Gets the attempt's token usage.</summary>
    public TokenUsage Usage { get; init; } = TokenUsage.Zero;

    /// <summary>Gets the attempt's cost in US dollars.</summary>
    public decimal CostUsd { get; init; }

    /// <summary>Gets a value indicating whether any streamed update of the attempt reached the caller.</summary>
    public bool OutputCommitted { get; init; }

    /// <summary>Gets a value indicating whether the attempt was started as a hedge.</summary>
    public bool Hedged { get; init; }

    /// <summary>Gets the deployment's circuit-breaker state when the attempt started, if tracked.</summary>
    public string? CircuitState { get; init; }

    /// <summary>Gets why another attempt followed this one, if one did (e.g. <c>failover:rate_limited</c>).</summary>
    public string? FailoverReason { get; init; }

    /// <summary>Gets the finish reason the provider reported, if any.</summary>
    public string? FinishReason { get; init; }

    /// <summary>Creates the log entry of an attempt record.</summary>
    /// <param name="attempt">The attempt.</param>
    /// <returns>The entry.</returns>
    public static RequestLogAttempt From(RoutingAttempt attempt)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        return new RequestLogAttempt
        {
            Number = attempt.Number,
            Deployment = attempt.Deployment,
            Provider = attempt.Provider,
            Model = attempt.Model,
            ResponseModel = attempt.ResponseModel,
            Outcome = attempt.Outcome,
            ErrorType = attempt.ErrorKind?.ToTelemetryName(),
            StatusCode = attempt.StatusCode,
            StartOffset = attempt.StartOffset,
            Duration = attempt.Duration,
            TimeToFirstToken = attempt.TimeToFirstToken,
            Usage = attempt.Usage,
            CostUsd = attempt.CostUsd,
            OutputCommitted = attempt.OutputCommitted,
            Hedged = attempt.Hedged,
            CircuitState = attempt.CircuitState,
            FailoverReason = attempt.FailoverReason,
            FinishReason = attempt.FinishReason,
        };
    }
}
