namespace LlmRouting.Tests.Telemetry;

[TestFixture]
public class RoutingReportsTests
{
    private static readonly DateTimeOffset s_day1 = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset s_day2 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private static RequestLogAttempt Attempt(string deployment, string model, AttemptOutcome outcome, int ms, decimal cost, int output = 0, int? ttftMs = null, string? error = null) => new()
    {
        Number = 1,
        Deployment = deployment,
        Provider = deployment.StartsWith("oa", StringComparison.Ordinal) ? "openai" : "anthropic",
        Model = model,
        Outcome = outcome,
        ErrorType = error,
        Duration = TimeSpan.FromMilliseconds(ms),
        TimeToFirstToken = ttftMs is { } t ? TimeSpan.FromMilliseconds(t) : null,
        Usage = new TokenUsage { InputTokens = 100, OutputTokens = output },
        CostUsd = cost,
    };

    private static RequestLogRecord Request(string id, DateTimeOffset at, string? tenant, string[] tags, string? category, RequestOutcome outcome, double? quality, params RequestLogAttempt[] attempts)
    {
        RequestLogAttempt? winner = attempts.LastOrDefault(a => a.Outcome == AttemptOutcome.Succeeded);
        return new RequestLogRecord
        {
            RequestId = id,
            StartedAt = at,
            CompletedAt = at + TimeSpan.FromMilliseconds(attempts.Sum(a => a.Duration.TotalMilliseconds)),
            Tenant = tenant,
            Tags = tags,
            PromptCategory = category,
            Outcome = outcome,
            Deployment = winner?.Deployment,
            Model = winner?.Model,
            Attempts = attempts.Select((a, i) => a with { Number = i + 1 }).ToArray(),
            CostUsd = attempts.Sum(a => a.CostUsd),
            Usage = attempts.Select(a => a.Usage).Aggregate(TokenUsage.Zero, (x, y) => x + y),
            Latency = new RequestLatency
            {
                Total = TimeSpan.FromMilliseconds(attempts.Sum(a => a.Duration.TotalMilliseconds)),
                TimeToFirstToken = attempts.LastOrDefault()?.TimeToFirstToken,
            },
            QualityScore = quality,
            Policy = "cheapest",
        };
    }

    /// <summary>Six requests over two days, two tenants, three tags, two categories, with one failover and one failure.</summary>
    private static (RoutingReports Reports, RingBufferRequestLogSink Buffer) Build()
    {
        var buffer = new RingBufferRequestLogSink(100);
        buffer.Add(Request("r1", s_day1, "acme", ["chat"], "qa", RequestOutcome.Succeeded, 0.9, Attempt("oa-mini", "mini", AttemptOutcome.Succeeded, 100, 0.001m, 50)));
        buffer.Add(Request("r2", s_day1, "acme", ["chat", "vip"], "code", RequestOutcome.Succeeded, 0.5, Attempt("oa-mini", "mini", AttemptOutcome.Succeeded, 300, 0.002m, 100, ttftMs: 50)));
        buffer.Add(Request("r3", s_day1, "globex", ["batch"], "code", RequestOutcome.Succeeded, 1.0,
            Attempt("oa-mini", "mini", AttemptOutcome.Failed, 20, 0m, error: "rate_limited"),
            Attempt("an-large", "large", AttemptOutcome.Succeeded, 1000, 0.05m, 200, ttftMs: 200)));
        buffer.Add(Request("r4", s_day2, "globex", [], "qa", RequestOutcome.Failed, null,
            Attempt("an-large", "large", AttemptOutcome.Failed, 400, 0m, error: "server_error")));
        buffer.Add(Request("r5", s_day2, null, ["chat"], null, RequestOutcome.Succeeded, null, Attempt("oa-mini", "mini", AttemptOutcome.Succeeded, 200, 0.003m, 80)));
        buffer.Add(Request("r6", s_day2, "acme", ["chat"], "qa", RequestOutcome.Cancelled, null, Attempt("oa-mini", "mini", AttemptOutcome.Cancelled, 50, 0.0005m, 10)));
        return (new RoutingReports(buffer), buffer);
    }

    [Test]
    public void Cost_per_model_counts_each_attempt_against_its_own_model()
    {
        IReadOnlyList<ReportRow> rows = Build().Reports.Summarize([ReportDimension.Model]);

        Assert.That(rows.Select(r => (r.Keys[0], r.CostUsd, r.Count, r.Failed)), Is.EqualTo(new[]
        {
            ("large", 0.05m, 2, 1),
            ("mini", 0.0065m, 5, 1),
        }));
        Assert.That(rows[1].ErrorRate, Is.EqualTo(0.25), "1 failed of 4 decided attempts (the cancelled one is neither)");
        Assert.That(rows[1].OutputTokens, Is.EqualTo(240));
    }

