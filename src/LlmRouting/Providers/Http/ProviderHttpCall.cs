using System.Net;
using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text;

namespace LlmRouting;

/// <summary>
/// Provider-neutral plumbing for one HTTP call to a model provider: sends the request, maps transport failures,
/// reads bodies and server-sent events, and builds <see cref="LlmProviderException"/>s filled from the reply headers.
/// </summary>
/// <remarks>
/// Caller cancellation always propagates as <see cref="OperationCanceledException"/>, never wrapped.
/// Messages built here never contain the API key: provider-supplied text passes through <see cref="Sanitize"/>.
/// </remarks>
internal sealed class ProviderHttpCall
{
    /// <summary>The longest provider-supplied text copied into an exception message.</summary>
    internal const int MaxProviderTextLength = 500;

    private readonly string? _secret;

    /// <summary>Initializes a new instance of the <see cref="ProviderHttpCall"/> class.</summary>
    /// <param name="provider">The provider name reported in errors.</param>
    /// <param name="model">The model called.</param>
    /// <param name="deployment">The deployment name, if known.</param>
    /// <param name="timeProvider">The clock for <c>Retry-After</c> dates.</param>
    /// <param name="secret">The API key, redacted from any provider text copied into messages.</param>
    /// <param name="requestIdHeaders">Reply headers holding the provider's request id, in order of preference.</param>
    /// <param name="rateLimitReader">Reads rate limits from reply headers; it gets <paramref name="timeProvider"/> for reset dates (a static delegate: nothing is allocated per call).</param>
    public ProviderHttpCall(
        string provider,
        string? model,
        string? deployment,
        TimeProvider timeProvider,
        string? secret,
        IReadOnlyList<string> requestIdHeaders,
        Func<HttpResponseHeaders, TimeProvider, RateLimitInfo?> rateLimitReader)
    {
        Provider = provider;
        Model = model;
        Deployment = deployment;
        TimeProvider = timeProvider;
        _secret = string.IsNullOrEmpty(secret) ? null : secret;
        RequestIdHeaders = requestIdHeaders;
        RateLimitReader = rateLimitReader;
    }

    /// <summary>Gets the provider name.</summary>
    public string Provider { get; }

    /// <summary>Gets the model called.</summary>
    public string? Model { get; }

    /// <summary>Gets the deployment name.</summary>
    public string? Deployment { get; }

    /// <summary>Gets the clock.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Gets the request-id header names.</summary>
    public IReadOnlyList<string> RequestIdHeaders { get; }

    /// <summary>Gets the rate-limit reader.</summary>
    public Func<HttpResponseHeaders, TimeProvider, RateLimitInfo?> RateLimitReader { get; }

