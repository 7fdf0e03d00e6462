extern alias eval;

using eval::LlmRouting.Eval.Routing;

namespace LlmRouting.Tests;

[TestFixture]
public class RoutingMetricsTests
{
    // Cheapest: cost 0, quality 0.5; best: cost 10, quality 0.9. Normalised x = cost / 10, PGR = (q − 0.5) / 0.4.
    private const double CheapCost = 0, CheapQuality = 0.5, BestCost = 10, BestQuality = 0.9;

    private static OperatingPoint P(double cost, double quality) => new(0, cost, quality);

    [Test]
    public void Random_routing_has_apgr_one_half()
    {
        IEnumerable<OperatingPoint> random = Enumerable.Range(0, 11).Select(k => P(k, 0.5 + (0.04 * k)));
        Assert.That(RoutingMetrics.Apgr(random, CheapCost, CheapQuality, BestCost, BestQuality), Is.EqualTo(0.5).Within(1e-12));
        Assert.That(RoutingMetrics.Apgr([], CheapCost, CheapQuality, BestCost, BestQuality), Is.EqualTo(0.5).Within(1e-12), "the endpoints alone");
    }

    [Test]
    public void Apgr_integrates_the_pareto_frontier_by_hand()
    {
        // One point at x = 0.2 with PGR 0.75 (cost 2, quality 0.8): area = 0.2·0.75/2 + 0.8·(0.75+1)/2 = 0.075 + 0.7 = 0.775.
        Assert.That(RoutingMetrics.Apgr([P(2, 0.8)], CheapCost, CheapQuality, BestCost, BestQuality), Is.EqualTo(0.775).Within(1e-12));

        // A dominated point (more cost, less quality) changes nothing.
        Assert.That(RoutingMetrics.Apgr([P(2, 0.8), P(5, 0.7)], CheapCost, CheapQuality, BestCost, BestQuality), Is.EqualTo(0.775).Within(1e-12));

        // A point beyond the best quality at x = 0.5 (PGR 1.25): 0.5·1.25/2 + 0.5·1.25 (flat after it) = 0.3125 + 0.625 = 0.9375.
        Assert.That(RoutingMetrics.Apgr([P(5, 1.0)], CheapCost, CheapQuality, BestCost, BestQuality), Is.EqualTo(0.9375).Within(1e-12));

        // Points dearer than always-best are cut at x = 1: (0,0)–(1,1) plus a point at x = 2 with PGR 1.5 → the line up to x = 1 counts only.
        Assert.That(RoutingMetrics.Apgr([P(20, 1.1)], CheapCost, CheapQuality, BestCost, BestQuality), Is.EqualTo(0.5).Within(1e-12));
    }

    [Test]
    public void Apgr_rejects_baselines_without_a_gap()
    {
        Assert.Throws<ArgumentException>(() => RoutingMetrics.Apgr([], 1, 0.5, 1, 0.9));
        Assert.Throws<ArgumentException>(() => RoutingMetrics.Apgr([], 0, 0.9, 1, 0.9));
    }

    [Test]
    public void Cost_ratio_is_the_cheapest_point_reaching_the_quality_share()
    {
        OperatingPoint[] points = [P(1, 0.70), P(3, 0.86), P(4, 0.855), P(6, 0.90), P(8, 0.92)];
        // 95% of 0.9 = 0.855: reached first at cost 3 (0.86), and also at cost 4 (exactly 0.855) → 3 / 10.
        Assert.That(RoutingMetrics.CostRatioAt(points, 0.95, BestCost, BestQuality), Is.EqualTo(0.3).Within(1e-12));
        // 100% of 0.9: cost 6 (exactly 0.90) → 0.6.
        Assert.That(RoutingMetrics.CostRatioAt(points, 1.0, BestCost, BestQuality), Is.EqualTo(0.6).Within(1e-12));
        // Never reached → null.
        Assert.That(RoutingMetrics.CostRatioAt([P(1, 0.7)], 1.0, BestCost, BestQuality), Is.Null);
    }
}
