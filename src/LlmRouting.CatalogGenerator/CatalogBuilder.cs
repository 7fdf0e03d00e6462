using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;

namespace LlmRouting.CatalogGenerator;

/// <summary>The generated catalog and what the generator did to produce it.</summary>
/// <param name="Document">The catalog document, models sorted by provider then model id.</param>
/// <param name="Report">Counts and crosswalk results.</param>
internal sealed record CatalogBuildResult(CatalogDocument Document, CatalogBuildReport Report);

/// <summary>What the generator read, kept and joined.</summary>
internal sealed class CatalogBuildReport
{
    /// <summary>Gets or sets the number of LiteLLM chat entries read.</summary>
    public int ChatEntries { get; set; }

    /// <summary>Gets the LiteLLM keys dropped because an earlier entry had the same provider and model id.</summary>
    public List<string> Duplicates { get; } = [];

    /// <summary>Gets or sets the number of Artificial Analysis entries with data.</summary>
    public int ArtificialAnalysisEntries { get; set; }

    /// <summary>Gets or sets the number of OpenRouter entries with Artificial Analysis indices.</summary>
    public int OpenRouterEntries { get; set; }

    /// <summary>Gets the catalog keys joined to Artificial Analysis, with the slug and how it matched.</summary>
    public SortedDictionary<string, string> ArtificialAnalysisMatches { get; } = new(StringComparer.Ordinal);

    /// <summary>Gets the catalog keys joined to OpenRouter's indices, with the id and how it matched.</summary>
    public SortedDictionary<string, string> OpenRouterMatches { get; } = new(StringComparer.Ordinal);

    /// <summary>Gets the catalog keys left without a match because several feed entries fitted equally well.</summary>
    public SortedDictionary<string, string> Ambiguous { get; } = new(StringComparer.Ordinal);

    /// <summary>Gets the Artificial Analysis slugs joined to at least one catalog model.</summary>
    public SortedSet<string> ArtificialAnalysisSlugsUsed { get; } = new(StringComparer.Ordinal);

    /// <summary>Gets the OpenRouter ids joined to at least one catalog model.</summary>
    public SortedSet<string> OpenRouterIdsUsed { get; } = new(StringComparer.Ordinal);
}

/// <summary>Builds the embedded model catalog from the feeds in a sources directory.</summary>
internal static partial class CatalogBuilder
{
    /// <summary>Builds the catalog from the four feed files in <paramref name="sourceDirectory"/>.</summary>
    /// <param name="sourceDirectory">The directory holding the feeds (and optionally a README naming the snapshot date).</param>
    /// <returns>The catalog and the report.</returns>
    /// <exception cref="FileNotFoundException">A feed is missing.</exception>
    /// <exception cref="JsonException">A feed is malformed.</exception>
    public static CatalogBuildResult Build(string sourceDirectory)
    {
        ArgumentNullException.ThrowIfNull(sourceDirectory);
        byte[] Read(string name) => File.ReadAllBytes(Path.Combine(sourceDirectory, name));
        string readme = Path.Combine(sourceDirectory, "README.md");
        string? snapshotDate = File.Exists(readme) ? SnapshotDateOf(File.ReadAllText(readme)) : null;
        return Build(
            Read(LiteLlmFeed.FileName),
            Read(BenchmarkFeeds.ArtificialAnalysisFileName),
            Read(BenchmarkFeeds.OpenRouterFileName),
            Read(BenchmarkFeeds.BenchmarkScoresFileName),
            snapshotDate);
    }

