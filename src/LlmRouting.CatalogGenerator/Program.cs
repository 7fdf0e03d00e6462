using System.Globalization;
using System.Text;
using System.Text.Json;

namespace LlmRouting.CatalogGenerator;

/// <summary>
/// Regenerates LlmRouting's embedded model catalog. From the repository root:
/// <c>dotnet run --project src/LlmRouting.CatalogGenerator -- [sources-dir] [output-file] [--verbose]</c>;
/// the sources default to <c>../shared/reference/catalog-sources</c> and the output to <c>src/LlmRouting/Catalog/models.json</c>,
/// both relative to the repository root.
/// </summary>
internal static class Program
{
    private const string SolutionFile = "LlmRouting.sln";
    private const string DefaultSources = "../shared/reference/catalog-sources";
    private const string DefaultOutput = "src/LlmRouting/Catalog/models.json";

    // Model families whose crosswalk coverage is reported, matched against the bare model name.
    private static readonly string[] s_wellKnownFamilies = ["gpt", "o1", "o3", "o4", "claude", "gemini", "mistral", "deepseek", "llama", "qwen", "grok"];

    private static int Main(string[] args)
    {
        bool verbose = args.Contains("--verbose", StringComparer.Ordinal);
        string[] positional = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
        if (positional.Length > 2 || args.Any(a => a.StartsWith('-') && a != "--verbose"))
        {
            Console.Error.WriteLine("usage: LlmRouting.CatalogGenerator [sources-dir] [output-file] [--verbose]");
            Console.Error.WriteLine($"  defaults, relative to the repository root: {DefaultSources} {DefaultOutput}");
            return 2;
        }

        string root = FindRepositoryRoot() ?? Directory.GetCurrentDirectory();
        string sources = positional.Length > 0 ? Path.GetFullPath(positional[0]) : Path.GetFullPath(Path.Combine(root, DefaultSources));
        string output = positional.Length > 1 ? Path.GetFullPath(positional[1]) : Path.GetFullPath(Path.Combine(root, DefaultOutput));

        CatalogBuildResult result;
        try
        {
            result = CatalogBuilder.Build(sources);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            Console.Error.WriteLine($"error: cannot read the catalog sources in {sources}: {ex.Message}");
            return 1;
        }

        string json = CatalogBuilder.Serialize(result.Document);
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        File.WriteAllText(output, json, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        Console.Write(Summarize(result, output, verbose));
        return 0;
    }

    /// <summary>Describes what was generated: counts, crosswalk coverage and, for the well-known families, what did not match.</summary>
    internal static string Summarize(CatalogBuildResult result, string output, bool verbose)
    {
        List<ModelInfo> models = result.Document.Models;
        CatalogBuildReport report = result.Report;
        var text = new StringBuilder();
        void Line(string line) => text.Append(line).Append('\n');

        Line($"wrote {output}");
        Line($"chat entries read: {report.ChatEntries}; duplicates dropped: {report.Duplicates.Count}");
        Line($"models: {models.Count}; providers: {models.Select(m => m.Provider).Distinct(StringComparer.OrdinalIgnoreCase).Count()}");
        Line($"with prices: {models.Count(m => m.Pricing.IsKnown)}; with priors: {models.Count(m => m.Priors is not null)}");
        Line($"artificial analysis: {report.ArtificialAnalysisMatches.Count} models joined to {report.ArtificialAnalysisSlugsUsed.Count} of {report.ArtificialAnalysisEntries} slugs; "
            + string.Join(", ", CountByLevel(report.ArtificialAnalysisMatches)));
        Line($"openrouter indices: {report.OpenRouterMatches.Count} models joined to {report.OpenRouterIdsUsed.Count} of {report.OpenRouterEntries} ids; "
            + string.Join(", ", CountByLevel(report.OpenRouterMatches)));
        Line($"left unmatched as ambiguous: {report.Ambiguous.Count}");

        Line("well-known families (models with priors / models; bare names without priors):");
        foreach (string family in s_wellKnownFamilies)
        {
            List<ModelInfo> members = models.Where(m => FamilyOf(m.ModelId) == family).ToList();
            List<string> missing = members.Where(m => m.Priors is null)
                .Select(m => ModelNames.WithoutSnapshot(m.ModelId))
                .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            string shown = verbose || missing.Count <= 15 ? string.Join(' ', missing) : string.Join(' ', missing.Take(15)) + $" ... (+{missing.Count - 15}, --verbose lists all)";
            Line(string.Create(CultureInfo.InvariantCulture, $"  {family}: {members.Count(m => m.Priors is not null)}/{members.Count}; {shown}"));
        }

        if (verbose)
        {
            Line("artificial analysis matches:");
            foreach ((string key, string match) in report.ArtificialAnalysisMatches)
            {
                Line($"  {key} -> {match}");
            }

            Line("openrouter matches:");
            foreach ((string key, string match) in report.OpenRouterMatches)
            {
                Line($"  {key} -> {match}");
            }

            Line("ambiguous:");
            foreach ((string key, string candidates) in report.Ambiguous)
            {
                Line($"  {key}: {candidates}");
            }
        }

        return text.ToString();
    }

    /// <summary>Returns the well-known family of a model id (<c>gpt</c>, <c>claude</c>, ...), or <see langword="null"/>.</summary>
    internal static string? FamilyOf(string modelId)
    {
        string name = ModelNames.Normalize(modelId);
        return s_wellKnownFamilies.FirstOrDefault(f =>
            name.StartsWith(f, StringComparison.Ordinal)
            && (name.Length == f.Length || !char.IsAsciiLetter(name[f.Length])));
    }

    private static IEnumerable<string> CountByLevel(SortedDictionary<string, string> matches) =>
        matches.Values
            .Select(v => v[(v.LastIndexOf('(') + 1)..^1])
            .GroupBy(level => level, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Key} {g.Count()}"));

    private static string? FindRepositoryRoot()
    {
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (DirectoryInfo? dir = new(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, SolutionFile)))
                {
                    return dir.FullName;
                }
            }
        }

        return null;
    }
}
