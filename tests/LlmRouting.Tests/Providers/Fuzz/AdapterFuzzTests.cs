using System.Text;

namespace LlmRouting.Tests.Providers.Fuzz;

/// <summary>
/// One adapter's reply and stream parsers under truncation, corruption, huge lines and slow trickle: complete answers or typed
/// errors only. Each adapter supplies three realistic replies (text, tool calls, thinking) with their streamed form.
/// </summary>
public abstract class AdapterFuzzTests
{
    /// <summary>A realistic reply, the same answer as a stream body, and the answer's text.</summary>
    protected sealed record Fixture(string Reply, string Stream, string Text);

    /// <summary>Gets the text, tool-call and thinking fixtures, in that order.</summary>
    protected abstract IReadOnlyList<Fixture> Fixtures { get; }

    /// <summary>Creates the adapter over a handler.</summary>
    protected abstract IChatClient Create(HttpMessageHandler handler);

    [Test]
    public async Task A_cut_stream_never_ends_as_a_shorter_success([Values(0, 1, 2)] int fixture)
    {
        Fixture f = Fixtures[fixture];
        byte[] body = Encoding.UTF8.GetBytes(f.Stream);

        foreach (byte[] cut in ReplyFuzzing.Truncations(body, step: 5))
        {
            string outcome = await ReplyFuzzing.RunAsync(Create, streaming: true, cut);
            Assert.That(outcome, Is.EqualTo("ok:" + f.Text).Or.EqualTo("error:StreamInterrupted").Or.EqualTo("error:InvalidResponse"), $"cut at {cut.Length} of {body.Length}");
        }
    }

    [Test]
    public async Task Corrupted_replies_and_streams_give_answers_or_typed_errors([Values(0, 1, 2)] int fixture)
    {
        Fixture f = Fixtures[fixture];

        foreach (byte[] bytes in ReplyFuzzing.Corruptions(Encoding.UTF8.GetBytes(f.Stream), count: 150, seed: 1234))
        {
            await ReplyFuzzing.RunAsync(Create, streaming: true, bytes);
        }

        foreach (byte[] bytes in ReplyFuzzing.Corruptions(Encoding.UTF8.GetBytes(f.Reply), count: 150, seed: 4321))
        {
            await ReplyFuzzing.RunAsync(Create, streaming: false, bytes);
        }

        foreach (byte[] cut in ReplyFuzzing.Truncations(Encoding.UTF8.GetBytes(f.Reply), step: 7))
        {
            string outcome = await ReplyFuzzing.RunAsync(Create, streaming: false, cut);
            Assert.That(outcome, Does.StartWith("error:"), $"a truncated body ({cut.Length} bytes) is not an answer");
        }
    }

    [Test]
    public async Task A_huge_line_is_a_typed_error_and_a_trickled_stream_parses_like_a_whole_one()
    {
        Fixture f = Fixtures[0];
        byte[] body = Encoding.UTF8.GetBytes(f.Stream);

        string huge = await ReplyFuzzing.RunAsync(Create, streaming: true, ReplyFuzzing.HugeLine(body));
        string trickled = await ReplyFuzzing.RunAsync(Create, streaming: true, body, trickle: true);

        Assert.That(huge, Does.StartWith("error:").Or.StartWith("ok:"));
        Assert.That(trickled, Is.EqualTo("ok:" + f.Text));
    }
}
