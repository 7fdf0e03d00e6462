using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

if (args.Length > 1 && args[0] == "--loop-pii")
{
    LlmRouting.Benchmarks.QuickPii.Loop(args[1], TimeSpan.FromSeconds(args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 20));
    return;
}

if (args.Length > 0 && args[0] == "--quick-pii")
{
    LlmRouting.Benchmarks.QuickPii.Run(breakdown: args.Contains("--breakdown"));
    return;
}

// The generated benchmark project is built out of process; on a busy 2-core machine that takes longer than the default 2 minutes.
BenchmarkSwitcher.FromAssembly(typeof(LlmRouting.Benchmarks.ChainOverheadBenchmarks).Assembly)
    .Run(args, ManualConfig.Create(DefaultConfig.Instance).WithBuildTimeout(TimeSpan.FromMinutes(10)));
