using LlmRouting.Eval.Routing;

namespace LlmRouting.ComplexityTrainer;

/// <summary>Settings of one training run.</summary>
internal sealed record TrainerSettings
{
    public int HashBits { get; init; } = 18;

    /// <summary>Buckets of the trait heads = 2^TraitHashBits (the low bits of the same hashes).</summary>
    public int TraitHashBits { get; init; } = 14;

    /// <summary>The number of latent prompt traits besides difficulty and task families.</summary>
    public int Traits { get; init; } = 2;

    /// <summary>L2 penalty on the hashed difficulty weights.</summary>
    public double L2 { get; init; } = 1e-4;

    /// <summary>L2 penalty on the dense weights.</summary>
    public double DenseL2 { get; init; } = 1e-5;

    /// <summary>L2 penalty on trait weights and per-model trait loadings.</summary>
    public double TraitL2 { get; init; } = 1e-3;

    public int Iterations { get; init; } = 300;

    /// <summary>Whether task-family probabilities (a classifier over the files' source benchmarks) are traits.</summary>
    public bool Families { get; init; } = true;

    /// <summary>L2 penalty on per-model task-family loadings.</summary>
    public double FamilyL2 { get; init; } = 1e-4;

    /// <summary>L-BFGS iterations of the task-family classifier.</summary>
    public int FamilyIterations { get; init; } = 100;

    /// <summary>Percent of dev prompts (by a fixed hash of their id) left out of training for held-out checks.</summary>
    public int HoldOutPercent { get; init; } = 2;

    /// <summary>L2 penalty of the task-family classifier.</summary>
    public double FamilyClassifierL2 { get; init; } = 1e-5;
}

/// <summary>
/// A fitted item-response model: difficulty <c>g(x) = w·φ(x)</c> and traits <c>t_k(x) = v_k·φ(x)</c> per prompt,
/// ability <c>θ</c> and trait loadings <c>a</c> per model; P(good) = σ(θ − g + Σ a_k t_k).
/// </summary>
internal sealed class IrtFit
{
    public required int HashBits { get; init; }

    public required int TraitHashBits { get; init; }

    public required int Traits { get; init; }

    public required double[] Hashed { get; init; }

    public required double[] Dense { get; init; }

    /// <summary>Trait weights: [bucket * Traits + k] for hashed, then dense [j * Traits + k].</summary>
    public required double[] TraitHashed { get; init; }

    public required double[] TraitDense { get; init; }

    /// <summary>Ability per file, per model of that file.</summary>
    public required double[][] Ability { get; init; }

    /// <summary>Trait loadings per file, per model, per trait.</summary>
    public required double[][][] Loadings { get; init; }

    /// <summary>Task-family loadings per file, per model, per family (empty without families); centred over each file's models.</summary>
    public required double[][][] FamilyLoadings { get; init; }

    /// <summary>The difficulty each task family adds, shared by all models (so loadings only say who is better at what).</summary>
    public required double[] FamilyDifficulty { get; init; }


    public double Difficulty(FeaturizedPrompts data, int i, double[]? families)
    {
        double g = 0;
        if (families is not null)
        {
            for (int f = 0; f < families.Length; f++)
            {
                g += FamilyDifficulty[f] * families[f];
            }
        }

        for (int k = data.RowStart[i]; k < data.RowStart[i + 1]; k++)
        {
            g += Hashed[data.Columns[k]] * data.Values[k];
        }

        int d0 = i * ComplexityFeatureLayout.DenseCount;
        for (int j = 0; j < ComplexityFeatureLayout.DenseCount; j++)
        {
            g += Dense[j] * data.Dense[d0 + j];
        }

        return g;
    }

    public double[] TraitValues(FeaturizedPrompts data, int i)
    {
        var t = new double[Traits];
        int mask = (1 << TraitHashBits) - 1;
        for (int k = data.RowStart[i]; k < data.RowStart[i + 1]; k++)
        {
            int b = (data.Columns[k] & mask) * Traits;
            for (int r = 0; r < Traits; r++)
            {
                t[r] += TraitHashed[b + r] * data.Values[k];
            }
        }

        int d0 = i * ComplexityFeatureLayout.DenseCount;
        for (int j = 0; j < ComplexityFeatureLayout.DenseCount; j++)
        {
            for (int r = 0; r < Traits; r++)
            {
                t[r] += TraitDense[(j * Traits) + r] * data.Dense[d0 + j];
            }
        }

        return t;
    }

