namespace LlmRouting;

/// <summary>
/// A deployment's calibrated quality for the <see cref="ComplexityRoutingPolicy"/>: its ability on the intelligence-index
/// scale and, optionally, how much better or worse than that it does on prompts with each trait of the complexity model
/// (e.g. <c>task:human_eval</c>). Overrides the catalog's <see cref="ModelPriors.IntelligenceIndex"/>.
/// </summary>
/// <remarks>
/// Fit one from graded answers of the deployment with <see cref="Fit"/>, or set the index by hand.
/// Trait loadings belong to the complexity model that produced them (see <see cref="ComplexityModel.TraitNames"/>);
/// names the model does not know are ignored. Bindable from configuration
/// (<c>LlmRouting:Routing:Complexity:Profiles:&lt;deployment or model&gt;</c>).
/// </remarks>
public sealed class ModelQualityProfile
{
    /// <summary>Gets or sets the ability on the scale of <see cref="ModelPriors.IntelligenceIndex"/>; <see langword="null"/> keeps the catalog's.</summary>
    public double? IntelligenceIndex { get; set; }

    /// <summary>Gets or sets logits added to the expected quality per unit of each named trait of the prompt.</summary>
    public IDictionary<string, double> TraitLoadings { get; set; } = new Dictionary<string, double>(StringComparer.Ordinal);

    /// <summary>
    /// Fits a deployment's profile from graded answers: the intelligence index and trait loadings that best explain the
    /// qualities under <paramref name="model"/>'s estimates (logistic regression, soft labels, L2 penalty on the loadings).
    /// </summary>
    /// <param name="model">The complexity model the profile is for.</param>
    /// <param name="samples">Prompts with the quality the deployment's answer received; a few hundred make a useful profile.</param>
    /// <param name="loadingPenalty">The L2 penalty on trait loadings (per sample); larger keeps loadings nearer zero. The default is 0.001.</param>
    /// <param name="fitTraits">Whether to fit trait loadings; when <see langword="false"/>, only the index is fitted.</param>
    /// <returns>The profile.</returns>
    /// <exception cref="ArgumentException">There are no samples, a quality is outside [0, 1], or the penalty is negative.</exception>
    public static ModelQualityProfile Fit(IComplexityModel model, IEnumerable<GradedPrompt> samples, double loadingPenalty = 0.001, bool fitTraits = true)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(samples);
        if (!(loadingPenalty >= 0))
        {
            throw new ArgumentException("The loading penalty must be non-negative.", nameof(loadingPenalty));
        }

        var estimates = new List<(ComplexityEstimate Estimate, double Quality)>();
        foreach (GradedPrompt sample in samples)
        {
            ArgumentNullException.ThrowIfNull(sample.Prompt, nameof(samples));
            if (!(sample.Quality is >= 0 and <= 1))
            {
                throw new ArgumentException($"Quality {sample.Quality} is outside [0, 1].", nameof(samples));
            }

            ComplexityEstimate estimate = model is ComplexityModel shipped
                ? shipped.Estimate(sample.Prompt.AsSpan())
                : model.Estimate([new Microsoft.Extensions.AI.ChatMessage(Microsoft.Extensions.AI.ChatRole.User, sample.Prompt)]);
            estimates.Add((estimate, sample.Quality));
        }

        if (estimates.Count == 0)
        {
            throw new ArgumentException("Give at least one graded prompt.", nameof(samples));
        }

        IReadOnlyList<string> names = fitTraits ? estimates[0].Estimate.TraitNames ?? [] : [];
        double[] solution = ProfileFitter.Solve(estimates, names.Count, loadingPenalty);
        var profile = new ModelQualityProfile { IntelligenceIndex = solution[0] };
        for (int t = 0; t < names.Count; t++)
        {
            profile.TraitLoadings[names[t]] = solution[t + 1];
        }

        return profile;
    }
}

