using System.Diagnostics;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

if (args.Length > 0 && args[0] == "--quick-pii")
{
    // A quick in-process check of the PII scanning speed (no BenchmarkDotNet): MB/s for the clean and dense prompts.
    var bench = new LlmRouting.Benchmarks.PiiDetectionBenchmarks();
    bench.Setup();
    foreach ((string name, Func<int> run) in new (string, Func<int>)[] { ("clean", bench.DefaultClean1KB), ("dense", bench.DefaultDense1KB), ("names-clean", bench.WithNamesClean1KB), ("names-dense", bench.WithNamesDense1KB) })
    {
        for (int i = 0; i < 3_000; i++)
        {
            run();
        }

        // Wall-clock time, and the thread's CPU time (best of five rounds): on a machine shared with other work the CPU time is
        // the better estimate of what a scan costs on an idle core. A pause first lets tiered compilation finish in the background.
        Thread.Sleep(500);
        const int N = 5_000;
        double ns = double.MaxValue, cpuNs = double.MaxValue;
        for (int round = 0; round < 5; round++)
        {
            double cpu0 = LlmRouting.Benchmarks.ThreadCpuTime.Nanoseconds();
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < N; i++)
            {
                run();
            }

            ns = Math.Min(ns, sw.Elapsed.TotalMilliseconds * 1e6 / N);
            cpuNs = Math.Min(cpuNs, (LlmRouting.Benchmarks.ThreadCpuTime.Nanoseconds() - cpu0) / N);
        }

        Console.WriteLine($"{name,-12} wall {ns,8:0} ns/KB {1024 / ns * 1000,7:0.0} MB/s   cpu {cpuNs,8:0} ns/KB {1024 / cpuNs * 1000,7:0.0} MB/s  matches={run()}");
    }

    foreach (string type in LlmRouting.PiiDetectors.DefaultEntityTypes)
    {
        LlmRouting.IPiiDetector d = LlmRouting.PiiDetectors.Create(type);
        var list = new List<LlmRouting.PiiMatch>();
        foreach (string text in new[] { LlmRouting.Benchmarks.PiiDetectionBenchmarks.CleanPrompt, LlmRouting.Benchmarks.PiiDetectionBenchmarks.DensePrompt })
        {
            for (int i = 0; i < 2000; i++)
            {
                list.Clear();
                d.Detect(text, list);
            }

            var sw = Stopwatch.StartNew();
            for (int i = 0; i < 10_000; i++)
            {
                list.Clear();
                d.Detect(text, list);
            }

            Console.Write($"{type,-18} {sw.Elapsed.TotalMilliseconds * 1e6 / 10_000,10:0} ns   ");
        }

        Console.WriteLine();
    }

    return;
}

// The generated benchmark project is built out of process; on a busy 2-core machine that takes longer than the default 2 minutes.
BenchmarkSwitcher.FromAssembly(typeof(LlmRouting.Benchmarks.ChainOverheadBenchmarks).Assembly)
    .Run(args, ManualConfig.Create(DefaultConfig.Instance).WithBuildTimeout(TimeSpan.FromMinutes(10)));
