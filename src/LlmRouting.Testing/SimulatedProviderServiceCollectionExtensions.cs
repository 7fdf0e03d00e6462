using LlmRouting;
using LlmRouting.Testing;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the simulated provider of <c>LlmRouting.Testing</c>.</summary>
public static class SimulatedProviderServiceCollectionExtensions
{
    /// <summary>
    /// Registers one <see cref="SimulatedProviderFactory"/> as a singleton, both as itself (to reach the clients in tests) and as an
    /// <see cref="IChatProviderFactory"/> serving deployments whose provider is <c>simulated</c>. Calling it again configures the same factory.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Configures the factory, e.g. <c>f =&gt; f.Configure("primary", o =&gt; o.TimeToFirstToken = ...)</c>.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddSimulatedProviders(this IServiceCollection services, Action<SimulatedProviderFactory>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        SimulatedProviderFactory? factory = null;
        foreach (ServiceDescriptor descriptor in services)
        {
            if (!descriptor.IsKeyedService && descriptor.ServiceType == typeof(SimulatedProviderFactory) && descriptor.ImplementationInstance is SimulatedProviderFactory existing)
            {
                factory = existing;
                break;
            }
        }

        if (factory is null)
        {
            factory = new SimulatedProviderFactory();
            services.TryAddSingleton(factory);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChatProviderFactory, SimulatedProviderFactory>(sp => sp.GetRequiredService<SimulatedProviderFactory>()));
        configure?.Invoke(factory);
        return services;
    }
}
