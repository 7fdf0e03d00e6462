namespace LlmRouting;

/// <summary>Exponential backoff with optional "equal" jitter: each delay is drawn uniformly between half and all of the exponential delay.</summary>
internal static class RetryBackoff
{
    /// <summary>Computes the backoff before retry number <paramref name="retry"/> (1 for the first retry).</summary>
    /// <param name="retry">The retry number, at least 1.</param>
    /// <param name="baseDelay">The first delay.</param>
    /// <param name="maxDelay">The cap.</param>
    /// <param name="useJitter">Whether to jitter.</param>
    /// <param name="randomizer">A source of uniform numbers in [0, 1).</param>
    /// <returns>The delay.</returns>
    public static TimeSpan Compute(int retry, TimeSpan baseDelay, TimeSpan maxDelay, bool useJitter, Func<double> randomizer)
    {
        if (baseDelay <= TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }

        double exponential = baseDelay.TotalMilliseconds * Math.Pow(2, Math.Clamp(retry, 1, 31) - 1);
        double capped = Math.Min(exponential, Math.Max(baseDelay.TotalMilliseconds, maxDelay.TotalMilliseconds));
        if (useJitter)
        {
            double u = Math.Clamp(randomizer(), 0d, 1d);
            capped = (capped / 2) + (u * capped / 2);
        }

        return TimeSpan.FromMilliseconds(capped);
    }
}
