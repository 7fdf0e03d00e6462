namespace LlmRouting.ComplexityTrainer;

/// <summary>Limited-memory BFGS with a backtracking (Armijo) line search, for smooth convex objectives. Deterministic.</summary>
internal static class Lbfgs
{
    /// <summary>An objective: writes the gradient at <c>x</c> into <c>gradient</c> and returns the value.</summary>
    public delegate double Objective(double[] x, double[] gradient);

    /// <summary>Minimises <paramref name="objective"/> starting from <paramref name="x"/> (updated in place).</summary>
    /// <param name="objective">The objective.</param>
    /// <param name="x">The start point; receives the minimiser.</param>
    /// <param name="maxIterations">The iteration limit.</param>
    /// <param name="tolerance">Stop when the relative decrease of the value over 5 iterations is below this.</param>
    /// <param name="memory">The number of correction pairs kept.</param>
    /// <param name="log">Receives progress lines, or <see langword="null"/>.</param>
    /// <returns>The final objective value.</returns>
    public static double Minimize(Objective objective, double[] x, int maxIterations, double tolerance = 1e-7, int memory = 10, TextWriter? log = null)
    {
        int n = x.Length;
        var g = new double[n];
        var xNew = new double[n];
        var gNew = new double[n];
        var direction = new double[n];
        var s = new List<double[]>();
        var y = new List<double[]>();
        var rho = new List<double>();
        var alpha = new double[memory];
        double f = objective(x, g);
        var history = new Queue<double>();
        for (int iteration = 0; iteration < maxIterations; iteration++)
        {
            // Two-loop recursion: direction = -H g.
            Array.Copy(g, direction, n);
            for (int k = s.Count - 1; k >= 0; k--)
            {
                alpha[k] = rho[k] * Dot(s[k], direction);
                Axpy(-alpha[k], y[k], direction);
            }

            double gamma = s.Count > 0 ? Dot(s[^1], y[^1]) / Dot(y[^1], y[^1]) : 1.0 / Math.Max(Math.Sqrt(Dot(g, g)), 1e-12);
            for (int i = 0; i < n; i++)
            {
                direction[i] *= gamma;
            }

            for (int k = 0; k < s.Count; k++)
            {
                double beta = rho[k] * Dot(y[k], direction);
                Axpy(alpha[k] - beta, s[k], direction);
            }

            for (int i = 0; i < n; i++)
            {
                direction[i] = -direction[i];
            }

            double slope = Dot(g, direction);
            if (slope >= 0)
            {
                // Not a descent direction: restart from steepest descent.
                s.Clear();
                y.Clear();
                rho.Clear();
                for (int i = 0; i < n; i++)
                {
                    direction[i] = -g[i];
                }

                slope = -Dot(g, g);
            }

            double step = 1.0, fNew;
            while (true)
            {
                for (int i = 0; i < n; i++)
                {
                    xNew[i] = x[i] + (step * direction[i]);
                }

                fNew = objective(xNew, gNew);
                if (fNew <= f + (1e-4 * step * slope) || step < 1e-10)
                {
                    break;
                }

                step *= 0.5;
            }

            var sk = new double[n];
            var yk = new double[n];
            for (int i = 0; i < n; i++)
            {
                sk[i] = xNew[i] - x[i];
                yk[i] = gNew[i] - g[i];
            }

            double sy = Dot(sk, yk);
            if (sy > 1e-12)
            {
                if (s.Count == memory)
                {
                    s.RemoveAt(0);
                    y.RemoveAt(0);
                    rho.RemoveAt(0);
                }

                s.Add(sk);
                y.Add(yk);
                rho.Add(1.0 / sy);
            }

            Array.Copy(xNew, x, n);
            Array.Copy(gNew, g, n);
            f = fNew;
            if (log is not null && iteration % 25 == 0)
            {
                log.WriteLine($"  iteration {iteration,4}: objective {f:F6}");
            }

            history.Enqueue(f);
            if (history.Count > 5)
            {
                double old = history.Dequeue();
                if (old - f < tolerance * Math.Max(1.0, Math.Abs(f)))
                {
                    break;
                }
            }
        }

        return f;
    }

    private static double Dot(double[] a, double[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    private static void Axpy(double a, double[] x, double[] y)
    {
        for (int i = 0; i < x.Length; i++)
        {
            y[i] += a * x[i];
        }
    }
}