    public double[] Expected(FeaturizedPrompts data, int i, int file, double[]? families)
    {
        double g = Difficulty(data, i, families);
        double[] t = TraitValues(data, i);
        var q = new double[Ability[file].Length];
        for (int m = 0; m < q.Length; m++)
        {
            double z = Ability[file][m] - g;
            for (int r = 0; r < Traits; r++)
            {
                z += Loadings[file][m][r] * t[r];
            }

            if (families is not null)
            {
                for (int f = 0; f < families.Length; f++)
                {
                    z += FamilyLoadings[file][m][f] * families[f];
                }
            }

            q[m] = IrtTrainer.Sigmoid(z);
        }

        return q;
    }
}

/// <summary>Fits <see cref="IrtFit"/> jointly over all training files by L-BFGS on the soft-label cross-entropy.</summary>
/// <remarks>
/// Every prompt counts once per file model with weight 1/(models in its file), so a file with nine models does not
/// outweigh one with two. Quality labels in [0, 1] are used as soft labels (MT-Bench scores, partial credit).
/// With traits the objective is bilinear (not convex); trait weights start from a fixed pseudo-random draw, so runs are reproducible.
/// </remarks>
internal static class IrtTrainer
{
    public static IrtFit Train(IReadOnlyList<RoutingDataFile> files, FeaturizedPrompts data, bool[] include, double[][]? familyProbabilities, TrainerSettings settings, TextWriter? log)
    {
        int familyCount = familyProbabilities?.FirstOrDefault(p => p is not null)?.Length ?? 0;
        int hashed = 1 << data.HashBits;
        int dense = ComplexityFeatureLayout.DenseCount;
        int traits = settings.Traits;
        int traitBuckets = 1 << settings.TraitHashBits;
        int traitMask = traitBuckets - 1;

        int denseStart = hashed;
        int traitHashedStart = denseStart + dense;
        int traitDenseStart = traitHashedStart + (traitBuckets * traits);
        int familyDifficultyStart = traitDenseStart + (dense * traits);
        int parameters = familyDifficultyStart + familyCount;
        var abilityStart = new int[files.Count];
        var loadingStart = new int[files.Count];
        var familyStart = new int[files.Count];
        for (int f = 0; f < files.Count; f++)
        {
            abilityStart[f] = parameters;
            parameters += files[f].Models.Count;
            loadingStart[f] = parameters;
            parameters += files[f].Models.Count * traits;
            familyStart[f] = parameters;
            parameters += files[f].Models.Count * familyCount;
        }

        int trainingPrompts = include.Count(b => b);
        double scale = 1.0 / trainingPrompts;
        var x = new double[parameters];
        var random = new Random(20260101);
        for (int f = 0; f < files.Count; f++)
        {
            for (int m = 0; m < files[f].Models.Count; m++)
            {
                double mean = Math.Clamp(files[f].MeanQuality(m), 0.01, 0.99);
                x[abilityStart[f] + m] = Math.Log(mean / (1 - mean));
                for (int r = 0; r < traits; r++)
                {
                    x[loadingStart[f] + (m * traits) + r] = (random.NextDouble() - 0.5) * 0.2;
                }
            }
        }

        for (int j = traitHashedStart; j < traitDenseStart; j++)
        {
            x[j] = (random.NextDouble() - 0.5) * 0.02;
        }

        var t = new double[traits];
        var dt = new double[traits];
        // Per-model loadings are centred over each file's models: what all models share is difficulty, not a trait.
        var effectiveLoadings = files.Select(file => new double[file.Models.Count * traits]).ToArray();
        var effectiveFamily = files.Select(file => new double[file.Models.Count * familyCount]).ToArray();
        var loadingGradient = files.Select(file => new double[file.Models.Count * traits]).ToArray();
        var familyGradient = files.Select(file => new double[file.Models.Count * familyCount]).ToArray();
        double Objective(double[] p, double[] gradient)
        {
            Array.Clear(gradient);
            for (int f = 0; f < files.Count; f++)
            {
                Centre(p, loadingStart[f], files[f].Models.Count, traits, effectiveLoadings[f]);
                Centre(p, familyStart[f], files[f].Models.Count, familyCount, effectiveFamily[f]);
                Array.Clear(loadingGradient[f]);
                Array.Clear(familyGradient[f]);
            }

            double loss = 0;
            for (int i = 0; i < data.Count; i++)
            {
                if (!include[i])
                {
                    continue;
                }

                int f = data.DataSet[i];
                RoutingPrompt prompt = files[f].Prompts[data.Row[i]];
                int start = data.RowStart[i], end = data.RowStart[i + 1], d0 = i * dense;
                double g = 0;
                for (int k = start; k < end; k++)
                {
                    g += p[data.Columns[k]] * data.Values[k];
                }

                for (int j = 0; j < dense; j++)
                {
                    g += p[denseStart + j] * data.Dense[d0 + j];
                }

                double[]? fp = familyCount > 0 ? familyProbabilities![i] : null;
                for (int c = 0; c < familyCount; c++)
                {
                    g += p[familyDifficultyStart + c] * fp![c];
                }

                if (traits > 0)
                {
                    Array.Clear(t);
                    for (int k = start; k < end; k++)
                    {
                        int b = traitHashedStart + ((data.Columns[k] & traitMask) * traits);
                        float v = data.Values[k];
                        for (int r = 0; r < traits; r++)
                        {
                            t[r] += p[b + r] * v;
                        }
                    }

                    for (int j = 0; j < dense; j++)
                    {
                        int b = traitDenseStart + (j * traits);
                        float v = data.Dense[d0 + j];
                        for (int r = 0; r < traits; r++)
                        {
                            t[r] += p[b + r] * v;
                        }
                    }

                    Array.Clear(dt);
                }

                int models = prompt.Quality.Length;
                double weight = scale / models;
                double dg = 0;
                double[] el = effectiveLoadings[f], ef = effectiveFamily[f];
                for (int m = 0; m < models; m++)
                {
                    int a0 = m * traits;
                    double z = p[abilityStart[f] + m] - g;
                    for (int r = 0; r < traits; r++)
                    {
                        z += el[a0 + r] * t[r];
                    }

                    int b0 = m * familyCount;
                    for (int c = 0; c < familyCount; c++)
                    {
                        z += ef[b0 + c] * fp![c];
                    }

                    double q = prompt.Quality[m];
                    loss += weight * (Softplus(z) - (q * z));
                    double dz = weight * (Sigmoid(z) - q);
                    gradient[abilityStart[f] + m] += dz;
                    dg -= dz;
                    for (int r = 0; r < traits; r++)
                    {
                        loadingGradient[f][a0 + r] += dz * t[r];
                        dt[r] += dz * el[a0 + r];
                    }

                    for (int c = 0; c < familyCount; c++)
                    {
                        familyGradient[f][b0 + c] += dz * fp![c];
                    }
                }

                for (int c = 0; c < familyCount; c++)
                {
                    gradient[familyDifficultyStart + c] += dg * fp![c];
                }

                for (int k = start; k < end; k++)
                {
                    gradient[data.Columns[k]] += dg * data.Values[k];
                }

                for (int j = 0; j < dense; j++)
                {
                    gradient[denseStart + j] += dg * data.Dense[d0 + j];
                }

                if (traits > 0)
                {
                    for (int k = start; k < end; k++)
                    {
                        int b = traitHashedStart + ((data.Columns[k] & traitMask) * traits);
                        float v = data.Values[k];
                        for (int r = 0; r < traits; r++)
                        {
                            gradient[b + r] += dt[r] * v;
                        }
                    }

                    for (int j = 0; j < dense; j++)
                    {
                        int b = traitDenseStart + (j * traits);
                        float v = data.Dense[d0 + j];
                        for (int r = 0; r < traits; r++)
                        {
                            gradient[b + r] += dt[r] * v;
                        }
                    }
                }
            }

            for (int f = 0; f < files.Count; f++)
            {
                Uncentre(loadingGradient[f], files[f].Models.Count, traits, gradient, loadingStart[f]);
                Uncentre(familyGradient[f], files[f].Models.Count, familyCount, gradient, familyStart[f]);
            }

            loss += Penalty(p, gradient, 0, hashed, settings.L2);
            loss += Penalty(p, gradient, familyDifficultyStart, familyCount, settings.DenseL2);
            loss += Penalty(p, gradient, denseStart, dense, settings.DenseL2);
            loss += Penalty(p, gradient, traitHashedStart, traitDenseStart - traitHashedStart, settings.TraitL2);
            loss += Penalty(p, gradient, traitDenseStart, dense * traits, settings.DenseL2);
            for (int f = 0; f < files.Count; f++)
            {
                loss += Penalty(p, gradient, loadingStart[f], files[f].Models.Count * traits, settings.TraitL2);
                loss += Penalty(p, gradient, familyStart[f], files[f].Models.Count * familyCount, settings.FamilyL2);
            }

            return loss;
        }

        double final = Lbfgs.Minimize(Objective, x, settings.Iterations, log: log);
        log?.WriteLine($"  final objective {final:F6} over {trainingPrompts} prompts");
        return new IrtFit
        {
            HashBits = data.HashBits,
            TraitHashBits = settings.TraitHashBits,
            Traits = traits,
            Hashed = x.AsSpan(0, hashed).ToArray(),
            Dense = x.AsSpan(denseStart, dense).ToArray(),
            TraitHashed = x.AsSpan(traitHashedStart, traitDenseStart - traitHashedStart).ToArray(),
            TraitDense = x.AsSpan(traitDenseStart, dense * traits).ToArray(),
            Ability = files.Select((file, f) => x.AsSpan(abilityStart[f], file.Models.Count).ToArray()).ToArray(),
            Loadings = files.Select((file, f) => Split(Centred(x, loadingStart[f], file.Models.Count, traits), file.Models.Count, traits)).ToArray(),
            FamilyLoadings = files.Select((file, f) => Split(Centred(x, familyStart[f], file.Models.Count, familyCount), file.Models.Count, familyCount)).ToArray(),
            FamilyDifficulty = x.AsSpan(familyDifficultyStart, familyCount).ToArray(),
        };
    }

