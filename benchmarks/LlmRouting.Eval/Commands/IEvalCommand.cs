namespace LlmRouting.Eval.Commands;

/// <summary>
/// One subcommand of the evaluation tool (<c>dotnet run --project benchmarks/LlmRouting.Eval -- &lt;name&gt; [args]</c>).
/// To add a subcommand, add one file to <c>Commands/</c> with a non-abstract class implementing this interface and a
/// parameterless constructor; <see cref="Program"/> discovers it. By convention a command prints its result as one JSON object
/// on its last line of standard output, so scripts can read it with <c>tail -n 1</c>.
/// </summary>
internal interface IEvalCommand
{
    /// <summary>Gets the name used on the command line, e.g. <c>catalog</c>.</summary>
    string Name { get; }

    /// <summary>Gets a one-line description for the usage text.</summary>
    string Description { get; }

    /// <summary>Runs the command.</summary>
    /// <param name="args">The arguments after the command name.</param>
    /// <param name="output">Standard output.</param>
    /// <param name="error">Standard error.</param>
    /// <param name="cancellationToken">Cancelled on Ctrl+C.</param>
    /// <returns>The process exit code: 0 on success, 2 for bad arguments, 1 for other failures.</returns>
    Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error, CancellationToken cancellationToken);
}
