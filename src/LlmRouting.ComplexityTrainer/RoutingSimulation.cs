using LlmRouting.Eval.Routing;

namespace LlmRouting.ComplexityTrainer;

/// <summary>
/// A fast stand-in for the router used only for the trainer's cross-validation diagnostics: given each prompt's expected
/// quality per model and the file's costs, applies the policy's two operating modes over a sweep. The reported figures
/// come from <c>benchmarks/LlmRouting.Eval routing</c>, which replays through the real router.
/// </summary>
internal static class RoutingSimulation
{
    /// <summary>Value mode: pick argmax(value · expected quality − cost), sweeping value (USD per good answer).</summary>
    public static List<OperatingPoint> SweepValue(double[][] expected, RoutingDataFile file)
    {
        var points = new List<OperatingPoint>();
        for (int k = 0; k <= 240; k++)
        {
            double value = Math.Pow(10, -8 + (k * 0.05));
            points.Add(Evaluate(value, expected, file, (q, c) =>
            {
                int best = 0;
                for (int m = 1; m < q.Length; m++)
                {
                    double a = (value * q[m]) - c[m], b = (value * q[best]) - c[best];
                    if (a > b || (a == b && c[m] < c[best]))
                    {
                        best = m;
                    }
                }

                return best;
            }));
        }

        return points;
    }

    /// <summary>Threshold mode: the cheapest model whose expected quality reaches τ, else the most likely to; sweeping τ.</summary>
    public static List<OperatingPoint> SweepThreshold(double[][] expected, RoutingDataFile file)
    {
        var points = new List<OperatingPoint>();
        for (int k = 0; k <= 400; k++)
        {
            double tau = k / 400.0;
            points.Add(Evaluate(tau, expected, file, (q, c) =>
            {
                int best = -1, strongest = 0;
                for (int m = 0; m < q.Length; m++)
                {
                    if (q[m] > q[strongest])
                    {
                        strongest = m;
                    }

                    if (q[m] >= tau && (best < 0 || c[m] < c[best] || (c[m] == c[best] && q[m] > q[best])))
                    {
                        best = m;
                    }
                }

                return best >= 0 ? best : strongest;
            }));
        }

        return points;
    }

    private static OperatingPoint Evaluate(double parameter, double[][] expected, RoutingDataFile file, Func<double[], double[], int> choose)
    {
        double cost = 0, quality = 0;
        for (int i = 0; i < file.Prompts.Count; i++)
        {
            RoutingPrompt p = file.Prompts[i];
            int m = choose(expected[i], p.CostUsd);
            cost += p.CostUsd[m];
            quality += p.Quality[m];
        }

        return new OperatingPoint(parameter, cost / file.Prompts.Count, quality / file.Prompts.Count);
    }
}
