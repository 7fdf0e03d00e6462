using LlmRouting;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers LlmRouting in an <see cref="IServiceCollection"/>.</summary>
public static class LlmRoutingServiceCollectionExtensions
{
    /// <summary>The service key of the keyed <see cref="IChatClient"/> registration, <c>LlmRouting</c>.</summary>
    public const string ServiceKey = "LlmRouting";

    /// <summary>
    /// Registers the LlmRouting chain — cost router → redactor → failover → telemetry → provider clients — as the
    /// application's <see cref="IChatClient"/> (and as a keyed client under <see cref="ServiceKey"/>).
    /// </summary>
    /// <param name="services">The services.</param>
    /// <returns>A builder to add middleware OUTSIDE the router (e.g. <c>UseFunctionInvocation()</c>, <c>UseLogging()</c>).</returns>
    /// <remarks>
    /// Options come from whatever configured <see cref="LlmRoutingOptions"/> elsewhere (e.g. <c>services.Configure</c>).
    /// They are validated at start-up (<c>ValidateOnStart</c>) and at the latest when the client is first resolved;
    /// errors name the setting, e.g. <c>LlmRouting:Deployments:main:Model is required.</c>
    /// </remarks>
    public static ChatClientBuilder AddLlmRouting(this IServiceCollection services) =>
        AddLlmRoutingCore(services, null, null);

    /// <summary>Registers the LlmRouting chain with options set in code.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Configures the options.</param>
    /// <returns>A builder to add middleware outside the router.</returns>
    public static ChatClientBuilder AddLlmRouting(this IServiceCollection services, Action<LlmRoutingOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return AddLlmRoutingCore(services, null, configure);
    }

    /// <summary>Registers the LlmRouting chain with options bound from configuration.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The application's configuration root (its <c>LlmRouting</c> section is used) or that section itself.</param>
    /// <returns>A builder to add middleware outside the router.</returns>
    public static ChatClientBuilder AddLlmRouting(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return AddLlmRoutingCore(services, configuration, null);
    }

    /// <summary>Registers the LlmRouting chain with options bound from configuration, then adjusted in code.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The application's configuration root (its <c>LlmRouting</c> section is used) or that section itself.</param>
    /// <param name="configure">Configures the options in code, after binding.</param>
    /// <returns>A builder to add middleware outside the router.</returns>
    public static ChatClientBuilder AddLlmRouting(this IServiceCollection services, IConfiguration configuration, Action<LlmRoutingOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return AddLlmRoutingCore(services, configuration, configure);
    }

    private static ChatClientBuilder AddLlmRoutingCore(IServiceCollection services, IConfiguration? configuration, Action<LlmRoutingOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        OptionsBuilder<LlmRoutingOptions> options = services.AddOptions<LlmRoutingOptions>();
        if (configuration is not null)
        {
            IConfiguration section = configuration is IConfigurationSection { Key: LlmRoutingOptions.SectionName }
                ? configuration
                : configuration.GetSection(LlmRoutingOptions.SectionName);
            options.Bind(section);
        }

        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LlmRoutingOptions>, LlmRoutingOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChatProviderFactory, OpenAIProviderFactory>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChatProviderFactory, AnthropicProviderFactory>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChatProviderFactory, GeminiProviderFactory>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChatProviderFactory, CohereProviderFactory>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRoutingPolicy, CheapestRoutingPolicy>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRoutingPolicy, PriorityRoutingPolicy>());
        RouterServices.Add(services); // statistics and budget stores, feedback, experiment results, the other built-in policies
        services.TryAddSingleton(static sp => ModelCatalog.Default.WithOverrides(sp.GetRequiredService<IOptions<LlmRoutingOptions>>().Value.Models));
        services.TryAddSingleton(static sp => CreateRegistry(sp));
        services.TryAddSingleton(static sp => new DeploymentResilienceRegistry(
            sp.GetRequiredService<IOptions<LlmRoutingOptions>>().Value.Resilience,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILoggerFactory>(),
            sp.GetService<ICircuitStateStore>(), // shared circuit states (e.g. LlmRouting.Redis); per process when none is registered
            sp.GetService<IRateLimitCounterStore>())); // shared client-side request/token counts; per process when none is registered
        services.TryAddSingleton<IDeploymentHealth>(static sp => sp.GetRequiredService<DeploymentResilienceRegistry>());
        LlmRoutingTelemetryServiceCollectionExtensions.AddTelemetryServices(services); // request log, ring buffer, reports

        services.TryAddSingleton<IChatClient>(static sp => sp.GetRequiredKeyedService<IChatClient>(ServiceKey));
        return services.AddKeyedChatClient(
            ServiceKey,
            static sp => new ChatClientBuilder(new DeploymentDispatcherChatClient(sp.GetRequiredService<ProviderRegistry>()))
                .UseLlmRouting()
                .Build(sp));
    }

    private static ProviderRegistry CreateRegistry(IServiceProvider services)
    {
        LlmRoutingOptions options = services.GetRequiredService<IOptions<LlmRoutingOptions>>().Value;
        ModelCatalog catalog = services.GetRequiredService<ModelCatalog>();
        // Application-registered factories win over the built-in ones for the same provider name.
        IChatProviderFactory[] factories = services.GetServices<IChatProviderFactory>()
            .Select((f, i) => (f, i))
            .OrderBy(x => x.f.GetType().Assembly == typeof(LlmRoutingOptions).Assembly ? 1 : 0)
            .ThenBy(x => x.i)
            .Select(x => x.f)
            .ToArray();
        var registry = new ProviderRegistry(services);
        foreach ((string name, DeploymentOptions d) in options.Deployments)
        {
            if (!d.Enabled)
            {
                continue;
            }

            IChatProviderFactory factory = factories.FirstOrDefault(f => f.ProviderNames.Contains(d.Provider, StringComparer.OrdinalIgnoreCase))
                ?? throw new OptionsValidationException(LlmRoutingOptions.SectionName, typeof(LlmRoutingOptions), [$"LlmRouting:Deployments:{name}:Provider '{d.Provider}' has no registered provider."]);
            registry.Add(Deployment.FromOptions(name, d, catalog), factory);
        }

        return registry;
    }
}
