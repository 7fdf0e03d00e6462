namespace LlmRouting.Tests;

[TestFixture]
public class RedactionTests
{
    private static ChainHarness OneDeployment()
    {
        var h = new ChainHarness();
        ModelInfo info = ChainHarness.Model("openai", "m", 1m, 1m);
        h.Add(new Deployment("only", "openai", "m", info));
        return h;
    }

    [Test]
    public async Task Emails_and_luhn_valid_cards_are_replaced_everywhere_before_sending([Values] bool streaming)
    {
        ChainHarness h = OneDeployment();
        var messages = new List<ChatMessage>
        {
            new(ChatRole.System, "Support agent for anna.berg@contoso.example"),
            new(ChatRole.User, "My card 4111 1111 1111 1111 was charged twice; write to me at j.smith+billing@example.co.uk."),
            new(ChatRole.Assistant, [new FunctionCallContent("c1", "lookup", new Dictionary<string, object?> { ["email"] = "j.smith+billing@example.co.uk", ["n"] = 3 })]),
            new(ChatRole.Tool, [new FunctionResultContent("c1", "Customer found: j.smith+billing@example.co.uk, card 5500-0000-0000-0004")]),
        };
        var options = new ChatOptions { Instructions = "Never repeat 378282246310005 to anyone." };

        ChatResponse response = await h.Build().AskAsync(streaming, messages, options);

        var sent = h.Calls.Single();
        string everything = string.Join("\n", sent.Messages.SelectMany(m => m.Contents).Select(c => c switch
        {
            TextContent t => t.Text,
            FunctionResultContent r => r.Result?.ToString(),
            FunctionCallContent f => string.Join(",", f.Arguments!.Values),
            _ => c.ToString(),
        })) + "\n" + sent.Options!.Instructions;

        Assert.That(everything, Does.Not.Contain("@example"));
        Assert.That(everything, Does.Not.Contain("@contoso"));
        Assert.That(everything, Does.Not.Contain("4111 1111"));
        Assert.That(everything, Does.Not.Contain("5500-0000"));
        Assert.That(everything, Does.Not.Contain("378282246310005"));
        // Instructions first, then the conversation in order: placeholders are numbered by first appearance.
        Assert.That(sent.Options.Instructions, Is.EqualTo("Never repeat <CREDIT_CARD_1> to anyone."));
        Assert.That(sent.Messages[0].Text, Is.EqualTo("Support agent for <EMAIL_1>"));
        Assert.That(sent.Messages[1].Text, Is.EqualTo("My card <CREDIT_CARD_2> was charged twice; write to me at <EMAIL_2>."));

        RoutingReport report = response.GetRoutingReport()!;
        Assert.That(report.Redactions, Is.EquivalentTo(new Dictionary<string, int> { ["EMAIL_ADDRESS"] = 4, ["CREDIT_CARD"] = 3 }));

        // The caller's objects are untouched.
        Assert.That(messages[1].Text, Does.Contain("4111 1111 1111 1111"));
        Assert.That(options.Instructions, Does.Contain("378282246310005"));
    }

    [Test]
    public async Task Numbers_failing_luhn_and_plain_text_pass_unchanged([Values] bool streaming)
    {
        ChainHarness h = OneDeployment();
        const string prompt = "Order 4111 1111 1111 1112 shipped; version 1.2.3; call me at noon; not-an-email@; user@localhost";
        ChatResponse response = await h.Build().AskAsync(streaming, prompt);

        Assert.That(h.Calls.Single().Messages.Single().Text, Is.EqualTo(prompt));
        Assert.That(response.GetRoutingReport()!.Redactions, Is.Empty);
    }

    [Test]
    public void Unchanged_requests_reuse_the_callers_message_objects()
    {
        var inner = new LlmRouting.Testing.TestChatClient();
        IEnumerable<ChatMessage>? seen = null;
        inner.GetResponseAsyncCallback = (m, o, ct) => { seen = m; return Task.FromResult(new ChatResponse()); };
        var redactor = new RedactingChatClient(inner);
        var messages = new List<ChatMessage> { new(ChatRole.User, "nothing sensitive") };
        redactor.GetResponseAsync(messages).GetAwaiter().GetResult();
        Assert.That(seen, Is.SameAs(messages));
    }

    [TestCase("4111111111111111", true)]
    [TestCase("4111-1111-1111-1111", true)]
    [TestCase("4111111111111112", false)]
    [TestCase("1234", false)]
    [TestCase("79927398713", false)] // Luhn-valid but too short for a card
    public void Luhn(string number, bool valid) => Assert.That(CreditCardDetector.IsLuhnValid(number), Is.EqualTo(valid));
}
