using Microsoft.Extensions.AI;

namespace LlmRouting.Testing;

/// <summary>A call a <see cref="SimulatedChatClient"/> received, as the provider saw it; for assertions in tests.</summary>
/// <remarks>
/// The message list and the options are copies taken when the call was received, so later changes by the caller do not show here.
/// The <see cref="AIContent"/> objects inside the messages are shared with the caller.
/// </remarks>
public sealed class SimulatedCall
{
    private string? _promptText;

    internal SimulatedCall(long sequence, IReadOnlyList<ChatMessage> messages, ChatOptions? options, bool streaming, SimulatedFaultKind fault, DateTimeOffset timestamp)
    {
        Sequence = sequence;
        Messages = messages;
        Options = options;
        IsStreaming = streaming;
        Fault = fault;
        Timestamp = timestamp;
    }

    /// <summary>Gets the 1-based number of the call on its client, in the order calls were received.</summary>
    public long Sequence { get; }

    /// <summary>Gets the messages sent to the provider.</summary>
    public IReadOnlyList<ChatMessage> Messages { get; }

    /// <summary>Gets a copy of the options sent to the provider, or <see langword="null"/>.</summary>
    public ChatOptions? Options { get; }

    /// <summary>Gets a value indicating whether the call was a streaming call.</summary>
    public bool IsStreaming { get; }

    /// <summary>Gets the fault injected into the call; <see cref="SimulatedFaultKind.None"/> when it was answered normally.</summary>
    public SimulatedFaultKind Fault { get; }

    /// <summary>Gets when the call was received, by the client's <see cref="TimeProvider"/>.</summary>
    public DateTimeOffset Timestamp { get; }

    /// <summary>Gets the text of all messages, one message a line; handy to assert that some text (e.g. personal data) never reached the provider.</summary>
    /// <remarks>Includes tool call names and arguments and tool results, as a provider would see them.</remarks>
    public string PromptText => _promptText ??= SimulatedText.PromptText(Messages);
}
