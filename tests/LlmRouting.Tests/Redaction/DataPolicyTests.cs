using System.Text;
using LlmRouting.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LlmRouting.Tests.Redaction;

[TestFixture]
public class DataPolicyTests
{
    /// <summary>Cheapest first: us-cloud (openai, US), eu-cloud (mistral, EU), local (ollama, on-prem, EU).</summary>
    private static (RedactionChain Chain, RecordingProvider Us, RecordingProvider Eu, RecordingProvider Local) Fleet(bool withLocal = true)
    {
        var chain = new RedactionChain();
        RecordingProvider us = chain.Add("us-cloud", provider: "openai", region: "us-east-1", price: 1m, jurisdictions: ["US"]);
        RecordingProvider eu = chain.Add("eu-cloud", provider: "mistral", region: "eu-west-3", price: 2m, jurisdictions: ["EU", "GDPR"]);
        RecordingProvider local = withLocal ? chain.Add("local", isLocal: true, provider: "ollama", region: "eu-central-1", price: 3m, jurisdictions: ["EU", "GDPR"]) : null!;
        return (chain, us, eu, local);
    }

    private static DataPolicyOptions Tenants(params (string Tenant, DataPolicy Policy)[] tenants)
    {
        var options = new DataPolicyOptions();
        foreach ((string tenant, DataPolicy policy) in tenants)
        {
            options.Tenants[tenant] = policy;
        }

        return options;
    }

    private static RoutingReport Report(ChatResponse response) => response.GetRoutingReport()!;

    [Test]
    public async Task A_tenant_policy_denies_a_provider_and_the_report_says_why([Values] bool streaming)
    {
        (RedactionChain chain, RecordingProvider us, RecordingProvider eu, _) = Fleet(withLocal: false);
        IChatClient client = chain.Build(policy: Tenants(("acme", new DataPolicy { DeniedProviders = ["OpenAI"] })));

        ChatResponse response = await client.AskAsync(streaming, "hi", new ChatOptions().WithTenant("acme"));

        Assert.That(us.Calls, Is.Empty);
        Assert.That(eu.Calls, Has.Count.EqualTo(1));
        RoutingReport report = Report(response);
        Assert.That(report.Tenant, Is.EqualTo("acme"));
        Assert.That(report.Deployment, Is.EqualTo("eu-cloud"));
        CandidateRejection rejection = report.RejectedCandidates.Single();
        Assert.That((rejection.Deployment, rejection.Reason), Is.EqualTo(("us-cloud", DataPolicyReasons.ProviderDenied)));
        Assert.That(rejection.Detail, Is.EqualTo("Provider 'openai' is denied by the policy of tenant 'acme'."));

        // Another tenant, or no tenant, is not affected.
        ChatResponse other = await chain.Build(policy: Tenants(("acme", new DataPolicy { DeniedProviders = ["openai"] }), ("globex", new DataPolicy())))
            .AskAsync(streaming, "hi", new ChatOptions().WithTenant("globex"));
        Assert.That(Report(other).Deployment, Is.EqualTo("us-cloud"));
        Assert.That(Report(await client.AskAsync(streaming, "hi")).Deployment, Is.EqualTo("us-cloud"));
    }

    [Test]
    public async Task Regions_match_with_wildcards_and_an_unknown_region_fails_an_allow_list([Values] bool streaming)
    {
        var chain = new RedactionChain();
        chain.Add("no-region");
        chain.Add("us", region: "us-east-1");
        RecordingProvider eu = chain.Add("eu", provider: "mistral", region: "EU-West-3");
        IChatClient client = chain.Build(policy: Tenants(("acme", new DataPolicy { AllowedRegions = ["eu-*"] })));

        ChatResponse response = await client.AskAsync(streaming, "hi", new ChatOptions().WithTenant("ACME"));

        Assert.That(eu.Calls, Has.Count.EqualTo(1));
        Dictionary<string, CandidateRejection> rejected = Report(response).RejectedCandidates.ToDictionary(r => r.Deployment);
        Assert.That(rejected.Values.Select(r => r.Reason), Is.All.EqualTo(DataPolicyReasons.Region));
        Assert.That(rejected["no-region"].Detail, Is.EqualTo("The deployment has no Region, and the policy of tenant 'ACME' allows only eu-*."));
        Assert.That(rejected["us"].Detail, Does.Contain("Region 'us-east-1' is not among the regions"));
    }

