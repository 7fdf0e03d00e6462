using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>Everything a routing policy may look at for one request. Created by the router for each ranking.</summary>
public sealed class RoutingPolicyContext
{
    /// <summary>Initializes a new instance of the <see cref="RoutingPolicyContext"/> class.</summary>
    /// <param name="candidates">The eligible candidates with their estimates and predictions.</param>
    /// <param name="profile">What the request needs, with its hints.</param>
    /// <param name="messages">The request's messages.</param>
    /// <param name="options">The request's options.</param>
    /// <param name="request">The per-request context, when the router is in the chain.</param>
    /// <exception cref="ArgumentNullException">A required argument is <see langword="null"/>.</exception>
    public RoutingPolicyContext(
        IReadOnlyList<RoutingCandidate> candidates, RequestProfile profile, IReadOnlyList<ChatMessage> messages, ChatOptions? options, LlmRequestContext? request = null)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(messages);
        Candidates = candidates;
        Profile = profile;
        Messages = messages;
        Options = options;
        Request = request;
    }

    /// <summary>Gets the eligible candidates (never empty when the router calls a policy).</summary>
    public IReadOnlyList<RoutingCandidate> Candidates { get; }

    /// <summary>Gets what the request needs, including <see cref="RequestProfile.Hints"/>.</summary>
    public RequestProfile Profile { get; }

    /// <summary>Gets the request's hints.</summary>
    public RoutingHints Hints => Profile.Hints;

    /// <summary>Gets the request's messages. Do not change them.</summary>
    public IReadOnlyList<ChatMessage> Messages { get; }

    /// <summary>Gets the request's options as the caller passed them. Do not change them.</summary>
    public ChatOptions? Options { get; }

    /// <summary>Gets the per-request context, when the router is in the chain.</summary>
    public LlmRequestContext? Request { get; }

    /// <summary>Gets or sets why the policy ranked the first candidate first; the router writes it to <see cref="RoutingReport.Reason"/>.</summary>
    public string? Reason { get; set; }
}
