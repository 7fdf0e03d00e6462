using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LlmRouting;

/// <summary>
/// <see cref="ChatClientBuilder"/> extensions that add LlmRouting's layers. The first <c>Use</c> is the outermost layer;
/// the intended order is <see cref="UseCostRouter"/> → <see cref="DataPolicyChatClientBuilderExtensions.UseDataPolicy"/> → <see cref="UseRedaction"/> → <see cref="UseResilience"/> → <see cref="UseRoutingTelemetry"/>
/// over a <see cref="DeploymentDispatcherChatClient"/>.
/// Missing dependencies are resolved from the builder's <see cref="IServiceProvider"/>; settings from <see cref="LlmRoutingOptions"/> when registered.
/// </summary>
public static class LlmRoutingChatClientBuilderExtensions
{
    /// <summary>Adds the cost router.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="registry">The deployments; resolved from services when <see langword="null"/>.</param>
    /// <param name="configure">Configures the router (policy, estimates) after defaults from options are applied.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="InvalidOperationException">No registry was given and none is registered.</exception>
    public static ChatClientBuilder UseCostRouter(this ChatClientBuilder builder, ProviderRegistry? registry = null, Action<CostRouterChatClient>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
        {
            ProviderRegistry resolved = registry ?? services.GetService<ProviderRegistry>()
                ?? throw new InvalidOperationException("UseCostRouter needs a ProviderRegistry: pass one or call services.AddLlmRouting().");
            var router = new CostRouterChatClient(inner, resolved, services.GetService<TimeProvider>());
            RouterServices.Configure(router, services);
            if (services.GetService<IOptions<LlmRoutingOptions>>()?.Value is { } options)
            {
                router.DefaultEstimatedOutputTokens = options.Routing.DefaultEstimatedOutputTokens;
                IRoutingPolicy? policy = (services.GetService<IEnumerable<IRoutingPolicy>>() ?? [])
                    .LastOrDefault(p => string.Equals(p.Name, options.Routing.Policy, StringComparison.OrdinalIgnoreCase));
                router.Policy = policy ?? throw new InvalidOperationException(
                    $"LlmRouting:Routing:Policy '{options.Routing.Policy}' is not a registered routing policy.");
            }

            configure?.Invoke(router);
            return router;
        });
    }

    /// <summary>
    /// Adds the PII redactor. Its detectors are the built-in ones chosen by <see cref="RedactionOptions.Detectors"/>
    /// (<c>LlmRouting:Redaction:Detectors</c>; the default set when options are not registered) plus every <see cref="IPiiDetector"/>
    /// registered in the service collection, or only the registered ones when <see cref="RedactionOptions.ReplaceBuiltInDetectors"/> is set.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures the redactor.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="InvalidOperationException"><see cref="RedactionOptions.ReplaceBuiltInDetectors"/> is set but no detector is registered.</exception>
    public static ChatClientBuilder UseRedaction(this ChatClientBuilder builder, Action<RedactingChatClient>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
        {
            if (services.GetService<IOptions<LlmRoutingOptions>>()?.Value is { Redaction.Enabled: false })
            {
                return inner;
            }

            var redactor = new RedactingChatClient(inner, RedactingChatClientSetup.Detectors(services));
            RedactingChatClientSetup.Apply(redactor, services);
            configure?.Invoke(redactor);
            return redactor;
        });
    }

    /// <summary>Adds the failover and resilience layer.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures the layer.</param>
    /// <returns>The builder.</returns>
    public static ChatClientBuilder UseResilience(this ChatClientBuilder builder, Action<ResilienceChatClient>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
        {
            // One registry (pipelines, circuits, limits) per application: shared with the router's health filter and IDeploymentHealth.
            DeploymentResilienceRegistry registry = services.GetService<DeploymentResilienceRegistry>()
                ?? new DeploymentResilienceRegistry(
                    services.GetService<IOptions<LlmRoutingOptions>>()?.Value.Resilience ?? new ResilienceOptions(),
                    services.GetService<TimeProvider>(),
                    services.GetService<ILoggerFactory>(),
                    services.GetService<ICircuitStateStore>(),
                    services.GetService<IRateLimitCounterStore>());
            var client = new ResilienceChatClient(inner, registry);

            configure?.Invoke(client);
            return client;
        });
    }

    /// <summary>
    /// Adds the telemetry layer: per-attempt GenAI spans and metrics, cost, and the request-level span, metrics and request log
    /// that the router emits through it. Settings come from <see cref="LlmRoutingOptions.Telemetry"/> when registered, the
    /// request log from DI (<c>AddLlmRoutingRequestLog</c>), and the content-capture detectors from the registered <see cref="IPiiDetector"/>s.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures the layer.</param>
    /// <returns>The builder.</returns>
    public static ChatClientBuilder UseRoutingTelemetry(this ChatClientBuilder builder, Action<RoutingTelemetryChatClient>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
        {
            var client = new RoutingTelemetryChatClient(inner, services.GetService<TimeProvider>());
            if (services.GetService<IOptions<LlmRoutingOptions>>()?.Value.Telemetry is { } telemetry)
            {
                client.EnableSensitiveData = telemetry.CaptureMessageContent ?? client.EnableSensitiveData;
                client.UserPseudonymKey = telemetry.UserPseudonymKey;
            }

            IPiiDetector[] detectors = (services.GetService<IEnumerable<IPiiDetector>>() ?? []).ToArray();
            if (detectors.Length > 0)
            {
                client.ContentDetectors = detectors;
            }

            client.RequestLog = services.GetService<RequestLogHost>()?.Log;
            configure?.Invoke(client);
            return client;
        });
    }

    /// <summary>Adds the whole LlmRouting chain — router, data policy, redactor, resilience, telemetry — in the recommended order.</summary>
    /// <param name="builder">A builder whose inner client is a <see cref="DeploymentDispatcherChatClient"/>.</param>
    /// <param name="registry">The deployments; resolved from services when <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    public static ChatClientBuilder UseLlmRouting(this ChatClientBuilder builder, ProviderRegistry? registry = null) =>
        builder.UseCostRouter(registry).UseDataPolicy().UseRedaction().UseResilience().UseRoutingTelemetry();
}
