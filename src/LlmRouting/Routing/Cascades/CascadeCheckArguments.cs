using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>What a cascade predicate (<see cref="CostRouterChatClient.CascadePredicate"/>) sees of one step's answer.</summary>
public readonly struct CascadeCheckArguments
{
    /// <summary>Initializes a new instance of the <see cref="CascadeCheckArguments"/> struct.</summary>
    /// <param name="response">The step's answer (merged from the buffered updates for streams).</param>
    /// <param name="deployment">The deployment that answered.</param>
    /// <param name="step">The step number, from 1.</param>
    /// <param name="messages">The request's messages.</param>
    /// <param name="options">The request's options.</param>
    public CascadeCheckArguments(ChatResponse response, Deployment deployment, int step, IReadOnlyList<ChatMessage> messages, ChatOptions? options)
    {
        Response = response;
        Deployment = deployment;
        Step = step;
        Messages = messages;
        Options = options;
    }

    /// <summary>Gets the step's answer.</summary>
    public ChatResponse Response { get; }

    /// <summary>Gets the deployment that answered.</summary>
    public Deployment Deployment { get; }

    /// <summary>Gets the step number, from 1.</summary>
    public int Step { get; }

    /// <summary>Gets the request's messages.</summary>
    public IReadOnlyList<ChatMessage> Messages { get; }

    /// <summary>Gets the request's options (do not change them).</summary>
    public ChatOptions? Options { get; }
}
