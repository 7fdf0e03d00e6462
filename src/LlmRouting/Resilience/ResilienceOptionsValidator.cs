using System.Globalization;

namespace LlmRouting;

/// <summary>Validates <see cref="ResilienceOptions"/>; every message names the setting by its configuration path.</summary>
internal static class ResilienceOptionsValidator
{
    private const string S = LlmRoutingOptions.SectionName + ":Resilience";

    /// <summary>Adds an error to <paramref name="errors"/> for every invalid setting.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="deployments">The configured deployment names, or <see langword="null"/> to skip the checks that need them.</param>
    /// <param name="errors">The list to add to.</param>
    public static void Check(ResilienceOptions? options, ICollection<string>? deployments, List<string> errors)
    {
        if (options is null)
        {
            errors.Add($"{S} is empty.");
            return;
        }

        if (options.MaxAttempts < 1)
        {
            errors.Add($"{S}:MaxAttempts must be at least 1.");
        }

        ResilienceRetryOptions retry = options.Retry ?? new();
        NonNegative(errors, $"{S}:Retry:MaxRetryAttempts", retry.MaxRetryAttempts);
        NonNegative(errors, $"{S}:Retry:BaseDelay", retry.BaseDelay);
        NonNegative(errors, $"{S}:Retry:MaxRetryAfter", retry.MaxRetryAfter);
        if (retry.MaxDelay < retry.BaseDelay)
        {
            errors.Add(Invariant($"{S}:Retry:MaxDelay must not be shorter than {S}:Retry:BaseDelay (was {retry.MaxDelay} < {retry.BaseDelay})."));
        }

        ResilienceCircuitBreakerOptions breaker = options.CircuitBreaker ?? new();
        Ratio(errors, $"{S}:CircuitBreaker:FailureRatio", breaker.FailureRatio);
        Positive(errors, $"{S}:CircuitBreaker:SamplingDuration", breaker.SamplingDuration);
        Positive(errors, $"{S}:CircuitBreaker:BreakDuration", breaker.BreakDuration);
        Positive(errors, $"{S}:CircuitBreaker:MinimumThroughput", breaker.MinimumThroughput);

        ResilienceTimeoutOptions timeouts = options.Timeouts ?? new();
        Timeout(errors, $"{S}:Timeouts:TotalRequestTimeout", timeouts.TotalRequestTimeout);
        Timeout(errors, $"{S}:Timeouts:AttemptTimeout", timeouts.AttemptTimeout);
        Timeout(errors, $"{S}:Timeouts:TimeToFirstTokenTimeout", timeouts.TimeToFirstTokenTimeout);
        Timeout(errors, $"{S}:Timeouts:StreamIdleTimeout", timeouts.StreamIdleTimeout);

        ResilienceHedgingOptions hedging = options.Hedging ?? new();
        Positive(errors, $"{S}:Hedging:Delay", hedging.Delay);
        if (hedging.MaxHedgedAttempts is < 0 or > 10)
        {
            errors.Add(Invariant($"{S}:Hedging:MaxHedgedAttempts must be between 0 and 10 (was {hedging.MaxHedgedAttempts})."));
        }

        ResilienceRateLimitOptions limits = options.RateLimits ?? new();
        Positive(errors, $"{S}:RateLimits:RequestsPerMinute", limits.RequestsPerMinute);
        Positive(errors, $"{S}:RateLimits:TokensPerMinute", limits.TokensPerMinute);
        Positive(errors, $"{S}:RateLimits:MaxConcurrency", limits.MaxConcurrency);

        IList<string> fallbacks = options.ContentPolicyFallbacks ?? [];
        for (int i = 0; i < fallbacks.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(fallbacks[i]))
            {
                errors.Add(Invariant($"{S}:ContentPolicyFallbacks:{i} is empty."));
            }
            else if (deployments is not null && !deployments.Contains(fallbacks[i]))
            {
                errors.Add(Invariant($"{S}:ContentPolicyFallbacks:{i} '{fallbacks[i]}' is not a configured deployment."));
            }
        }

        foreach ((string name, DeploymentResilienceOptions? d) in options.Deployments ?? new Dictionary<string, DeploymentResilienceOptions>())
        {
            string path = $"{S}:Deployments:{name}";
            if (deployments is not null && !deployments.Contains(name))
            {
                errors.Add($"{path} is not a configured deployment.");
            }

            if (d is null)
            {
                continue;
            }

            Timeout(errors, $"{path}:AttemptTimeout", d.AttemptTimeout);
            Timeout(errors, $"{path}:TimeToFirstTokenTimeout", d.TimeToFirstTokenTimeout);
            Timeout(errors, $"{path}:StreamIdleTimeout", d.StreamIdleTimeout);
            NonNegative(errors, $"{path}:MaxRetryAttempts", d.MaxRetryAttempts);
            NonNegative(errors, $"{path}:MaxRetryAfter", d.MaxRetryAfter);
            Ratio(errors, $"{path}:FailureRatio", d.FailureRatio);
            Positive(errors, $"{path}:SamplingDuration", d.SamplingDuration);
            Positive(errors, $"{path}:MinimumThroughput", d.MinimumThroughput);
            Positive(errors, $"{path}:BreakDuration", d.BreakDuration);
            Positive(errors, $"{path}:RequestsPerMinute", d.RequestsPerMinute);
            Positive(errors, $"{path}:TokensPerMinute", d.TokensPerMinute);
            Positive(errors, $"{path}:MaxConcurrency", d.MaxConcurrency);
            Positive(errors, $"{path}:HedgingDelay", d.HedgingDelay);
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static void Ratio(List<string> errors, string path, double? value)
    {
        if (value is { } v && !(v > 0 && v <= 1))
        {
            errors.Add(Invariant($"{path} must be above 0 and at most 1 (was {v})."));
        }
    }

    private static void Positive(List<string> errors, string path, long? value)
    {
        if (value is <= 0)
        {
            errors.Add(Invariant($"{path} must be positive (was {value})."));
        }
    }

    private static void Positive(List<string> errors, string path, TimeSpan? value)
    {
        if (value is { } v && v <= TimeSpan.Zero)
        {
            errors.Add(Invariant($"{path} must be positive (was {v})."));
        }
    }

    private static void NonNegative(List<string> errors, string path, long? value)
    {
        if (value is < 0)
        {
            errors.Add(Invariant($"{path} must not be negative (was {value})."));
        }
    }

    private static void NonNegative(List<string> errors, string path, TimeSpan? value)
    {
        if (value is { } v && v < TimeSpan.Zero)
        {
            errors.Add(Invariant($"{path} must not be negative (was {v})."));
        }
    }

    private static void Timeout(List<string> errors, string path, TimeSpan? value)
    {
        if (value is { } v && v < TimeSpan.Zero && v != System.Threading.Timeout.InfiniteTimeSpan)
        {
            errors.Add(Invariant($"{path} must be positive, or zero to turn the timeout off (was {v})."));
        }
    }
}
