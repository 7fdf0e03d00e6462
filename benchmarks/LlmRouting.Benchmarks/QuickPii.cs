using System.Diagnostics;

namespace LlmRouting.Benchmarks;

/// <summary>
/// <c>--quick-pii</c>: a quick in-process check of the PII scanning speed (no BenchmarkDotNet). Prints, for the prompts of
/// <see cref="PiiDetectionBenchmarks"/>, the wall-clock time and the thread's CPU time per scan; with <c>--breakdown</c> also
/// the CPU time of each detector of the default set on a shared <see cref="TextProfile"/>, and of computing the profile.
/// </summary>
internal static class QuickPii
{
    private const int Warmup = 3_000;
    private const int Iterations = 5_000;

    /// <summary>Runs the check; <paramref name="breakdown"/> adds the per-detector table.</summary>
    public static void Run(bool breakdown)
    {
        var bench = new PiiDetectionBenchmarks();
        bench.Setup();
        var runs = new (string Name, Func<int> Run)[] { ("clean", bench.DefaultClean1KB), ("dense", bench.DefaultDense1KB), ("names-clean", bench.WithNamesClean1KB), ("names-dense", bench.WithNamesDense1KB) };

        // Everything is warmed up before the first measurement: measured first, a scan would still run partly on code that
        // tiered compilation has not yet optimised (seen as 2x on the clean prompt).
        foreach ((_, Func<int> run) in runs)
        {
            for (int i = 0; i < Warmup; i++)
            {
                run();
            }
        }

        foreach ((string name, Func<int> run) in runs)
        {
            (double ns, double cpuNs) = Measure(() => run());
            Console.WriteLine($"{name,-12} wall {ns,8:0} ns/KB {1024 / ns * 1000,7:0.0} MB/s   cpu {cpuNs,8:0} ns/KB {1024 / cpuNs * 1000,7:0.0} MB/s  matches={run()}");
        }

        if (!breakdown)
        {
            return;
        }

        // Each detector of the default set on a profile computed once, as CompositePiiDetector runs them (CPU ns per scan).
        var composite = (CompositePiiDetector)PiiDetectors.Create((PiiDetectorOptions?)null);
        var matches = new List<PiiMatch>(64);
        string[] texts = [PiiDetectionBenchmarks.CleanPrompt, PiiDetectionBenchmarks.DensePrompt];
        Console.WriteLine($"{"cpu ns per scan",-28} {"clean",8} {"dense",8}");
        Console.WriteLine($"{"TextProfile.Of",-28} {string.Join(" ", texts.Select(t => $"{Measure(() => { using TextProfile p = TextProfile.Of(t); }).CpuNs,8:0}"))}");
        foreach (IPiiDetector detector in composite.Detectors)
        {
            string cells = string.Join(" ", texts.Select(t =>
            {
                using TextProfile profile = TextProfile.Of(t);
                TextProfile shared = profile;
                return $"{Measure(() => { matches.Clear(); Scan(detector, t, matches, shared); }).CpuNs,8:0}";
            }));
            Console.WriteLine($"{detector.GetType().Name,-28} {cells}");
        }

        // Resolving the overlaps of all detectors' matches (with the copy of the unresolved matches it works on).
        string resolveCells = string.Join(" ", texts.Select(t =>
        {
            var unresolved = new List<PiiMatch>();
            using (TextProfile profile = TextProfile.Of(t))
            {
                foreach (IPiiDetector detector in composite.Detectors)
                {
                    Scan(detector, t, unresolved, profile);
                }
            }

            return $"{Measure(() => { matches.Clear(); matches.AddRange(unresolved); CompositePiiDetector.Resolve(matches, 0); }).CpuNs,8:0}";
        }));
        Console.WriteLine($"{"Resolve (+ copy)",-28} {resolveCells}");
    }

    /// <summary>
    /// <c>--loop-pii clean|dense [seconds]</c>: scans one prompt with the default detectors over and over for a while, for a
    /// sampling profiler to attach to (see benchmarks/README.md, "Profiling the PII scan"); prints the scans per second.
    /// </summary>
    public static void Loop(string prompt, TimeSpan duration)
    {
        string text = prompt switch
        {
            "clean" => PiiDetectionBenchmarks.CleanPrompt,
            "dense" => PiiDetectionBenchmarks.DensePrompt,
            _ => throw new ArgumentException($"--loop-pii: unknown prompt '{prompt}' (clean or dense).", nameof(prompt)),
        };
        IPiiDetector detector = PiiDetectors.Create((PiiDetectorOptions?)null);
        var matches = new List<PiiMatch>(64);
        var stopwatch = Stopwatch.StartNew();
        long scans = 0;
        while (stopwatch.Elapsed < duration)
        {
            for (int i = 0; i < 1_000; i++)
            {
                matches.Clear();
                detector.Detect(text, matches);
            }

            scans += 1_000;
        }

        Console.WriteLine($"{scans / stopwatch.Elapsed.TotalSeconds:0} scans/s ({stopwatch.Elapsed.TotalSeconds * 1e9 / scans:0} ns per scan, wall clock)");
    }

    private static void Scan(IPiiDetector detector, string text, List<PiiMatch> matches, in TextProfile profile)
    {
        if (detector is IProfiledPiiDetector profiled)
        {
            profiled.Detect(text, matches, profile);
        }
        else
        {
            detector.Detect(text, matches);
        }
    }

    /// <summary>
    /// Wall-clock and thread CPU time per call, best of five rounds after warm-up: on a machine shared with other work the CPU
    /// time is the better estimate of what a call costs on an idle core. A pause first lets tiered compilation finish.
    /// </summary>
    private static (double WallNs, double CpuNs) Measure(Action run)
    {
        for (int i = 0; i < Warmup; i++)
        {
            run();
        }

        Thread.Sleep(1_000);
        double ns = double.MaxValue, cpuNs = double.MaxValue;
        for (int round = 0; round < 5; round++)
        {
            double cpu0 = ThreadCpuTime.Nanoseconds();
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < Iterations; i++)
            {
                run();
            }

            ns = Math.Min(ns, sw.Elapsed.TotalMilliseconds * 1e6 / Iterations);
            cpuNs = Math.Min(cpuNs, (ThreadCpuTime.Nanoseconds() - cpu0) / Iterations);
        }

        return (ns, cpuNs);
    }
}
