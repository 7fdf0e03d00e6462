using LlmRouting.Testing;
using Microsoft.Extensions.Time.Testing;
using static LlmRouting.Tests.Testing.SimulatedTestHelpers;

namespace LlmRouting.Tests.Testing;

public class SimulatedChatClientLatencyTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);

    private static SimulatedChatClient Create(FakeTimeProvider time, Action<SimulatedProviderOptions> configure)
    {
        var options = new SimulatedProviderOptions { TimeProvider = time };
        configure(options);
        return new SimulatedChatClient(options);
    }

    [Test]
    public void Without_latency_calls_complete_synchronously()
    {
        using var client = new SimulatedChatClient();

        Task<ChatResponse> call = client.GetResponseAsync(Prompt("q"));

        Assert.That(call.IsCompletedSuccessfully, Is.True);
    }

    [Test]
    public async Task Non_streaming_response_takes_time_to_first_token_plus_the_chunk_delays()
    {
        var time = new FakeTimeProvider();
        using SimulatedChatClient client = Create(time, o =>
        {
            o.TimeToFirstToken = TimeSpan.FromMilliseconds(300);
            o.ChunkDelay = TimeSpan.FromMilliseconds(50);
        });
        client.EnqueueReplies("one two three four");

        Task<ChatResponse> call = client.GetResponseAsync(Prompt("q"));
        time.Advance(TimeSpan.FromMilliseconds(449));
        Assert.That(call.IsCompleted, Is.False);
        time.Advance(TimeSpan.FromMilliseconds(1));

        ChatResponse response = await call.WaitAsync(Guard);
        Assert.That(response.Text, Is.EqualTo("one two three four"));
    }

    [Test]
    public async Task Stream_waits_time_to_first_token_then_the_chunk_delay_between_updates()
    {
        var time = new FakeTimeProvider();
        using SimulatedChatClient client = Create(time, o =>
        {
            o.TimeToFirstToken = TimeSpan.FromMilliseconds(300);
            o.ChunkDelay = TimeSpan.FromMilliseconds(50);
        });
        client.EnqueueReplies("one two three");
        await using IAsyncEnumerator<ChatResponseUpdate> stream = client.GetStreamingResponseAsync(Prompt("q")).GetAsyncEnumerator();

        ValueTask<bool> first = stream.MoveNextAsync();
        time.Advance(TimeSpan.FromMilliseconds(299));
        Assert.That(first.IsCompleted, Is.False);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.That(await first.AsTask().WaitAsync(Guard), Is.True);
        Assert.That(stream.Current.Text, Is.EqualTo("one "));

        ValueTask<bool> second = stream.MoveNextAsync();
        time.Advance(TimeSpan.FromMilliseconds(49));
        Assert.That(second.IsCompleted, Is.False);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.That(await second.AsTask().WaitAsync(Guard), Is.True);
        Assert.That(stream.Current.Text, Is.EqualTo("two "));
    }

    [Test]
    public async Task Tokens_per_second_paces_updates_by_their_tokens()
    {
        var time = new FakeTimeProvider();
        using SimulatedChatClient client = Create(time, o =>
        {
            o.TokensPerSecond = 4;
            o.ChunkDelay = TimeSpan.FromHours(1);
        });
        client.EnqueueReplies("a abcdefgh");
        await using IAsyncEnumerator<ChatResponseUpdate> stream = client.GetStreamingResponseAsync(Prompt("q")).GetAsyncEnumerator();

        Assert.That(await stream.MoveNextAsync(), Is.True, "no time to first token");
        ValueTask<bool> second = stream.MoveNextAsync();
        time.Advance(TimeSpan.FromMilliseconds(499));
        Assert.That(second.IsCompleted, Is.False);
        time.Advance(TimeSpan.FromMilliseconds(1));

        // "abcdefgh" is 2 tokens at 4 tokens per second: 500 ms.
        Assert.That(await second.AsTask().WaitAsync(Guard), Is.True);
        Assert.That(stream.Current.Text, Is.EqualTo("abcdefgh"));
    }

    [Test]
    public async Task Slow_first_token_adds_its_delay_before_the_first_token([Values] bool streaming)
    {
        var time = new FakeTimeProvider();
        using SimulatedChatClient client = Create(time, o =>
        {
            o.TimeToFirstToken = TimeSpan.FromSeconds(1);
            o.SlowFirstTokenDelay = TimeSpan.FromSeconds(20);
        });
        client.EnqueueReplies("slow reply");
        client.InjectFaults(SimulatedFaultKind.SlowFirstToken);

        Task<ChatResponse> call = GetAsync(client, streaming, "q");
        time.Advance(TimeSpan.FromSeconds(20.999));
        Assert.That(call.IsCompleted, Is.False);
        time.Advance(TimeSpan.FromMilliseconds(1));

        ChatResponse response = await call.WaitAsync(Guard);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.Text, Is.EqualTo("slow reply"));
            Assert.That(client.LastCall!.Fault, Is.EqualTo(SimulatedFaultKind.SlowFirstToken));
            Assert.That(client.PendingReplies, Is.Zero);
        }
    }

    [Test]
    public async Task Cancellation_during_time_to_first_token_is_prompt([Values] bool streaming)
    {
        var time = new FakeTimeProvider();
        using SimulatedChatClient client = Create(time, o => o.TimeToFirstToken = TimeSpan.FromMinutes(5));
        using var cts = new CancellationTokenSource();

        Task<ChatResponse> call = GetAsync(client, streaming, "q", cancellationToken: cts.Token);
        Assert.That(call.IsCompleted, Is.False);
        await cts.CancelAsync();

        Assert.That(async () => await call.WaitAsync(Guard), Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task Cancellation_between_streamed_updates_is_prompt()
    {
        var time = new FakeTimeProvider();
        using SimulatedChatClient client = Create(time, o => o.ChunkDelay = TimeSpan.FromMinutes(5));
        client.EnqueueReplies("one two");
        using var cts = new CancellationTokenSource();
        await using IAsyncEnumerator<ChatResponseUpdate> stream = client.GetStreamingResponseAsync(Prompt("q"), cancellationToken: cts.Token).GetAsyncEnumerator();

        Assert.That(await stream.MoveNextAsync(), Is.True);
        ValueTask<bool> second = stream.MoveNextAsync();
        await cts.CancelAsync();

        Assert.That(async () => await second.AsTask().WaitAsync(Guard), Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task Enumerator_cancellation_token_is_honoured()
    {
        var time = new FakeTimeProvider();
        using SimulatedChatClient client = Create(time, o => o.TimeToFirstToken = TimeSpan.FromMinutes(5));
        using var cts = new CancellationTokenSource();
        await using IAsyncEnumerator<ChatResponseUpdate> stream = client.GetStreamingResponseAsync(Prompt("q")).GetAsyncEnumerator(cts.Token);

        ValueTask<bool> first = stream.MoveNextAsync();
        await cts.CancelAsync();

        Assert.That(async () => await first.AsTask().WaitAsync(Guard), Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public void Already_cancelled_call_throws_and_is_not_received([Values] bool streaming)
    {
        using var client = new SimulatedChatClient();
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        Assert.That(async () => await GetAsync(client, streaming, "q", cancellationToken: cts.Token), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(client.CallCount, Is.Zero);
    }

    [Test]
    public async Task Latency_settings_can_change_while_the_client_is_in_use([Values] bool streaming)
    {
        var time = new FakeTimeProvider();
        using SimulatedChatClient client = Create(time, _ => { });
        Assert.That(GetAsync(client, streaming, "q").IsCompleted, Is.True);

        client.Options.TimeToFirstToken = TimeSpan.FromSeconds(2);
        Task<ChatResponse> slow = GetAsync(client, streaming, "q");
        Assert.That(slow.IsCompleted, Is.False);
        time.Advance(TimeSpan.FromSeconds(2));

        await slow.WaitAsync(Guard);
    }
}
