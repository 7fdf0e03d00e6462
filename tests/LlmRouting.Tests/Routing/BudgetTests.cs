using Microsoft.Extensions.Time.Testing;

namespace LlmRouting.Tests.Routing;

[TestFixture]
public class BudgetTests
{
    // 40 characters: 4 + 10 = 14 estimated prompt tokens; with 20 output tokens:
    // dear:  14 × $10/M + 20 × $20/M = $0.00054 estimated; 10 × $10/M + 20 × $20/M = $0.0005 actual
    // cheap: 14 × $1/M  + 20 × $2/M  = $0.000054 estimated; $0.00005 actual
    private const string Prompt = "0123456789012345678901234567890123456789";
    private const decimal DearEstimate = 0.00054m;
    private const decimal DearActual = 0.0005m;
    private const decimal CheapEstimate = 0.000054m;

    private static ChatOptions Opts() => new() { MaxOutputTokens = 20 };

    private static RouterKit Fleet()
    {
        var kit = new RouterKit();
        kit.Add("dear", RouterKit.Model("openai", "dear", 10m, 20m), priority: 0);
        kit.Add("cheap", RouterKit.Model("groq", "cheap", 1m, 2m), priority: 1);
        return kit;
    }

    private static IChatClient Build(RouterKit kit, params (string Name, BudgetOptions Budget)[] budgets) => kit.Build(r =>
    {
        r.Policy = new PriorityRoutingPolicy(); // prefers "dear"
        foreach ((string name, BudgetOptions budget) in budgets)
        {
            r.Budgets[name] = budget;
        }
    });

    [Test]
    public async Task Reject_mode_throws_a_typed_exception_once_the_budget_cannot_cover_the_preferred_candidate([Values] bool streaming)
    {
        RouterKit kit = Fleet();
        IChatClient client = Build(kit, ("per-user", new BudgetOptions { Scope = BudgetScope.User, LimitUsd = 0.0012m, Period = BudgetPeriod.Day }));
        ChatOptions alice = Opts().WithUser("alice@example.com");

        RoutingReport first = (await client.AskAsync(streaming, Prompt, alice)).GetRoutingReport()!;
        BudgetStatus status = first.Budgets.Single();
        Assert.That(status, Is.EqualTo(new BudgetStatus("per-user", BudgetScope.User, null, BudgetMode.Reject, 0.0012m, DearEstimate, 0.0012m, DearActual)));
        Assert.That(first.CostUsd, Is.EqualTo(DearActual));
        await client.AskAsync(streaming, Prompt, alice); // 0.001 spent, 0.0002 left

        var ex = await Assert.ThrowsAsync<BudgetExceededException>(() => client.AskAsync(streaming, Prompt, alice));
        Assert.That(ex!.Budget, Is.EqualTo("per-user"));
        Assert.That(ex.Scope, Is.EqualTo(BudgetScope.User));
        Assert.That(ex.Key, Is.Null, "user ids are never exposed");
        Assert.That(ex.Mode, Is.EqualTo(BudgetMode.Reject));
        Assert.That(ex.RemainingUsd, Is.EqualTo(0.0002m));
        Assert.That(ex.EstimatedCostUsd, Is.EqualTo(DearEstimate));
        Assert.That(ex.ResetsAt, Is.EqualTo(new DateTimeOffset(2026, 3, 3, 0, 0, 0, TimeSpan.Zero)));
        Assert.That(ex.Message, Does.Contain("'per-user'").And.Contain("0.0002").And.Not.Contain("alice"));
        Assert.That(ex.Report!.RejectedCandidates.Single().Reason, Is.EqualTo(RoutingRejectionReasons.OverBudget));
        Assert.That(kit.Calls, Has.Count.EqualTo(2), "nothing was sent");

        Assert.That((await client.AskAsync(streaming, Prompt, Opts().WithUser("bob"))).GetRoutingReport()!.Deployment, Is.EqualTo("dear"), "budgets are per user");

        kit.Time.Advance(TimeSpan.FromDays(1));
        Assert.That((await client.AskAsync(streaming, Prompt, alice)).GetRoutingReport()!.Deployment, Is.EqualTo("dear"), "a calendar day resets");
    }