    public static double Sigmoid(double z) => 1.0 / (1.0 + Math.Exp(-z));

    private static void Centre(double[] p, int start, int models, int width, double[] effective)
    {
        for (int c = 0; c < width; c++)
        {
            double mean = 0;
            for (int m = 0; m < models; m++)
            {
                mean += p[start + (m * width) + c];
            }

            mean /= models;
            for (int m = 0; m < models; m++)
            {
                effective[(m * width) + c] = p[start + (m * width) + c] - mean;
            }
        }
    }

    private static double[] Centred(double[] p, int start, int models, int width)
    {
        var effective = new double[models * width];
        Centre(p, start, models, width, effective);
        return effective;
    }

    private static double[][] Split(double[] values, int models, int width) =>
        Enumerable.Range(0, models).Select(m => values.AsSpan(m * width, width).ToArray()).ToArray();

    // The gradient through centring: d/db_mc = G_mc − mean over models of G_·c.
    private static void Uncentre(double[] effectiveGradient, int models, int width, double[] gradient, int start)
    {
        for (int c = 0; c < width; c++)
        {
            double mean = 0;
            for (int m = 0; m < models; m++)
            {
                mean += effectiveGradient[(m * width) + c];
            }

            mean /= models;
            for (int m = 0; m < models; m++)
            {
                gradient[start + (m * width) + c] += effectiveGradient[(m * width) + c] - mean;
            }
        }
    }

    public static double Softplus(double z) => z > 30 ? z : z < -30 ? Math.Exp(z) : Math.Log(1 + Math.Exp(z));

    private static double Penalty(double[] p, double[] gradient, int start, int count, double l2)
    {
        double loss = 0;
        for (int j = start; j < start + count; j++)
        {
            loss += 0.5 * l2 * p[j] * p[j];
            gradient[j] += l2 * p[j];
        }

        return loss;
    }
}
