using System.Net.Http.Headers;
using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>
/// What every built-in adapter does the same way: validating its settings, resolving the model, creating the per-call
/// error context and the JSON request (content type, accept, extra headers), and answering <see cref="IChatClient.GetService"/>.
/// Each adapter adds its own URL, authentication header and wire format.
/// </summary>
internal sealed class ProviderClientCore
{
    private readonly ApiKeySecret? _apiKey;
    private readonly string? _deploymentName;
    private readonly KeyValuePair<string, string>[] _headers;
    private readonly string[] _requestIdHeaders;
    private readonly Func<HttpResponseHeaders, TimeProvider, RateLimitInfo?> _rateLimitReader;
    private readonly string _optionsTypeName;

    /// <summary>Validates the adapter's settings and keeps a copy of them.</summary>
    /// <param name="httpClient">The HTTP client; not owned.</param>
    /// <param name="optionsTypeName">The adapter's options type, named in error messages.</param>
    /// <param name="endpoint">The configured endpoint; must be absolute.</param>
    /// <param name="providerName">The provider name reported in errors and metadata.</param>
    /// <param name="apiKey">The API key, if any; must be sendable in an HTTP header.</param>
    /// <param name="defaultModelId">The model used when a request names none.</param>
    /// <param name="deploymentName">The deployment named in errors.</param>
    /// <param name="headers">Extra headers for every request.</param>
    /// <param name="timeProvider">The clock for Retry-After dates.</param>
    /// <param name="requestIdHeaders">Response headers that carry the provider's request id, in order of preference.</param>
    /// <param name="rateLimitReader">Reads the provider's rate-limit headers.</param>
    public ProviderClientCore(
        HttpClient httpClient,
        string optionsTypeName,
        Uri? endpoint,
        string? providerName,
        ApiKeySecret? apiKey,
        string? defaultModelId,
        string? deploymentName,
        IEnumerable<KeyValuePair<string, string>> headers,
        TimeProvider? timeProvider,
        string[] requestIdHeaders,
        Func<HttpResponseHeaders, TimeProvider, RateLimitInfo?> rateLimitReader)
    {
        // Errors name "options": the adapters' public constructors take the settings as their options parameter.
#pragma warning disable CA2208
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(endpoint, "options");
        ArgumentException.ThrowIfNullOrWhiteSpace(providerName, "options");
        ArgumentNullException.ThrowIfNull(timeProvider, "options");
        if (!endpoint.IsAbsoluteUri)
        {
            throw new ArgumentException($"{optionsTypeName}.Endpoint must be an absolute URL.", "options");
        }

        if (apiKey is { } key && !IsValidHeaderValue(key.Reveal()))
        {
            // Never include the key itself: say what is wrong, not what it is.
            throw new ArgumentException("The API key contains characters that cannot be sent in an HTTP header (control characters or non-ASCII).", "options");
        }
#pragma warning restore CA2208

        HttpClient = httpClient;
        Endpoint = endpoint;
        ProviderName = providerName;
        TimeProvider = timeProvider;
        DefaultModelId = string.IsNullOrWhiteSpace(defaultModelId) ? null : defaultModelId;
        Metadata = new ChatClientMetadata(providerName, endpoint, DefaultModelId);
        _apiKey = apiKey;
        _deploymentName = deploymentName;
        _headers = [.. headers];
        _requestIdHeaders = requestIdHeaders;
        _rateLimitReader = rateLimitReader;
        _optionsTypeName = optionsTypeName;
    }

    /// <summary>Gets the HTTP client.</summary>
    public HttpClient HttpClient { get; }

    /// <summary>Gets the configured endpoint.</summary>
    public Uri Endpoint { get; }

    /// <summary>Gets the provider name.</summary>
    public string ProviderName { get; }

    /// <summary>Gets the clock.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Gets the default model, if any.</summary>
    public string? DefaultModelId { get; }

    /// <summary>Gets the metadata the adapter reports.</summary>
    public ChatClientMetadata Metadata { get; }

    /// <summary>Gets the API key in clear text, for the adapter's authentication header; <see langword="null"/> when none is configured.</summary>
    public string? RevealApiKey() => _apiKey?.Reveal();

    /// <summary>The model of a request: <see cref="ChatOptions.ModelId"/>, else the default model.</summary>
    /// <exception cref="InvalidOperationException">Neither is set.</exception>
    public string ResolveModel(ChatOptions? options) =>
        (string.IsNullOrWhiteSpace(options?.ModelId) ? null : options.ModelId)
        ?? DefaultModelId
        ?? throw new InvalidOperationException($"No model was given: set ChatOptions.ModelId or {_optionsTypeName}.DefaultModelId.");

    /// <summary>Creates the error and header context of one call to <paramref name="model"/>.</summary>
    public ProviderHttpCall CreateCall(string model) =>
        new(ProviderName, model, _deploymentName, TimeProvider, RevealApiKey(), _requestIdHeaders, _rateLimitReader);

    /// <summary>Creates a JSON POST to <paramref name="uri"/> with the extra headers; the adapter adds its authentication.</summary>
    public HttpRequestMessage CreateJsonRequest(Uri uri, byte[] body, bool stream)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, uri)
        {
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(stream ? "text/event-stream" : "application/json"));
        foreach (KeyValuePair<string, string> header in _headers)
        {
            request.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        return request;
    }

    /// <summary>Answers <see cref="IChatClient.GetService"/> for <paramref name="client"/>: its metadata, or the client itself.</summary>
    public object? GetService(IChatClient client, Type serviceType, object? serviceKey)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(ChatClientMetadata))
        {
            return Metadata;
        }

        return serviceType.IsInstanceOfType(client) ? client : null;
    }

    /// <summary>Gets a value indicating whether a reply is a whole JSON document (a server that answered a stream request without streaming).</summary>
    public static bool IsJson(HttpResponseMessage response) =>
        response.Content.Headers.ContentType?.MediaType is { } mediaType
        && mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase);

    /// <summary>Appends <paramref name="segment"/> to the endpoint's path unless it already ends with it.</summary>
    public static Uri AppendPath(Uri endpoint, string segment)
    {
        var builder = new UriBuilder(endpoint);
        string path = builder.Path;
        if (!path.EndsWith("/" + segment, StringComparison.OrdinalIgnoreCase))
        {
            builder.Path = (path.EndsWith('/') ? path : path + "/") + segment;
        }

        return builder.Uri;
    }

    private static bool IsValidHeaderValue(string value)
    {
        foreach (char c in value)
        {
            if (c is < (char)0x21 or > (char)0x7E)
            {
                return false;
            }
        }

        return true;
    }
}