    [Test]
    public async Task Downgrade_mode_routes_to_cheaper_candidates_that_fit_what_is_left([Values] bool streaming)
    {
        RouterKit kit = Fleet();
        IChatClient client = Build(kit, ("acme-daily", new BudgetOptions { Scope = BudgetScope.Tenant, Key = "acme", LimitUsd = 0.00108m, Mode = BudgetMode.Downgrade }));
        ChatOptions acme = Opts().WithRoutingTenant("acme");

        Assert.That((await client.AskAsync(streaming, Prompt, acme)).GetRoutingReport()!.Deployment, Is.EqualTo("dear"));
        Assert.That((await client.AskAsync(streaming, Prompt, acme)).GetRoutingReport()!.Deployment, Is.EqualTo("dear")); // $0.001 spent

        RoutingReport downgraded = (await client.AskAsync(streaming, Prompt, acme)).GetRoutingReport()!;
        Assert.That(downgraded.Deployment, Is.EqualTo("cheap"));
        Assert.That(downgraded.BudgetDowngraded, Is.True);
        Assert.That(downgraded.Reason, Does.Contain("downgraded by budget"));
        Assert.That(downgraded.RejectedCandidates.Single().Deployment, Is.EqualTo("dear"));
        Assert.That(downgraded.RejectedCandidates.Single().Detail, Does.Contain("'acme-daily'"));
        Assert.That(downgraded.Budgets.Single().ReservedUsd, Is.EqualTo(CheapEstimate));

        Assert.That((await client.AskAsync(streaming, Prompt, Opts().WithRoutingTenant("other"))).GetRoutingReport()!.Deployment, Is.EqualTo("dear"), "the rule names one tenant");

        // $0.00003 left: nothing fits any more.
        var ex = await Assert.ThrowsAsync<BudgetExceededException>(() => client.AskAsync(streaming, Prompt, acme));
        Assert.That(ex!.Mode, Is.EqualTo(BudgetMode.Downgrade));
        Assert.That(ex.Key, Is.EqualTo("acme"));
        Assert.That(ex.Report!.RejectedCandidates.Select(r => r.Reason), Is.All.EqualTo(RoutingRejectionReasons.OverBudget));
    }

    [Test]
    public async Task Deployment_budgets_move_traffic_off_a_deployment_that_spent_its_share([Values] bool streaming)
    {
        RouterKit kit = Fleet();
        IChatClient client = Build(kit, ("dear-hourly", new BudgetOptions { Scope = BudgetScope.Deployment, Key = "dear", LimitUsd = 0.0006m, Period = BudgetPeriod.Hour, Mode = BudgetMode.Downgrade }));

        RoutingReport first = (await client.AskAsync(streaming, Prompt, Opts())).GetRoutingReport()!;
        Assert.That(first.Deployment, Is.EqualTo("dear"));
        Assert.That(first.Budgets.Single(), Is.EqualTo(new BudgetStatus("dear-hourly", BudgetScope.Deployment, "dear", BudgetMode.Downgrade, 0.0006m, DearEstimate, 0.0006m, DearActual)));

        RoutingReport second = (await client.AskAsync(streaming, Prompt, Opts())).GetRoutingReport()!;
        Assert.That(second.Deployment, Is.EqualTo("cheap"));
        Assert.That(second.Budgets, Is.Empty, "cheap is not counted by the rule");

        kit.Time.Advance(TimeSpan.FromHours(1));
        Assert.That((await client.AskAsync(streaming, Prompt, Opts())).GetRoutingReport()!.Deployment, Is.EqualTo("dear"));
    }

    [Test]
    public async Task Tag_key_and_global_budgets_each_count_the_request([Values] bool streaming)
    {
        RouterKit kit = Fleet();
        IChatClient client = Build(
            kit,
            ("tags", new BudgetOptions { Scope = BudgetScope.Tag, LimitUsd = 1m }),
            ("keys", new BudgetOptions { Scope = BudgetScope.Key, LimitUsd = 1m }),
            ("all", new BudgetOptions { Scope = BudgetScope.Global, LimitUsd = 1m }),
            ("off", new BudgetOptions { Scope = BudgetScope.Global, LimitUsd = 1m, Enabled = false }));

        RoutingReport report = (await client.AskAsync(streaming, Prompt, Opts().WithTags("search", "beta").WithBudgetKey("proj-7"))).GetRoutingReport()!;

        Assert.That(report.Budgets.Select(b => (b.Budget, b.Key)), Is.EqualTo(new (string, string?)[] { ("all", null), ("keys", "proj-7"), ("tags", "search"), ("tags", "beta") }));
        Assert.That(report.Budgets.Select(b => b.ChargedUsd), Is.All.EqualTo(DearActual));
        BudgetUsage beta = await kit.Router.BudgetStore.GetUsageAsync(new BudgetAccount("tags/tag/beta", "tags", BudgetScope.Tag, "beta", 1m, BudgetPeriod.Day, BudgetWindow.Calendar));
        Assert.That(beta.SpentUsd, Is.EqualTo(DearActual));
    }

