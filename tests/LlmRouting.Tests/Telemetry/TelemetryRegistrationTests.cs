using System.Text;
using System.Text.Json;
using LlmRouting.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

namespace LlmRouting.Tests.Telemetry;

[TestFixture]
[NonParallelizable]
public class TelemetryRegistrationTests
{
    private string _directory = null!;

    [SetUp]
    public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("llmrouting-di-").FullName;

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

    private IConfiguration Configuration(string requestLog) => new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes($$"""
        {
          "LlmRouting": {
            "Deployments": {
              "sim": { "Provider": "simulated", "Model": "gpt-4o-mini", "CatalogModel": "openai/gpt-4o-mini" }
            },
            "Telemetry": {
              "UserPseudonymKey": "test-key",
              "RequestLog": {{requestLog}}
            }
          }
        }
        """))).Build();

    [Test]
    public async Task The_request_log_is_configured_from_the_LlmRouting_Telemetry_section([Values] bool streaming)
    {
        string dir = _directory.Replace("\\", "\\\\", StringComparison.Ordinal);
        var collector = new FakeLogCollector();
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(new FakeLoggerProvider(collector)));
        services.AddSimulatedProviders();
        services.AddLlmRouting(Configuration($$"""{ "Enabled": true, "QueueCapacity": 100, "RingBufferCapacity": 50, "WriteToLogger": true, "JsonLines": { "Directory": "{{dir}}" } }"""));
        var own = new RecordingSink();
        services.AddSingleton<IRequestLogSink>(own);

        string requestId;
        await using (ServiceProvider provider = services.BuildServiceProvider())
        {
            IChatClient chat = provider.GetRequiredService<IChatClient>();
            ChatResponse response = await chat.AskAsync(streaming, "Hello!");
            requestId = response.GetRoutingReport()!.RequestId;
            RequestLog log = provider.GetRequiredService<RequestLog>();
            await log.FlushAsync();

            Assert.That(log.Capacity, Is.EqualTo(100));
            Assert.That(log.Sinks.Select(s => s.GetType().Name), Is.EqualTo(new[]
            {
                nameof(RingBufferRequestLogSink), nameof(LoggerRequestLogSink), nameof(JsonLinesRequestLogSink), nameof(RecordingSink),
            }));
            Assert.That(provider.GetRequiredService<RingBufferRequestLogSink>().Capacity, Is.EqualTo(50));
            IRoutingReports reports = provider.GetRequiredService<IRoutingReports>();
            Assert.That(reports.Summarize([ReportDimension.Deployment]).Single().Keys, Is.EqualTo(new[] { "sim" }));
            Assert.That(own.Records.Single().RequestId, Is.EqualTo(requestId));
            Assert.That(collector.GetSnapshot().Count(r => r.Id.Id == 7001), Is.EqualTo(1));
        }

        // Disposing the container drained the log and closed the file.
        string line = File.ReadAllLines(Directory.GetFiles(_directory).Single()).Single();
        Assert.That(JsonDocument.Parse(line).RootElement.GetProperty("request_id").GetString(), Is.EqualTo(requestId));
    }

    [Test]
    public async Task The_user_pseudonym_key_from_configuration_makes_pseudonyms_stable([Values] bool streaming)
    {
        var services = new ServiceCollection();
        services.AddSimulatedProviders();
        services.AddLlmRouting(Configuration("""{ "Enabled": true }"""));
        await using ServiceProvider provider = services.BuildServiceProvider();

        IChatClient chat = provider.GetRequiredKeyedService<IChatClient>(LlmRoutingServiceCollectionExtensions.ServiceKey);
        var telemetry = chat.GetService<RoutingTelemetryChatClient>()!;
        Assert.That(telemetry.UserPseudonymKey, Is.EqualTo("test-key"));
        var expected = new UserPseudonymizer("test-key").Pseudonymize("someone@example.com");
        Assert.That(expected, Is.EqualTo(new UserPseudonymizer("test-key").Pseudonymize("someone@example.com")));
        Assert.That(expected, Is.Not.EqualTo(new UserPseudonymizer("other-key").Pseudonymize("someone@example.com")));
        Assert.That(expected, Is.Not.EqualTo(UserPseudonymizer.PerProcess.Pseudonymize("someone@example.com")));
        await chat.AskAsync(streaming, "hi");
    }

    [Test]
    public void Without_a_sink_the_log_is_off_and_resolving_it_says_how_to_switch_it_on()
    {
        var services = new ServiceCollection();
        services.AddSimulatedProviders();
        services.AddLlmRouting(Configuration("""{ "Enabled": false }"""));
        using ServiceProvider provider = services.BuildServiceProvider();

        var ex = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<RequestLog>());
        Assert.That(ex!.Message, Does.Contain("LlmRouting:Telemetry:RequestLog:Enabled"));
        Assert.That(provider.GetRequiredService<IRoutingReports>().Summarize([ReportDimension.Tenant]), Is.Empty);
    }

    [Test]
    public void AddLlmRoutingRequestLog_switches_the_log_on()
    {
        var services = new ServiceCollection();
        services.AddSimulatedProviders();
        services.AddLlmRouting(Configuration("""{ }"""));
        services.AddLlmRoutingRequestLog(o => o.QueueCapacity = 7);
        using ServiceProvider provider = services.BuildServiceProvider();

        Assert.That(provider.GetRequiredService<RequestLog>().Capacity, Is.EqualTo(7));
    }

    [Test]
    public void Bad_request_log_settings_fail_validation_with_the_setting_path()
    {
        var services = new ServiceCollection();
        services.AddSimulatedProviders();
        services.AddLlmRouting(Configuration("""{ "QueueCapacity": 0, "RingBufferCapacity": -1, "JsonLines": { "Directory": "x", "MaxFileSizeBytes": 5, "RetainedFileCount": -2 } }"""));
        using ServiceProvider provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => _ = provider.GetRequiredService<IOptions<LlmRoutingOptions>>().Value);
        Assert.That(ex!.Failures, Is.SupersetOf(new[]
        {
            "LlmRouting:Telemetry:RequestLog:QueueCapacity must be at least 1.",
            "LlmRouting:Telemetry:RequestLog:RingBufferCapacity cannot be negative.",
            "LlmRouting:Telemetry:RequestLog:JsonLines:MaxFileSizeBytes must be at least 1024.",
            "LlmRouting:Telemetry:RequestLog:JsonLines:RetainedFileCount cannot be negative.",
        }));
    }
}