/// <summary>Damped Newton's method for <see cref="ModelQualityProfile.Fit"/>: at most 33 unknowns, so a dense solve per step.</summary>
internal static class ProfileFitter
{
    public static double[] Solve(List<(ComplexityEstimate Estimate, double Quality)> samples, int traits, double penalty)
    {
        int n = traits + 1;
        double scale = 1.0 / samples.Count;
        // A weak prior keeps the index finite when every answer was good (or bad): 1e-6 logits² per index point², centred on the mean requirement.
        double centre = samples.Average(s => s.Estimate.RequiredIntelligenceIndex);
        const double IndexPrior = 1e-6;
        var v = new double[n];
        v[0] = centre;
        double Loss(double[] x)
        {
            double loss = 0;
            foreach ((ComplexityEstimate e, double q) in samples)
            {
                double z = Logit(e, x, traits);
                loss += scale * (Softplus(z) - (q * z));
            }

            for (int t = 1; t < n; t++)
            {
                loss += 0.5 * penalty * x[t] * x[t];
            }

            return loss + (0.5 * IndexPrior * (x[0] - centre) * (x[0] - centre));
        }

        double current = Loss(v);
        var gradient = new double[n];
        var hessian = new double[n, n];
        var row = new double[n];
        for (int iteration = 0; iteration < 100; iteration++)
        {
            Array.Clear(gradient);
            Array.Clear(hessian);
            foreach ((ComplexityEstimate e, double q) in samples)
            {
                double p = 1.0 / (1.0 + Math.Exp(-Logit(e, v, traits)));
                row[0] = e.Slope;
                for (int t = 0; t < traits; t++)
                {
                    row[t + 1] = e.GetTrait(t);
                }

                double w = scale * p * (1 - p);
                for (int a = 0; a < n; a++)
                {
                    gradient[a] += scale * (p - q) * row[a];
                    for (int b = 0; b <= a; b++)
                    {
                        hessian[a, b] += w * row[a] * row[b];
                    }
                }
            }

            gradient[0] += IndexPrior * (v[0] - centre);
            hessian[0, 0] += IndexPrior;
            for (int t = 1; t < n; t++)
            {
                gradient[t] += penalty * v[t];
                hessian[t, t] += penalty + 1e-12;
            }

            for (int a = 0; a < n; a++)
            {
                for (int b = a + 1; b < n; b++)
                {
                    hessian[a, b] = hessian[b, a];
                }
            }

            double[] step = SolveLinear(hessian, gradient, n);
            double size = 1.0, next;
            var candidate = new double[n];
            while (true)
            {
                for (int a = 0; a < n; a++)
                {
                    candidate[a] = v[a] - (size * step[a]);
                }

                next = Loss(candidate);
                if (next <= current || size < 1e-6)
                {
                    break;
                }

                size /= 2;
            }

            double change = Math.Abs(current - next);
            Array.Copy(candidate, v, n);
            current = next;
            if (change < 1e-12)
            {
                break;
            }
        }

        return v;
    }

    private static double Logit(in ComplexityEstimate e, double[] x, int traits)
    {
        double z = e.Slope * (x[0] - e.RequiredIntelligenceIndex);
        for (int t = 0; t < traits; t++)
        {
            z += x[t + 1] * e.GetTrait(t);
        }

        return z;
    }

    private static double Softplus(double z) => z > 30 ? z : z < -30 ? Math.Exp(z) : Math.Log(1 + Math.Exp(z));

    private static double[] SolveLinear(double[,] matrix, double[] rhs, int n)
    {
        // Gaussian elimination with partial pivoting on copies.
        var a = (double[,])matrix.Clone();
        var b = (double[])rhs.Clone();
        for (int col = 0; col < n; col++)
        {
            int pivot = col;
            for (int r = col + 1; r < n; r++)
            {
                if (Math.Abs(a[r, col]) > Math.Abs(a[pivot, col]))
                {
                    pivot = r;
                }
            }

            if (Math.Abs(a[pivot, col]) < 1e-300)
            {
                continue;
            }

            if (pivot != col)
            {
                for (int c = 0; c < n; c++)
                {
                    (a[col, c], a[pivot, c]) = (a[pivot, c], a[col, c]);
                }

                (b[col], b[pivot]) = (b[pivot], b[col]);
            }

            for (int r = col + 1; r < n; r++)
            {
                double f = a[r, col] / a[col, col];
                for (int c = col; c < n; c++)
                {
                    a[r, c] -= f * a[col, c];
                }

                b[r] -= f * b[col];
            }
        }

        var x = new double[n];
        for (int r = n - 1; r >= 0; r--)
        {
            double sum = b[r];
            for (int c = r + 1; c < n; c++)
            {
                sum -= a[r, c] * x[c];
            }

            x[r] = Math.Abs(a[r, r]) < 1e-300 ? 0 : sum / a[r, r];
        }

        return x;
    }
}
