using Microsoft.Extensions.AI;

namespace LlmRouting.Testing;

/// <summary>A chat client whose behaviour is given by callbacks, for unit tests of middleware.</summary>
/// <remarks>Thread-safe as long as the callbacks are.</remarks>
public sealed class TestChatClient : IChatClient
{
    /// <summary>Gets or sets the callback for <see cref="GetResponseAsync"/>.</summary>
    public Func<IEnumerable<ChatMessage>, ChatOptions?, CancellationToken, Task<ChatResponse>>? GetResponseAsyncCallback { get; set; }

    /// <summary>Gets or sets the callback for <see cref="GetStreamingResponseAsync"/>.</summary>
    public Func<IEnumerable<ChatMessage>, ChatOptions?, CancellationToken, IAsyncEnumerable<ChatResponseUpdate>>? GetStreamingResponseAsyncCallback { get; set; }

    /// <summary>Gets or sets the callback for <see cref="GetService"/>.</summary>
    public Func<Type, object?, object?>? GetServiceCallback { get; set; }

    /// <summary>Gets or sets the metadata returned for <see cref="ChatClientMetadata"/> requests.</summary>
    public ChatClientMetadata? Metadata { get; set; }

    /// <summary>Gets a value indicating whether <see cref="Dispose"/> was called.</summary>
    public bool Disposed { get; private set; }

    /// <inheritdoc/>
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        (GetResponseAsyncCallback ?? throw new InvalidOperationException("GetResponseAsyncCallback is not set."))(messages, options, cancellationToken);

    /// <inheritdoc/>
    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        (GetStreamingResponseAsyncCallback ?? throw new InvalidOperationException("GetStreamingResponseAsyncCallback is not set."))(messages, options, cancellationToken);

    /// <inheritdoc/>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (GetServiceCallback is { } callback)
        {
            return callback(serviceType, serviceKey);
        }

        if (serviceKey is null && serviceType == typeof(ChatClientMetadata))
        {
            return Metadata;
        }

        return serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <inheritdoc/>
    public void Dispose() => Disposed = true;
}
