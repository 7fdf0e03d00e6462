using System.Globalization;
using LlmRouting.Eval.Routing;

namespace LlmRouting.ComplexityTrainer;

/// <summary>
/// Trains the complexity model embedded in LlmRouting from routing data files (<c>*_dev.jsonl</c> only) and writes it, or
/// reports k-fold cross-validated routing figures on those files (<c>--cv</c>).
/// </summary>
internal static class Program
{
    private const string Usage = """
        usage: dotnet run -c Release --project src/LlmRouting.ComplexityTrainer -- [options] <data_dev.jsonl>...
          --out <path>        write the trained model (e.g. src/LlmRouting/Routing/Complexity/complexity-model.bin)
          --cv <k>            k-fold cross-validation on the given files instead of training one model
          --hash-bits <n>     hashed feature buckets = 2^n (default 18)
          --l2 <x>            L2 penalty on hashed weights (default 1e-4)
          --dense-l2 <x>      L2 penalty on dense weights (default 1e-5)
          --traits <k>        latent prompt traits besides difficulty and task families (default 2)
          --trait-hash-bits <n> trait buckets = 2^n (default 14)
          --trait-l2 <x>      L2 penalty on latent trait weights and loadings (default 1e-3)
          --no-families       no task-family traits (a classifier over the files' source benchmarks)
          --family-l2 <x>     L2 penalty on per-model task-family loadings (default 1e-4)
          --iterations <n>    L-BFGS iterations (default 300)
          --holdout <pct>     percent of prompts (fixed hash of id) left out of training (default 2)
          --holdout-out <dir> write the held-out prompts there, one <name>_heldout.jsonl per input file (test fixtures)
        Only files named *_dev.jsonl are accepted: the _test files are for reported figures alone.
        """;

    private static int Main(string[] args)
    {
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        var settings = new TrainerSettings();
        string? output = null;
        string? holdoutDirectory = null;
        int folds = 0;
        var inputs = new List<string>();
        try
        {
            for (int i = 0; i < args.Length; i++)
            {
                string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
                switch (args[i])
                {
                    case "--out": output = Next(); break;
                    case "--cv": folds = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--hash-bits": settings = settings with { HashBits = int.Parse(Next(), CultureInfo.InvariantCulture) }; break;
                    case "--l2": settings = settings with { L2 = double.Parse(Next(), CultureInfo.InvariantCulture) }; break;
                    case "--dense-l2": settings = settings with { DenseL2 = double.Parse(Next(), CultureInfo.InvariantCulture) }; break;
                    case "--traits": settings = settings with { Traits = int.Parse(Next(), CultureInfo.InvariantCulture) }; break;
                    case "--trait-hash-bits": settings = settings with { TraitHashBits = int.Parse(Next(), CultureInfo.InvariantCulture) }; break;
                    case "--trait-l2": settings = settings with { TraitL2 = double.Parse(Next(), CultureInfo.InvariantCulture) }; break;
                    case "--no-families": settings = settings with { Families = false }; break;
                    case "--family-l2": settings = settings with { FamilyL2 = double.Parse(Next(), CultureInfo.InvariantCulture) }; break;
                    case "--holdout": settings = settings with { HoldOutPercent = int.Parse(Next(), CultureInfo.InvariantCulture) }; break;
                    case "--holdout-out": holdoutDirectory = Next(); break;
                    case "--iterations": settings = settings with { Iterations = int.Parse(Next(), CultureInfo.InvariantCulture) }; break;
                    case "-h" or "--help": Console.Error.Write(Usage); return 2;
                    default:
                        if (args[i].StartsWith("--", StringComparison.Ordinal))
                        {
                            throw new ArgumentException($"unknown option {args[i]}");
                        }

                        inputs.Add(args[i]);
                        break;
                }
            }

            if (inputs.Count == 0 || (output is null && folds == 0))
            {
                throw new ArgumentException("give at least one data file and --out or --cv");
            }

            if (inputs.FirstOrDefault(p => !Path.GetFileName(p).EndsWith("_dev.jsonl", StringComparison.Ordinal)) is { } notDev)
            {
                throw new ArgumentException($"{notDev}: only *_dev.jsonl files may be used for training or tuning");
            }

            if (settings.HoldOutPercent is < 0 or > 50)
            {
                throw new ArgumentException("--holdout must be 0..50");
            }

            if (settings.HashBits is < 8 or > 24 || folds is 1 or < 0 || settings.Iterations < 1)
            {
                throw new ArgumentException("--hash-bits must be 8..24, --cv at least 2, --iterations positive");
            }
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException)
        {
            Console.Error.WriteLine(ex.Message);
            Console.Error.Write(Usage);
            return 2;
        }

        RoutingDataFile[] files = inputs.Select(RoutingDataFile.Load).ToArray();
        FeaturizedPrompts data = FeaturizedPrompts.Create(files, settings.HashBits);
        Console.WriteLine($"{data.Count} prompts from {string.Join(", ", files.Select(f => $"{Path.GetFileName(f.Path)} ({f.Prompts.Count} x {f.Models.Count} models)"))}; {data.Columns.Length} sparse entries");
        if (folds > 0)
        {
            CrossValidation.Run(files, data, settings, folds, Console.Out);
            return 0;
        }

        if (holdoutDirectory is not null)
        {
            HeldOutWriter.Write(files, settings.HoldOutPercent, holdoutDirectory, Console.Out);
        }

        ComplexityModel model = ModelBuilder.Build(files, data, settings, Console.Out);
        string? directory = Path.GetDirectoryName(Path.GetFullPath(output!));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        using (FileStream stream = File.Create(output!))
        {
            model.Save(stream);
        }

        Console.WriteLine($"wrote {output} ({new FileInfo(output!).Length} bytes)");
        return 0;
    }
}
