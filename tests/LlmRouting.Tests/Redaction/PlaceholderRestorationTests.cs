using System.Text.Json;

namespace LlmRouting.Tests.Redaction;

[TestFixture]
public class PlaceholderRestorationTests
{
    private const string Answer = "Sent to <EMAIL_1> and <EMAIL_2>; card <CREDIT_CARD_1>.";
    private static readonly string Restored = $"Sent to {Corpus.Email1} and {Corpus.Email2}; card {Corpus.Card1}.";
    private static readonly string Prompt = $"Mail {Corpus.Email1} and {Corpus.Email2} about card {Corpus.Card1}";

    [Test]
    public async Task Placeholders_in_the_answer_are_restored_and_nothing_else_changes([Values] bool streaming)
    {
        var chain = new RedactionChain();
        RecordingProvider cloud = chain.Add("cloud");
        const string Other = " Unknown <EMAIL_9>, <EMAIL_1 >, <b>, a < b > c, <EMAIL_1";
        cloud.Reply = (_, _) => RecordingProvider.Text(Answer + Other);

        ChatResponse response = await chain.Build().AskAsync(streaming, Prompt);

        Assert.That(cloud.Calls[0].Messages[0].Text, Is.EqualTo("Mail <EMAIL_1> and <EMAIL_2> about card <CREDIT_CARD_1>"));
        Assert.That(response.Text, Is.EqualTo(Restored + Other));
    }

    [Test]
    public async Task The_providers_answer_objects_are_never_modified([Values] bool streaming)
    {
        // e.g. a cache below the redactor that hands out the same objects again must never end up holding restored values.
        var cachedResponse = new ChatResponse(new ChatMessage(ChatRole.Assistant, Answer)) { AdditionalProperties = new() { ["k"] = 1 } };
        var cachedUpdates = new[] { new ChatResponseUpdate(ChatRole.Assistant, "to <EMAIL_1> and <EMA"), new ChatResponseUpdate(ChatRole.Assistant, "IL_2>") };
        var inner = new LlmRouting.Testing.TestChatClient
        {
            GetResponseAsyncCallback = (_, _, _) => Task.FromResult(cachedResponse),
            GetStreamingResponseAsyncCallback = (_, _, _) => cachedUpdates.ToAsyncEnumerable(),
        };
        var redactor = new RedactingChatClient(inner, Corpus.Detectors());

        ChatResponse response = await redactor.AskWithoutReportAsync(streaming, Prompt);

        Assert.That(response.Text, Is.EqualTo(streaming ? $"to {Corpus.Email1} and {Corpus.Email2}" : Restored));
        Assert.That(cachedResponse.Text, Is.EqualTo(Answer));
        Assert.That(cachedUpdates.Select(u => u.Text), Is.EqualTo(new[] { "to <EMAIL_1> and <EMA", "IL_2>" }));
        if (!streaming)
        {
            Assert.That(response, Is.Not.SameAs(cachedResponse));
            Assert.That(response.AdditionalProperties, Is.Not.SameAs(cachedResponse.AdditionalProperties));
            Assert.That(response.AdditionalProperties!["k"], Is.EqualTo(1));
        }
    }

    [Test]
    public async Task A_streamed_answer_is_restored_wherever_the_chunks_split_it()
    {
        for (int split = 0; split <= Answer.Length; split++)
        {
            var chain = new RedactionChain();
            RecordingProvider cloud = chain.Add("cloud");
            string[] chunks = [Answer[..split], Answer[split..]];
            cloud.Reply = (_, _) => RecordingProvider.Text(chunks);

            ChatResponse response = await chain.Build().AskAsync(streaming: true, Prompt);

            Assert.That(response.Text, Is.EqualTo(Restored), $"split at {split}");
        }
    }

    [Test]
    public async Task A_streamed_answer_arriving_one_character_at_a_time_is_restored()
    {
        var chain = new RedactionChain();
        RecordingProvider cloud = chain.Add("cloud");
        cloud.Reply = (_, _) => RecordingProvider.Text(Answer.Select(c => c.ToString()).ToArray());
        var texts = new List<string>();

        await foreach (ChatResponseUpdate update in chain.Build().GetStreamingResponseAsync(Prompt))
        {
            texts.Add(update.Text);
        }

        Assert.That(string.Concat(texts), Is.EqualTo(Restored));
        Assert.That(texts, Does.Contain(Corpus.Email1), "a placeholder completed by one chunk is released whole");
    }

