namespace LlmRouting.Eval.Routing;

/// <summary>One operating point of a router over a data set: mean cost and mean quality per prompt.</summary>
/// <param name="Parameter">The router setting that produced the point.</param>
/// <param name="CostUsd">The mean cost per prompt in US dollars.</param>
/// <param name="Quality">The mean quality per prompt.</param>
internal readonly record struct OperatingPoint(double Parameter, double CostUsd, double Quality);

/// <summary>
/// Cost/quality metrics of a router sweep against the always-cheapest and always-best single-model policies
/// (RouteLLM's PGR/APGR with cost, not the share of strong-model calls, on the x axis).
/// </summary>
/// <remarks>
/// <para>Normalised cost <c>x = (cost − cheapest cost) / (best cost − cheapest cost)</c>;
/// PGR <c>y = (quality − cheapest quality) / (best quality − cheapest quality)</c>.</para>
/// <para><see cref="Apgr"/> is the area under the router's PGR curve over <c>x ∈ [0, 1]</c>: the curve joins, by straight
/// lines, the Pareto-efficient points of the sweep together with the two endpoints (0, 0) = always-cheapest and (1, 1) =
/// always-best (both reachable by pinning one model); beyond its last point the curve stays flat, and it is cut at x = 1.
/// A dominated operating point (more cost, no more quality) is never chosen by an operator, so it does not lower the curve.
/// Random routing (a coin with bias p between the two endpoints) gives exactly 0.5.</para>
/// <para><see cref="CostRatioAt"/> is the smallest mean cost, as a fraction of the always-best cost, among the router's own
/// operating points whose quality reaches the given fraction of the always-best quality; <see langword="null"/> if none does.</para>
/// </remarks>
internal static class RoutingMetrics
{
    /// <summary>Computes the area under the PGR curve (see the type remarks).</summary>
    /// <param name="points">The router's operating points.</param>
    /// <param name="cheapestCost">Mean cost of the always-cheapest policy.</param>
    /// <param name="cheapestQuality">Mean quality of the always-cheapest policy.</param>
    /// <param name="bestCost">Mean cost of the always-best policy.</param>
    /// <param name="bestQuality">Mean quality of the always-best policy.</param>
    /// <returns>The APGR; 0.5 for random routing.</returns>
    /// <exception cref="ArgumentException">The best policy is not both dearer and better than the cheapest.</exception>
    public static double Apgr(IEnumerable<OperatingPoint> points, double cheapestCost, double cheapestQuality, double bestCost, double bestQuality)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (!(bestCost > cheapestCost) || !(bestQuality > cheapestQuality))
        {
            throw new ArgumentException("APGR needs an always-best policy that costs more and scores higher than the always-cheapest one.");
        }

        var normalised = points
            .Select(p => (X: (p.CostUsd - cheapestCost) / (bestCost - cheapestCost), Y: (p.Quality - cheapestQuality) / (bestQuality - cheapestQuality)))
            .Append((X: 0.0, Y: 0.0))
            .Append((X: 1.0, Y: 1.0))
            .OrderBy(p => p.X)
            .ThenByDescending(p => p.Y)
            .ToList();

        // Pareto frontier: each kept point is strictly better than every cheaper one.
        var frontier = new List<(double X, double Y)>();
        foreach ((double x, double y) in normalised)
        {
            if (frontier.Count == 0 || y > frontier[^1].Y)
            {
                frontier.Add((x, y));
            }
        }

        // Integrate the piecewise-linear curve (flat after the last point) over [0, 1].
        double area = 0;
        for (int i = 0; i < frontier.Count; i++)
        {
            (double x0, double y0) = frontier[i];
            (double x1, double y1) = i + 1 < frontier.Count ? frontier[i + 1] : (double.PositiveInfinity, y0);
            double a = Math.Max(x0, 0), b = Math.Min(x1, 1);
            if (b <= a)
            {
                continue;
            }

            double ya = Interpolate(x0, y0, x1, y1, a), yb = Interpolate(x0, y0, x1, y1, b);
            area += (b - a) * (ya + yb) / 2;
        }

        return area;
    }

    /// <summary>The smallest router cost reaching a share of the always-best quality, as a fraction of the always-best cost.</summary>
    /// <param name="points">The router's operating points.</param>
    /// <param name="qualityShare">The share of the always-best quality to reach (0.95 or 1.0).</param>
    /// <param name="bestCost">Mean cost of the always-best policy.</param>
    /// <param name="bestQuality">Mean quality of the always-best policy.</param>
    /// <returns>The cost ratio, or <see langword="null"/> when no operating point reaches the quality.</returns>
    public static double? CostRatioAt(IEnumerable<OperatingPoint> points, double qualityShare, double bestCost, double bestQuality)
    {
        ArgumentNullException.ThrowIfNull(points);
        double target = qualityShare * bestQuality;
        double? best = null;
        foreach (OperatingPoint p in points)
        {
            // A relative tolerance absorbs floating-point noise when a point equals the target exactly.
            if (p.Quality >= target - (1e-12 * Math.Abs(target)) && (best is null || p.CostUsd < best))
            {
                best = p.CostUsd;
            }
        }

        return best / bestCost;
    }

    private static double Interpolate(double x0, double y0, double x1, double y1, double x) =>
        double.IsPositiveInfinity(x1) || x1 == x0 ? y0 : y0 + ((y1 - y0) * (x - x0) / (x1 - x0));
}
