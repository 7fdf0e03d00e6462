using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(LlmRouting.Benchmarks.ChainOverheadBenchmarks).Assembly).Run(args);
