using Microsoft.Extensions.Time.Testing;

namespace LlmRouting.Redis.Tests;

/// <summary>Budget leases: most reservations served locally far from the limit, exact near it, leases returned or expired.</summary>
[TestFixture]
public class BudgetLeaseTests : RedisTestBase
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    private static BudgetAccount Account(decimal limit) => new("lease/global/*", "lease", BudgetScope.Global, null, limit, BudgetPeriod.Day, BudgetWindow.Calendar);

    private static void Leases(LlmRoutingRedisOptions o)
    {
        o.BudgetLeases = true;
        o.BudgetLeaseMaxUsd = 1m;
        o.BudgetLeaseMinRemainingUsd = 0.05m;
        o.BudgetLeaseTimeToLive = TimeSpan.FromSeconds(30);
    }

    [Test]
    public async Task Far_from_the_limit_most_reservations_take_no_round_trip_and_a_disposed_instance_returns_its_lease()
    {
        string prefix = RedisTestSupport.Prefix("lease-far");
        var time = new FakeTimeProvider(Start);
        BudgetAccount account = Account(100m);
        using RedisConnection c1 = RedisTestSupport.Connection(Redis, prefix, Leases), reader = RedisTestSupport.Connection(Redis, prefix);
        var store = new RedisBudgetStore(c1, time);
        using var other = new RedisBudgetStore(reader, time);

        Assert.That(await store.TryReserveAsync([new(account, 0.01m)]), Is.Not.Null, "the first reservation goes to Redis");
        await store.SyncLeasesAsync(release: false);
        BudgetUsage leased = await other.GetUsageAsync(account);
        Assert.That(leased.ReservedUsd, Is.EqualTo(1m + 0.01m), "the lease (capped at 1 USD) is reserved in Redis, visible to other instances");

        long hits = 0, misses = 0;
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "llm_routing.redis.budget_lease.reservations")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                if (tag.Key == "llm_routing.redis.lease.outcome")
                {
                    _ = tag.Value as string == "hit" ? Interlocked.Add(ref hits, value) : Interlocked.Add(ref misses, value);
                }
            }
        });
        listener.Start();

        long evalsBefore = EvalCount();
        decimal spent = 0.01m;
        for (int i = 0; i < 200; i++)
        {
            BudgetReservation r = (await store.TryReserveAsync([new(account, 0.01m)]))!;
            Assert.That(r, Is.Not.Null);
            await store.SettleAsync(r, [0.004m]);
            spent += 0.004m;
            if (i % 50 == 49)
            {
                await store.SyncLeasesAsync(release: false);
            }
        }

        long evals = EvalCount() - evalsBefore;
        Assert.That(store.LocalReservations, Is.GreaterThanOrEqualTo(190), "served from the lease");
        Assert.That(evals, Is.LessThan(20), "round trips: only the background syncs");
        listener.Dispose();
        Assert.That(hits, Is.EqualTo(store.LocalReservations), "the metric counts every reservation served from the lease");
        Assert.That(hits + misses, Is.EqualTo(200), "and every other one of the 200 as a miss");

        await store.DisposeAsync();
        using RedisConnection fresh = RedisTestSupport.Connection(Redis, prefix);
        BudgetUsage after = await new RedisBudgetStore(fresh, time).GetUsageAsync(account); // not the other store's cached view
        Assert.That(after.ReservedUsd, Is.EqualTo(0.01m), "the lease was returned; only the first (unsettled) reservation stays reserved");
        Assert.That(after.SpentUsd, Is.EqualTo(spent - 0.01m), "every locally settled spend reached Redis");
    }

    [Test]
    public async Task Near_the_limit_instances_share_exactly_and_nothing_is_overspent()
    {
        string prefix = RedisTestSupport.Prefix("lease-near");
        var time = new FakeTimeProvider(Start);
        BudgetAccount account = Account(1m);
        using RedisConnection c1 = RedisTestSupport.Connection(Redis, prefix, Leases), c2 = RedisTestSupport.Connection(Redis, prefix, Leases);
        await using var first = new RedisBudgetStore(c1, time);
        await using var second = new RedisBudgetStore(c2, time);
        decimal held = 0m;
        int misses = 0;
        for (int i = 0; i < 400 && misses < 10; i++)
        {
            RedisBudgetStore store = i % 2 == 0 ? first : second;
            if (await store.TryReserveAsync([new(account, 0.01m)]) is null)
            {
                misses++;
            }
            else
            {
                misses = 0;
                held += 0.01m;
            }

            time.Advance(TimeSpan.FromMilliseconds(100)); // one sync interval
            await first.SyncLeasesAsync(release: false);
            await second.SyncLeasesAsync(release: false);
        }

        Assert.That(held, Is.EqualTo(1m), "every cent of the budget was reserved by one instance or the other, and not one more");
        Assert.That(first.LocalReservations + second.LocalReservations, Is.GreaterThan(10), "leases served part of it");
    }

    [Test]
    public async Task A_rolling_window_budget_is_held_exactly_with_leases_and_frees_as_the_window_rolls()
    {
        string prefix = RedisTestSupport.Prefix("lease-rolling");
        var time = new FakeTimeProvider(Start);
        var account = new BudgetAccount("lease/rolling/*", "lease-rolling", BudgetScope.Global, null, 0.5m, BudgetPeriod.Hour, BudgetWindow.Rolling);
        using RedisConnection c1 = RedisTestSupport.Connection(Redis, prefix, Leases), c2 = RedisTestSupport.Connection(Redis, prefix, Leases);
        await using var first = new RedisBudgetStore(c1, time);
        await using var second = new RedisBudgetStore(c2, time);

        decimal spent = await SpendUntilRefused(first, second, account, time);
        Assert.That(spent, Is.EqualTo(0.5m), "the two instances spent the rolling budget exactly");
        Assert.That(first.LocalReservations + second.LocalReservations, Is.GreaterThan(5), "leases served part of it");

        // An hour later the spend has rolled out of the window: the budget is free again, and held exactly again.
        time.Advance(TimeSpan.FromMinutes(61));
        decimal again = await SpendUntilRefused(first, second, account, time);
        Assert.That(again, Is.EqualTo(0.5m), "after the window rolled the whole budget was available once more, and no more");
        using RedisConnection reader = RedisTestSupport.Connection(Redis, prefix);
        BudgetUsage usage = await new RedisBudgetStore(reader, time).GetUsageAsync(account);
        Assert.That(usage.SpentUsd + usage.ReservedUsd, Is.LessThanOrEqualTo(0.5m), "Redis never counts more than the limit in the window");
    }

    [Test]
    public async Task A_calendar_period_ending_while_a_lease_is_held_starts_the_next_period_with_the_whole_budget()
    {
        string prefix = RedisTestSupport.Prefix("lease-period");
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 23, 58, 0, TimeSpan.Zero));
        BudgetAccount account = Account(0.5m);
        using RedisConnection c1 = RedisTestSupport.Connection(Redis, prefix, Leases), c2 = RedisTestSupport.Connection(Redis, prefix, Leases);
        await using var first = new RedisBudgetStore(c1, time);
        await using var second = new RedisBudgetStore(c2, time);

        // Spend a part of the day's budget so that both instances hold leases when the day ends.
        for (int i = 0; i < 20; i++)
        {
            RedisBudgetStore store = i % 2 == 0 ? first : second;
            BudgetReservation r = (await store.TryReserveAsync([new(account, 0.01m)]))!;
            Assert.That(r, Is.Not.Null);
            await store.SettleAsync(r, [0.01m]);
            time.Advance(TimeSpan.FromMilliseconds(100));
            await first.SyncLeasesAsync(release: false);
            await second.SyncLeasesAsync(release: false);
        }

        time.SetUtcNow(new DateTimeOffset(2026, 3, 3, 0, 0, 30, TimeSpan.Zero)); // the next day, leases still held
        decimal spent = await SpendUntilRefused(first, second, account, time);
        Assert.That(spent, Is.EqualTo(0.5m), "the new day's whole budget, and not one cent more (last day's leases do not carry over)");
    }

    /// <summary>Two instances take turns reserving and settling one cent, syncing their leases, until both are refused.</summary>
    private static async Task<decimal> SpendUntilRefused(RedisBudgetStore first, RedisBudgetStore second, BudgetAccount account, FakeTimeProvider time)
    {
        decimal spent = 0m;
        int refusals = 0;
        for (int i = 0; i < 400 && refusals < 10; i++)
        {
            RedisBudgetStore store = i % 2 == 0 ? first : second;
            if (await store.TryReserveAsync([new(account, 0.01m)]) is { } reservation)
            {
                await store.SettleAsync(reservation, [0.01m]);
                spent += 0.01m;
                refusals = 0;
            }
            else
            {
                refusals++;
            }

            time.Advance(TimeSpan.FromMilliseconds(100));
            await first.SyncLeasesAsync(release: false);
            await second.SyncLeasesAsync(release: false);
        }

        return spent;
    }

    [Test]
    public async Task A_crashed_instances_lease_frees_after_its_time_to_live()
    {
        string prefix = RedisTestSupport.Prefix("lease-crash");
        var time = new FakeTimeProvider(Start);
        BudgetAccount account = Account(100m);
        RedisConnection c1 = RedisTestSupport.Connection(Redis, prefix, Leases);
        using RedisConnection reader = RedisTestSupport.Connection(Redis, prefix);
        var crashed = new RedisBudgetStore(c1, time); // never disposed: it "crashes"
        await crashed.TryReserveAsync([new(account, 0.01m)]);
        await crashed.SyncLeasesAsync(release: false);
        using var other = new RedisBudgetStore(reader, time);
        Assert.That((await other.GetUsageAsync(account)).ReservedUsd, Is.GreaterThan(1m));

        time.Advance(TimeSpan.FromSeconds(31));
        BudgetUsage usage = await new RedisBudgetStore(RedisTestSupport.Connection(Redis, prefix), time).GetUsageAsync(account);
        Assert.That(usage.ReservedUsd, Is.EqualTo(0.01m), "the lease expired; the request's own reservation lives on (10 minutes)");
        c1.Dispose();
    }

    [Test]
    public async Task While_redis_is_down_the_lease_serves_until_its_local_expiry_then_the_failure_mode_applies_and_its_spend_is_recorded_on_return([Values] bool failClosed)
    {
        string prefix = RedisTestSupport.Prefix("lease-down");
        var time = new FakeTimeProvider(Start);
        BudgetAccount account = Account(100m);
        using RedisConnection c1 = RedisTestSupport.Connection(Redis, prefix, o =>
        {
            Leases(o);
            o.BudgetFailureMode = failClosed ? RedisFailureMode.FailClosed : RedisFailureMode.FailOpen;
        });
        await using var store = new RedisBudgetStore(c1, time);
        await store.SettleAsync((await store.TryReserveAsync([new(account, 0.01m)]))!, [0.01m]);
        await store.FlushAsync();
        await store.SyncLeasesAsync(release: false);

        Redis.Stop();
        for (int i = 0; i < 10; i++)
        {
            BudgetReservation r = (await store.TryReserveAsync([new(account, 0.01m)]))!;
            Assert.That(r.Id, Does.StartWith("lease-"), "served from the lease, which is still reserved in Redis");
            await store.SettleAsync(r, [0.005m]);
        }

        await store.SyncLeasesAsync(release: false); // fails: the batch is kept
        time.Advance(TimeSpan.FromSeconds(25)); // past the lease's local expiry (80 % of 30 s)
        if (failClosed)
        {
            await Assert.ThrowsAsync<SharedStateUnavailableException>(async () => await store.TryReserveAsync([new(account, 0.01m)]));
        }
        else
        {
            BudgetReservation local = (await store.TryReserveAsync([new(account, 0.01m)]))!;
            Assert.That(local.Id, Does.Not.StartWith("lease-"), "after the local expiry the lease is not used; fail-open reserves locally");
            await store.ReleaseAsync(local);
        }

        Redis.Restart(); // an empty Redis (no persistence): the lease is gone, the outage spend is replayed by the next sync
        using RedisConnection fresh = RedisTestSupport.Connection(Redis, prefix);
        BudgetUsage usage = null!;
        for (int i = 0; i < 100; i++)
        {
            await store.SyncLeasesAsync(release: false); // retried until the connection is back
            usage = await new RedisBudgetStore(fresh, time).GetUsageAsync(account);
            if (usage.SpentUsd > 0m)
            {
                break;
            }

            await Task.Delay(50);
        }

        Assert.That(usage.SpentUsd, Is.EqualTo(0.05m), "the spend settled from the lease during the outage reached Redis");
    }

    private long EvalCount()
    {
        using var admin = StackExchange.Redis.ConnectionMultiplexer.Connect(Redis.ConnectionString + ",allowAdmin=true");
        StackExchange.Redis.IServer server = admin.GetServers()[0];
        long total = 0;
        foreach (IGrouping<string, KeyValuePair<string, string>> group in server.Info("commandstats"))
        {
            foreach (KeyValuePair<string, string> kv in group)
            {
                if (kv.Key is "cmdstat_evalsha" or "cmdstat_eval")
                {
                    total += long.Parse(kv.Value.Split(',')[0].Split('=')[1], System.Globalization.CultureInfo.InvariantCulture);
                }
            }
        }

        return total;
    }
}