    [Test]
    public async Task A_failed_request_releases_its_reservation([Values] bool streaming)
    {
        RouterKit kit = Fleet();
        foreach (Behaviour b in kit.Behaviours.Values)
        {
            b.Fail = _ => new LlmProviderException(LlmErrorKind.ServerError, "down");
        }

        IChatClient client = Build(kit, ("all", new BudgetOptions { LimitUsd = 1m }));
        var ex = await Assert.ThrowsAsync<AllAttemptsFailedException>(() => client.AskAsync(streaming, Prompt, Opts()));

        Assert.That(ex!.Report!.Budgets.Single().ChargedUsd, Is.Zero);
        BudgetUsage usage = await kit.Router.BudgetStore.GetUsageAsync(Account("all", 1m));
        Assert.That(usage.ReservedUsd, Is.Zero);
        Assert.That(usage.SpentUsd, Is.Zero);
    }

    [Test]
    public async Task Caller_cancellation_before_any_output_releases_the_reservation([Values] bool streaming)
    {
        RouterKit kit = Fleet();
        kit.Behaviours["dear"].RealDelay = TimeSpan.FromSeconds(30);
        IChatClient client = Build(kit, ("all", new BudgetOptions { LimitUsd = 1m }));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThatAsync(() => client.AskAsync(streaming, Prompt, Opts(), cts.Token), Throws.InstanceOf<OperationCanceledException>());

        BudgetUsage usage = await kit.Router.BudgetStore.GetUsageAsync(Account("all", 1m));
        Assert.That(usage.ReservedUsd, Is.Zero);
        Assert.That(usage.SpentUsd, Is.Zero);
    }

    [Test]
    public async Task A_stream_abandoned_after_output_is_charged_its_estimate()
    {
        RouterKit kit = Fleet();
        kit.Behaviours["dear"].Answer = "several words of output";
        IChatClient client = Build(kit, ("all", new BudgetOptions { LimitUsd = 1m }));

        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync(Prompt, Opts()))
        {
            break; // the caller stops reading after the first update
        }