    [Test]
    public async Task Required_jurisdictions_must_all_be_tagged_on_the_deployment([Values] bool streaming)
    {
        (RedactionChain chain, _, RecordingProvider eu, _) = Fleet(withLocal: false);
        chain.Add("eu-no-gdpr", provider: "groq", region: "eu-west-1", price: 5m, jurisdictions: ["EU"]);
        IChatClient client = chain.Build(policy: new DataPolicyOptions { Default = new DataPolicy { RequiredJurisdictions = ["eu", "GDPR"] } });

        ChatResponse response = await client.AskAsync(streaming, "hi");

        Assert.That(eu.Calls, Has.Count.EqualTo(1));
        Dictionary<string, CandidateRejection> rejected = Report(response).RejectedCandidates.ToDictionary(r => r.Deployment);
        Assert.That(rejected.Keys, Is.EquivalentTo(new[] { "us-cloud", "eu-no-gdpr" }));
        Assert.That(rejected["eu-no-gdpr"].Reason, Is.EqualTo(DataPolicyReasons.Jurisdiction));
        Assert.That(rejected["eu-no-gdpr"].Detail, Is.EqualTo("The deployment lacks the jurisdiction tag(s) GDPR the default policy requires (it has: EU)."));
        Assert.That(rejected["us-cloud"].Detail, Does.Contain("eu, GDPR").And.Contain("(it has: US)"));
    }

    [Test]
    public async Task Models_and_deployments_can_be_allowed_or_denied([Values] bool streaming)
    {
        (RedactionChain chain, RecordingProvider us, RecordingProvider eu, RecordingProvider local) = Fleet();

        ChatResponse byModel = await chain.Build(policy: new DataPolicyOptions { Default = new DataPolicy { AllowedModels = ["mistral/m-*", "m-loc*"] } }).AskAsync(streaming, "hi");
        Assert.That(Report(byModel).Candidates, Is.EqualTo(new[] { "eu-cloud", "local" }));
        Assert.That(Report(byModel).RejectedCandidates.Single().Reason, Is.EqualTo(DataPolicyReasons.ModelDenied));

        ChatResponse byDeployment = await chain.Build().AskAsync(streaming, "hi", new ChatOptions().WithDataPolicy(p => p.DeniedDeployments.Add("us-*")));
        Assert.That(Report(byDeployment).Deployment, Is.EqualTo("eu-cloud"));
        Assert.That(Report(byDeployment).RejectedCandidates.Single().Reason, Is.EqualTo(DataPolicyReasons.DeploymentDenied));

        ChatResponse deniedModel = await chain.Build().AskAsync(streaming, "hi", new ChatOptions().WithDataPolicy(p => p.DeniedModels.Add("m-us-cloud")));
        Assert.That(Report(deniedModel).Deployment, Is.EqualTo("eu-cloud"));
        Assert.That(us.Calls, Is.Empty);
        Assert.That(eu.Calls.Count + local.Calls.Count, Is.EqualTo(3));
    }

