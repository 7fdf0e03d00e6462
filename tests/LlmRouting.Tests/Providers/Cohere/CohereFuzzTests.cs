using System.Text;
using static LlmRouting.Tests.Providers.Cohere.CohereTestSupport;

namespace LlmRouting.Tests.Providers.Cohere;

/// <summary>Cohere's reply and stream parsers under truncation, corruption, huge lines and slow trickle: complete answers or typed errors only.</summary>
public sealed class CohereFuzzTests
{
    private static readonly (string Name, string Reply, string[] Events, string Text)[] Fixtures =
    [
        (nameof(CohereFixtures.TextReply), CohereFixtures.TextReply, CohereFixtures.TextEvents, "LLMs are large language models trained on text."),
        (nameof(CohereFixtures.ToolCallsReply), CohereFixtures.ToolCallsReply, CohereFixtures.ToolCallEvents, "I will search for the weather in Madrid and Brasilia."),
        (nameof(CohereFixtures.ThinkingReply), CohereFixtures.ThinkingReply, CohereFixtures.ThinkingEvents, "17 × 23 = 391."),
    ];

    private static IEnumerable<string> Names => Fixtures.Select(f => f.Name);

    [TestCaseSource(nameof(Names))]
    public async Task A_cut_stream_never_ends_as_a_shorter_success(string fixture)
    {
        (_, _, string[] events, string text) = Fixtures.Single(f => f.Name == fixture);
        byte[] body = Encoding.UTF8.GetBytes(CohereEvents(events));

        foreach (byte[] cut in ReplyFuzzing.Truncations(body, step: 5))
        {
            string outcome = await ReplyFuzzing.RunAsync(Create, streaming: true, cut);
            Assert.That(outcome, Is.EqualTo("ok:" + text).Or.EqualTo("error:StreamInterrupted").Or.EqualTo("error:InvalidResponse"), $"cut at {cut.Length} of {body.Length}");
        }
    }

    [TestCaseSource(nameof(Names))]
    public async Task Corrupted_replies_and_streams_give_answers_or_typed_errors(string fixture)
    {
        (_, string reply, string[] events, _) = Fixtures.Single(f => f.Name == fixture);

        foreach (byte[] bytes in ReplyFuzzing.Corruptions(Encoding.UTF8.GetBytes(CohereEvents(events)), count: 150, seed: 1234))
        {
            await ReplyFuzzing.RunAsync(Create, streaming: true, bytes);
        }

        foreach (byte[] bytes in ReplyFuzzing.Corruptions(Encoding.UTF8.GetBytes(reply), count: 150, seed: 4321))
        {
            await ReplyFuzzing.RunAsync(Create, streaming: false, bytes);
        }

        foreach (byte[] cut in ReplyFuzzing.Truncations(Encoding.UTF8.GetBytes(reply), step: 7))
        {
            string outcome = await ReplyFuzzing.RunAsync(Create, streaming: false, cut);
            Assert.That(outcome, Does.StartWith("error:"), $"a truncated body ({cut.Length} bytes) is not an answer");
        }
    }

    [Test]
    public async Task A_huge_line_is_a_typed_error_and_a_trickled_stream_parses_like_a_whole_one()
    {
        byte[] body = Encoding.UTF8.GetBytes(CohereEvents(CohereFixtures.TextEvents));

        string huge = await ReplyFuzzing.RunAsync(Create, streaming: true, ReplyFuzzing.HugeLine(body));
        string trickled = await ReplyFuzzing.RunAsync(Create, streaming: true, body, trickle: true);

        Assert.That(huge, Does.StartWith("error:").Or.StartWith("ok:"));
        Assert.That(trickled, Is.EqualTo("ok:LLMs are large language models trained on text."));
    }

    private static IChatClient Create(HttpMessageHandler handler) =>
        new CohereChatClient(new HttpClient(handler), new CohereChatClientOptions { ApiKey = new ApiKeySecret(CohereApiKey), DefaultModelId = Model });
}
