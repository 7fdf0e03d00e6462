using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace LlmRouting.Redis.Tests;

[TestFixture]
public class RedisBudgetStoreTests : RedisTestBase
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);
    private static BudgetAccount Account(string name, decimal limit, BudgetPeriod period = BudgetPeriod.Day, BudgetWindow window = BudgetWindow.Calendar) =>
        new($"{name}/global/*", name, BudgetScope.Global, null, limit, period, window);

    [Test]
    public async Task Reservations_are_atomic_across_accounts_and_shared_by_every_instance()
    {
        string prefix = RedisTestSupport.Prefix("atomic");
        var time = new FakeTimeProvider(Start);
        using RedisConnection c1 = RedisTestSupport.Connection(Redis, prefix), c2 = RedisTestSupport.Connection(Redis, prefix);
        using var first = new RedisBudgetStore(c1, time);
        using var second = new RedisBudgetStore(c2, time);
        BudgetAccount a = Account("a", 1m), b = Account("b", 0.5m);

        BudgetReservation? r1 = await first.TryReserveAsync([new(a, 0.4m), new(b, 0.4m)]);
        Assert.That(r1, Is.Not.Null);
        Assert.That(await second.TryReserveAsync([new(a, 0.4m), new(b, 0.2m)]), Is.Null, "b has 0.1 left on the other instance's view");
        BudgetUsage usageA = await second.GetUsageAsync(a);
        Assert.That(usageA.ReservedUsd, Is.EqualTo(0.4m), "a failed reservation reserves nothing");
        Assert.That(usageA.RemainingUsd, Is.EqualTo(0.6m));
        Assert.That(await second.TryReserveAsync([new(a, 0.3m), new(a, 0.3m)]), Is.Not.Null, "two charges on one account fit together (0.6 left)");
        Assert.That(await second.TryReserveAsync([new(a, 0.000000001m)]), Is.Null, "nothing is left of a");

        await first.SettleAsync(r1!, [0.5m, 0.1m]);
        await first.FlushAsync();
        await second.SettleAsync(r1!, [0.5m, 0.1m]); // settling twice (from any instance) has no effect
        await first.ReleaseAsync(r1!);
        await Task.WhenAll(first.FlushAsync(), second.FlushAsync());
        using RedisConnection c3 = RedisTestSupport.Connection(Redis, prefix);
        using var third = new RedisBudgetStore(c3, time); // a fresh instance reads Redis, not a cached view
        BudgetUsage usageB = await third.GetUsageAsync(b);
        Assert.That(usageB.SpentUsd, Is.EqualTo(0.1m));
        Assert.That(usageB.ReservedUsd, Is.Zero);
        Assert.That(usageB.ResetsAt, Is.EqualTo(new DateTimeOffset(2026, 3, 3, 0, 0, 0, TimeSpan.Zero)));
        Assert.That((await third.GetUsageAsync(a)).SpentUsd, Is.EqualTo(0.5m), "the actual amount may exceed the reservation");
        Assert.That((await first.GetUsageAsync(a)).SpentUsd, Is.EqualTo(0.5m), "the settling instance's own view moved too");
    }

    [Test]
    public async Task Calendar_periods_reset_at_their_utc_boundary()
    {
        var time = new FakeTimeProvider(Start);
        using RedisConnection connection = RedisTestSupport.Connection(Redis, RedisTestSupport.Prefix("calendar"));
        using var store = new RedisBudgetStore(connection, time);
        BudgetAccount hourly = Account("h", 1m, BudgetPeriod.Hour);

        BudgetReservation r = (await store.TryReserveAsync([new(hourly, 0.9m)]))!;
        await store.SettleAsync(r, [0.9m]);
        await store.FlushAsync();
        Assert.That(await store.TryReserveAsync([new(hourly, 0.2m)]), Is.Null);

        time.Advance(TimeSpan.FromMinutes(60));
        BudgetUsage next = await store.GetUsageAsync(hourly);
        Assert.That(next.SpentUsd, Is.Zero);
        Assert.That(next.WindowStart, Is.EqualTo(Start.AddHours(1)));
        Assert.That(await store.TryReserveAsync([new(hourly, 0.2m)]), Is.Not.Null);
    }

    [Test]
    public async Task Rolling_windows_forget_spend_older_than_the_period_like_the_in_memory_store()
    {
        var time = new FakeTimeProvider(Start);
        using RedisConnection connection = RedisTestSupport.Connection(Redis, RedisTestSupport.Prefix("rolling"));
        using var store = new RedisBudgetStore(connection, time);
        var local = new InMemoryBudgetStore(time);
        BudgetAccount rolling = Account("r", 1m, BudgetPeriod.Hour, BudgetWindow.Rolling);

        foreach (IBudgetStore s in new IBudgetStore[] { store, local })
        {
            await s.SettleAsync((await s.TryReserveAsync([new(rolling, 0.6m)]))!, [0.6m]);
        }

        await store.FlushAsync();

        time.Advance(TimeSpan.FromMinutes(30));
        foreach (IBudgetStore s in new IBudgetStore[] { store, local })
        {
            await s.SettleAsync((await s.TryReserveAsync([new(rolling, 0.3m)]))!, [0.3m]);
        }

        await store.FlushAsync();

        foreach (TimeSpan step in new[] { TimeSpan.FromMinutes(20), TimeSpan.FromMinutes(11), TimeSpan.FromMinutes(30) })
        {
            time.Advance(step);
            BudgetUsage expected = await local.GetUsageAsync(rolling), actual = await store.GetUsageAsync(rolling);
            Assert.That(actual, Is.EqualTo(expected), $"after {time.GetUtcNow() - Start}");
        }

        Assert.That((await store.GetUsageAsync(rolling)).SpentUsd, Is.Zero);
    }

    [Test]
    public async Task A_crashed_instances_reservations_expire_after_the_reservation_timeout()
    {
        var time = new FakeTimeProvider(Start);
        using RedisConnection connection = RedisTestSupport.Connection(Redis, RedisTestSupport.Prefix("lease"), o => o.BudgetReservationTimeout = TimeSpan.FromMinutes(2));
        using var store = new RedisBudgetStore(connection, time);
        BudgetAccount account = Account("l", 1m);

        BudgetReservation late = (await store.TryReserveAsync([new(account, 0.7m)]))!;
        Assert.That(await store.TryReserveAsync([new(account, 0.5m)]), Is.Null);
        time.Advance(TimeSpan.FromMinutes(3));
        Assert.That((await store.GetUsageAsync(account)).ReservedUsd, Is.Zero);

        await store.SettleAsync(late, [0.2m]); // a request that outlived its lease still pays what it spent
        await store.FlushAsync();
        BudgetUsage usage = await store.GetUsageAsync(account);
        Assert.That((usage.SpentUsd, usage.ReservedUsd), Is.EqualTo((0.2m, 0m)));
    }

    [Test]
    public async Task Bad_input_gets_typed_errors()
    {
        using RedisConnection connection = RedisTestSupport.Connection(Redis, RedisTestSupport.Prefix("input"));
        using var store = new RedisBudgetStore(connection);
        BudgetAccount account = Account("x", 1m);
        await Assert.ThrowsAsync<ArgumentException>(async () => await store.TryReserveAsync([new(account, -1m)]));
        BudgetReservation r = (await store.TryReserveAsync([new(account, 0.1m)]))!;
        await Assert.ThrowsAsync<ArgumentException>(async () => await store.SettleAsync(r, [0.1m, 0.2m]));
        await Assert.ThrowsAsync<ArgumentException>(async () => await store.SettleAsync(r, [-0.1m]));
    }

    [Test]
    public async Task Fail_open_reserves_locally_with_a_warning_and_a_metric_then_replays_the_outage_spend_into_redis()
    {
        string prefix = RedisTestSupport.Prefix("failopen");
        using var fallbacks = new MetricCollector<long>(null, "LlmRouting.Redis", "llm_routing.redis.fallbacks");
        var logger = new FakeLogger<RedisConnection>();
        using RedisConnection connection = RedisTestSupport.Connection(Redis, prefix, logger: logger);
        using var store = new RedisBudgetStore(connection);
        BudgetAccount account = Account("o", 1m);
        BudgetReservation inFlight = (await store.TryReserveAsync([new(account, 0.1m)]))!; // reserved in Redis before the outage

        Redis.Stop();
        BudgetReservation? local = await store.TryReserveAsync([new(account, 0.3m)]);
        Assert.That(local, Is.Not.Null, "requests keep flowing on local state");
        await store.SettleAsync(local!, [0.25m]);
        await store.SettleAsync(inFlight, [0.05m]); // cannot reach Redis: kept for replay
        await store.FlushAsync();
        Assert.That((await store.GetUsageAsync(account)).SpentUsd, Is.EqualTo(0.25m), "local view during the outage");
        Assert.That(store.PendingReplays, Is.EqualTo(2));
        Assert.That(fallbacks.GetMeasurementSnapshot().Sum(m => m.Value), Is.GreaterThanOrEqualTo(3));
        Assert.That(logger.Collector.GetSnapshot().Count(r => r.Level == Microsoft.Extensions.Logging.LogLevel.Warning), Is.EqualTo(1), "one warning per outage");

        Redis.Restart();
        BudgetUsage? recovered = null;
        for (int i = 0; i < 100; i++)
        {
            recovered = await store.GetUsageAsync(account);
            if (connection.IsAvailable && store.PendingReplays == 0)
            {
                break;
            }

            await Task.Delay(50);
        }

        Assert.That(connection.IsAvailable, Is.True);
        Assert.That(store.PendingReplays, Is.Zero);
        Assert.That(recovered!.SpentUsd, Is.EqualTo(0.30m), "the outage spend and the delayed settlement reached Redis");
        using var mux = await ConnectionMultiplexer.ConnectAsync(Redis.ConnectionString);
        Assert.That((string?)await mux.GetDatabase().HashGetAsync(prefix + "{budgets}:o/global/*:a", "s"), Is.EqualTo("300000000"));
    }

    [Test]
    public async Task Fail_closed_throws_a_typed_error_naming_the_setting()
    {
        using RedisConnection connection = RedisTestSupport.Connection(Redis, RedisTestSupport.Prefix("failclosed"), o => o.BudgetFailureMode = RedisFailureMode.FailClosed);
        using var store = new RedisBudgetStore(connection);
        BudgetAccount account = Account("c", 1m);
        Redis.Stop();

        var ex = await Assert.ThrowsAsync<SharedStateUnavailableException>(async () => await store.TryReserveAsync([new(account, 0.1m)]));
        Assert.That(ex!.Message, Does.Contain("LlmRouting:Redis:BudgetFailureMode").And.Not.Contain("127.0.0.1"));
        await Assert.ThrowsAsync<SharedStateUnavailableException>(async () => await store.GetUsageAsync(account));

        Redis.Restart();
        BudgetReservation? r = null;
        for (int i = 0; i < 100 && r is null; i++)
        {
            try
            {
                r = await store.TryReserveAsync([new(account, 0.1m)]);
            }
            catch (SharedStateUnavailableException)
            {
                await Task.Delay(50);
            }
        }

        Assert.That(r, Is.Not.Null, "budgets work again when Redis returns");
    }
}
