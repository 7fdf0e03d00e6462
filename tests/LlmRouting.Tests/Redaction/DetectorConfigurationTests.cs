using System.Text;
using LlmRouting.Testing;
using LlmRouting.Tests.Redaction.Detectors;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LlmRouting.Tests.Redaction;

/// <summary><c>LlmRouting:Redaction:Detectors</c>: the built-in detectors chosen in configuration, validated at start-up, plus registered ones.</summary>
[TestFixture]
public class DetectorConfigurationTests
{
    private const string Url = "https://intranet.example.org/handbook";
    private const string EmployeeId = "EMP-204518";

    private static IConfiguration Json(string redaction) =>
        new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes($$"""
        {
          "LlmRouting": {
            "Deployments": { "sim": { "Provider": "simulated", "Model": "gpt-4o-mini", "CatalogModel": "openai/gpt-4o-mini" } },
            "Redaction": {{redaction}}
          }
        }
        """))).Build();

    private static ServiceProvider Build(string redaction, params IPiiDetector[] registered)
    {
        var services = new ServiceCollection();
        services.AddSimulatedProviders();
        foreach (IPiiDetector detector in registered)
        {
            services.AddSingleton(detector);
        }

        services.AddLlmRouting(Json(redaction));
        return services.BuildServiceProvider();
    }

    /// <summary>Sends <paramref name="prompt"/> through the chain and returns what the provider received.</summary>
    private static async Task<string> SentAsync(ServiceProvider sp, bool streaming, string prompt)
    {
        await sp.GetRequiredService<IChatClient>().AskAsync(streaming, prompt);
        ProviderRegistry registry = sp.GetRequiredService<ProviderRegistry>();
        var simulated = (SimulatedChatClient)registry.GetClient(registry.Deployments.Single());
        return simulated.Calls.Single().PromptText;
    }

    private static RegexDetector EmployeeIds() => new("EMPLOYEE_ID", @"\bEMP-\d{6}\b");

    [Test]
    public async Task Without_detector_settings_the_default_set_runs([Values] bool streaming)
    {
        using ServiceProvider sp = Build("""{ "Actions": { "URL": "Mask", "EMAIL_ADDRESS": "Mask" } }""");

        string sent = await SentAsync(sp, streaming, $"mail {Corpus.Email1} or read {Url}");

        Assert.That(sent, Does.Contain("mail [EMAIL] or read [URL]"));
        Assert.That(sp.GetRequiredService<IOptions<LlmRoutingOptions>>().Value.Redaction.Detectors.EntityTypes, Is.Null);
    }

    [Test]
    public async Task Disabled_entity_types_bind_from_configuration_and_pass_unchanged([Values] bool streaming)
    {
        using ServiceProvider sp = Build("""
        { "Actions": { "EMAIL_ADDRESS": "Mask" }, "Detectors": { "DisabledEntityTypes": [ "url" ] } }
        """);

        string sent = await SentAsync(sp, streaming, $"mail {Corpus.Email1} or read {Url}");

        Assert.That(sent, Does.Contain($"mail [EMAIL] or read {Url}"));
    }

    [Test]
    public async Task Entity_types_restrict_the_built_in_detectors([Values] bool streaming)
    {
        using ServiceProvider sp = Build("""
        { "Actions": { "EMAIL_ADDRESS": "Mask" }, "Detectors": { "EntityTypes": [ "EMAIL_ADDRESS" ] } }
        """);

        string sent = await SentAsync(sp, streaming, $"mail {Corpus.Email1}, card {Corpus.Card1}, call {Corpus.Phone1}");

        Assert.That(sent, Does.Contain($"mail [EMAIL], card {Corpus.Card1}, call {Corpus.Phone1}"));
    }

    [Test]
    public async Task Names_and_places_are_opt_in_from_configuration([Values] bool streaming)
    {
        const string Prompt = "Please write to Margaret Thompson about the delivery.";
        using ServiceProvider off = Build("""{ "DefaultAction": "Mask" }""");
        using ServiceProvider on = Build("""{ "DefaultAction": "Mask", "Detectors": { "IncludeNamesAndPlaces": true } }""");
        Assert.That(PiiDetectors.Create(new PiiDetectorOptions { IncludeNamesAndPlaces = true }).Find(Prompt).Select(m => m.Type),
            Does.Contain(PiiEntityTypes.Person), "precondition: the tagger finds the name");

        Assert.That(await SentAsync(off, streaming, Prompt), Does.Contain("Margaret Thompson"));
        Assert.That(await SentAsync(on, streaming, Prompt), Does.Contain("[PERSON]").And.Not.Contain("Margaret Thompson"));
    }

    [Test]
    public async Task Phone_regions_bind_from_configuration([Values] bool streaming)
    {
        const string Prompt = "Berlin: 030 12345678.";
        using ServiceProvider us = Build("""{ "Actions": { "PHONE_NUMBER": "Mask" }, "Detectors": { "PhoneRegions": [ "US" ] } }""");
        using ServiceProvider de = Build("""{ "Actions": { "PHONE_NUMBER": "Mask" }, "Detectors": { "PhoneRegions": [ "DE" ] } }""");
        Assert.That(de.GetRequiredService<IOptions<LlmRoutingOptions>>().Value.Redaction.Detectors.PhoneRegions, Is.EqualTo(new[] { "DE" }));

        Assert.That(await SentAsync(de, streaming, Prompt), Does.Contain("Berlin: [PHONE]."));
        Assert.That(await SentAsync(us, streaming, Prompt), Does.Contain(Prompt));
    }

    [Test]
    public async Task Registered_detectors_run_in_addition_to_the_configured_built_in_ones([Values] bool streaming)
    {
        using ServiceProvider sp = Build("""{ "DefaultAction": "Mask" }""", EmployeeIds());

        string sent = await SentAsync(sp, streaming, $"{EmployeeId} wrote from {Corpus.Email1}");

        Assert.That(sent, Does.Contain("[EMPLOYEE_ID] wrote from [EMAIL]"));
    }

    [Test]
    public async Task Registered_detectors_replace_the_built_in_ones_when_configured([Values] bool streaming)
    {
        using ServiceProvider sp = Build("""{ "DefaultAction": "Mask", "ReplaceBuiltInDetectors": true }""", EmployeeIds());

        string sent = await SentAsync(sp, streaming, $"{EmployeeId} wrote from {Corpus.Email1}");

        Assert.That(sent, Does.Contain($"[EMPLOYEE_ID] wrote from {Corpus.Email1}"));
    }

    [Test]
    public void Replacing_the_built_in_detectors_without_registering_one_is_a_clear_error()
    {
        using ServiceProvider sp = Build("""{ "ReplaceBuiltInDetectors": true }""");

        var ex = Assert.Throws<InvalidOperationException>(() => sp.GetRequiredService<IChatClient>());

        Assert.That(ex!.Message, Does.Contain("LlmRouting:Redaction:ReplaceBuiltInDetectors is true, but no IPiiDetector is registered"));
    }

    [Test]
    public void Invalid_detector_settings_are_reported_at_start_up_by_their_path()
    {
        using ServiceProvider sp = Build("""
        { "Detectors": { "EntityTypes": [ "EMAIL_ADDRESS", "EMAIL" ], "DisabledEntityTypes": [ "SSN" ], "PhoneRegions": [ "DE", "GER" ] } }
        """);

        var ex = Assert.Throws<OptionsValidationException>(() => _ = sp.GetRequiredService<IOptions<LlmRoutingOptions>>().Value);

        Assert.That(ex!.Failures, Has.Some.StartsWith("LlmRouting:Redaction:Detectors:EntityTypes:1 'EMAIL' is not a built-in entity type; use one of EMAIL_ADDRESS, PHONE_NUMBER"));
        Assert.That(ex.Failures, Has.Some.StartsWith("LlmRouting:Redaction:Detectors:DisabledEntityTypes:0 'SSN' is not a built-in entity type"));
        Assert.That(ex.Failures, Has.Some.EqualTo("LlmRouting:Redaction:Detectors:PhoneRegions:1 'GER' is not an ISO 3166 alpha-2 region code (e.g. US, DE)."));
        Assert.That(ex.Failures, Has.None.Contains("EMAIL_ADDRESS' is not"));
    }

    [Test]
    public void Disabling_every_configured_type_is_reported()
    {
        var options = new LlmRoutingOptions { Redaction = { Detectors = { EntityTypes = ["URL", "IP_ADDRESS"], DisabledEntityTypes = ["ip_address", "url"] } } };
        var errors = new List<string>();

        RedactionOptionsValidator.Check(options, errors);

        Assert.That(errors, Is.EqualTo(new[]
        {
            "LlmRouting:Redaction:Detectors:DisabledEntityTypes leaves no entity type to detect; to run only your own detectors set LlmRouting:Redaction:ReplaceBuiltInDetectors to true.",
        }));
    }

    [Test]
    public void The_default_settings_share_the_default_detector_and_others_build_their_own()
    {
        Assert.That(RedactingChatClientSetup.BuiltIn(new PiiDetectorOptions()), Is.SameAs(PiiDetectors.Default));
        Assert.That(RedactingChatClientSetup.BuiltIn(null), Is.SameAs(PiiDetectors.Default));
        IPiiDetector custom = RedactingChatClientSetup.BuiltIn(new PiiDetectorOptions { DisabledEntityTypes = [PiiEntityTypes.Url] });
        Assert.That(custom, Is.Not.SameAs(PiiDetectors.Default));
        Assert.That(custom.EntityTypes, Does.Not.Contain(PiiEntityTypes.Url).And.Contain(PiiEntityTypes.EmailAddress));
    }
}
