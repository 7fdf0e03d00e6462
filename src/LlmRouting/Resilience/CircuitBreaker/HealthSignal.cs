namespace LlmRouting;

/// <summary>What one finished attempt says about a deployment's health.</summary>
internal enum HealthSignal
{
    /// <summary>Says nothing (cancellation, a request error, a rate limit).</summary>
    Neutral = 0,

    /// <summary>The deployment served the request.</summary>
    Success,

    /// <summary>The deployment failed.</summary>
    Failure,
}
