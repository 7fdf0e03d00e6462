using System.Security.Cryptography;
using System.Text;

namespace LlmRouting.Tests.Redaction;

[TestFixture]
public class RedactionActionTests
{
    private static (RedactionChain Chain, RecordingProvider Cloud) OneCloud()
    {
        var chain = new RedactionChain();
        RecordingProvider cloud = chain.Add("cloud");
        return (chain, cloud);
    }

    [Test]
    public async Task Placeholders_number_each_value_once_for_the_whole_request([Values] bool streaming)
    {
        (RedactionChain chain, RecordingProvider cloud) = OneCloud();
        var messages = new List<ChatMessage>
        {
            new(ChatRole.System, $"You assist {Corpus.Email1}."),
            new(ChatRole.User, $"Write to {Corpus.Email2} and {Corpus.Email1}; my card is {Corpus.Card1}."),
            new(ChatRole.Assistant, $"I wrote to {Corpus.Email2}."),
            new(ChatRole.User, $"Again {Corpus.Email1}, and call {Corpus.Phone1}."),
        };
        var options = new ChatOptions { Instructions = $"Escalations go to {Corpus.Email3}." };

        ChatResponse response = await chain.Build().AskAsync(streaming, messages, options);

        List<ChatMessage> sent = cloud.Calls.Single().Messages;
        // Instructions are redacted first, so the value there is number 1 on every turn.
        Assert.That(cloud.Calls[0].Options!.Instructions, Is.EqualTo("Escalations go to <EMAIL_1>."));
        Assert.That(sent[0].Text, Is.EqualTo("You assist <EMAIL_2>."));
        Assert.That(sent[1].Text, Is.EqualTo("Write to <EMAIL_3> and <EMAIL_2>; my card is <CREDIT_CARD_1>."));
        Assert.That(sent[2].Text, Is.EqualTo("I wrote to <EMAIL_3>."));
        Assert.That(sent[3].Text, Is.EqualTo("Again <EMAIL_2>, and call <PHONE_1>."));

        RoutingReport report = response.GetRoutingReport()!;
        Assert.That(report.Redactions, Is.EquivalentTo(new Dictionary<string, int> { ["EMAIL_ADDRESS"] = 6, ["CREDIT_CARD"] = 1, ["PHONE_NUMBER"] = 1 }));
        Assert.That(report.RedactionActions, Is.EquivalentTo(new Dictionary<string, PiiAction>
        {
            ["EMAIL_ADDRESS"] = PiiAction.Placeholder,
            ["CREDIT_CARD"] = PiiAction.Placeholder,
            ["PHONE_NUMBER"] = PiiAction.Placeholder,
        }));
        Assert.That(messages[1].Text, Does.Contain(Corpus.Email2), "the caller's messages are untouched");
    }

    [Test]
    public async Task A_value_keeps_its_placeholder_on_the_next_turn([Values] bool streaming)
    {
        (RedactionChain chain, RecordingProvider cloud) = OneCloud();
        cloud.Reply = (received, _) => RecordingProvider.Text("Noted: ", received[^1].Text);
        IChatClient client = chain.Build();
        var history = new List<ChatMessage> { new(ChatRole.User, $"My address is {Corpus.Email1}, my colleague's {Corpus.Email2}.") };

        ChatResponse first = await client.AskAsync(streaming, history);
        Assert.That(first.Text, Is.EqualTo($"Noted: My address is {Corpus.Email1}, my colleague's {Corpus.Email2}."), "restored for the caller");

        history.AddRange(first.Messages);
        history.Add(new ChatMessage(ChatRole.User, $"Use {Corpus.Email2} only."));
        await client.AskAsync(streaming, history);

        Assert.That(cloud.Calls[1].Messages[0].Text, Is.EqualTo(cloud.Calls[0].Messages[0].Text));
        Assert.That(cloud.Calls[1].Messages[1].Text, Is.EqualTo("Noted: My address is <EMAIL_1>, my colleague's <EMAIL_2>."));
        Assert.That(cloud.Calls[1].Messages[2].Text, Is.EqualTo("Use <EMAIL_2> only."));
    }

