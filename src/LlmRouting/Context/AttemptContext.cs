using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>
/// The deployment one attempt targets. The resilience layer stores it in a per-attempt clone of the options;
/// the telemetry layer and the dispatcher read it. Concurrent (hedged) attempts each have their own.
/// </summary>
public sealed class AttemptContext
{
    /// <summary>The key under which the attempt travels in <see cref="ChatOptions.AdditionalProperties"/>.</summary>
    public const string OptionsKey = "LlmRouting.Attempt";

    /// <summary>Initializes a new instance of the <see cref="AttemptContext"/> class.</summary>
    /// <param name="request">The request context, if the router is in the chain.</param>
    /// <param name="deployment">The deployment to call.</param>
    /// <param name="attempt">The attempt record to fill.</param>
    public AttemptContext(LlmRequestContext? request, Deployment deployment, RoutingAttempt attempt)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        ArgumentNullException.ThrowIfNull(attempt);
        Request = request;
        Deployment = deployment;
        Attempt = attempt;
    }

    /// <summary>Gets the request context, if the router is in the chain.</summary>
    public LlmRequestContext? Request { get; }

    /// <summary>Gets the deployment to call.</summary>
    public Deployment Deployment { get; }

    /// <summary>Gets the attempt record.</summary>
    public RoutingAttempt Attempt { get; }

    /// <summary>Gets the attempt context carried by <paramref name="options"/>.</summary>
    /// <param name="options">The options, possibly <see langword="null"/>.</param>
    /// <param name="context">The attempt, when present.</param>
    /// <returns><see langword="true"/> if present.</returns>
    public static bool TryGet(ChatOptions? options, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out AttemptContext? context)
    {
        if (options?.AdditionalProperties?.TryGetValue(OptionsKey, out object? value) == true && value is AttemptContext c)
        {
            context = c;
            return true;
        }

        context = null;
        return false;
    }
}
