using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LlmRouting;

/// <summary><see cref="ChatClientBuilder"/> extension that adds the data-policy layer.</summary>
public static class DataPolicyChatClientBuilderExtensions
{
    /// <summary>Adds the data-policy layer. Put it below the router and above the redactor (<see cref="LlmRoutingChatClientBuilderExtensions.UseLlmRouting"/> does).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="options">The default and tenant policies; from <see cref="LlmRoutingOptions.Policy"/> when <see langword="null"/> and registered.</param>
    /// <param name="configure">Configures the layer.</param>
    /// <returns>The builder.</returns>
    public static ChatClientBuilder UseDataPolicy(this ChatClientBuilder builder, DataPolicyOptions? options = null, Action<DataPolicyChatClient>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
        {
            DataPolicyOptions? resolved = options ?? services.GetService<IOptions<LlmRoutingOptions>>()?.Value.Policy;
            var client = new DataPolicyChatClient(inner, resolved);
            if (services.GetService<ILoggerFactory>() is { } loggers)
            {
                client.Logger = loggers.CreateLogger<DataPolicyChatClient>();
            }

            configure?.Invoke(client);
            return client;
        });
    }
}
