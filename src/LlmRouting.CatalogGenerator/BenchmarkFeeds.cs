using System.Text.Json;

namespace LlmRouting.CatalogGenerator;

/// <summary>Reads the quality and speed feeds: Artificial Analysis, OpenRouter's model listing and benchmark scores.</summary>
internal static class BenchmarkFeeds
{
    /// <summary>The Artificial Analysis feed: model slug to speed, TTFT, intelligence and coding index.</summary>
    public const string ArtificialAnalysisFileName = "aa_models.json";

    /// <summary>OpenRouter's model listing, with Artificial Analysis indices per model.</summary>
    public const string OpenRouterFileName = "openrouter_models.json";

    /// <summary>Artificial Analysis indices by OpenRouter model id.</summary>
    public const string BenchmarkScoresFileName = "benchmark_scores.json";

    /// <summary>
    /// Names other feeds use for Artificial Analysis slugs that no normalisation bridges. Artificial Analysis writes version 3.5 as
    /// <c>35</c> in older slugs, names the June 2024 Claude 3.5 Sonnet snapshot by month, and drops <c>-preview</c> from models
    /// that were only ever released as previews. Some ids name one release unambiguously without the slug's words: Llama 3.3 was only
    /// released as 70B Instruct, Llama 4 Maverick and Scout only as 17B-128E and 17B-16E Instruct, Mistral Small 3, 3.1 and 3.2 only as
    /// 24B (API ids <c>-2501</c>, <c>-2503</c>, <c>-2506</c>), Mistral Medium 3 and 3.1 are <c>mistral-medium-2505</c> and <c>-2508</c>,
    /// Devstral Medium and the July 2025 Devstral Small are <c>-2507</c>, <c>gemini-2.0-flash-lite</c> is the stable alias of
    /// <c>gemini-2.0-flash-lite-001</c>, and the ChatGPT models are served as <c>chatgpt-4o-latest</c> and <c>gpt-5-chat-latest</c>.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string[]> ArtificialAnalysisAliases = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["claude-35-sonnet"] = ["claude-3-5-sonnet"],
        ["claude-35-sonnet-june-24"] = ["claude-3-5-sonnet-20240620"],
        ["claude-21"] = ["claude-2-1", "claude-v2-1"],
        ["gpt-35-turbo"] = ["gpt-3-5-turbo"],
        ["gpt-4-5"] = ["gpt-4-5-preview"],
        ["gemini-3-pro"] = ["gemini-3-pro-preview"],
        ["gemini-3-flash"] = ["gemini-3-flash-preview"],
        ["llama-3-3-instruct-70b"] = ["llama-3-3-70b"],
        ["llama-4-maverick"] = ["llama-4-maverick-17b-128e-instruct", "llama-4-maverick-17b-instruct"],
        ["llama-4-scout"] = ["llama-4-scout-17b-16e-instruct", "llama-4-scout-17b-instruct"],
        ["gemini-2-0-flash-lite-001"] = ["gemini-2-0-flash-lite"],
        ["mistral-small-3"] = ["mistral-small-2501", "mistral-small-24b-instruct-2501"],
        ["mistral-small-3-1"] = ["mistral-small-2503", "mistral-small-3-1-24b-instruct", "mistral-small-3-1-24b-instruct-2503"],
        ["mistral-small-3-2"] = ["mistral-small-2506", "mistral-small-3-2-2506", "mistral-small-3-2-24b-instruct", "mistral-small-3-2-24b-instruct-2506"],
        ["mistral-medium-3"] = ["mistral-medium-2505"],
        ["mistral-medium-3-1"] = ["mistral-medium-2508", "mistral-medium-3-1-2508"],
        ["devstral-medium"] = ["devstral-medium-2507"],
        ["devstral-small"] = ["devstral-small-2507"],
        ["gpt-4o-chatgpt"] = ["chatgpt-4o-latest"],
        ["gpt-5-chatgpt"] = ["gpt-5-chat-latest"],
    };

    /// <summary>Reads the Artificial Analysis feed. A speed or TTFT of zero means "not measured" and becomes <see langword="null"/>.</summary>
    /// <param name="utf8Json">The feed's JSON: an object keyed by slug.</param>
    /// <returns>The entries, in file order.</returns>
    /// <exception cref="JsonException">The feed is not a JSON object.</exception>
    public static List<BenchmarkEntry> ReadArtificialAnalysis(ReadOnlyMemory<byte> utf8Json)
    {
        using JsonDocument document = JsonDocument.Parse(utf8Json);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException($"{ArtificialAnalysisFileName} must be a JSON object keyed by model.");
        }

        var entries = new List<BenchmarkEntry>();
        foreach (JsonProperty model in document.RootElement.EnumerateObject())
        {
            if (model.Value.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            entries.Add(new BenchmarkEntry(
                model.Name,
                GetDouble(model.Value, "intelligence"),
                GetDouble(model.Value, "coding"),
                Measured(GetDouble(model.Value, "speed")),
                Measured(GetDouble(model.Value, "ttft"))));
        }

        return entries;
    }

    /// <summary>
    /// Reads the Artificial Analysis indices keyed by OpenRouter model id: <c>benchmark_scores.json</c> first, then the
    /// <c>benchmarks.artificial_analysis</c> of OpenRouter's listing for ids the scores file lacks. Variants such as
    /// <c>:free</c> are dropped when the plain id is present.
    /// </summary>
    /// <param name="openRouterListing">OpenRouter's listing (<c>{"data":[...]}</c>).</param>
    /// <param name="benchmarkScores">The benchmark scores (an object keyed by OpenRouter id).</param>
    /// <returns>The entries, sorted by id.</returns>
    /// <exception cref="JsonException">A feed has an unexpected shape.</exception>
    public static List<BenchmarkEntry> ReadOpenRouterIndices(ReadOnlyMemory<byte> openRouterListing, ReadOnlyMemory<byte> benchmarkScores)
    {
        var byId = new Dictionary<string, BenchmarkEntry>(StringComparer.OrdinalIgnoreCase);
        using (JsonDocument scores = JsonDocument.Parse(benchmarkScores))
        {
            if (scores.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new JsonException($"{BenchmarkScoresFileName} must be a JSON object keyed by OpenRouter model id.");
            }

            foreach (JsonProperty model in scores.RootElement.EnumerateObject())
            {
                if (model.Value.ValueKind == JsonValueKind.Object)
                {
                    byId.TryAdd(model.Name, new BenchmarkEntry(model.Name, GetDouble(model.Value, "intelligence"), GetDouble(model.Value, "coding"), null, null));
                }
            }
        }

        using (JsonDocument listing = JsonDocument.Parse(openRouterListing))
        {
            if (listing.RootElement.ValueKind != JsonValueKind.Object
                || !listing.RootElement.TryGetProperty("data", out JsonElement data)
                || data.ValueKind != JsonValueKind.Array)
            {
                throw new JsonException($"{OpenRouterFileName} must be an object with a \"data\" array.");
            }

            foreach (JsonElement model in data.EnumerateArray())
            {
                if (model.ValueKind == JsonValueKind.Object
                    && model.TryGetProperty("id", out JsonElement id) && id.ValueKind == JsonValueKind.String
                    && model.TryGetProperty("benchmarks", out JsonElement benchmarks) && benchmarks.ValueKind == JsonValueKind.Object
                    && benchmarks.TryGetProperty("artificial_analysis", out JsonElement aa) && aa.ValueKind == JsonValueKind.Object
                    && id.GetString() is { Length: > 0 } modelId)
                {
                    byId.TryAdd(modelId, new BenchmarkEntry(modelId, GetDouble(aa, "intelligence_index"), GetDouble(aa, "coding_index"), null, null));
                }
            }
        }

        return byId.Values
            .Where(e => !IsVariantOfPresentId(e.SourceId, byId))
            .OrderBy(e => e.SourceId, StringComparer.Ordinal)
            .ToList();
    }

    private static bool IsVariantOfPresentId(string id, Dictionary<string, BenchmarkEntry> byId)
    {
        int colon = id.LastIndexOf(':');
        return colon > 0 && byId.ContainsKey(id[..colon]);
    }

    private static double? Measured(double? value) => value is > 0 ? value : null;

    private static double? GetDouble(JsonElement entry, string name) =>
        entry.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;
}