    [Test]
    public async Task Mask_replaces_values_with_labels_and_is_not_reversed([Values] bool streaming)
    {
        (RedactionChain chain, RecordingProvider cloud) = OneCloud();
        cloud.Reply = (_, _) => RecordingProvider.Text("Contact [EMAIL] or <EMAIL_1>.");
        IChatClient client = chain.Build(r => r.Options = new RedactionOptions { Actions = { ["email_address"] = PiiAction.Mask } });

        ChatResponse response = await client.AskAsync(streaming, $"Reach {Corpus.Email1} or card {Corpus.Card1}");

        Assert.That(cloud.Calls[0].Messages[0].Text, Is.EqualTo("Reach [EMAIL] or card <CREDIT_CARD_1>"));
        Assert.That(response.Text, Is.EqualTo("Contact [EMAIL] or <EMAIL_1>."), "a masked value has no placeholder to restore");
        Assert.That(response.GetRoutingReport()!.RedactionActions["EMAIL_ADDRESS"], Is.EqualTo(PiiAction.Mask));
    }

    [Test]
    public async Task Secrets_are_masked_by_default_and_never_restored([Values] bool streaming)
    {
        (RedactionChain chain, RecordingProvider cloud) = OneCloud();
        cloud.Reply = (_, _) => RecordingProvider.Text("Rotate [SECRET] now; <SECRET_1>.");

        ChatResponse response = await chain.Build().AskAsync(streaming, $"My key {Corpus.OpenAIKey} and {Corpus.AwsKeyId} leaked");

        Assert.That(cloud.Calls[0].Messages[0].Text, Is.EqualTo("My key [SECRET] and [SECRET] leaked"));
        Assert.That(response.Text, Is.EqualTo("Rotate [SECRET] now; <SECRET_1>."));
        RoutingReport report = response.GetRoutingReport()!;
        Assert.That(report.Redactions["SECRET"], Is.EqualTo(2));
        Assert.That(report.RedactionActions["SECRET"], Is.EqualTo(PiiAction.Mask));
    }

    [Test]
    public async Task Hash_gives_a_salted_stable_token_that_never_reveals_the_salt([Values] bool streaming)
    {
        const string Salt = "pepper-0123456789abcdef";
        (RedactionChain chain, RecordingProvider cloud) = OneCloud();
        var options = new RedactionOptions { HashSalt = Salt, Actions = { ["EMAIL_ADDRESS"] = PiiAction.Hash } };
        IChatClient client = chain.Build(r => r.Options = options);

        ChatResponse response = await client.AskAsync(streaming, $"{Corpus.Email1} wrote to {Corpus.Email2} and {Corpus.Email1}");
        await client.AskAsync(streaming, $"Again {Corpus.Email1}");

        string expected1 = ExpectedHash(Salt, "EMAIL_ADDRESS", Corpus.Email1, 8);
        string expected2 = ExpectedHash(Salt, "EMAIL_ADDRESS", Corpus.Email2, 8);
        Assert.That(expected1, Does.Match("^<EMAIL_HASH_[0-9a-f]{8}>$"));
        Assert.That(cloud.Calls[0].Messages[0].Text, Is.EqualTo($"{expected1} wrote to {expected2} and {expected1}"));
        Assert.That(cloud.Calls[1].Messages[0].Text, Is.EqualTo($"Again {expected1}"), "stable across requests");
        Assert.That(cloud.ReceivedAll() + response.Text, Does.Not.Contain(Salt));

        // Another salt gives other tokens, and a longer configured length is honoured.
        (RedactionChain chain2, RecordingProvider cloud2) = OneCloud();
        await chain2.Build(r => r.Options = new RedactionOptions { HashSalt = Salt + "x", HashLength = 16, DefaultAction = PiiAction.Hash })
            .AskAsync(streaming, Corpus.Email1);
        Assert.That(cloud2.Calls[0].Messages[0].Text, Does.Match("^<EMAIL_HASH_[0-9a-f]{16}>$"));
        Assert.That(cloud2.Calls[0].Messages[0].Text, Is.Not.EqualTo(ExpectedHash(Salt, "EMAIL_ADDRESS", Corpus.Email1, 16)));
    }

