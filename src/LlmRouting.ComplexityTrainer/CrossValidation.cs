using LlmRouting.Eval.Routing;

namespace LlmRouting.ComplexityTrainer;

/// <summary>k-fold cross-validation on the dev files: out-of-fold difficulties, abilities fitted on the other folds, simulated routing figures.</summary>
internal static class CrossValidation
{
    public static void Run(IReadOnlyList<RoutingDataFile> files, FeaturizedPrompts data, TrainerSettings settings, int folds, TextWriter log)
    {
        int[] fold = Enumerable.Range(0, data.Count).Select(i => (int)(StableHash(files[data.DataSet[i]].Prompts[data.Row[i]].Id) % (uint)folds)).ToArray();
        var expected = files.Select(f => new double[f.Prompts.Count][]).ToArray();
        double[] loss = new double[files.Count];
        for (int k = 0; k < folds; k++)
        {
            bool[] include = fold.Select(f => f != k).ToArray();
            double[][]? families = null;
            if (settings.Families)
            {
                FamilyClassifier classifier = FamilyClassifier.Train(files, data, include, FamilyClassifier.FamiliesOf(files), settings.TraitHashBits, settings.FamilyClassifierL2, settings.FamilyIterations, null);
                families = Enumerable.Range(0, data.Count).Select(i => classifier.Probabilities(data, i)).ToArray();
                int correct = Enumerable.Range(0, data.Count).Count(i => !include[i] && classifier.Families[Array.IndexOf(families[i], families[i].Max())] == files[data.DataSet[i]].Prompts[data.Row[i]].Source);
                log.WriteLine($"fold {k + 1}: family accuracy {correct / (double)include.Count(b => !b):P2}");
            }

            IrtFit fit = IrtTrainer.Train(files, data, include, families, settings, null);
            for (int i = 0; i < data.Count; i++)
            {
                if (fold[i] != k)
                {
                    continue;
                }

                int f = data.DataSet[i];
                RoutingPrompt prompt = files[f].Prompts[data.Row[i]];
                double[] q = fit.Expected(data, i, f, families?[i]);
                for (int m = 0; m < q.Length; m++)
                {
                    double y = prompt.Quality[m];
                    loss[f] -= ((y * Math.Log(Math.Max(q[m], 1e-12))) + ((1 - y) * Math.Log(Math.Max(1 - q[m], 1e-12)))) / q.Length;
                }

                expected[f][data.Row[i]] = q;
            }

            log.WriteLine($"fold {k + 1}/{folds} done; abilities: {string.Join(" | ", fit.Ability.Select(a => string.Join(" ", a.Select(v => v.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)))))}");
        }

        for (int f = 0; f < files.Count; f++)
        {
            Report(files[f], expected[f], loss[f] / files[f].Prompts.Count, log);
        }
    }

    internal static void Report(RoutingDataFile file, double[][] expected, double logLoss, TextWriter log)
    {
        int best = Enumerable.Range(0, file.Models.Count).MaxBy(file.MeanQuality);
        int cheapest = Enumerable.Range(0, file.Models.Count).MinBy(file.MeanCost);
        double bc = file.MeanCost(best), bq = file.MeanQuality(best), cc = file.MeanCost(cheapest), cq = file.MeanQuality(cheapest);
        log.WriteLine($"{Path.GetFileName(file.Path)}: out-of-fold log loss {logLoss:F4}; best {file.Models[best]} {bq:F3} ${bc:E2}; cheapest {file.Models[cheapest]} {cq:F3} ${cc:E2}");
        foreach ((string name, List<OperatingPoint> points) in new[] { ("value", RoutingSimulation.SweepValue(expected, file)), ("threshold", RoutingSimulation.SweepThreshold(expected, file)) })
        {
            double apgr = RoutingMetrics.Apgr(points, cc, cq, bc, bq);
            double? r95 = RoutingMetrics.CostRatioAt(points, 0.95, bc, bq);
            double? r100 = RoutingMetrics.CostRatioAt(points, 1.0, bc, bq);
            double maxQ = points.Max(p => p.Quality);
            log.WriteLine($"  {name,-9} apgr {apgr:F3}  cost_ratio_at_95 {Format(r95)}  cost_ratio_at_100 {Format(r100)}  max quality {maxQ:F3}");
        }
    }

    internal static uint StableHash(string s)
    {
        uint h = ComplexityHashing.FnvOffset;
        foreach (char c in s)
        {
            h = (h ^ c) * ComplexityHashing.FnvPrime;
        }

        return ComplexityHashing.Mix(h);
    }

    private static string Format(double? v) => v is { } x ? x.ToString("F3", System.Globalization.CultureInfo.InvariantCulture) : "null";
}