    /// <summary>Sends <paramref name="request"/>, translating transport failures into <see cref="LlmProviderException"/>.</summary>
    /// <param name="client">The HTTP client.</param>
    /// <param name="request">The request.</param>
    /// <param name="completionOption">
    /// <see cref="HttpCompletionOption.ResponseContentRead"/> to buffer the body under <see cref="HttpClient.Timeout"/> (whole replies),
    /// <see cref="HttpCompletionOption.ResponseHeadersRead"/> to read it as it arrives (streams).
    /// </param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <returns>The reply, whatever its status.</returns>
    public async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpRequestMessage request, HttpCompletionOption completionOption, CancellationToken cancellationToken)
    {
        try
        {
            return await client.SendAsync(request, completionOption, cancellationToken);
        }
        catch (Exception ex) when (TranslateTransportFailure(ex, midStream: false, null, cancellationToken) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>Reads the whole body of <paramref name="response"/>.</summary>
    /// <param name="response">The reply.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <returns>The body bytes.</returns>
    public async Task<byte[]> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadAsByteArrayAsync(cancellationToken);
        }
        catch (Exception ex) when (TranslateTransportFailure(ex, midStream: false, response, cancellationToken) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>
    /// Reads server-sent events from <paramref name="response"/> as they arrive. A broken connection surfaces as
    /// <see cref="LlmErrorKind.StreamInterrupted"/>; deciding whether a clean end of the body was premature is the caller's job.
    /// </summary>
    /// <param name="response">The reply with an event-stream body.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <returns>The events.</returns>
    public IAsyncEnumerable<SseItem<string>> ReadEventsAsync(HttpResponseMessage response, CancellationToken cancellationToken) =>
        ReadEventsAsync(response, static (_, data) => Encoding.UTF8.GetString(data), cancellationToken);

    /// <summary>
    /// Reads server-sent events from <paramref name="response"/> as they arrive, turning each event's UTF-8 data into a <typeparamref name="T"/>
    /// with <paramref name="itemParser"/> without first copying it into a <see cref="string"/>. A broken connection surfaces as
    /// <see cref="LlmErrorKind.StreamInterrupted"/>; an <see cref="LlmProviderException"/> thrown by the parser propagates unchanged.
    /// </summary>
    /// <typeparam name="T">The parsed event type.</typeparam>
    /// <param name="response">The reply with an event-stream body.</param>
    /// <param name="itemParser">Parses one event's type and data; called once per event, in order, as the event completes.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <returns>The events.</returns>
    public async IAsyncEnumerable<SseItem<T>> ReadEventsAsync<T>(HttpResponseMessage response, SseItemParser<T> itemParser, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Stream stream;
        try
        {
            stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        }
        catch (Exception ex) when (TranslateTransportFailure(ex, midStream: true, response, cancellationToken) is { } translated)
        {
            throw translated;
        }

        await using (stream)
        {
            IAsyncEnumerator<SseItem<T>> events = SseParser.Create(stream, itemParser).EnumerateAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
            await using (events)
            {
                while (true)
                {
                    try
                    {
                        if (!await events.MoveNextAsync())
                        {
                            yield break;
                        }
                    }
                    catch (Exception ex) when (TranslateTransportFailure(ex, midStream: true, response, cancellationToken) is { } translated)
                    {
                        throw translated;
                    }

                    yield return events.Current;
                }
            }
        }
    }

    /// <summary>
    /// Maps a transport failure to a typed exception: <see cref="LlmProviderException"/>, or <see cref="OperationCanceledException"/>
    /// when the caller cancelled (whatever the failure looked like). Returns <see langword="null"/> to let the exception propagate
    /// unchanged (the caller's own cancellation exception, or exceptions that are already typed).
    /// </summary>
    /// <param name="exception">The failure.</param>
    /// <param name="midStream">Whether a streamed body was being read (failures are then <see cref="LlmErrorKind.StreamInterrupted"/>).</param>
    /// <param name="response">The reply, when headers were received.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <returns>The exception to throw instead, or <see langword="null"/>.</returns>
    public Exception? TranslateTransportFailure(Exception exception, bool midStream, HttpResponseMessage? response, CancellationToken cancellationToken)
    {
        if (exception is LlmProviderException)
        {
            return null;
        }

        if (cancellationToken.IsCancellationRequested)
        {
            // The caller cancelled: an aborted connection may surface as IOException, but it is still a cancellation.
            return exception is OperationCanceledException
                ? null
                : new OperationCanceledException("The operation was canceled.", exception, cancellationToken);
        }

        (LlmErrorKind kind, string what) = exception switch
        {
            OperationCanceledException => (LlmErrorKind.Timeout, "the request timed out"),
            HttpRequestException { StatusCode: { } status } => (ProviderErrorClassifier.FromStatusCode(status), $"HTTP {(int)status}"),
            HttpRequestException or IOException or ObjectDisposedException => (LlmErrorKind.Network, "the connection failed"),
            _ => (LlmErrorKind.Unknown, "the call failed"),
        };

        if (midStream)
        {
            return CreateException(
                LlmErrorKind.StreamInterrupted,
                $"{Provider} stream was interrupted before its end: {what} ({exception.GetType().Name}).",
                response,
                innerException: exception);
        }

        return CreateException(kind, $"{Provider} request failed: {what} ({exception.GetType().Name}).", response, innerException: exception);
    }

    /// <summary>Creates a typed exception filled with the reply's status, request id, <c>Retry-After</c> and rate limits.</summary>
    /// <param name="kind">The classification.</param>
    /// <param name="message">The message; it must already be free of secrets and prompt text.</param>
    /// <param name="response">The reply, if any.</param>
    /// <param name="providerErrorCode">The provider's error code.</param>
    /// <param name="innerException">The cause.</param>
    /// <param name="providerRequestId">The request id from the error body, used when no request-id header is present.</param>
    /// <returns>The exception.</returns>
    public LlmProviderException CreateException(
        LlmErrorKind kind,
        string message,
        HttpResponseMessage? response = null,
        string? providerErrorCode = null,
        Exception? innerException = null,
        string? providerRequestId = null)
    {
        HttpResponseHeaders? headers = response?.Headers;
        return new LlmProviderException(kind, message, innerException)
        {
            Provider = Provider,
            Model = Model,
            Deployment = Deployment,
            StatusCode = response?.StatusCode is { } s && s != HttpStatusCode.OK ? s : null,
            ProviderRequestId = (headers is null ? null : ProviderResponseHeaders.GetFirstOf(headers, RequestIdHeaders)) ?? providerRequestId,
            RetryAfter = headers is null ? null : ProviderResponseHeaders.GetRetryAfter(headers, TimeProvider),
            RateLimits = headers is null ? null : RateLimitReader(headers, TimeProvider),
            ProviderErrorCode = providerErrorCode,
        };
    }

    /// <summary>
    /// Runs a conversion of provider JSON that reads values lazily (e.g. <c>JsonElement.GetString()</c>), turning the
    /// <see cref="InvalidOperationException"/> such reads throw on malformed text (lone UTF-16 surrogate escapes, unexpected value kinds)
    /// into <see cref="LlmErrorKind.InvalidResponse"/>.
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="response">The reply.</param>
    /// <param name="convert">The conversion.</param>
    /// <returns>The result.</returns>
    public T ReadJson<T>(HttpResponseMessage response, Func<T> convert)
    {
        try
        {
            return convert();
        }
        catch (InvalidOperationException ex)
        {
            throw CreateException(LlmErrorKind.InvalidResponse, $"{Provider} returned JSON whose values cannot be read (malformed text or unexpected value types).", response, innerException: ex);
        }
    }

    /// <summary>
    /// Creates a typed exception like <see cref="CreateException(LlmErrorKind, string, HttpResponseMessage?, string?, Exception?, string?)"/>, with a wait
    /// the provider stated in its error body (e.g. Google's <c>RetryInfo.retryDelay</c>) used when the reply has no <c>Retry-After</c> header.
    /// </summary>
    /// <param name="kind">The classification.</param>
    /// <param name="message">The message; it must already be free of secrets and prompt text.</param>
    /// <param name="response">The reply, if any.</param>
    /// <param name="providerErrorCode">The provider's error code.</param>
    /// <param name="bodyRetryAfter">The wait stated in the body, if any.</param>
    /// <returns>The exception.</returns>
    public LlmProviderException CreateException(
        LlmErrorKind kind,
        string message,
        HttpResponseMessage? response,
        string? providerErrorCode,
        TimeSpan? bodyRetryAfter)
    {
        LlmProviderException created = CreateException(kind, message, response, providerErrorCode);
        if (created.RetryAfter is not null || bodyRetryAfter is null)
        {
            return created;
        }

        return new LlmProviderException(kind, message)
        {
            Provider = created.Provider,
            Model = created.Model,
            Deployment = created.Deployment,
            StatusCode = created.StatusCode,
            ProviderRequestId = created.ProviderRequestId,
            RetryAfter = bodyRetryAfter < TimeSpan.Zero ? TimeSpan.Zero : bodyRetryAfter,
            RateLimits = created.RateLimits,
            ProviderErrorCode = created.ProviderErrorCode,
        };
    }

    /// <summary>Reads the rate limits of a reply.</summary>
    /// <param name="response">The reply.</param>
    /// <returns>The limits, or <see langword="null"/>.</returns>
    public RateLimitInfo? GetRateLimits(HttpResponseMessage response) => RateLimitReader(response.Headers, TimeProvider);

    /// <summary>
    /// Gets the properties a successful reply carries from its headers (<see cref="LlmResponsePropertyKeys.RateLimits"/>,
    /// <see cref="LlmResponsePropertyKeys.ProviderRequestId"/>), for the reply's <c>AdditionalProperties</c>.
    /// </summary>
    /// <param name="response">The reply.</param>
    /// <returns>The properties, or <see langword="null"/> when the headers carry neither.</returns>
    public Microsoft.Extensions.AI.AdditionalPropertiesDictionary? GetReplyProperties(HttpResponseMessage response)
    {
        Microsoft.Extensions.AI.AdditionalPropertiesDictionary? properties = null;
        if (GetRateLimits(response) is { } rateLimits)
        {
            properties = new() { [LlmResponsePropertyKeys.RateLimits] = rateLimits };
        }

        if (ProviderResponseHeaders.GetFirstOf(response.Headers, RequestIdHeaders) is { } requestId)
        {
            properties ??= [];
            properties[LlmResponsePropertyKeys.ProviderRequestId] = requestId;
        }

        return properties;
    }

    /// <summary>
    /// Makes provider-supplied text safe for an exception message: removes the API key, collapses line breaks
    /// and truncates to <see cref="MaxProviderTextLength"/> characters.
    /// </summary>
    /// <param name="providerText">The text.</param>
    /// <returns>The safe text; empty for <see langword="null"/>.</returns>
    public string Sanitize(string? providerText)
    {
        if (string.IsNullOrWhiteSpace(providerText))
        {
            return string.Empty;
        }

        string text = providerText;
        if (_secret is not null)
        {
            text = text.Replace(_secret, "***", StringComparison.Ordinal);
        }

        var sb = new StringBuilder(Math.Min(text.Length, MaxProviderTextLength + 1));
        foreach (char c in text)
        {
            if (sb.Length >= MaxProviderTextLength)
            {
                sb.Append('…');
                break;
            }

            sb.Append(char.IsControl(c) ? ' ' : c);
        }

        string result = sb.ToString().Trim();

        // A truncated key must not survive either: cut at a partial match of the key's start.
        if (_secret is not null && _secret.Length >= 8)
        {
            int i = result.IndexOf(_secret[..8], StringComparison.Ordinal);
            if (i >= 0)
            {
                result = result[..i] + "***";
            }
        }

        return result;
    }
}