    [Test]
    public async Task A_request_policy_only_narrows_and_cannot_widen_the_tenants([Values] bool streaming)
    {
        (RedactionChain chain, RecordingProvider us, RecordingProvider eu, RecordingProvider local) = Fleet();
        IChatClient client = chain.Build(policy: Tenants(("acme", new DataPolicy { DeniedProviders = ["openai"] })));

        ChatOptions options = new ChatOptions().WithTenant("acme").WithDataPolicy(p => p.AllowedProviders.Add("openai"));
        var ex = await Assert.ThrowsAsync<NoEligibleDeploymentException>(() => client.AskAsync(streaming, "hi", options));

        Assert.That(us.Calls.Concat(eu.Calls).Concat(local.Calls), Is.Empty);
        Assert.That(ex!.Rejections.Select(r => (r.Deployment, r.Reason)), Is.EquivalentTo(new[]
        {
            ("us-cloud", DataPolicyReasons.ProviderDenied),
            ("eu-cloud", DataPolicyReasons.ProviderDenied),
            ("local", DataPolicyReasons.ProviderDenied),
        }));
        Assert.That(ex.Rejections.Single(r => r.Deployment == "us-cloud").Detail, Does.Contain("tenant 'acme'"));
        Assert.That(ex.Rejections.Single(r => r.Deployment == "eu-cloud").Detail, Does.Contain("request policy"));
        Assert.That(ex.Report!.Tenant, Is.EqualTo("acme"));
        Assert.That(ex.Report.Candidates, Is.Empty);
    }

    [Test]
    public void Request_policies_accumulate_and_the_helpers_write_LlmRouting_keys()
    {
        ChatOptions options = new ChatOptions()
            .WithDataPolicy(p => p.DeniedProviders.Add("a"))
            .WithDataPolicy(p => p.AllowedRegions.Add("eu-*"))
            .WithTenant("acme")
            .AsConfidential();

        DataPolicy policy = options.GetDataPolicy()!;
        Assert.That(policy.DeniedProviders, Is.EqualTo(new[] { "a" }));
        Assert.That(policy.AllowedRegions, Is.EqualTo(new[] { "eu-*" }));
        Assert.That(options.GetTenant(), Is.EqualTo("acme"));
        Assert.That(options.IsConfidential(), Is.True);
        Assert.That(options.AdditionalProperties!.Keys, Is.All.StartsWith("LlmRouting."));
        Assert.That(options.AsConfidential(false).IsConfidential(), Is.False);

        var replacement = new DataPolicy { DeniedModels = ["x"] };
        options.WithDataPolicy(replacement);
        replacement.DeniedModels.Add("y");
        Assert.That(options.GetDataPolicy()!.DeniedModels, Is.EqualTo(new[] { "x" }), "a copy is stored");
        Assert.That(((ChatOptions?)null).GetTenant(), Is.Null);
        Assert.Throws<ArgumentException>(() => new ChatOptions().WithTenant(" "));
    }

    [Test]
    public async Task Policy_keys_never_reach_the_provider([Values] bool streaming)
    {
        (RedactionChain chain, RecordingProvider us, _, _) = Fleet();
        ChatOptions options = new ChatOptions { AdditionalProperties = new() { ["user"] = "u-17" } }.WithTenant("acme").WithDataPolicy(p => p.AllowedProviders.Add("openai"));

        await chain.Build(policy: Tenants(("acme", new DataPolicy()))).AskAsync(streaming, "hi", options);

        Assert.That(us.Calls[0].Options!.AdditionalProperties!.Keys, Is.EqualTo(new[] { "user" }));
        Assert.That(options.GetDataPolicy()!.AllowedProviders, Is.EqualTo(new[] { "openai" }), "the caller's options are unchanged");
        Assert.That(options.AdditionalProperties!.Count, Is.EqualTo(3));
    }

    [Test]
    public async Task An_unknown_tenant_is_refused_unless_allowed([Values] bool streaming)
    {
        (RedactionChain chain, RecordingProvider us, _, _) = Fleet();
        DataPolicyOptions policies = Tenants(("acme", new DataPolicy { DeniedProviders = ["openai"] }));

        var ex = await Assert.ThrowsAsync<DataPolicyException>(() => chain.Build(policy: policies).AskAsync(streaming, "hi", new ChatOptions().WithTenant("acme-typo")));
        Assert.That(ex!.Tenant, Is.EqualTo("acme-typo"));
        Assert.That(ex.Message, Does.Contain("LlmRouting:Policy:Tenants:acme-typo"));
        Assert.That(ex.Report!.Tenant, Is.EqualTo("acme-typo"));
        Assert.That(us.Calls, Is.Empty);

        policies.AllowUnknownTenants = true;
        policies.Default = new DataPolicy { DeniedProviders = ["mistral"] };
        ChatResponse response = await chain.Build(policy: policies).AskAsync(streaming, "hi", new ChatOptions().WithTenant("acme-typo"));
        Assert.That(Report(response).Deployment, Is.EqualTo("us-cloud"), "only the default policy applies");
        Assert.That(Report(response).RejectedCandidates.Single().Deployment, Is.EqualTo("eu-cloud"));
    }

