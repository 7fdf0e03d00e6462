using LlmRouting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static LlmRouting.Tests.Testing.SimulatedTestHelpers;

namespace LlmRouting.Tests.Testing;

public class SimulatedProviderFactoryTests
{
    private static readonly IServiceProvider NoServices = new EmptyServices();

    [Test]
    public void Serves_the_simulated_provider()
    {
        var factory = new SimulatedProviderFactory();

        Assert.That(factory.ProviderNames, Is.EqualTo(new[] { "simulated" }));
    }

    [Test]
    public async Task Creates_a_client_per_deployment_with_its_model_name_and_context_window([Values] bool streaming)
    {
        var factory = new SimulatedProviderFactory();
        var deployment = new Deployment("fast", "simulated", "sim-fast", new ModelInfo { Provider = "simulated", ModelId = "sim-fast", ContextWindow = 1234 });

        using IChatClient client = factory.CreateClient(deployment, NoServices);
        ChatResponse response = await GetAsync(client, streaming, "hello");

        SimulatedChatClient simulated = factory.GetClient("fast");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(simulated, Is.SameAs(client));
            Assert.That(factory.GetClient("FAST"), Is.SameAs(client), "names are case-insensitive");
            Assert.That(simulated.Options.ModelId, Is.EqualTo("sim-fast"));
            Assert.That(simulated.Options.DeploymentName, Is.EqualTo("fast"));
            Assert.That(simulated.Options.ContextWindow, Is.EqualTo(1234));
            Assert.That(response.Text, Is.EqualTo("Simulated answer from sim-fast to: hello"));
            Assert.That(response.ResponseId, Is.EqualTo("simresp-fast-1"));
            Assert.That(factory.Clients.Keys, Is.EquivalentTo(new[] { "fast" }));
        }
    }

    [Test]
    public async Task Applies_shared_defaults_then_per_deployment_settings([Values] bool streaming)
    {
        var factory = new SimulatedProviderFactory()
            .ConfigureDefaults(o =>
            {
                o.ReplyFunction = (_, _) => "default reply";
                o.RetryAfter = TimeSpan.FromSeconds(3);
            })
            .Configure("b", o => o.ReplyFunction = (_, _) => "b reply")
            .Configure("b", o => o.ScriptedFaults.Add(SimulatedFaultKind.RateLimited));

        using IChatClient a = factory.CreateClient(new Deployment("a", "simulated", "m-a"), NoServices);
        using IChatClient b = factory.CreateClient(new Deployment("b", "simulated", "m-b"), NoServices);

        ChatResponse fromA = await GetAsync(a, streaming, "q");
        LlmProviderException? fault = await Assert.CatchAsync<LlmProviderException>(async () => await GetAsync(b, streaming, "q"));
        ChatResponse fromB = await GetAsync(b, streaming, "q");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(fromA.Text, Is.EqualTo("default reply"));
            Assert.That(fromB.Text, Is.EqualTo("b reply"));
            Assert.That(fault!.Kind, Is.EqualTo(LlmErrorKind.RateLimited));
            Assert.That(fault.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(3)));
            Assert.That(fault.Deployment, Is.EqualTo("b"));
            Assert.That(fault.Model, Is.EqualTo("m-b"));
            Assert.That(fault.Provider, Is.EqualTo("simulated"));
        }
    }

    [Test]
    public void Each_client_gets_its_own_options_and_scripts()
    {
        var factory = new SimulatedProviderFactory().ConfigureDefaults(o => o.ScriptedReplies.Add(new SimulatedReply("once")));

        using IChatClient a = factory.CreateClient(new Deployment("a", "simulated", "m"), NoServices);
        using IChatClient b = factory.CreateClient(new Deployment("b", "simulated", "m"), NoServices);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(factory.GetClient("a").Options, Is.Not.SameAs(factory.GetClient("b").Options));
            Assert.That(factory.GetClient("a").PendingReplies, Is.EqualTo(1));
            Assert.That(factory.GetClient("b").PendingReplies, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task Uses_the_time_provider_registered_in_the_services([Values] bool streaming)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        using ServiceProvider services = new ServiceCollection().AddSingleton<TimeProvider>(time).BuildServiceProvider();
        var factory = new SimulatedProviderFactory().Configure("slow", o => o.TimeToFirstToken = TimeSpan.FromSeconds(1));

        using IChatClient client = factory.CreateClient(new Deployment("slow", "simulated", "m"), services);
        Task<ChatResponse> call = GetAsync(client, streaming, "q");
        Assert.That(call.IsCompleted, Is.False);
        time.Advance(TimeSpan.FromSeconds(1));
        ChatResponse response = await call.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.That(response.CreatedAt, Is.EqualTo(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero)));
    }

    [Test]
    public void Get_client_before_creation_fails_clearly()
    {
        var factory = new SimulatedProviderFactory();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => factory.GetClient("missing"), Throws.InvalidOperationException.With.Message.Contains("missing"));
            Assert.That(factory.TryGetClient("missing", out SimulatedChatClient? client), Is.False);
            Assert.That(client, Is.Null);
            Assert.That(() => factory.Configure(" ", _ => { }), Throws.ArgumentException);
        }
    }

    [Test]
    public void Add_simulated_providers_registers_one_factory_once_and_configures_it()
    {
        var services = new ServiceCollection();
        services.AddSimulatedProviders(f => f.Configure("a", o => o.ModelId = "x"));
        services.AddSimulatedProviders(f => f.Configure("b", o => o.ModelId = "y"));
        services.AddSimulatedProviders();

        using ServiceProvider provider = services.BuildServiceProvider();
        IChatProviderFactory[] factories = provider.GetServices<IChatProviderFactory>().ToArray();
        SimulatedProviderFactory factory = provider.GetRequiredService<SimulatedProviderFactory>();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(factories, Has.Length.EqualTo(1));
            Assert.That(factories[0], Is.SameAs(factory));
            Assert.That(services.Count(d => d.ServiceType == typeof(IChatProviderFactory)), Is.EqualTo(1));
        }

        using IChatClient a = factory.CreateClient(new Deployment("a", "simulated", "m"), provider);
        using IChatClient b = factory.CreateClient(new Deployment("b", "simulated", "m"), provider);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(factory.GetClient("a").Options.ModelId, Is.EqualTo("x"));
            Assert.That(factory.GetClient("b").Options.ModelId, Is.EqualTo("y"));
        }
    }

    [Test]
    public async Task Outage_of_one_deployment_behind_the_registry_and_dispatcher([Values] bool streaming)
    {
        var services = new ServiceCollection().AddSimulatedProviders(f => f.ConfigureDefaults(o => o.ReplyFunction = (_, opts) => "answer from " + opts?.ModelId));
        using ServiceProvider provider = services.BuildServiceProvider();
        IChatProviderFactory factory = provider.GetServices<IChatProviderFactory>().Single(f => f.ProviderNames.Contains("simulated", StringComparer.OrdinalIgnoreCase));
        var primary = new Deployment("primary", "simulated", "sim-a");
        var backup = new Deployment("backup", "simulated", "sim-b");
        using var registry = new ProviderRegistry(provider).Add(primary, factory).Add(backup, factory);
        using var dispatcher = new DeploymentDispatcherChatClient(registry);

        ChatResponse before = await GetAsync(dispatcher, streaming, "q", new ChatOptions { ModelId = "primary" });
        SimulatedProviderFactory simulated = provider.GetRequiredService<SimulatedProviderFactory>();
        simulated.GetClient("primary").SetOutage(SimulatedFaultKind.Overloaded);
        LlmProviderException? down = await Assert.CatchAsync<LlmProviderException>(async () => await GetAsync(dispatcher, streaming, "q", new ChatOptions { ModelId = "primary" }));
        ChatResponse fromBackup = await GetAsync(dispatcher, streaming, "q", new ChatOptions { ModelId = "backup" });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(before.Text, Is.EqualTo("answer from sim-a"));
            Assert.That(down!.Kind, Is.EqualTo(LlmErrorKind.Overloaded));
            Assert.That(down.Deployment, Is.EqualTo("primary"));
            Assert.That(fromBackup.Text, Is.EqualTo("answer from sim-b"));
            Assert.That(simulated.GetClient("primary").CallCount, Is.EqualTo(2));
            Assert.That(simulated.GetClient("backup").CallCount, Is.EqualTo(1));
        }
    }

    [Test]
    public void Registry_disposes_the_clients_the_factory_created()
    {
        var factory = new SimulatedProviderFactory();
        var deployment = new Deployment("d", "simulated", "m");
        var registry = new ProviderRegistry().Add(deployment, factory);
        registry.GetClient(deployment);

        registry.Dispose();

        Assert.That(factory.GetClient("d").IsDisposed, Is.True);
    }

    private sealed class EmptyServices : IServiceProvider
    {
        public object? GetService(Type serviceType) => null;
    }
}
