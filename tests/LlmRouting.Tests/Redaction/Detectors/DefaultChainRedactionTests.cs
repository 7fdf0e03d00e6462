namespace LlmRouting.Tests.Redaction.Detectors;

[TestFixture]
public class DefaultChainRedactionTests
{
    [Test]
    public async Task The_default_chain_masks_phones_ibans_and_api_keys([Values] bool streaming)
    {
        var h = new ChainHarness();
        h.Add(new Deployment("only", "openai", "m", ChainHarness.Model("openai", "m", 1m, 1m)));
        const string Key = "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAb7cDe0fGh3iJk6lMn9oPq2rSt5uVw8xYz";
        string prompt = $"Call me on +44 20 7946 0958, refund to DE89 3704 0044 0532 0130 00, and why does OPENAI_API_KEY={Key} fail?";

        ChatResponse response = await h.Build().AskAsync(streaming, prompt);

        string sent = h.Calls.Single().Messages.Single().Text;
        Assert.That(sent, Does.Not.Contain("7946 0958").And.Not.Contain("0532 0130").And.Not.Contain(Key[..20]));
        Assert.That(sent, Does.Contain("Call me on").And.Contain("fail?"));
        Assert.That(response.GetRoutingReport()!.Redactions, Is.EquivalentTo(new Dictionary<string, int>
        {
            [PiiEntityTypes.PhoneNumber] = 1,
            [PiiEntityTypes.IbanCode] = 1,
            [PiiEntityTypes.Secret] = 1,
        }));
    }
}
