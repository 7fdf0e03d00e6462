using System.Text.Json;

namespace LlmRouting.Eval.Routing;

/// <summary>One prompt of a routing data file with every model's recorded quality and cost.</summary>
/// <param name="Id">The prompt id.</param>
/// <param name="Source">The source benchmark (e.g. <c>mmlu</c>).</param>
/// <param name="Prompt">The prompt text.</param>
/// <param name="Quality">Quality per model, in <see cref="RoutingDataFile.Models"/> order (0–1).</param>
/// <param name="CostUsd">Cost per model in US dollars, in <see cref="RoutingDataFile.Models"/> order.</param>
internal sealed record RoutingPrompt(string Id, string Source, string Prompt, double[] Quality, double[] CostUsd);

/// <summary>
/// A routing data file (JSON lines): <c>{"id", "source_benchmark", "prompt", "models": {"&lt;model&gt;": {"quality", "cost_usd", …}}}</c>.
/// Every line must list the same models.
/// </summary>
internal sealed class RoutingDataFile
{
    private RoutingDataFile(string path, string[] models, RoutingPrompt[] prompts)
    {
        Path = path;
        Models = models;
        Prompts = prompts;
    }

    /// <summary>Gets the file path.</summary>
    public string Path { get; }

    /// <summary>Gets the model names, in the order of the first line.</summary>
    public IReadOnlyList<string> Models { get; }

    /// <summary>Gets the prompts.</summary>
    public IReadOnlyList<RoutingPrompt> Prompts { get; }

    /// <summary>Gets the mean quality of always using model <paramref name="m"/>.</summary>
    /// <param name="m">The model index.</param>
    /// <returns>The mean quality.</returns>
    public double MeanQuality(int m) => Prompts.Average(p => p.Quality[m]);

    /// <summary>Gets the mean cost of always using model <paramref name="m"/>.</summary>
    /// <param name="m">The model index.</param>
    /// <returns>The mean cost in US dollars.</returns>
    public double MeanCost(int m) => Prompts.Average(p => p.CostUsd[m]);

    /// <summary>Reads a routing data file.</summary>
    /// <param name="path">The path.</param>
    /// <returns>The data.</returns>
    /// <exception cref="InvalidDataException">A line is malformed or lists other models than the first line.</exception>
    public static RoutingDataFile Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string[]? models = null;
        var prompts = new List<RoutingPrompt>();
        int lineNumber = 0;
        foreach (string line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            try
            {
                using var doc = JsonDocument.Parse(line);
                JsonElement root = doc.RootElement;
                string id = root.GetProperty("id").GetString() ?? throw new InvalidDataException("id is null");
                string source = root.TryGetProperty("source_benchmark", out JsonElement s) ? s.GetString() ?? string.Empty : string.Empty;
                string prompt = root.GetProperty("prompt").GetString() ?? throw new InvalidDataException("prompt is null");
                JsonElement byModel = root.GetProperty("models");
                models ??= byModel.EnumerateObject().Select(p => p.Name).ToArray();
                var quality = new double[models.Length];
                var cost = new double[models.Length];
                int seen = 0;
                foreach (JsonProperty model in byModel.EnumerateObject())
                {
                    int m = Array.IndexOf(models, model.Name);
                    if (m < 0)
                    {
                        throw new InvalidDataException($"model '{model.Name}' is not on the first line");
                    }

                    quality[m] = model.Value.GetProperty("quality").GetDouble();
                    cost[m] = model.Value.GetProperty("cost_usd").GetDouble();
                    if (quality[m] is < 0 or > 1 || cost[m] < 0 || !double.IsFinite(cost[m]))
                    {
                        throw new InvalidDataException($"model '{model.Name}' has quality {quality[m]} or cost {cost[m]} out of range");
                    }

                    seen++;
                }

                if (seen != models.Length)
                {
                    throw new InvalidDataException($"lists {seen} models, the first line {models.Length}");
                }

                prompts.Add(new RoutingPrompt(id, source, prompt, quality, cost));
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or InvalidDataException)
            {
                throw new InvalidDataException($"{path}:{lineNumber}: {ex.Message}", ex);
            }
        }

        if (models is null || prompts.Count == 0)
        {
            throw new InvalidDataException($"{path}: no prompts");
        }

        return new RoutingDataFile(path, models, [.. prompts]);
    }
}
