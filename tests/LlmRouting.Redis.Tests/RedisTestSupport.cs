using LlmRouting.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace LlmRouting.Redis.Tests;

/// <summary>Helpers shared by the Redis tests.</summary>
internal static class RedisTestSupport
{
    /// <summary>A key prefix no other test uses.</summary>
    public static string Prefix(string test) => "t-" + test + "-" + Guid.NewGuid().ToString("N")[..8] + ":";

    public static RedisConnection Connection(RedisServer redis, string prefix, Action<LlmRoutingRedisOptions>? configure = null, Microsoft.Extensions.Logging.ILogger<RedisConnection>? logger = null)
    {
        var options = new LlmRoutingRedisOptions { ConnectionString = redis.ConnectionString, KeyPrefix = prefix, OperationTimeout = TimeSpan.FromMilliseconds(500) };
        configure?.Invoke(options);
        return new RedisConnection(options, logger);
    }

    /// <summary>One application instance: its own service provider, Redis connection and router, over simulated providers.</summary>
    public static ServiceProvider Instance(
        RedisServer redis,
        string prefix,
        Action<LlmRoutingOptions> configure,
        Action<SimulatedProviderFactory>? providers = null,
        Action<LlmRoutingRedisOptions>? redisOptions = null)
    {
        var services = new ServiceCollection();
        services.AddSimulatedProviders(providers);
        services.AddLlmRouting(configure);
        services.AddLlmRoutingRedis(redis.ConnectionString, o =>
        {
            o.KeyPrefix = prefix;
            o.OperationTimeout = TimeSpan.FromMilliseconds(500);
            redisOptions?.Invoke(o);
        });
        return services.BuildServiceProvider();
    }

    /// <summary>Sends one request and returns the routing report (from the response, or from the stream's updates).</summary>
    public static async Task<RoutingReport> AskAsync(this IChatClient client, bool streaming, string prompt, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (!streaming)
        {
            ChatResponse response = await client.GetResponseAsync(prompt, options, cancellationToken);
            return response.GetRoutingReport() ?? throw new AssertionException("The response has no routing report.");
        }

        RoutingReport? report = null;
        await foreach (ChatResponseUpdate u in client.GetStreamingResponseAsync(prompt, options, cancellationToken))
        {
            report ??= u.GetRoutingReport();
        }

        return report ?? throw new AssertionException("The stream has no routing report.");
    }
}