    private static string ExpectedHash(string salt, string type, string value, int hex)
    {
        byte[] mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(salt), Encoding.UTF8.GetBytes(type + "\0" + value));
        return "<EMAIL_HASH_" + Convert.ToHexStringLower(mac)[..hex] + ">";
    }

    [Test]
    public async Task Block_refuses_the_request_with_types_and_counts_only_and_sends_nothing([Values] bool streaming)
    {
        (RedactionChain chain, RecordingProvider cloud) = OneCloud();
        IChatClient client = chain.Build(r => r.Options = new RedactionOptions { SecretAction = PiiAction.Block });

        var ex = await Assert.ThrowsAsync<PiiBlockedException>(() => client.AskAsync(streaming, $"Deploy with {Corpus.OpenAIKey} and {Corpus.GitHubToken}, mail {Corpus.Email1}"));

        Assert.That(cloud.Calls, Is.Empty);
        Assert.That(ex!.BlockedEntities, Is.EquivalentTo(new Dictionary<string, int> { ["SECRET"] = 2 }));
        Assert.That(ex.Message, Does.Contain("SECRET x2").And.Contain("nothing was sent"));
        Assert.That(ex.ToString(), Does.Not.Contain(Corpus.OpenAIKey).And.Not.Contain(Corpus.GitHubToken).And.Not.Contain(Corpus.Email1));
        Assert.That(ex.Report, Is.Not.Null);
        Assert.That(ex.Report!.Redactions["SECRET"], Is.EqualTo(2));
        Assert.That(ex.Report.RedactionActions["SECRET"], Is.EqualTo(PiiAction.Block));
        Assert.That(ex.Report.Attempts, Is.Empty);
    }

    [Test]
    public async Task RouteLocal_sends_the_value_unchanged_to_local_deployments_only([Values] bool streaming)
    {
        var chain = new RedactionChain();
        RecordingProvider cloud = chain.Add("cloud");
        RecordingProvider local = chain.Add("local", isLocal: true, provider: "ollama");
        IChatClient client = chain.Build(r => r.Options = new RedactionOptions { Actions = { ["PHONE_NUMBER"] = PiiAction.RouteLocal } });

        ChatResponse response = await client.AskAsync(streaming, $"Call {Corpus.Phone1} about {Corpus.Email1}");

        Assert.That(cloud.Calls, Is.Empty);
        Assert.That(local.Calls.Single().Messages[0].Text, Is.EqualTo($"Call {Corpus.Phone1} about <EMAIL_1>"), "other actions still apply");
        RoutingReport report = response.GetRoutingReport()!;
        Assert.That(report.Deployment, Is.EqualTo("local"));
        Assert.That(report.Confidential, Is.True);
        Assert.That(report.Candidates, Is.EqualTo(new[] { "local" }));
        CandidateRejection rejection = report.RejectedCandidates.Single();
        Assert.That((rejection.Deployment, rejection.Reason), Is.EqualTo(("cloud", DataPolicyReasons.PiiLocalOnly)));
        Assert.That(rejection.Detail, Does.Contain("PHONE_NUMBER").And.Not.Contain(Corpus.Phone1));
        Assert.That(report.RedactionActions["PHONE_NUMBER"], Is.EqualTo(PiiAction.RouteLocal));
    }

    [Test]
    public async Task RouteLocal_without_a_local_deployment_is_a_typed_error_and_sends_nothing([Values] bool streaming)
    {
        var chain = new RedactionChain();
        RecordingProvider a = chain.Add("a");
        RecordingProvider b = chain.Add("b", provider: "mistral");
        IChatClient client = chain.Build(r => r.Options = new RedactionOptions { Actions = { ["PHONE_NUMBER"] = PiiAction.RouteLocal } });

        var ex = await Assert.ThrowsAsync<NoEligibleDeploymentException>(() => client.AskAsync(streaming, $"Call {Corpus.Phone1}"));

        Assert.That(a.Calls.Concat(b.Calls), Is.Empty);
        Assert.That(ex!.Rejections.Select(r => r.Reason), Is.All.EqualTo(DataPolicyReasons.PiiLocalOnly));
        Assert.That(ex.Rejections.Select(r => r.Deployment), Is.EquivalentTo(new[] { "a", "b" }));
        Assert.That(ex.Report!.Confidential, Is.True);
        Assert.That(ex.ToString(), Does.Not.Contain(Corpus.Phone1));
    }

    [Test]
    public async Task RouteLocal_without_the_router_fails_closed([Values] bool streaming)
    {
        var inner = new LlmRouting.Testing.TestChatClient
        {
            GetResponseAsyncCallback = (_, _, _) => throw new AssertionException("must not be called"),
            GetStreamingResponseAsyncCallback = (_, _, _) => throw new AssertionException("must not be called"),
        };
        var redactor = new RedactingChatClient(inner, Corpus.Detectors()) { Options = new RedactionOptions { Actions = { ["PHONE_NUMBER"] = PiiAction.RouteLocal } } };

        await Assert.ThrowsAsync<NoEligibleDeploymentException>(() => redactor.AskWithoutReportAsync(streaming, $"Call {Corpus.Phone1}"));
    }

    [Test]
    public void RedactText_applies_the_actions_to_one_text_and_counts()
    {
        var redactor = new RedactingChatClient(new LlmRouting.Testing.TestChatClient(), Corpus.Detectors())
        {
            Options = new RedactionOptions { Actions = { ["CREDIT_CARD"] = PiiAction.Mask } },
        };
        var counts = new Dictionary<string, int> { ["EMAIL_ADDRESS"] = 1 };

        string result = redactor.RedactText($"{Corpus.Email1}, {Corpus.Card1}, {Corpus.Email1}, {Corpus.AwsKeyId}", counts);

        Assert.That(result, Is.EqualTo("<EMAIL_1>, [CREDIT_CARD], <EMAIL_1>, [SECRET]"));
        Assert.That(counts, Is.EquivalentTo(new Dictionary<string, int> { ["EMAIL_ADDRESS"] = 3, ["CREDIT_CARD"] = 1, ["SECRET"] = 1 }));
        Assert.That(redactor.RedactText("nothing here"), Is.EqualTo("nothing here"));
    }

    [Test]
    public void Effective_actions_follow_the_table_then_secret_and_default_actions()
    {
        var options = new RedactionOptions { Actions = { ["us_ssn"] = PiiAction.Block }, DefaultAction = PiiAction.Hash, SecretAction = PiiAction.Block };
        Assert.Multiple(() =>
        {
            Assert.That(options.GetAction("US_SSN"), Is.EqualTo(PiiAction.Block));
            Assert.That(options.GetAction("SECRET"), Is.EqualTo(PiiAction.Block));
            Assert.That(options.GetAction("EMAIL_ADDRESS"), Is.EqualTo(PiiAction.Hash));
            Assert.That(new RedactionOptions().GetAction("SECRET"), Is.EqualTo(PiiAction.Mask));
            Assert.That(new RedactionOptions().GetAction("PERSON"), Is.EqualTo(PiiAction.Placeholder));
        });
    }
}

internal static class RedactorTestExtensions
{
    /// <summary>Like AskAsync, for chains without the router (no report on the last update).</summary>
    public static async Task<ChatResponse> AskWithoutReportAsync(this IChatClient client, bool streaming, string prompt)
    {
        if (!streaming)
        {
            return await client.GetResponseAsync(prompt);
        }

        var updates = new List<ChatResponseUpdate>();
        await foreach (ChatResponseUpdate u in client.GetStreamingResponseAsync(prompt))
        {
            updates.Add(u);
        }

        return updates.ToChatResponse();
    }
}
