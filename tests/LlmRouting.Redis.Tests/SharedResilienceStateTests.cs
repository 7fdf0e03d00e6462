using System.Diagnostics;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;

namespace LlmRouting.Redis.Tests;

/// <summary>Circuit state and rate-limit counters shared by independent instances through Redis (store level).</summary>
[TestFixture]
public class SharedResilienceStateTests : RedisTestBase
{
    [Test]
    public async Task A_circuit_opened_by_one_instance_is_seen_open_by_the_others_within_one_second([Values] bool viaPublish)
    {
        string prefix = RedisTestSupport.Prefix("circuit" + viaPublish);
        using RedisConnection c1 = RedisTestSupport.Connection(Redis, prefix);
        var instances = Enumerable.Range(0, 3).Select(_ => RedisTestSupport.Connection(Redis, prefix, o => o.HealthRefreshInterval = viaPublish ? TimeSpan.FromMinutes(10) : TimeSpan.FromMilliseconds(500))).ToArray();
        using var opener = new RedisCircuitStateStore(c1);
        var others = instances.Select(c => new RedisCircuitStateStore(c)).ToArray();
        try
        {
            foreach (RedisCircuitStateStore other in others)
            {
                bool connected = false;
                for (int i = 0; i < 40 && !connected; i++)
                {
                    connected = await other.RefreshAsync(); // the first one also waits for the connection
                }

                Assert.That(connected, Is.True, "connected and subscribed");
                Assert.That(other.IsOpen("gpt-4o", out _), Is.False);
            }

            await Task.Delay(100); // let the subscriptions settle
            var watch = Stopwatch.StartNew();
            Assert.That(await opener.ReportOpenedAsync("GPT-4o", TimeSpan.FromSeconds(30)), Is.True);
            Assert.That(opener.IsOpen("gpt-4o", out _), Is.True, "the opener knows at once");
            while (watch.Elapsed < TimeSpan.FromSeconds(3) && !others.All(o => o.IsOpen("gpt-4o", out _)))
            {
                await Task.Delay(10);
            }

            TimeSpan seen = watch.Elapsed;
            Assert.That(others.All(o => o.IsOpen("gpt-4o", out _)), Is.True);
            Assert.That(seen, Is.LessThan(TimeSpan.FromSeconds(1)), $"seen after {seen.TotalMilliseconds:0} ms ({(viaPublish ? "publish/subscribe" : "polling")})");
            Assert.That(others[0].IsOpen("gpt-4o", out TimeSpan remaining) && remaining > TimeSpan.FromSeconds(25), Is.True);
            Assert.That(others[1].OpenCircuits().Keys, Is.EqualTo(new[] { "gpt-4o" }));

            watch.Restart();
            Assert.That(await opener.ReportClosedAsync("gpt-4o"), Is.True);
            while (watch.Elapsed < TimeSpan.FromSeconds(3) && others.Any(o => o.IsOpen("gpt-4o", out _)))
            {
                await Task.Delay(10);
            }

            Assert.That(others.Any(o => o.IsOpen("gpt-4o", out _)), Is.False, "a closed circuit is closed everywhere");
            Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(1)));
        }
        finally
        {
            foreach (RedisCircuitStateStore o in others)
            {
                o.Dispose();
            }

            foreach (RedisConnection c in instances)
            {
                c.Dispose();
            }
        }
    }

    [Test]
    public async Task A_circuit_closed_within_the_millisecond_it_opened_is_closed_for_the_others()
    {
        // Transitions are ordered in microseconds: a close 300 µs after the open (same millisecond) must not be dropped as "older".
        string prefix = RedisTestSupport.Prefix("samems");
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 10, 0, 0, 100, TimeSpan.Zero));
        using RedisConnection c1 = RedisTestSupport.Connection(Redis, prefix), c2 = RedisTestSupport.Connection(Redis, prefix);
        using var opener = new RedisCircuitStateStore(c1, time, startTimer: false);
        using var other = new RedisCircuitStateStore(c2, time, startTimer: false);
        Assert.That(await opener.ReportOpenedAsync("d", TimeSpan.FromSeconds(30)), Is.True);
        Assert.That(await other.RefreshAsync(), Is.True);
        Assert.That(other.IsOpen("d", out _), Is.True);

        time.Advance(TimeSpan.FromMicroseconds(300));
        Assert.That(await opener.ReportClosedAsync("d"), Is.True);
        Assert.That(await other.RefreshAsync(), Is.True);
        Assert.That(other.IsOpen("d", out _), Is.False, "the close 300 µs later is the newer transition");
        Assert.That(other.Get("d")!.ChangedAt, Is.EqualTo(time.GetUtcNow()), "microsecond precision survives the round trip");
    }

    [Test]
    public async Task Circuits_close_when_their_break_ends_and_survive_a_redis_outage_locally()
    {
        string prefix = RedisTestSupport.Prefix("circuitdown");
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using RedisConnection c1 = RedisTestSupport.Connection(Redis, prefix), c2 = RedisTestSupport.Connection(Redis, prefix);
        using var a = new RedisCircuitStateStore(c1, time, startTimer: false);
        using var b = new RedisCircuitStateStore(c2, time, startTimer: false);
        await a.ReportOpenedAsync("d", TimeSpan.FromSeconds(10));
        Assert.That(await b.RefreshAsync(), Is.True);
        Assert.That(b.IsOpen("d", out _), Is.True);

        Redis.Stop();
        Assert.That(await b.RefreshAsync(), Is.False);
        Assert.That(b.IsOpen("d", out _), Is.True, "the last known state stays in use");
        Assert.That(await b.ReportOpenedAsync("e", TimeSpan.FromSeconds(10)), Is.False);
        Assert.That(b.IsOpen("e", out _), Is.True, "an instance always knows what it opened itself");
        time.Advance(TimeSpan.FromSeconds(11));
        Assert.That(b.IsOpen("d", out _), Is.False, "the break ended");

        Redis.Restart();
        bool back = false;
        for (int i = 0; i < 100 && !back; i++)
        {
            back = await a.ReportOpenedAsync("f", TimeSpan.FromSeconds(10));
            if (!back)
            {
                await Task.Delay(50);
            }
        }

        Assert.That(back, Is.True);
        Assert.That(await b.RefreshAsync(), Is.True);
        Assert.That(b.IsOpen("f", out _), Is.True, "sharing resumes when Redis returns");
    }

    [Test]
    public async Task The_newer_transition_wins_whatever_order_instances_publish_in()
    {
        string prefix = RedisTestSupport.Prefix("newer");
        using RedisConnection c1 = RedisTestSupport.Connection(Redis, prefix), c2 = RedisTestSupport.Connection(Redis, prefix);
        using var a = new RedisCircuitStateStore(c1, startTimer: false);
        using var b = new RedisCircuitStateStore(c2, startTimer: false);
        DateTimeOffset t0 = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()); // shared with ms precision
        var closedLater = new CircuitTransition(false, t0.AddSeconds(1), null);
        var openedEarlier = new CircuitTransition(true, t0, t0.AddSeconds(30));

        Assert.That(await a.PublishAsync("d", closedLater), Is.True);
        Assert.That(await b.PublishAsync("d", openedEarlier), Is.True, "reached Redis, which kept the newer transition");
        Assert.That(await b.RefreshAsync(), Is.True);
        Assert.That(b.Get("d"), Is.EqualTo(closedLater));
        Assert.That(b.IsOpen("d", out _), Is.False);

        b.Publish("d", new CircuitTransition(true, t0.AddSeconds(2), t0.AddSeconds(40))); // request path: does not wait
        Assert.That(b.IsOpen("d", out _), Is.True, "this instance's mirror changes at once");
        for (int i = 0; i < 100 && !a.IsOpen("d", out _); i++)
        {
            await Task.Delay(10);
            await a.RefreshAsync();
        }

        Assert.That(a.Get("d")!.ChangedAt, Is.EqualTo(t0.AddSeconds(2)));
    }

    [Test]
    public async Task A_shared_per_minute_request_limit_holds_across_instances_within_five_percent()
    {
        const int Limit = 300;
        string prefix = RedisTestSupport.Prefix("rpm");
        var connections = Enumerable.Range(0, 4).Select(_ => RedisTestSupport.Connection(Redis, prefix)).ToArray();
        try
        {
            RedisRateLimitCounter[] counters = connections.Select(c => new RedisRateLimitCounter(c)).ToArray();
            Task<SharedAdmission>[] attempts = counters
                .SelectMany(c => Enumerable.Range(0, 150).Select(_ => Task.Run(() => c.TryAcquireAsync("acct", Limit, null, 10))))
                .ToArray();
            SharedAdmission[] decisions = await Task.WhenAll(attempts);

            int admitted = decisions.Count(d => d.IsAcquired);
            Assert.That(decisions.Any(d => d.IsLocalOnly), Is.False, "Redis answered every request");
            Assert.That(admitted, Is.InRange(Limit * 0.95, Limit * 1.05), $"{admitted} of 600 admitted");
            SharedAdmission refused = decisions.First(d => !d.IsAcquired);
            Assert.That(refused.Reason, Is.EqualTo("requests_per_minute"));
            Assert.That(refused.RetryAfter, Is.GreaterThan(TimeSpan.FromSeconds(55)).And.LessThanOrEqualTo(TimeSpan.FromSeconds(60)));
        }
        finally
        {
            foreach (RedisConnection c in connections)
            {
                c.Dispose();
            }
        }
    }

    [Test]
    public async Task The_window_rolls_and_tokens_settle_to_actual_usage()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 10, 0, 0, TimeSpan.Zero));
        string prefix = RedisTestSupport.Prefix("window");
        using RedisConnection c1 = RedisTestSupport.Connection(Redis, prefix), c2 = RedisTestSupport.Connection(Redis, prefix);
        var a = new RedisRateLimitCounter(c1, time);
        var b = new RedisRateLimitCounter(c2, time);

        SharedAdmission first = await a.TryAcquireAsync("d", null, 1000, 400);
        Assert.That(first.IsAcquired, Is.True);
        Assert.That((await b.TryAcquireAsync("d", null, 1000, 400)).IsAcquired, Is.True);
        SharedAdmission third = await b.TryAcquireAsync("d", null, 1000, 400);
        Assert.That((third.IsAcquired, third.Reason), Is.EqualTo((false, "tokens_per_minute")));
        Assert.That(third.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(60)));

        Assert.That(await a.SettleAsync("d", first, 100), Is.True, "the first request used fewer tokens than estimated");
        Assert.That((await b.TryAcquireAsync("d", null, 1000, 400)).IsAcquired, Is.True, "100 + 400 + 400 fits 1000");

        time.Advance(TimeSpan.FromSeconds(30));
        Assert.That((await a.TryAcquireAsync("d", 5, null, 0)).IsAcquired, Is.True);
        for (int i = 0; i < 1; i++)
        {
            Assert.That((await b.TryAcquireAsync("d", 5, null, 0)).IsAcquired, Is.True);
        }

        SharedAdmission full = await a.TryAcquireAsync("d", 5, null, 0);
        Assert.That((full.IsAcquired, full.Reason), Is.EqualTo((false, "requests_per_minute")), "five requests in the last minute");
        Assert.That(full.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(30)));
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.That((await a.TryAcquireAsync("d", 5, null, 0)).IsAcquired, Is.True, "the first three aged out");

        time.Advance(TimeSpan.FromMinutes(5)); // more than a window of seconds to prune: recounted from the buckets
        Assert.That((await b.TryAcquireAsync("d", 1, 1000, 400)).IsAcquired, Is.True, "everything aged out");
        SharedAdmission second = await a.TryAcquireAsync("d", 1, 1000, 400);
        Assert.That((second.IsAcquired, second.Reason, second.RetryAfter), Is.EqualTo((false, "requests_per_minute", (TimeSpan?)TimeSpan.FromSeconds(60))));
    }

    [Test]
    public async Task The_resilience_seams_counts_are_the_fleets_after_one_exchange()
    {
        using var pair = new CounterStorePair(Redis, "seam");
        (FakeTimeProvider time, RedisRateLimitCounterStore a, RedisRateLimitCounterStore b) = (pair.Time, pair.A, pair.B);
        DateTimeOffset now = time.GetUtcNow();
        a.Add("d", now, 1, 400);
        a.Add("d", now, 0, -100); // a token correction
        b.Add("d", now.AddSeconds(-30), 2, 50);
        Assert.That(a.Get("d", now), Is.EqualTo(new RateLimitCounts(1, 300, now)), "own counts count at once");

        Assert.That(await a.SyncAsync(), Is.True);
        Assert.That(await b.SyncAsync(), Is.True);
        Assert.That(await a.SyncAsync(), Is.True);
        var expected = new RateLimitCounts(3, 350, now.AddSeconds(-30));
        Assert.That(a.Get("d", now), Is.EqualTo(expected));
        Assert.That(b.Get("d", now), Is.EqualTo(expected));
        Assert.That(a.Get("d", now.AddSeconds(31)), Is.EqualTo(new RateLimitCounts(1, 300, now)), "the window rolls");
    }

    [Test]
    public async Task The_gate_counts_its_admissions_in_its_mirror_once_and_batches_token_settlements_into_the_exchange()
    {
        using var pair = new CounterStorePair(Redis, "gate");
        (FakeTimeProvider time, RedisRateLimitCounterStore a, RedisRateLimitCounterStore b) = (pair.Time, pair.A, pair.B);
        DateTimeOffset now = time.GetUtcNow();

        SharedAdmission first = await a.TryAcquireAsync("d", 10, 1000, 400, CancellationToken.None);
        Assert.That((first.IsAcquired, first.IsLocalOnly, first.Ticket, first.Tokens), Is.EqualTo((true, false, now.ToUnixTimeSeconds(), 400L)));
        Assert.That(a.Get("d", now), Is.EqualTo(new RateLimitCounts(1, 400, now)), "the instance's own admission counts in its mirror at once");
        Assert.That(b.Get("d", now), Is.EqualTo(default(RateLimitCounts)), "the other instance sees it after its next exchange");

        Assert.That(await a.SyncAsync(), Is.True);
        Assert.That(await b.SyncAsync(), Is.True);
        Assert.That(a.Get("d", now), Is.EqualTo(new RateLimitCounts(1, 400, now)), "counted once after the exchange, not twice");
        Assert.That(b.Get("d", now), Is.EqualTo(new RateLimitCounts(1, 400, now)));

        await a.SettleAsync("d", first, 100, CancellationToken.None);
        Assert.That(a.Get("d", now), Is.EqualTo(new RateLimitCounts(1, 100, now)), "settled locally at once");
        Assert.That((await b.TryAcquireAsync("d", 10, 1000, 400, CancellationToken.None)).IsAcquired, Is.True, "400 + 400 fits 1000");
        Assert.That((await b.TryAcquireAsync("d", 10, 1000, 400, CancellationToken.None)).IsAcquired, Is.False, "the settlement has not reached Redis yet: 1200 > 1000");
        Assert.That(await a.SyncAsync(), Is.True, "the exchange carries the settlement");
        Assert.That((await b.TryAcquireAsync("d", 10, 1000, 400, CancellationToken.None)).IsAcquired, Is.True, "100 + 400 + 400 fits 1000");
        Assert.That(await b.SyncAsync(), Is.True);
        Assert.That(b.Get("d", now), Is.EqualTo(new RateLimitCounts(3, 900, now)));
    }

    [Test]
    public async Task A_deployment_idle_for_a_whole_window_is_not_exchanged_until_it_is_used_again()
    {
        using var fallbacks = new MetricCollector<long>(null, "LlmRouting.Redis", "llm_routing.redis.fallbacks");
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 10, 0, 0, TimeSpan.Zero));
        using RedisConnection connection = RedisTestSupport.Connection(Redis, RedisTestSupport.Prefix("idle"));
        using var store = new RedisRateLimitCounterStore(connection, time, startTimer: false);
        Assert.That((await store.TryAcquireAsync("d", 10, null, 0, CancellationToken.None)).IsAcquired, Is.True);
        Assert.That(await store.SyncAsync(), Is.True);

        Redis.Stop(); // any exchange attempted now would fall back and be counted
        time.Advance(TimeSpan.FromSeconds(61));
        Assert.That(await store.SyncAsync(), Is.True, "nothing to exchange");
        Assert.That(fallbacks.GetMeasurementSnapshot(), Is.Empty, "no round trip for an idle deployment");

        _ = store.Get("d", time.GetUtcNow()); // the router looks at it again
        Assert.That(await store.SyncAsync(), Is.False);
        Assert.That(fallbacks.GetMeasurementSnapshot().Select(m => m.Tags["llm_routing.redis.operation"]), Is.EqualTo(new[] { "ratelimit.sync" }));
    }

    [Test]
    public async Task Without_redis_the_counter_admits_on_local_limits_and_counts_the_fallback()
    {
        using var fallbacks = new MetricCollector<long>(null, "LlmRouting.Redis", "llm_routing.redis.fallbacks");
        using RedisConnection connection = RedisTestSupport.Connection(Redis, RedisTestSupport.Prefix("limitdown"));
        var counter = new RedisRateLimitCounter(connection);
        Assert.That((await counter.TryAcquireAsync("d", 1, null, 0)).IsAcquired, Is.True);
        Assert.That((await counter.TryAcquireAsync("d", 1, null, 0)).IsAcquired, Is.False);

        Redis.Stop();
        SharedAdmission down = await counter.TryAcquireAsync("d", 1, null, 0);
        Assert.That((down.IsAcquired, down.IsLocalOnly), Is.EqualTo((true, true)));
        Assert.That(fallbacks.GetMeasurementSnapshot().Single().Tags["llm_routing.redis.operation"], Is.EqualTo("ratelimit.acquire"));
    }

    /// <summary>Two instances' rate-limit counter stores on one Redis and one fake clock, without exchange timers.</summary>
    private sealed class CounterStorePair : IDisposable
    {
        private readonly RedisConnection _c1;
        private readonly RedisConnection _c2;

        public CounterStorePair(RedisServer redis, string name)
        {
            string prefix = RedisTestSupport.Prefix(name);
            _c1 = RedisTestSupport.Connection(redis, prefix);
            _c2 = RedisTestSupport.Connection(redis, prefix);
            A = new RedisRateLimitCounterStore(_c1, Time, startTimer: false);
            B = new RedisRateLimitCounterStore(_c2, Time, startTimer: false);
        }

        public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 2, 10, 0, 0, TimeSpan.Zero));

        public RedisRateLimitCounterStore A { get; }

        public RedisRateLimitCounterStore B { get; }

        public void Dispose()
        {
            A.Dispose();
            B.Dispose();
            _c1.Dispose();
            _c2.Dispose();
        }
    }
}
