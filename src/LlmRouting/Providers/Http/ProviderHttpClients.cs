namespace LlmRouting;

/// <summary>Where provider factories get their <see cref="HttpClient"/>: <see cref="IHttpClientFactory"/> when registered, else one shared client.</summary>
internal static class ProviderHttpClients
{
    private static readonly Lazy<HttpClient> SharedHttpClient = new(
        () => new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = TimeSpan.FromMinutes(10),
        },
        LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// Gets the client for <paramref name="provider"/>: the named client <c>LlmRouting.{provider}</c> from <see cref="IHttpClientFactory"/>
    /// when one is registered, otherwise a shared client with a 10-minute timeout and 5-minute connection lifetime.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="provider">The provider name.</param>
    /// <returns>The client; callers must not dispose it.</returns>
    public static HttpClient Get(IServiceProvider services, string provider) =>
        services.GetService(typeof(IHttpClientFactory)) is IHttpClientFactory factory
            ? factory.CreateClient(OpenAIProviderFactory.HttpClientName(provider))
            : SharedHttpClient.Value;
}
