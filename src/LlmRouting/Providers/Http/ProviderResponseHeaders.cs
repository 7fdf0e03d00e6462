using System.Globalization;
using System.Net.Http.Headers;

namespace LlmRouting;

/// <summary>Provider-neutral parsing of reply headers: <c>Retry-After</c> variants, request ids and <c>x-ratelimit-*</c> rate limits.</summary>
internal static class ProviderResponseHeaders
{
    /// <summary>The longest wait a provider may ask for; longer (or absurd) values are clamped.</summary>
    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromDays(1);

    /// <summary>
    /// Reads how long the provider asked the caller to wait, from <c>retry-after-ms</c>, <c>x-ms-retry-after-ms</c>
    /// (milliseconds) or <c>retry-after</c> (seconds, or an HTTP date relative to <paramref name="timeProvider"/>), in that order.
    /// </summary>
    /// <param name="headers">The reply headers.</param>
    /// <param name="timeProvider">The clock used for HTTP-date values.</param>
    /// <returns>The wait, never negative; <see langword="null"/> when no header is present or parsable.</returns>
    public static TimeSpan? GetRetryAfter(HttpResponseHeaders headers, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(timeProvider);
        foreach (string name in (ReadOnlySpan<string>)["retry-after-ms", "x-ms-retry-after-ms"])
        {
            if (GetFirst(headers, name) is { } ms
                && double.TryParse(ms, NumberStyles.Float, CultureInfo.InvariantCulture, out double millis)
                && double.IsFinite(millis))
            {
                return TimeSpan.FromMilliseconds(Math.Clamp(millis, 0, MaxRetryAfter.TotalMilliseconds));
            }
        }

        return GetFirst(headers, "retry-after") is { } value ? ParseRetryAfter(value, timeProvider) : null;
    }