    [Test]
    public void Cost_per_tenant_tag_and_day_counts_requests()
    {
        (RoutingReports reports, _) = Build();

        Assert.That(reports.Summarize([ReportDimension.Tenant]).Select(r => (r.Keys[0], r.CostUsd, r.Count)), Is.EqualTo(new[]
        {
            ("globex", 0.05m, 2),
            ("acme", 0.0035m, 3),
            ("(none)", 0.003m, 1),
        }));
        Assert.That(reports.Summarize([ReportDimension.Tag]).Select(r => (r.Keys[0], r.CostUsd, r.Count)), Is.EqualTo(new[]
        {
            ("batch", 0.05m, 1),
            ("chat", 0.0065m, 4),
            ("vip", 0.002m, 1),
            ("(none)", 0m, 1),
        }));
        Assert.That(reports.Summarize([ReportDimension.Day]).Select(r => (r.Keys[0], r.CostUsd, r.Count, r.Failed)), Is.EqualTo(new[]
        {
            ("2026-03-01", 0.053m, 3, 0),
            ("2026-03-02", 0.0035m, 3, 1),
        }));
        Assert.That(reports.Summarize([ReportDimension.Tenant, ReportDimension.Day]).Select(r => string.Join("/", r.Keys)),
            Is.EquivalentTo(new[] { "acme/2026-03-01", "acme/2026-03-02", "globex/2026-03-01", "globex/2026-03-02", "(none)/2026-03-02" }));
    }

    [Test]
    public void Latency_percentiles_and_error_rates()
    {
        ReportRow all = Build().Reports.Summarize([ReportDimension.Policy]).Single();

        Assert.That(all.Count, Is.EqualTo(6));
        Assert.That(all.ErrorRate, Is.EqualTo(1d / 5), "1 failed of 5 decided requests");
        // Totals: 100, 300, 1020, 400, 200, 50 ms → sorted 50, 100, 200, 300, 400, 1020.
        Assert.That(all.Latency!.P50, Is.EqualTo(TimeSpan.FromMilliseconds(200)));
        Assert.That(all.Latency.P90, Is.EqualTo(TimeSpan.FromMilliseconds(1020)));
        Assert.That(all.Latency.Max, Is.EqualTo(TimeSpan.FromMilliseconds(1020)));
        Assert.That(all.TimeToFirstToken!.Count, Is.EqualTo(2));
    }

    [Test]
    public void Quality_per_model_and_prompt_category_comes_from_the_answering_attempt_and_feedback()
    {
        (RoutingReports reports, _) = Build();
        Assert.That(reports.RecordQualityScore("r5", 0.7), Is.True);
        Assert.That(reports.RecordQualityScore("missing", 0.7), Is.False);
        Assert.Throws<ArgumentOutOfRangeException>(() => reports.RecordQualityScore("r5", -0.1));

        IReadOnlyList<ReportRow> rows = reports.Summarize([ReportDimension.Model, ReportDimension.PromptCategory]);
        var quality = rows.ToDictionary(r => string.Join("/", r.Keys), r => (r.QualityScore, r.QualitySamples));
        Assert.That(quality["mini/qa"], Is.EqualTo(((double?)0.9, 1)), "r6 was cancelled and unscored");
        Assert.That(quality["mini/code"], Is.EqualTo(((double?)0.5, 1)), "the failed mini attempt of r3 does not get r3's score");
        Assert.That(quality["large/code"], Is.EqualTo(((double?)1.0, 1)));
        Assert.That(quality["mini/(none)"], Is.EqualTo(((double?)0.7, 1)), "feedback recorded after the fact");
        Assert.That(quality["large/qa"], Is.EqualTo(((double?)null, 0)));
    }

    [Test]
    public void Deployment_statistics_for_the_router_with_a_time_window()
    {
        (RoutingReports reports, RingBufferRequestLogSink buffer) = Build();

        DeploymentUsageSummary mini = reports.GetDeploymentStatistics().Single(s => s.Deployment == "oa-mini");
        Assert.That(mini.Attempts, Is.EqualTo(5));
        Assert.That(mini.Failures, Is.EqualTo(1));
        Assert.That(mini.ErrorRate, Is.EqualTo(0.25));
        // Speeds: 50/0.1 = 500, 100/0.25 = 400, 80/0.2 = 400 tokens/s.
        Assert.That(mini.OutputTokensPerSecond, Is.EqualTo((500d + 400d + 400d) / 3).Within(1e-9));
        Assert.That(mini.QualityScore, Is.EqualTo(0.7).Within(1e-9), "mean of 0.9 and 0.5");

        IReadOnlyList<DeploymentUsageSummary> day2 = reports.GetDeploymentStatistics(new ReportQuery { From = s_day2 });
        DeploymentUsageSummary large = day2.Single(s => s.Deployment == "an-large");
        Assert.That(large.ErrorRate, Is.EqualTo(1.0));
        Assert.That(large.LastSeen, Is.EqualTo(s_day2.AddMilliseconds(400)));

        IReadOnlyList<DeploymentUsageSummary> cached = reports.GetDeploymentStatistics(new ReportQuery { From = s_day2 });
        Assert.That(cached, Is.SameAs(day2), "unchanged buffer: cached");
        buffer.Add(Request("r7", s_day2, "acme", [], "qa", RequestOutcome.Succeeded, null, Attempt("an-large", "large", AttemptOutcome.Succeeded, 100, 0.01m, 10)));
        Assert.That(reports.GetDeploymentStatistics(new ReportQuery { From = s_day2 }).Single(s => s.Deployment == "an-large").ErrorRate, Is.EqualTo(0.5));
    }

    [Test]
    public void Queries_filter_by_time_tenant_and_tag()
    {
        (RoutingReports reports, _) = Build();
        Assert.That(reports.Summarize([ReportDimension.Policy], new ReportQuery { Tenant = "acme" }).Single().Count, Is.EqualTo(3));
        Assert.That(reports.Summarize([ReportDimension.Policy], new ReportQuery { Tag = "chat", To = s_day2 }).Single().Count, Is.EqualTo(2));
        Assert.Throws<ArgumentException>(() => reports.Summarize([]));
    }
}
