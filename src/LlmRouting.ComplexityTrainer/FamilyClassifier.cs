using LlmRouting.Eval.Routing;

namespace LlmRouting.ComplexityTrainer;

/// <summary>
/// A multinomial logistic regression recognising the task family of a prompt (the <c>source_benchmark</c> labels of the
/// training files: exam multiple choice, grade-school math, code from a docstring, trivia, …) from the same hashed
/// features (low <see cref="TraitHashBits"/> bits of each bucket) and dense features.
/// </summary>
internal sealed class FamilyClassifier
{
    public required string[] Families { get; init; }

    public required int TraitHashBits { get; init; }

    /// <summary>Weights [bucket * F + f].</summary>
    public required double[] Hashed { get; init; }

    /// <summary>Weights [j * F + f].</summary>
    public required double[] Dense { get; init; }

    public required double[] Bias { get; init; }

    public static string[] FamiliesOf(IReadOnlyList<RoutingDataFile> files) =>
        files.SelectMany(f => f.Prompts.Select(p => p.Source)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();

    public double[] Probabilities(FeaturizedPrompts data, int i)
    {
        int families = Families.Length;
        int mask = (1 << TraitHashBits) - 1;
        var z = (double[])Bias.Clone();
        for (int k = data.RowStart[i]; k < data.RowStart[i + 1]; k++)
        {
            int b = (data.Columns[k] & mask) * families;
            for (int f = 0; f < families; f++)
            {
                z[f] += Hashed[b + f] * data.Values[k];
            }
        }

        int d0 = i * ComplexityFeatureLayout.DenseCount;
        for (int j = 0; j < ComplexityFeatureLayout.DenseCount; j++)
        {
            for (int f = 0; f < families; f++)
            {
                z[f] += Dense[(j * families) + f] * data.Dense[d0 + j];
            }
        }

        Softmax(z);
        return z;
    }

    public static FamilyClassifier Train(IReadOnlyList<RoutingDataFile> files, FeaturizedPrompts data, bool[] include, string[] familyNames, int traitHashBits, double l2, int iterations, TextWriter? log)
    {
        int families = familyNames.Length;
        int buckets = 1 << traitHashBits;
        int mask = buckets - 1;
        int dense = ComplexityFeatureLayout.DenseCount;
        int denseStart = buckets * families;
        int biasStart = denseStart + (dense * families);
        var x = new double[biasStart + families];
        int[] label = Enumerable.Range(0, data.Count).Select(i => Array.IndexOf(familyNames, files[data.DataSet[i]].Prompts[data.Row[i]].Source)).ToArray();
        double scale = 1.0 / include.Count(b => b);
        var z = new double[families];
        double Objective(double[] p, double[] gradient)
        {
            Array.Clear(gradient);
            double loss = 0;
            for (int i = 0; i < data.Count; i++)
            {
                if (!include[i])
                {
                    continue;
                }

                Array.Copy(p, biasStart, z, 0, families);
                int start = data.RowStart[i], end = data.RowStart[i + 1], d0 = i * dense;
                for (int k = start; k < end; k++)
                {
                    int b = (data.Columns[k] & mask) * families;
                    for (int f = 0; f < families; f++)
                    {
                        z[f] += p[b + f] * data.Values[k];
                    }
                }

                for (int j = 0; j < dense; j++)
                {
                    for (int f = 0; f < families; f++)
                    {
                        z[f] += p[denseStart + (j * families) + f] * data.Dense[d0 + j];
                    }
                }

                Softmax(z);
                loss -= scale * Math.Log(Math.Max(z[label[i]], 1e-300));
                z[label[i]] -= 1;
                for (int f = 0; f < families; f++)
                {
                    z[f] *= scale;
                    gradient[biasStart + f] += z[f];
                }

                for (int k = start; k < end; k++)
                {
                    int b = (data.Columns[k] & mask) * families;
                    for (int f = 0; f < families; f++)
                    {
                        gradient[b + f] += z[f] * data.Values[k];
                    }
                }

                for (int j = 0; j < dense; j++)
                {
                    for (int f = 0; f < families; f++)
                    {
                        gradient[denseStart + (j * families) + f] += z[f] * data.Dense[d0 + j];
                    }
                }
            }

            for (int j = 0; j < biasStart; j++)
            {
                loss += 0.5 * l2 * p[j] * p[j];
                gradient[j] += l2 * p[j];
            }

            return loss;
        }

        double final = Lbfgs.Minimize(Objective, x, iterations, log: log);
        log?.WriteLine($"  family classifier: objective {final:F6}");
        return new FamilyClassifier
        {
            Families = familyNames,
            TraitHashBits = traitHashBits,
            Hashed = x.AsSpan(0, denseStart).ToArray(),
            Dense = x.AsSpan(denseStart, dense * families).ToArray(),
            Bias = x.AsSpan(biasStart, families).ToArray(),
        };
    }

    internal static void Softmax(double[] z)
    {
        double max = z.Max(), sum = 0;
        for (int f = 0; f < z.Length; f++)
        {
            z[f] = Math.Exp(z[f] - max);
            sum += z[f];
        }

        for (int f = 0; f < z.Length; f++)
        {
            z[f] /= sum;
        }
    }
}