    [Test]
    public async Task A_confidential_request_goes_to_local_deployments_only([Values] bool streaming)
    {
        (RedactionChain chain, RecordingProvider us, RecordingProvider eu, RecordingProvider local) = Fleet();

        ChatResponse response = await chain.Build().AskAsync(streaming, "summarise the board minutes", new ChatOptions().AsConfidential());

        Assert.That(us.Calls.Concat(eu.Calls), Is.Empty);
        Assert.That(local.Calls, Has.Count.EqualTo(1));
        RoutingReport report = Report(response);
        Assert.That(report.Confidential, Is.True);
        Assert.That(report.RejectedCandidates.Select(r => r.Reason), Is.All.EqualTo(DataPolicyReasons.ConfidentialLocalOnly));
        Assert.That(report.RejectedCandidates[0].Detail, Is.EqualTo("Only local deployments may receive this request: the request is marked confidential."));

        // A tenant whose every request is confidential.
        ChatResponse tenant = await chain.Build(policy: Tenants(("clinic", new DataPolicy { Confidential = true }))).AskAsync(streaming, "hi", new ChatOptions().WithTenant("clinic"));
        Assert.That(Report(tenant).Deployment, Is.EqualTo("local"));
        Assert.That(Report(tenant).RejectedCandidates[0].Detail, Does.Contain("policy of tenant 'clinic' makes every request confidential"));
    }

    [Test]
    public async Task A_confidential_request_without_a_local_deployment_is_refused([Values] bool streaming)
    {
        (RedactionChain chain, RecordingProvider us, RecordingProvider eu, _) = Fleet(withLocal: false);

        var ex = await Assert.ThrowsAsync<NoEligibleDeploymentException>(() => chain.Build().AskAsync(streaming, "hi", new ChatOptions().AsConfidential()));

        Assert.That(us.Calls.Concat(eu.Calls), Is.Empty);
        Assert.That(ex!.Rejections.Select(r => r.Reason), Is.All.EqualTo(DataPolicyReasons.ConfidentialLocalOnly));
        Assert.That(ex.Report!.Confidential, Is.True);
    }

