using Microsoft.Extensions.AI;

namespace LlmRouting.Testing;

/// <summary>A scripted reply of a <see cref="SimulatedChatClient"/>: text, tool calls, finish reason and optionally exact usage.</summary>
/// <remarks>Immutable once created; one instance may be queued many times. The client copies the tool calls into every response.</remarks>
public sealed class SimulatedReply
{
    /// <summary>Initializes a new instance of the <see cref="SimulatedReply"/> class with empty text.</summary>
    public SimulatedReply()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="SimulatedReply"/> class.</summary>
    /// <param name="text">The answer text.</param>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    public SimulatedReply(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Text = text;
    }

    /// <summary>Gets or initializes the answer text; may be empty (e.g. for a reply that only calls tools).</summary>
    public string Text { get; init; } = string.Empty;

    /// <summary>Gets or initializes the tool calls the model asks for, returned after the text.</summary>
    public IReadOnlyList<FunctionCallContent> ToolCalls { get; init; } = [];

    /// <summary>
    /// Gets or initializes the finish reason. When <see langword="null"/>: <see cref="ChatFinishReason.Length"/> if the text was cut to
    /// <see cref="ChatOptions.MaxOutputTokens"/>, else <see cref="ChatFinishReason.ToolCalls"/> if there are tool calls, else <see cref="ChatFinishReason.Stop"/>.
    /// </summary>
    public ChatFinishReason? FinishReason { get; init; }

    /// <summary>Gets or initializes the usage to report instead of the estimate; copied into every response.</summary>
    public UsageDetails? Usage { get; init; }

    /// <summary>Creates a reply that asks for one tool call.</summary>
    /// <param name="name">The function name.</param>
    /// <param name="arguments">The arguments, if any.</param>
    /// <param name="callId">The call id; <c>call_</c> followed by <paramref name="name"/> when <see langword="null"/>.</param>
    /// <param name="text">Text to return before the call, if any.</param>
    /// <returns>The reply.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    public static SimulatedReply WithToolCall(string name, IDictionary<string, object?>? arguments = null, string? callId = null, string text = "")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(text);
        return new SimulatedReply(text)
        {
            ToolCalls = [new FunctionCallContent(callId ?? "call_" + name, name, arguments)],
        };
    }
}