    [Test]
    public void Only_the_shortest_possible_placeholder_prefix_is_held_back()
    {
        var restorer = new PlaceholderRestorer(
            new Dictionary<string, string> { ["<EMAIL_1>"] = Corpus.Email1, ["<PHONE_12>"] = Corpus.Phone1 },
            maxLength: "<PHONE_12>".Length,
            AIJsonUtilities.DefaultOptions);

        Assert.That(Feed(restorer, "Hello <EM"), Is.EqualTo("Hello "));
        Assert.That(Feed(restorer, "AIL_1> and <"), Is.EqualTo(Corpus.Email1 + " and "));
        Assert.That(Feed(restorer, "PHONE_1"), Is.Empty, "still a prefix of <PHONE_12>");
        Assert.That(Feed(restorer, "2>!"), Is.EqualTo(Corpus.Phone1 + "!"));
        Assert.That(Feed(restorer, "a < b and <b> and <EMAIL_3>"), Is.EqualTo("a < b and <b> and <EMAIL_3>"), "nothing that cannot become a known placeholder is held");
        Assert.That(Feed(restorer, "x <EMAIL_1 y"), Is.EqualTo("x <EMAIL_1 y"));
        Assert.That(Feed(restorer, "tail <EMAIL_"), Is.EqualTo("tail "));
        Assert.That(restorer.HasPending, Is.True);
        ChatResponseUpdate? flushed = restorer.Flush(new ChatResponseUpdate { MessageId = "m9", ResponseId = "r9" });
        Assert.That(flushed!.Text, Is.EqualTo("<EMAIL_"), "released unchanged at the end of the stream");
        Assert.That((flushed.MessageId, flushed.ResponseId, flushed.Role), Is.EqualTo(("m9", "r9", (ChatRole?)ChatRole.Assistant)));
        Assert.That(restorer.HasPending, Is.False);
        Assert.That(restorer.Flush(null), Is.Null);
    }

    private static string Feed(PlaceholderRestorer restorer, string chunk) =>
        restorer.RestoreUpdate(new ChatResponseUpdate(ChatRole.Assistant, chunk)).Text;

    [Test]
    public void Updates_without_placeholders_pass_as_the_same_instance()
    {
        var restorer = new PlaceholderRestorer(new Dictionary<string, string> { ["<EMAIL_1>"] = Corpus.Email1 }, 9, AIJsonUtilities.DefaultOptions);
        var update = new ChatResponseUpdate(ChatRole.Assistant, "plain text with no angle bracket");
        Assert.That(restorer.RestoreUpdate(update), Is.SameAs(update));
    }

    [Test]
    public async Task An_answer_ending_inside_a_possible_placeholder_loses_nothing()
    {
        var chain = new RedactionChain();
        RecordingProvider cloud = chain.Add("cloud");
        cloud.Reply = (_, _) => RecordingProvider.Text("Done, see <EMA", "IL_");

        ChatResponse response = await chain.Build().AskAsync(streaming: true, Prompt);

        Assert.That(response.Text, Is.EqualTo("Done, see <EMAIL_"));
        Assert.That(response.Messages, Has.Count.EqualTo(1), "the released tail joins the same message");
    }

    [Test]
    public async Task Held_back_text_is_released_before_the_next_message_begins()
    {
        var chain = new RedactionChain();
        RecordingProvider cloud = chain.Add("cloud");
        cloud.Reply = (_, _) =>
        [
            new ChatResponseUpdate(ChatRole.Assistant, "first <EMAIL") { MessageId = "a" },
            new ChatResponseUpdate(ChatRole.Assistant, "_1> second") { MessageId = "b" },
        ];

        ChatResponse response = await chain.Build().AskAsync(streaming: true, Prompt);

        Assert.That(response.Messages.Select(m => m.Text), Is.EqualTo(new[] { "first <EMAIL", "_1> second" }), "text never moves across messages");
    }

