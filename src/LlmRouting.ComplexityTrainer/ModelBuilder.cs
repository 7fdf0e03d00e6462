using System.Globalization;
using LlmRouting.Eval.Routing;

namespace LlmRouting.ComplexityTrainer;

/// <summary>Trains on all given files and turns the fit into a shippable <see cref="ComplexityModel"/>.</summary>
internal static class ModelBuilder
{
    // Training models whose catalog entry has another name: gpt-4-1106-preview is the GPT-4 Turbo preview (the catalog lists
    // GPT-4 Turbo under its release name); the others differ by version suffix or organisation prefix.
    private static readonly Dictionary<string, string> s_catalogAliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["gpt-4-1106-preview"] = "openai/gpt-4-turbo",
        ["mistralai/Mixtral-8x7B-Instruct-v0.1"] = "mixtral-8x7b-instruct",
        ["mistral-7b-instruct-v0.3"] = "mistral-7b-instruct",
        ["llama-3.3-nemotron-super-49b-v1"] = "nebius/nvidia/Llama-3.3-Nemotron-Super-49B-v1",
    };

    /// <summary>
    /// Whether a dev prompt is held out of training (a fixed hash of its id, <paramref name="percent"/> in 100), so tests can check
    /// the shipped model on dev examples it never saw.
    /// </summary>
    internal static bool IsHeldOut(string id, int percent)
    {
        // FNV-1a over the UTF-16 code units: stable across runs and platforms (string.GetHashCode is randomised).
        uint hash = 2166136261;
        foreach (char c in id)
        {
            hash = (hash ^ c) * 16777619;
        }

        return hash % 100 < (uint)percent;
    }

    public static ComplexityModel Build(IReadOnlyList<RoutingDataFile> files, FeaturizedPrompts data, TrainerSettings settings, TextWriter log)
    {
        bool[] all = Enumerable.Range(0, data.Count).Select(i => !IsHeldOut(files[data.DataSet[i]].Prompts[data.Row[i]].Id, settings.HoldOutPercent)).ToArray();
        log.WriteLine($"training on {all.Count(b => b)} prompts; {all.Count(b => !b)} held out ({settings.HoldOutPercent}% by id hash)");
        FamilyClassifier? classifier = null;
        double[][]? families = null;
        if (settings.Families)
        {
            log.WriteLine("training the task-family classifier");
            classifier = FamilyClassifier.Train(files, data, all, FamilyClassifier.FamiliesOf(files), settings.TraitHashBits, settings.FamilyClassifierL2, settings.FamilyIterations, log);
            families = Enumerable.Range(0, data.Count).Select(i => classifier.Probabilities(data, i)).ToArray();
        }

        log.WriteLine("training the item-response model");
        IrtFit fit = IrtTrainer.Train(files, data, all, families, settings, log);

        // Map abilities onto the catalog's intelligence index: ability = intercept(file) + slope * index, shared slope.
        var anchors = new List<(int File, string Model, double Ability, double Index)>();
        for (int f = 0; f < files.Count; f++)
        {
            for (int m = 0; m < files[f].Models.Count; m++)
            {
                string name = files[f].Models[m];
                double? index = CatalogIndex(name);
                log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {Path.GetFileName(files[f].Path)} {name}: ability {fit.Ability[f][m]:F3}, catalog index {(index is { } i ? i.ToString("F1", CultureInfo.InvariantCulture) : "-")}"));
                if (index is { } known)
                {
                    anchors.Add((f, name, fit.Ability[f][m], known));
                }
            }
        }

        (double slope, double offset) = FitAnchors(anchors);
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"index mapping: ability = {offset:F3} + {slope:F4} x intelligence index ({anchors.Count} anchors)"));

        double[] discrimination = Discrimination(files, fit, classifier?.Families ?? []);
        double Mix(double[]? p) => p is null ? 1.0 : p.Select((v, c) => v * discrimination[c]).Sum();

        // The index at which a prompt is answered well with even odds: a·(offset + slope·R) = g.
        double[] required = Enumerable.Range(0, data.Count).Select(i => ((fit.Difficulty(data, i, families?[i]) / Mix(families?[i])) - offset) / slope).ToArray();
        double mean = required.Average();
        double std = Math.Sqrt(required.Average(d => (d - mean) * (d - mean)));
        for (int c = 0; c < discrimination.Length; c++)
        {
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  task.{classifier!.Families[c],-22} difficulty {fit.FamilyDifficulty[c],7:F3}  discrimination {discrimination[c]:F3}"));
        }

        (sbyte[] hashed, float hashedScale) = Quantize(fit.Hashed, 1, 0, fit.Hashed.Length);
        int familyCount = classifier?.Families.Length ?? 0;
        int traits = familyCount + fit.Traits;
        string[] traitNames = [.. (classifier?.Families ?? []).Select(f => "task." + f), .. Enumerable.Range(1, fit.Traits).Select(k => "latent." + k.ToString(CultureInfo.InvariantCulture))];
        int traitBuckets = 1 << settings.TraitHashBits;
        var traitHashed = new double[traits == 0 ? 0 : traitBuckets * traits];
        var traitDense = new float[traits * ComplexityFeatureLayout.DenseCount];
        var traitBias = new float[traits];
        for (int b = 0; b < (traits == 0 ? 0 : traitBuckets); b++)
        {
            for (int c = 0; c < familyCount; c++)
            {
                traitHashed[(b * traits) + c] = classifier!.Hashed[(b * familyCount) + c];
            }

            for (int k = 0; k < fit.Traits; k++)
            {
                traitHashed[(b * traits) + familyCount + k] = fit.TraitHashed[(b * fit.Traits) + k];
            }
        }

        for (int j = 0; j < ComplexityFeatureLayout.DenseCount; j++)
        {
            for (int c = 0; c < familyCount; c++)
            {
                traitDense[(j * traits) + c] = (float)classifier!.Dense[(j * familyCount) + c];
            }

            for (int k = 0; k < fit.Traits; k++)
            {
                traitDense[(j * traits) + familyCount + k] = (float)fit.TraitDense[(j * fit.Traits) + k];
            }
        }

        for (int c = 0; c < familyCount; c++)
        {
            traitBias[c] = (float)classifier!.Bias[c];
        }

        var traitQuantized = new sbyte[traitHashed.Length];
        var traitScale = new float[traits];
        for (int t = 0; t < traits; t++)
        {
            (sbyte[] q, float s) = Quantize(traitHashed, traits, t, traitBuckets);
            traitScale[t] = s;
            for (int b = 0; b < traitBuckets; b++)
            {
                traitQuantized[(b * traits) + t] = q[b];
            }
        }

        string description = string.Create(CultureInfo.InvariantCulture, $"""
            LlmRouting.ComplexityTrainer on {string.Join(", ", files.Select(f => $"{Path.GetFileName(f.Path)} ({f.Prompts.Count} prompts x {f.Models.Count} models)"))}; hash bits {settings.HashBits}, trait hash bits {settings.TraitHashBits}, l2 {settings.L2}, dense l2 {settings.DenseL2}, latent traits {settings.Traits} (l2 {settings.TraitL2}), task families {familyCount} (loading l2 {settings.FamilyL2}), iterations {settings.Iterations}; {all.Count(b => !b)} prompts held out ({settings.HoldOutPercent}% by id hash); index anchors: {string.Join(", ", anchors.Select(a => $"{a.Model}={a.Index}"))}
            """);
        var model = new ComplexityModel(new ComplexityModelWeights
        {
            HashBits = settings.HashBits,
            TraitHashBits = traits == 0 ? 0 : settings.TraitHashBits,
            Families = familyCount,
            Offset = offset,
            Slope = slope,
            RequiredIndexMean = mean,
            RequiredIndexStdDev = std,
            Description = description,
            TraitNames = traitNames,
            Dense = fit.Dense.Select(w => (float)w).ToArray(),
            HashedScale = hashedScale,
            Hashed = hashed,
            TraitBias = traitBias,
            TraitDense = traitDense,
            TraitScale = traitScale,
            TraitHashed = traitQuantized,
            FamilyDifficulty = fit.FamilyDifficulty.Select(c => (float)c).ToArray(),
            FamilyDiscrimination = discrimination.Select(c => (float)c).ToArray(),
        });
        ReportQuantisation(files, data, required, families, model, log);
        return model;
    }

    /// <summary>The least discrimination a task family is given (keeps the required index finite).</summary>
    internal const double MinDiscrimination = 0.25;

    /// <summary>
    /// How much general ability matters per task family: the per-model family loadings regressed on each model's ability
    /// (centred per file, weighted by the family's prompts in the file): loading ≈ (a − 1)·(θ − θ̄). A family where strong
    /// and weak models score alike (strict exact-match trivia, say) gets a small a, so uncalibrated routing does not buy a
    /// stronger model for it; calibrated profiles keep their own loadings.
    /// </summary>
    internal static double[] Discrimination(IReadOnlyList<RoutingDataFile> files, IrtFit fit, string[] families)
    {
        var result = new double[families.Length];
        for (int c = 0; c < families.Length; c++)
        {
            double num = 0, den = 0;
            for (int f = 0; f < files.Count; f++)
            {
                int weight = files[f].Prompts.Count(p => p.Source == families[c]);
                double mean = fit.Ability[f].Average();
                for (int m = 0; m < files[f].Models.Count; m++)
                {
                    double d = fit.Ability[f][m] - mean;
                    num += weight * fit.FamilyLoadings[f][m][c] * d;
                    den += weight * d * d;
                }
            }

            result[c] = den > 0 ? Math.Max(MinDiscrimination, 1 + (num / den)) : 1.0;
        }

        return result;
    }

    internal static double? CatalogIndex(string model)
    {
        ModelCatalog catalog = ModelCatalog.Default;
        ModelInfo? info = null;
        if (s_catalogAliases.TryGetValue(model, out string? alias))
        {
            catalog.TryGetModel(alias, out info);
        }

        if (info is null && !catalog.TryGetModel(model, out info))
        {
            catalog.TryGetModel(model[(model.LastIndexOf('/') + 1)..], out info);
        }

        return info?.Priors?.IntelligenceIndex;
    }

    private static (double Slope, double Offset) FitAnchors(List<(int File, string Model, double Ability, double Index)> anchors)
    {
        // Least squares with one intercept per file and a shared slope (abilities of different files are on shifted scales).
        double sxy = 0, sxx = 0;
        var intercepts = new List<double>();
        foreach (IGrouping<int, (int File, string Model, double Ability, double Index)> group in anchors.GroupBy(a => a.File))
        {
            double mx = group.Average(a => a.Index), my = group.Average(a => a.Ability);
            foreach ((_, _, double ability, double index) in group)
            {
                sxy += (index - mx) * (ability - my);
                sxx += (index - mx) * (index - mx);
            }
        }

        double slope = sxx > 0 ? sxy / sxx : 0;
        if (!(slope > 0))
        {
            throw new InvalidOperationException("The catalog anchors do not give a positive slope; add models with known intelligence indices.");
        }

        foreach (IGrouping<int, (int File, string Model, double Ability, double Index)> group in anchors.GroupBy(a => a.File))
        {
            intercepts.Add(group.Average(a => a.Ability) - (slope * group.Average(a => a.Index)));
        }

        return (slope, intercepts.Average());
    }

    private static (sbyte[] Values, float Scale) Quantize(double[] weights, int stride, int offset, int count)
    {
        double max = 0;
        for (int i = 0; i < count; i++)
        {
            max = Math.Max(max, Math.Abs(weights[(i * stride) + offset]));
        }

        float scale = max == 0 ? 1f : (float)(max / 127.0);
        var values = new sbyte[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = (sbyte)Math.Clamp(Math.Round(weights[(i * stride) + offset] / scale), -127, 127);
        }

        return (values, scale);
    }

    private static void ReportQuantisation(IReadOnlyList<RoutingDataFile> files, FeaturizedPrompts data, double[] required, double[][]? families, ComplexityModel model, TextWriter log)
    {
        double maxDiff = 0, sumDiff = 0;
        int familyAgree = 0;
        for (int i = 0; i < data.Count; i++)
        {
            ComplexityEstimate e = model.Estimate(files[data.DataSet[i]].Prompts[data.Row[i]].Prompt.AsSpan());
            double diff = Math.Abs(e.RequiredIntelligenceIndex - required[i]);
            maxDiff = Math.Max(maxDiff, diff);
            sumDiff += diff;
            if (families is not null)
            {
                int best = Array.IndexOf(families[i], families[i].Max());
                int shipped = Enumerable.Range(0, families[i].Length).MaxBy(e.GetTrait);
                familyAgree += best == shipped ? 1 : 0;
            }
        }

        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"int8 quantisation: required index off by {sumDiff / data.Count:F4} points on average, {maxDiff:F4} at most; task family unchanged for {familyAgree}/{data.Count} prompts"));
    }
}