    [Test]
    public async Task Detected_entity_types_the_policy_names_make_a_request_confidential([Values] bool streaming)
    {
        (RedactionChain chain, RecordingProvider us, _, RecordingProvider local) = Fleet();
        IChatClient client = chain.Build(policy: Tenants(("acme", new DataPolicy { ConfidentialEntityTypes = ["phone_number"] })));

        ChatResponse plain = await client.AskAsync(streaming, $"mail {Corpus.Email1}", new ChatOptions().WithTenant("acme"));
        Assert.That(Report(plain).Deployment, Is.EqualTo("us-cloud"), "no confidential type found");
        Assert.That(Report(plain).Confidential, Is.False);

        ChatResponse confidential = await client.AskAsync(streaming, $"call {Corpus.Phone1}", new ChatOptions().WithTenant("acme"));

        Assert.That(local.Calls.Single().Messages[0].Text, Is.EqualTo("call <PHONE_1>"), "the value's own action still applies");
        RoutingReport report = Report(confidential);
        Assert.That(report.Deployment, Is.EqualTo("local"));
        Assert.That(report.Confidential, Is.True);
        Assert.That(report.RejectedCandidates.Select(r => r.Reason), Is.All.EqualTo(DataPolicyReasons.ConfidentialLocalOnly));
        Assert.That(report.RejectedCandidates[0].Detail, Does.Contain("PHONE_NUMBER").And.Not.Contain(Corpus.Phone1));
        Assert.That(us.Calls, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Confidential_entity_types_without_a_redactor_below_fail_closed([Values] bool streaming)
    {
        (RedactionChain chain, RecordingProvider us, _, _) = Fleet();
        IChatClient client = new ChatClientBuilder(new DeploymentDispatcherChatClient(chain.Registry))
            .UseCostRouter(chain.Registry)
            .UseDataPolicy(new DataPolicyOptions { Default = new DataPolicy { ConfidentialEntityTypes = ["US_SSN"] } })
            .UseResilience()
            .Build();

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => client.AskAsync(streaming, "hi"));
        Assert.That(ex!.Message, Does.Contain("UseRedaction"));
        Assert.That(us.Calls, Is.Empty);
    }

    [Test]
    public async Task A_policy_without_the_router_fails_closed([Values] bool streaming)
    {
        var inner = new TestChatClient
        {
            GetResponseAsyncCallback = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok"))),
            GetStreamingResponseAsyncCallback = (_, _, _) => new[] { new ChatResponseUpdate(ChatRole.Assistant, "ok") }.ToAsyncEnumerable(),
        };
        var layer = new DataPolicyChatClient(inner, new DataPolicyOptions { AllowUnknownTenants = true });

        ChatResponse unrestricted = await layer.AskWithoutReportAsync(streaming, "hi");
        Assert.That(unrestricted.Text, Is.EqualTo("ok"));

        layer.Options = new DataPolicyOptions { Default = new DataPolicy { DeniedProviders = ["x"] } };
        await Assert.ThrowsAsync<InvalidOperationException>(() => layer.AskWithoutReportAsync(streaming, "hi"));
    }

    [TestCase("eu-*", "eu-west-1", true)]
    [TestCase("EU-*", "eu-west-1", true)]
    [TestCase("eu-*", "us-east-1", false)]
    [TestCase("*-west-*", "eu-west-1", true)]
    [TestCase("gpt-4o*", "gpt-4o-mini", true)]
    [TestCase("gpt-4o", "gpt-4o-mini", false)]
    [TestCase("*", "anything", true)]
    [TestCase("a*b*c", "aXXbYYc", true)]
    [TestCase("a*b*c", "aXXbYY", false)]
    [TestCase("eu-*", null, false)]
    public void Policy_entries_match_case_insensitively_with_wildcards(string pattern, string? value, bool expected) =>
        Assert.That(WildcardPattern.IsMatch(pattern, value), Is.EqualTo(expected));

    private static IConfiguration Json(string json) =>
        new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();

    [Test]
    public async Task Policies_and_actions_bind_from_configuration([Values] bool streaming)
    {
        IConfiguration config = Json("""
        {
          "LlmRouting": {
            "Deployments": {
              "cloud": { "Provider": "simulated", "Model": "gpt-4o-mini", "CatalogModel": "openai/gpt-4o-mini", "Region": "us-east-1", "Jurisdictions": [ "US" ] },
              "eu":    { "Provider": "simulated", "Model": "gpt-4o", "CatalogModel": "openai/gpt-4o", "Region": "eu-west-1", "Jurisdictions": [ "EU" ] },
              "local": { "Provider": "simulated", "Model": "llama", "CatalogModel": "openai/gpt-4o", "IsLocal": true, "Region": "eu-central-1", "Jurisdictions": [ "EU" ] }
            },
            "Redaction": {
              "Actions": { "EMAIL_ADDRESS": "Mask", "CREDIT_CARD": "Hash" },
              "HashSalt": "a-long-enough-salt-0123"
            },
            "Policy": {
              "Default": { "DeniedProviders": [ "openrouter" ] },
              "Tenants": {
                "acme":   { "AllowedRegions": [ "eu-*" ], "RequiredJurisdictions": [ "EU" ] },
                "clinic": { "Confidential": true }
              }
            }
          }
        }
        """);
        var services = new ServiceCollection();
        services.AddSimulatedProviders();
        services.AddLlmRouting(config);
        using ServiceProvider sp = services.BuildServiceProvider();
        LlmRoutingOptions options = sp.GetRequiredService<IOptions<LlmRoutingOptions>>().Value;
        Assert.That(options.Redaction.GetAction("email_address"), Is.EqualTo(PiiAction.Mask));
        Assert.That(options.Policy.Tenants["ACME"].AllowedRegions, Is.EqualTo(new[] { "eu-*" }));
        IChatClient client = sp.GetRequiredService<IChatClient>();

        ChatResponse acme = await client.AskAsync(streaming, $"mail {Corpus.Email1}, card {Corpus.Card1}", new ChatOptions().WithTenant("acme"));
        ChatResponse clinic = await client.AskAsync(streaming, "hi", new ChatOptions().WithTenant("clinic"));

        Assert.That(Report(acme).Deployment, Is.AnyOf("eu", "local"));
        Assert.That(Report(acme).RejectedCandidates.Single().Deployment, Is.EqualTo("cloud"));
        Assert.That(Report(clinic).Deployment, Is.EqualTo("local"));
        var simulated = (SimulatedChatClient)sp.GetRequiredService<ProviderRegistry>().GetClient(sp.GetRequiredService<ProviderRegistry>().Deployments.Single(d => d.Name == Report(acme).Deployment));
        string prompt = simulated.Calls[0].PromptText;
        Assert.That(prompt, Does.Contain("mail [EMAIL], card <CREDIT_CARD_HASH_"));
        Assert.That(prompt, Does.Not.Contain(Corpus.Email1).And.Not.Contain(Corpus.Card1));
    }

    [Test]
    public void Invalid_redaction_and_policy_settings_are_reported_by_their_path()
    {
        IConfiguration config = Json("""
        {
          "LlmRouting": {
            "Deployments": { "d": { "Provider": "simulated", "Model": "m" } },
            "Redaction": { "Enabled": false, "Actions": { "US_SSN": "Hash" }, "HashLength": 7 },
            "Policy": {
              "Default": { "AllowedProviders": [ "openai" ], "DeniedProviders": [ "OPENAI" ] },
              "Tenants": { "acme": { "AllowedRegions": [ "" ], "ConfidentialEntityTypes": [ "US_SSN" ] } }
            }
          }
        }
        """);
        var services = new ServiceCollection();
        services.AddSimulatedProviders();
        services.AddLlmRouting(config);
        using ServiceProvider sp = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => _ = sp.GetRequiredService<IOptions<LlmRoutingOptions>>().Value);
        Assert.That(ex!.Failures, Is.SupersetOf(new[]
        {
            "LlmRouting:Redaction:HashSalt is required when an action is Hash.",
            "LlmRouting:Redaction:HashLength must be an even number from 8 to 64 (was 7).",
            "LlmRouting:Policy:Default: 'openai' is in both AllowedProviders and DeniedProviders.",
            "LlmRouting:Policy:Tenants:acme:AllowedRegions:0 is empty.",
            "LlmRouting:Policy:Tenants:acme:ConfidentialEntityTypes needs the redactor to detect them, but LlmRouting:Redaction:Enabled is false.",
        }));
    }

    [Test]
    public void A_short_salt_is_rejected_without_being_quoted()
    {
        var options = new LlmRoutingOptions { Redaction = { DefaultAction = PiiAction.Hash, HashSalt = "short-salt" } };
        var errors = new List<string>();
        RedactionOptionsValidator.Check(options, errors);
        Assert.That(errors, Is.EqualTo(new[] { "LlmRouting:Redaction:HashSalt must be at least 16 characters long." }));
        Assert.That(string.Join(" ", errors), Does.Not.Contain("short-salt"));
    }
}