    /// <summary>Builds the catalog from the feeds' contents.</summary>
    /// <param name="liteLlm">LiteLLM's <c>model_prices_and_context_window.json</c>.</param>
    /// <param name="artificialAnalysis"><c>aa_models.json</c>.</param>
    /// <param name="openRouter"><c>openrouter_models.json</c>.</param>
    /// <param name="benchmarkScores"><c>benchmark_scores.json</c>.</param>
    /// <param name="snapshotDate">The date the feeds were collected, if known.</param>
    /// <returns>The catalog and the report.</returns>
    public static CatalogBuildResult Build(ReadOnlyMemory<byte> liteLlm, ReadOnlyMemory<byte> artificialAnalysis, ReadOnlyMemory<byte> openRouter, ReadOnlyMemory<byte> benchmarkScores, string? snapshotDate)
    {
        var report = new CatalogBuildReport();
        List<LiteLlmModel> chat = LiteLlmFeed.Read(liteLlm);
        report.ChatEntries = chat.Count;

        // De-duplicate by provider/modelId: the first entry wins unless only a later one has prices.
        var byKey = new Dictionary<string, ModelInfo>(StringComparer.OrdinalIgnoreCase);
        foreach (LiteLlmModel entry in chat)
        {
            if (byKey.TryGetValue(entry.Model.Key, out ModelInfo? existing))
            {
                if (!existing.Pricing.IsKnown && entry.Model.Pricing.IsKnown)
                {
                    byKey[entry.Model.Key] = entry.Model;
                }

                report.Duplicates.Add(entry.SourceKey);
                continue;
            }

            byKey.Add(entry.Model.Key, entry.Model);
        }

        var artificialAnalysisIndex = new BenchmarkIndex(BenchmarkFeeds.ReadArtificialAnalysis(artificialAnalysis), BenchmarkFeeds.ArtificialAnalysisAliases);
        var openRouterIndex = new BenchmarkIndex(BenchmarkFeeds.ReadOpenRouterIndices(openRouter, benchmarkScores));
        report.ArtificialAnalysisEntries = artificialAnalysisIndex.Count;
        report.OpenRouterEntries = openRouterIndex.Count;

        List<ModelInfo> models = byKey.Values
            .OrderBy(m => m.Provider, StringComparer.OrdinalIgnoreCase).ThenBy(m => m.Provider, StringComparer.Ordinal)
            .ThenBy(m => m.ModelId, StringComparer.OrdinalIgnoreCase).ThenBy(m => m.ModelId, StringComparer.Ordinal)
            .ToList();
        foreach (ModelInfo model in models)
        {
            CrosswalkMatch fromArtificialAnalysis = artificialAnalysisIndex.Find(model.ModelId);
            CrosswalkMatch fromOpenRouter = openRouterIndex.Find(model.ModelId);
            model.Priors = ToPriors(fromArtificialAnalysis.Entry, fromOpenRouter.Entry);
            Record(report, model.Key, fromArtificialAnalysis, report.ArtificialAnalysisMatches, report.ArtificialAnalysisSlugsUsed, "aa");
            Record(report, model.Key, fromOpenRouter, report.OpenRouterMatches, report.OpenRouterIdsUsed, "openrouter");
        }

        var document = new CatalogDocument
        {
            GeneratedFrom = string.Create(
                CultureInfo.InvariantCulture,
                $"{LiteLlmFeed.FileName} (LiteLLM: prices, limits, capabilities, regions), {BenchmarkFeeds.ArtificialAnalysisFileName} (Artificial Analysis: speed, time to first token, intelligence and coding indices), {BenchmarkFeeds.OpenRouterFileName} and {BenchmarkFeeds.BenchmarkScoresFileName} (OpenRouter: indices Artificial Analysis lacks); catalog-sources snapshot of {snapshotDate ?? "unknown date"}"),
            Models = models,
        };
        return new CatalogBuildResult(document, report);
    }

    /// <summary>
    /// Serializes a catalog document as indented, deterministic JSON in the format <see cref="ModelCatalog.Load"/> reads:
    /// LlmRouting's own JSON contract, with <c>\n</c> line ends and empty region lists left out.
    /// </summary>
    /// <param name="document">The document.</param>
    /// <returns>The JSON text, ending with a newline.</returns>
    public static string Serialize(CatalogDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var options = new JsonSerializerOptions(LlmRoutingJsonContext.Default.Options)
        {
            WriteIndented = true,
            IndentSize = 2,
            NewLine = "\n",
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            TypeInfoResolver = LlmRoutingJsonContext.Default.WithAddedModifier(OmitEmptyRegions),
        };
        var typeInfo = (JsonTypeInfo<CatalogDocument>)options.GetTypeInfo(typeof(CatalogDocument));
        return JsonSerializer.Serialize(document, typeInfo) + "\n";
    }

    private static void OmitEmptyRegions(JsonTypeInfo typeInfo)
    {
        if (typeInfo.Type != typeof(ModelInfo))
        {
            return;
        }

        foreach (JsonPropertyInfo property in typeInfo.Properties)
        {
            if (property.Name == "regions")
            {
                property.ShouldSerialize = static (_, value) => value is ICollection<string> { Count: > 0 };
            }
        }
    }

    /// <summary>Finds the snapshot date in the sources README (<c>snapshot of 2026-08-06</c>).</summary>
    /// <param name="readme">The README text.</param>
    /// <returns>The date, or <see langword="null"/>.</returns>
    internal static string? SnapshotDateOf(string readme)
    {
        Match match = SnapshotDate().Match(readme);
        return match.Success ? match.Groups[1].Value : null;
    }

    /// <summary>
    /// Combines the two feeds: Artificial Analysis' own feed is primary for every figure (it is the only one with speed and TTFT);
    /// OpenRouter's copy of the Artificial Analysis indices fills an index the primary feed lacks.
    /// </summary>
    internal static ModelPriors? ToPriors(BenchmarkEntry? artificialAnalysis, BenchmarkEntry? openRouter)
    {
        var priors = new ModelPriors
        {
            IntelligenceIndex = artificialAnalysis?.IntelligenceIndex ?? openRouter?.IntelligenceIndex,
            CodingIndex = artificialAnalysis?.CodingIndex ?? openRouter?.CodingIndex,
            OutputTokensPerSecond = artificialAnalysis?.OutputTokensPerSecond,
            TimeToFirstTokenSeconds = artificialAnalysis?.TimeToFirstTokenSeconds,
        };
        return priors.IntelligenceIndex is null && priors.CodingIndex is null && priors.OutputTokensPerSecond is null && priors.TimeToFirstTokenSeconds is null
            ? null
            : priors;
    }

    private static void Record(CatalogBuildReport report, string key, CrosswalkMatch match, SortedDictionary<string, string> matches, SortedSet<string> used, string feed)
    {
        if (match.Entry is { } entry)
        {
            matches[key] = $"{entry.SourceId} ({match.Level})";
            used.Add(entry.SourceId);
        }
        else if (match.Ambiguous.Count > 0)
        {
            report.Ambiguous[$"{key} [{feed}]"] = string.Join(", ", match.Ambiguous);
        }
    }

    [GeneratedRegex(@"snapshot of (\d{4}-\d{2}-\d{2})", RegexOptions.CultureInvariant)]
    private static partial Regex SnapshotDate();
}