    [Test]
    public async Task Reasoning_text_is_restored_too([Values] bool streaming)
    {
        var chain = new RedactionChain();
        RecordingProvider cloud = chain.Add("cloud");
        cloud.Reply = (_, _) =>
        [
            new ChatResponseUpdate(ChatRole.Assistant, [new TextReasoningContent("The user is <EMA")]) { MessageId = "m" },
            new ChatResponseUpdate(ChatRole.Assistant, [new TextReasoningContent("IL_1>.")]) { MessageId = "m" },
            new ChatResponseUpdate(ChatRole.Assistant, "Hi <EMAIL_1>") { MessageId = "m" },
        ];

        ChatResponse response = await chain.Build().AskAsync(streaming, Prompt);

        string reasoning = string.Concat(response.Messages.SelectMany(m => m.Contents).OfType<TextReasoningContent>().Select(r => r.Text));
        Assert.That(reasoning, Is.EqualTo($"The user is {Corpus.Email1}."));
        Assert.That(response.Text, Is.EqualTo($"Hi {Corpus.Email1}"));
    }

    [Test]
    public async Task Tool_call_arguments_in_the_answer_are_restored_at_any_depth([Values] bool streaming)
    {
        var chain = new RedactionChain();
        RecordingProvider cloud = chain.Add("cloud");
        using JsonDocument json = JsonDocument.Parse("""{"to":"<EMAIL_2>","list":["x","<CREDIT_CARD_1>"],"<EMAIL_1>":1}""");
        JsonElement element = json.RootElement.Clone();
        cloud.Reply = (_, _) =>
        [
            new ChatResponseUpdate(ChatRole.Assistant, "Calling."),
            new ChatResponseUpdate(ChatRole.Assistant, [new FunctionCallContent("c1", "send_mail", new Dictionary<string, object?>
            {
                ["to"] = "<EMAIL_1>",
                ["cc"] = new List<object?> { "<EMAIL_2>", 7 },
                ["meta"] = new Dictionary<string, object?> { ["note"] = "for <EMAIL_1> only" },
                ["json"] = element,
                ["count"] = 2,
            })]),
        ];

        ChatResponse response = await chain.Build().AskAsync(streaming, Prompt);

        FunctionCallContent call = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Single();
        Assert.That(call.Name, Is.EqualTo("send_mail"));
        Assert.That(call.Arguments!["to"], Is.EqualTo(Corpus.Email1));
        Assert.That((IEnumerable<object?>)call.Arguments["cc"]!, Is.EqualTo(new object?[] { Corpus.Email2, 7 }));
        Assert.That(((IDictionary<string, object?>)call.Arguments["meta"]!)["note"], Is.EqualTo($"for {Corpus.Email1} only"));
        JsonElement restoredJson = (JsonElement)call.Arguments["json"]!;
        Assert.That(restoredJson.GetProperty("to").GetString(), Is.EqualTo(Corpus.Email2));
        Assert.That(restoredJson.GetProperty("list")[1].GetString(), Is.EqualTo(Corpus.Card1));
        Assert.That(restoredJson.GetProperty(Corpus.Email1).GetInt32(), Is.EqualTo(1), "property names too");
        Assert.That(call.Arguments["count"], Is.EqualTo(2));
    }

    [Test]
    public async Task Restoration_can_be_switched_off([Values] bool streaming)
    {
        var chain = new RedactionChain();
        RecordingProvider cloud = chain.Add("cloud");
        cloud.Reply = (_, _) => RecordingProvider.Text(Answer);

        ChatResponse response = await chain.Build(r => r.Options = new RedactionOptions { RestorePlaceholders = false }).AskAsync(streaming, Prompt);

        Assert.That(response.Text, Is.EqualTo(Answer));
    }

    [Test]
    public async Task An_interrupted_stream_reports_the_redacted_partial_text_only()
    {
        var chain = new RedactionChain();
        RecordingProvider cloud = chain.Add("cloud");
        cloud.Reply = (_, _) => RecordingProvider.Text("Writing to <EMAIL_1>", " now, and <EMA", "IL_2> later");
        cloud.InterruptStream = (2, new LlmProviderException(LlmErrorKind.ServerError, "upstream reset"));
        var received = new List<string>();

        var ex = await Assert.ThrowsAsync<StreamInterruptedException>(async () =>
        {
            await foreach (ChatResponseUpdate update in chain.Build().GetStreamingResponseAsync(Prompt))
            {
                received.Add(update.Text);
            }
        });

        Assert.That(string.Concat(received), Is.EqualTo($"Writing to {Corpus.Email1} now, and "), "the held-back tail is dropped with the failed stream");
        Assert.That(ex!.PartialText, Is.EqualTo("Writing to <EMAIL_1> now, and <EMA"));
        Assert.That(ex.ToString(), Does.Not.Contain(Corpus.Email1).And.Not.Contain(Corpus.Email2));
    }
}
