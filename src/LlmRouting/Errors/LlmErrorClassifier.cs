using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace LlmRouting;

/// <summary>Classifies any exception raised by a provider call into an <see cref="LlmErrorKind"/>.</summary>
public static class LlmErrorClassifier
{
    /// <summary>Classifies <paramref name="exception"/>.</summary>
    /// <param name="exception">The failure.</param>
    /// <returns>The kind: the exception's own for <see cref="LlmProviderException"/>; otherwise derived from the exception type and HTTP status.</returns>
    public static LlmErrorKind Classify(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            LlmProviderException p => p.Kind,
            HttpRequestException { StatusCode: { } status } => FromStatus(status),
            HttpRequestException => LlmErrorKind.Network,
            TimeoutException => LlmErrorKind.Timeout,
            OperationCanceledException => LlmErrorKind.Timeout,
            SocketException or IOException => LlmErrorKind.Network,
            JsonException or FormatException => LlmErrorKind.InvalidResponse,
            _ => LlmErrorKind.Unknown,
        };
    }

    /// <summary>Classifies an HTTP status code.</summary>
    /// <param name="status">The status.</param>
    /// <returns>The kind.</returns>
    public static LlmErrorKind FromStatus(HttpStatusCode status) => ProviderErrorClassifier.FromStatusCode(status);
}
