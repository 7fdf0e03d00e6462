using System.Text;
using static LlmRouting.Tests.Providers.Gemini.GeminiTestSupport;

namespace LlmRouting.Tests.Providers.Gemini;

/// <summary>Gemini's reply and stream parsers under truncation, corruption, huge lines and slow trickle: complete answers or typed errors only.</summary>
public sealed class GeminiFuzzTests
{
    private static readonly (string Name, string Reply, string[] Chunks, string Text)[] Fixtures =
    [
        (nameof(GeminiFixtures.TextReply), GeminiFixtures.TextReply, GeminiFixtures.TextChunks, "Hello! How can I help you today?"),
        (nameof(GeminiFixtures.ToolCallsReply), GeminiFixtures.ToolCallsReply, GeminiFixtures.ToolCallsChunks, "I'll check the weather in both cities."),
        (nameof(GeminiFixtures.ThinkingReply), GeminiFixtures.ThinkingReply, GeminiFixtures.ThinkingChunks, "2 + 2 = 4."),
    ];

    private static IEnumerable<string> Names => Fixtures.Select(f => f.Name);

    [TestCaseSource(nameof(Names))]
    public async Task A_cut_stream_never_ends_as_a_shorter_success(string fixture)
    {
        (_, _, string[] chunks, string text) = Fixtures.Single(f => f.Name == fixture);
        byte[] body = Encoding.UTF8.GetBytes(GeminiEvents(chunks));

        foreach (byte[] cut in ReplyFuzzing.Truncations(body, step: 5))
        {
            string outcome = await ReplyFuzzing.RunAsync(Create, streaming: true, cut);
            Assert.That(outcome, Is.EqualTo("ok:" + text).Or.EqualTo("error:StreamInterrupted").Or.EqualTo("error:InvalidResponse"), $"cut at {cut.Length} of {body.Length}");
        }
    }

    [TestCaseSource(nameof(Names))]
    public async Task Corrupted_replies_and_streams_give_answers_or_typed_errors(string fixture)
    {
        (_, string reply, string[] chunks, _) = Fixtures.Single(f => f.Name == fixture);

        foreach (byte[] bytes in ReplyFuzzing.Corruptions(Encoding.UTF8.GetBytes(GeminiEvents(chunks)), count: 150, seed: 1234))
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
        byte[] body = Encoding.UTF8.GetBytes(GeminiEvents(GeminiFixtures.TextChunks));

        string huge = await ReplyFuzzing.RunAsync(Create, streaming: true, ReplyFuzzing.HugeLine(body));
        string trickled = await ReplyFuzzing.RunAsync(Create, streaming: true, body, trickle: true);

        Assert.That(huge, Does.StartWith("error:").Or.StartWith("ok:"));
        Assert.That(trickled, Is.EqualTo("ok:Hello! How can I help you today?"));
    }

    private static IChatClient Create(HttpMessageHandler handler) =>
        new GeminiChatClient(new HttpClient(handler), new GeminiChatClientOptions { ApiKey = new ApiKeySecret(GeminiApiKey), DefaultModelId = Model });
}
