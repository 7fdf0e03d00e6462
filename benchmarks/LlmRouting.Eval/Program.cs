using LlmRouting.Eval.Commands;

namespace LlmRouting.Eval;

/// <summary>Entry point: dispatches to the <see cref="IEvalCommand"/> named by the first argument.</summary>
internal static class Program
{
    /// <summary>The exit code for an unknown subcommand or bad arguments.</summary>
    internal const int UsageExitCode = 2;

    private static async Task<int> Main(string[] args)
    {
        using var cancellation = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancellation.Cancel();
        };

        return await RunAsync(args, Console.Out, Console.Error, cancellation.Token).ConfigureAwait(false);
    }

    /// <summary>Runs the subcommand named by <paramref name="args"/>[0], or prints usage to <paramref name="error"/> and returns 2.</summary>
    /// <param name="args">The command line.</param>
    /// <param name="output">Standard output.</param>
    /// <param name="error">Standard error.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The exit code.</returns>
    internal static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        IReadOnlyDictionary<string, IEvalCommand> commands = DiscoverCommands();
        if (args.Length == 0 || !commands.TryGetValue(args[0], out IEvalCommand? command))
        {
            if (args.Length > 0 && args[0] is not ("help" or "--help" or "-h"))
            {
                await error.WriteLineAsync($"unknown subcommand '{args[0]}'").ConfigureAwait(false);
            }

            await error.WriteAsync(Usage(commands.Values)).ConfigureAwait(false);
            return UsageExitCode;
        }

        return await command.RunAsync(args[1..], output, error, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Finds every <see cref="IEvalCommand"/> in this assembly, keyed by name.</summary>
    internal static IReadOnlyDictionary<string, IEvalCommand> DiscoverCommands() =>
        typeof(Program).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IEvalCommand).IsAssignableFrom(t) && t.GetConstructor(Type.EmptyTypes) is not null)
            .Select(t => (IEvalCommand)Activator.CreateInstance(t)!)
            .ToDictionary(c => c.Name, StringComparer.OrdinalIgnoreCase);

    private static string Usage(IEnumerable<IEvalCommand> commands)
    {
        var lines = new List<string> { "usage: dotnet run --project benchmarks/LlmRouting.Eval -- <subcommand> [args]", "subcommands:" };
        lines.AddRange(commands.OrderBy(c => c.Name, StringComparer.Ordinal).Select(c => $"  {c.Name,-12} {c.Description}"));
        return string.Join('\n', lines) + "\n";
    }
}