    /// <summary>Parses a <c>Retry-After</c> value: delay seconds (fractions accepted) or an HTTP date.</summary>
    /// <param name="value">The header value.</param>
    /// <param name="timeProvider">The clock for dates.</param>
    /// <returns>The wait, or <see langword="null"/> when unparsable.</returns>
    public static TimeSpan? ParseRetryAfter(string value, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        value = value.Trim();
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds))
        {
            return double.IsFinite(seconds) ? TimeSpan.FromSeconds(Math.Clamp(seconds, 0, MaxRetryAfter.TotalSeconds)) : null;
        }

        if (DateTimeOffset.TryParseExact(value, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset date)
            || DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out date))
        {
            return Clamp(date - timeProvider.GetUtcNow());
        }

        return null;
    }

    /// <summary>Gets the first value of the first present header among <paramref name="names"/>.</summary>
    /// <param name="headers">The reply headers.</param>
    /// <param name="names">Header names in order of preference.</param>
    /// <returns>The value, or <see langword="null"/>.</returns>
    public static string? GetFirstOf(HttpResponseHeaders headers, IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(names);
        foreach (string name in names)
        {
            if (GetFirst(headers, name) is { } value)
            {
                return value;
            }
        }

        return null;
    }

    /// <summary>
    /// Reads OpenAI-style rate-limit headers (<c>x-ratelimit-limit-requests</c>, <c>-tokens</c>, <c>x-ratelimit-remaining-*</c>,
    /// <c>x-ratelimit-reset-*</c>), used by OpenAI, Azure OpenAI, Groq, Cerebras, OpenRouter and others.
    /// </summary>
    /// <param name="headers">The reply headers.</param>
    /// <returns>The rate limits, or <see langword="null"/> when none of the headers is present.</returns>
    public static RateLimitInfo? GetXRateLimits(HttpResponseHeaders headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        long? limitRequests = GetLong(headers, "x-ratelimit-limit-requests");
        long? limitTokens = GetLong(headers, "x-ratelimit-limit-tokens");
        long? remainingRequests = GetLong(headers, "x-ratelimit-remaining-requests");
        long? remainingTokens = GetLong(headers, "x-ratelimit-remaining-tokens");
        TimeSpan? resetRequests = GetDuration(headers, "x-ratelimit-reset-requests");
        TimeSpan? resetTokens = GetDuration(headers, "x-ratelimit-reset-tokens");
        if (limitRequests is null && limitTokens is null && remainingRequests is null && remainingTokens is null
            && resetRequests is null && resetTokens is null)
        {
            return null;
        }

        return new RateLimitInfo
        {
            LimitRequests = limitRequests,
            LimitTokens = limitTokens,
            RemainingRequests = remainingRequests,
            RemainingTokens = remainingTokens,
            ResetRequests = resetRequests,
            ResetTokens = resetTokens,
        };
    }

    /// <summary>
    /// Parses a duration such as <c>1s</c>, <c>6m0s</c>, <c>20ms</c>, <c>1h2m3.5s</c>, <c>150us</c> (Go <c>time.Duration</c> syntax)
    /// or a bare number of seconds (<c>0.5</c>).
    /// </summary>
    /// <param name="value">The text.</param>
    /// <param name="duration">The parsed duration.</param>
    /// <returns><see langword="true"/> when parsed.</returns>
    public static bool TryParseDuration(string? value, out TimeSpan duration)
    {
        duration = default;
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        ReadOnlySpan<char> s = value.AsSpan().Trim();
        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double bareSeconds))
        {
            if (!double.IsFinite(bareSeconds) || bareSeconds < 0)
            {
                return false;
            }

            duration = TimeSpan.FromSeconds(Math.Min(bareSeconds, TimeSpan.MaxValue.TotalSeconds / 2));
            return true;
        }

        double totalMs = 0;
        while (!s.IsEmpty)
        {
            int numberLength = 0;
            while (numberLength < s.Length && (char.IsAsciiDigit(s[numberLength]) || s[numberLength] == '.'))
            {
                numberLength++;
            }

            if (numberLength == 0
                || !double.TryParse(s[..numberLength], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double number))
            {
                return false;
            }

            s = s[numberLength..];
            int unitLength = 0;
            while (unitLength < s.Length && (char.IsAsciiLetter(s[unitLength]) || s[unitLength] == 'µ'))
            {
                unitLength++;
            }

            double unitMs = s[..unitLength] switch
            {
                "h" => 3_600_000,
                "m" => 60_000,
                "s" => 1_000,
                "ms" => 1,
                "us" or "µs" => 0.001,
                "ns" => 0.000_001,
                _ => double.NaN,
            };
            if (double.IsNaN(unitMs))
            {
                return false;
            }

            totalMs += number * unitMs;
            s = s[unitLength..];
        }

        duration = TimeSpan.FromMilliseconds(Math.Min(totalMs, TimeSpan.MaxValue.TotalMilliseconds / 2));
        return true;
    }

    private static TimeSpan Clamp(TimeSpan value) =>
        value < TimeSpan.Zero ? TimeSpan.Zero : value > MaxRetryAfter ? MaxRetryAfter : value;

    private static string? GetFirst(HttpResponseHeaders headers, string name)
    {
        if (headers.TryGetValues(name, out IEnumerable<string>? values))
        {
            foreach (string v in values)
            {
                if (!string.IsNullOrWhiteSpace(v))
                {
                    return v.Trim();
                }
            }
        }

        return null;
    }

    /// <summary>Gets a header's first value as an integer.</summary>
    /// <param name="headers">The reply headers.</param>
    /// <param name="name">The header name.</param>
    /// <returns>The value, or <see langword="null"/> when absent or not an integer.</returns>
    public static long? GetLong(HttpResponseHeaders headers, string name) =>
        GetFirst(headers, name) is { } v && long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out long n) ? n : null;

    private static TimeSpan? GetDuration(HttpResponseHeaders headers, string name) =>
        TryParseDuration(GetFirst(headers, name), out TimeSpan d) ? d : null;
}