        BudgetUsage usage = await kit.Router.BudgetStore.GetUsageAsync(Account("all", 1m));
        Assert.That(usage.ReservedUsd, Is.Zero);
        Assert.That(usage.SpentUsd, Is.EqualTo(DearEstimate), "tokens were generated; no usage arrived, so the estimate is charged");
    }

    [Test]
    public async Task Unknown_prices_cannot_be_charged_to_a_budget([Values] bool streaming)
    {
        var kit = new RouterKit();
        kit.Add("mystery", new ModelInfo { Provider = "custom", ModelId = "m" }, priority: 0);
        kit.Add("cheap", RouterKit.Model("groq", "cheap", 1m, 2m), priority: 1);
        IChatClient client = Build(kit, ("all", new BudgetOptions { LimitUsd = 1m, Mode = BudgetMode.Downgrade }));

        RoutingReport report = (await client.AskAsync(streaming, Prompt, Opts())).GetRoutingReport()!;

        Assert.That(report.Deployment, Is.EqualTo("cheap"));
        Assert.That(report.RejectedCandidates.Single().Detail, Does.Contain("price is unknown"));
    }

    [Test]
    public async Task Concurrent_requests_never_overspend_a_tight_budget([Values] bool streaming)
    {
        var kit = new RouterKit();
        Behaviour b = kit.Add("only", RouterKit.Model("openai", "only", 10m, 20m));
        b.InputTokens = 14; // actual usage equals the estimate: $0.00054 per call
        b.RealDelay = TimeSpan.FromMilliseconds(20);
        const decimal Limit = 0.0055m; // room for 10 calls, not 11
        IChatClient client = Build(kit, ("tight", new BudgetOptions { LimitUsd = Limit }));

        Task<ChatResponse>[] calls = Enumerable.Range(0, 64).Select(_ => Task.Run(() => client.AskAsync(streaming, Prompt, Opts()))).ToArray();
        try
        {
            await Task.WhenAll(calls);
        }
        catch (BudgetExceededException)
        {
            // expected for most of them
        }

        int served = calls.Count(t => t.IsCompletedSuccessfully);
        int rejected = calls.Count(t => t.Exception?.InnerException is BudgetExceededException);
        BudgetUsage usage = await kit.Router.BudgetStore.GetUsageAsync(Account("tight", Limit));
        Assert.That(served + rejected, Is.EqualTo(64), "every request was either served or rejected by the budget");
        Assert.That(served, Is.InRange(1, 10));
        Assert.That(usage.SpentUsd, Is.EqualTo(served * DearEstimate));
        Assert.That(usage.SpentUsd, Is.LessThanOrEqualTo(Limit), "no overspend");
        Assert.That(usage.ReservedUsd, Is.Zero);
        Assert.That(b.Calls, Is.EqualTo(served));
    }

    [Test]
    public async Task The_store_reserves_atomically_across_accounts_and_settles_once()
    {
        var store = new InMemoryBudgetStore(new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 10, 0, 0, TimeSpan.Zero)));
        BudgetAccount a = Account("a", 1m), b = Account("b", 0.5m);

        BudgetReservation? both = await store.TryReserveAsync([new(a, 0.4m), new(b, 0.4m)]);
        Assert.That(both, Is.Not.Null);
        Assert.That(await store.TryReserveAsync([new(a, 0.4m), new(b, 0.2m)]), Is.Null, "b cannot take 0.2 more, so a is not charged either");
        Assert.That((await store.GetUsageAsync(a)).ReservedUsd, Is.EqualTo(0.4m));

        await store.SettleAsync(both!, [0.3m, 0.45m]);
        await store.SettleAsync(both!, [9m, 9m]); // a second settle has no effect
        await store.ReleaseAsync(both!);
        Assert.That(await store.GetUsageAsync(a), Is.EqualTo(new BudgetUsage(1m, 0.3m, 0m, new DateTimeOffset(2026, 3, 2, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 3, 3, 0, 0, 0, TimeSpan.Zero))));
        Assert.That((await store.GetUsageAsync(b)).RemainingUsd, Is.EqualTo(0.05m));

        await Assert.ThrowsAsync<ArgumentException>(async () => await store.TryReserveAsync([new(a, -1m)]));
        await Assert.ThrowsAsync<ArgumentException>(async () => await store.SettleAsync(both!, [1m]));
    }

    [Test]
    public async Task The_store_never_admits_more_than_the_limit_under_contention()
    {
        var store = new InMemoryBudgetStore();
        BudgetAccount account = Account("c", 1m);
        var results = new BudgetReservation?[200];
        await Parallel.ForAsync(0, 200, async (i, ct) => results[i] = await store.TryReserveAsync([new(account, 0.03m)], ct));
        Assert.That(results.Count(r => r is not null), Is.EqualTo(33));
        Assert.That((await store.GetUsageAsync(account)).ReservedUsd, Is.EqualTo(0.99m));
    }

    [Test]
    public async Task Calendar_periods_reset_at_utc_boundaries_and_rolling_windows_slide()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 31, 23, 30, 0, TimeSpan.Zero));
        var store = new InMemoryBudgetStore(time);
        BudgetAccount hour = new("h", "h", BudgetScope.Global, null, 1m, BudgetPeriod.Hour, BudgetWindow.Calendar);
        BudgetAccount month = new("m", "m", BudgetScope.Global, null, 1m, BudgetPeriod.Month, BudgetWindow.Calendar);
        BudgetAccount rolling = new("r", "r", BudgetScope.Global, null, 1m, BudgetPeriod.Hour, BudgetWindow.Rolling);
        BudgetReservation? r = await store.TryReserveAsync([new(hour, 0.1m), new(month, 0.1m), new(rolling, 0.1m)]);
        await store.SettleAsync(r!, [0.1m, 0.1m, 0.1m]);

        Assert.That((await store.GetUsageAsync(hour)).ResetsAt, Is.EqualTo(new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero)));
        Assert.That((await store.GetUsageAsync(month)).ResetsAt, Is.EqualTo(new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero)));
        Assert.That((await store.GetUsageAsync(rolling)).ResetsAt, Is.Null);

        time.Advance(TimeSpan.FromMinutes(31)); // 00:01 on 1 February
        Assert.That((await store.GetUsageAsync(hour)).SpentUsd, Is.Zero);
        Assert.That((await store.GetUsageAsync(month)).SpentUsd, Is.Zero);
        Assert.That((await store.GetUsageAsync(rolling)).SpentUsd, Is.EqualTo(0.1m), "the last 60 minutes still hold it");

        time.Advance(TimeSpan.FromMinutes(29)); // 60 minutes after the spend, same one-minute slice boundary
        Assert.That((await store.GetUsageAsync(rolling)).SpentUsd, Is.Zero, "slid out of the window");
    }

    [Test]
    public async Task Plan_previews_without_reserving()
    {
        RouterKit kit = Fleet();
        Build(kit, ("all", new BudgetOptions { LimitUsd = 1m }));
        LlmRequestContext plan = kit.Router.Plan([new ChatMessage(ChatRole.User, Prompt)], Opts());
        Assert.That(plan.Candidates.Select(c => c.Name), Is.EqualTo(new[] { "dear", "cheap" }));
        Assert.That((await kit.Router.BudgetStore.GetUsageAsync(Account("all", 1m))).ReservedUsd, Is.Zero);
    }

    private static BudgetAccount Account(string name, decimal limit) =>
        new($"{name}/global/*", name, BudgetScope.Global, null, limit, BudgetPeriod.Day, BudgetWindow.Calendar);
}
