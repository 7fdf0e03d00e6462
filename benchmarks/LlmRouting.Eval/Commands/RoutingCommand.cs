using System.Globalization;
using System.Text;
using System.Text.Json;
using LlmRouting.Eval.Routing;
using LlmRouting.Testing;
using Microsoft.Extensions.AI;

namespace LlmRouting.Eval.Commands;

/// <summary>
/// <c>routing</c>: replays a routing data file (prompts × models × quality × cost) through the real router with the
/// <c>auto</c> policy (<see cref="ComplexityRoutingPolicy"/>) at a sweep of operating points and reports cost/quality
/// metrics against always-cheapest, always-best, random and oracle routing. Prints the sweep, then one JSON object.
/// </summary>
/// <remarks>
/// <para>Each model of the file becomes a deployment whose client answers with usage that prices to the file's cost for
/// that prompt (input tokens at the model's per-token price, which is the file's total cost over the router's own
/// token estimates; output is free because the files price the prompt only). The router sees the prompt alone; the
/// served deployment comes from the routing report, its quality and cost from the file.</para>
/// <para>Model quality: with <c>--calibration</c>, each model gets a <see cref="ModelQualityProfile"/> fitted on that file
/// (a <c>_dev</c> file; the matching one for a <c>_test</c> file); without it, the catalog's intelligence index where the
/// model is known. For a file with many models the router's choice is simply the top of the policy's ranking among all of
/// them: the maximum of <c>value × expected quality − estimated cost</c>.</para>
/// </remarks>
internal sealed class RoutingCommand : IEvalCommand
{
    private const string RowKey = "eval.row";
    private const string Usage = """
        usage: routing --data <file.jsonl> [--calibration <file_dev.jsonl> | --no-calibration] [--mode value|threshold|both] [--model <complexity-model.bin>] [--streaming]
          --data          the routing data file to replay (e.g. ../shared/data/routing/routellm_test.jsonl)
          --calibration   a _dev file with the same models: fits each model's quality profile (never the evaluated _test file);
                          by default the matching <name>_dev.jsonl next to a <name>_test.jsonl or <name>_dev.jsonl file
          --no-calibration  catalog priors only
          --mode          sweep QualityValueUsd (value, the default), MinimumExpectedQuality (threshold), or both
          --model         a complexity model file instead of the embedded one
          --streaming     replay with streaming requests
        """;

    /// <inheritdoc/>
    public string Name => "routing";

    /// <inheritdoc/>
    public string Description => "replay a routing data file through the auto policy; APGR and cost ratios (--data <file.jsonl>)";

    /// <inheritdoc/>
    public async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        string? dataPath = null, calibrationPath = null, modelPath = null, mode = "value";
        bool streaming = false, noCalibration = false;
        for (int i = 0; i < args.Count; i++)
        {
            string? Next() => i + 1 < args.Count ? args[++i] : null;
            switch (args[i])
            {
                case "--data": dataPath = Next(); break;
                case "--calibration": calibrationPath = Next(); break;
                case "--model": modelPath = Next(); break;
                case "--mode": mode = Next(); break;
                case "--streaming": streaming = true; break;
                case "--no-calibration": noCalibration = true; break;
                default:
                    await error.WriteLineAsync($"unknown argument '{args[i]}'").ConfigureAwait(false);
                    await error.WriteAsync(Usage).ConfigureAwait(false);
                    return Program.UsageExitCode;
            }
        }

        if (dataPath is null || mode is not ("value" or "threshold" or "both"))
        {
            await error.WriteAsync(Usage).ConfigureAwait(false);
            return Program.UsageExitCode;
        }

        if (calibrationPath is null && !noCalibration && MatchingDevFile(dataPath) is { } matching)
        {
            calibrationPath = matching;
            await output.WriteLineAsync($"calibrating quality profiles on {Path.GetFileName(matching)} (the matching _dev file)").ConfigureAwait(false);
        }

        bool inSample = false;
        if (calibrationPath is not null)
        {
            if (!Path.GetFileName(calibrationPath).EndsWith("_dev.jsonl", StringComparison.Ordinal))
            {
                await error.WriteLineAsync("--calibration must be a _dev file: quality priors are never fitted on test data").ConfigureAwait(false);
                return Program.UsageExitCode;
            }

            inSample = string.Equals(Path.GetFullPath(calibrationPath), Path.GetFullPath(dataPath), StringComparison.Ordinal);
        }

        RoutingDataFile data, calibration;
        ComplexityModel model;
        try
        {
            data = RoutingDataFile.Load(dataPath);
            calibration = calibrationPath is null ? data : RoutingDataFile.Load(calibrationPath);
            if (modelPath is null)
            {
                model = ComplexityModel.Default;
            }
            else
            {
                using FileStream stream = File.OpenRead(modelPath);
                model = ComplexityModel.Load(stream);
            }
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return 1;
        }

        Dictionary<string, ModelQualityProfile> profiles;
        try
        {
            profiles = calibrationPath is null ? [] : Calibrate(data, calibration, model);
        }
        catch (InvalidDataException ex)
        {
            await error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return 1;
        }

        using var replay = new Replay(data, profiles);
        foreach (string name in data.Models)
        {
            double? index = profiles.TryGetValue(name, out ModelQualityProfile? p) ? p.IntelligenceIndex : replay.CatalogIndex(name);
            await output.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"{name,-45} mean quality {data.MeanQuality(data.Models.ToList().IndexOf(name)):F3}  mean cost ${data.MeanCost(data.Models.ToList().IndexOf(name)):E3}  index {(index is { } x ? x.ToString("F2", CultureInfo.InvariantCulture) : "unknown")}{(profiles.ContainsKey(name) ? " (calibrated)" : string.Empty)}")).ConfigureAwait(false);
        }

        var summary = new Summary(data);
        var sweeps = new List<(string Mode, List<OperatingPoint> Points, Dictionary<double, int[]> Calls)>();
        foreach (string m in mode == "both" ? ["value", "threshold"] : new[] { mode })
        {
            var points = new List<OperatingPoint>();
            var calls = new Dictionary<double, int[]>();
            foreach (double parameter in m == "value" ? ValueGrid(summary.BestCost) : ThresholdGrid())
            {
                ComplexityRoutingOptions options = m == "value"
                    ? new ComplexityRoutingOptions { QualityValueUsd = parameter, Profiles = profiles }
                    : new ComplexityRoutingOptions { QualityValueUsd = null, MinimumExpectedQuality = parameter, Profiles = profiles };
                (OperatingPoint point, int[] byModel) = await replay.RunAsync(new ComplexityRoutingPolicy(options, model), parameter, streaming, cancellationToken).ConfigureAwait(false);
                points.Add(point);
                calls[parameter] = byModel;
                await output.WriteLineAsync(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{m,-9} {parameter,12:G4}  cost ${point.CostUsd:E3} ({point.CostUsd / summary.BestCost:P1} of best)  quality {point.Quality:F4}  PGR {(point.Quality - summary.CheapestQuality) / (summary.BestQuality - summary.CheapestQuality):F3}")).ConfigureAwait(false);
            }

            sweeps.Add((m, points, calls));
        }

        await output.WriteLineAsync(ToJson(data, summary, sweeps, calibrationPath, inSample, replay, streaming)).ConfigureAwait(false);
        return 0;
    }

    /// <summary>The <c>name_dev.jsonl</c> next to <c>name_test.jsonl</c> or <c>name_dev.jsonl</c>, if it exists.</summary>
    internal static string? MatchingDevFile(string dataPath)
    {
        string file = Path.GetFileName(dataPath);
        string? stem = file.EndsWith("_test.jsonl", StringComparison.Ordinal) ? file[..^"_test.jsonl".Length]
            : file.EndsWith("_dev.jsonl", StringComparison.Ordinal) ? file[..^"_dev.jsonl".Length]
            : null;
        if (stem is null)
        {
            return null;
        }

        string candidate = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(dataPath)) ?? ".", stem + "_dev.jsonl");
        return File.Exists(candidate) ? candidate : null;
    }

    /// <summary>Fits a quality profile per model of <paramref name="data"/> on the same model's graded prompts in <paramref name="calibration"/>.</summary>
    internal static Dictionary<string, ModelQualityProfile> Calibrate(RoutingDataFile data, RoutingDataFile calibration, IComplexityModel model)
    {
        var profiles = new Dictionary<string, ModelQualityProfile>(StringComparer.OrdinalIgnoreCase);
        foreach (string name in data.Models)
        {
            int m = calibration.Models.ToList().IndexOf(name);
            if (m < 0)
            {
                throw new InvalidDataException($"{calibration.Path} has no model '{name}' to calibrate on.");
            }

            profiles[name] = ModelQualityProfile.Fit(model, calibration.Prompts.Select(p => new GradedPrompt(p.Prompt, p.Quality[m])));
        }

        return profiles;
    }

    /// <summary>QualityValueUsd: 0, then 0.1 to 10,000 times the always-best model's mean cost per prompt, 32 steps a decade (162 points).</summary>
    internal static IEnumerable<double> ValueGrid(double bestCost) => [0.0, .. Enumerable.Range(0, 161).Select(k => bestCost * Math.Pow(10, -1 + (k / 32.0)))];

    /// <summary>MinimumExpectedQuality from 0 to 1 in steps of 1/160 (161 points).</summary>
    internal static IEnumerable<double> ThresholdGrid() => Enumerable.Range(0, 161).Select(k => k / 160.0);

    private static string ToJson(RoutingDataFile data, Summary s, List<(string Mode, List<OperatingPoint> Points, Dictionary<double, int[]> Calls)> sweeps, string? calibration, bool inSample, Replay replay, bool streaming)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("data", Path.GetFileName(data.Path));
            json.WriteNumber("prompts", data.Prompts.Count);
            json.WriteNumber("models", data.Models.Count);
            json.WriteString("best_model", data.Models[s.Best]);
            json.WriteNumber("best_quality", Round(s.BestQuality));
            json.WriteNumber("best_cost_usd", s.BestCost);
            json.WriteString("cheapest_model", data.Models[s.Cheapest]);
            json.WriteNumber("cheapest_quality", Round(s.CheapestQuality));
            json.WriteNumber("cheapest_cost_usd", s.CheapestCost);
            json.WriteNumber("oracle_quality", Round(s.OracleQuality));
            json.WriteNumber("oracle_cost_usd", s.OracleCost);
            json.WriteNumber("random_apgr", Round(RoutingMetrics.Apgr(s.RandomPoints(), s.CheapestCost, s.CheapestQuality, s.BestCost, s.BestQuality)));
            bool first = true;
            foreach ((string mode, List<OperatingPoint> points, Dictionary<double, int[]> calls) in sweeps)
            {
                if (!first)
                {
                    json.WriteStartObject(mode);
                }

                json.WriteString(first ? "mode" : "parameter", mode == "value" ? "QualityValueUsd" : "MinimumExpectedQuality");
                json.WriteNumber("apgr", Round(RoutingMetrics.Apgr(points, s.CheapestCost, s.CheapestQuality, s.BestCost, s.BestQuality)));
                WriteNullable(json, "cost_ratio_at_95", RoutingMetrics.CostRatioAt(points, 0.95, s.BestCost, s.BestQuality));
                WriteNullable(json, "cost_ratio_at_100", RoutingMetrics.CostRatioAt(points, 1.0, s.BestCost, s.BestQuality));
                json.WriteNumber("max_quality", Round(points.Max(p => p.Quality)));
                WritePoint(json, "at_95", points, calls, 0.95, s, data);
                WritePoint(json, "at_100", points, calls, 1.0, s, data);
                json.WriteNumber("operating_points", points.Count);
                if (!first)
                {
                    json.WriteEndObject();
                }

                first = false;
            }

            json.WriteString("calibration", calibration is null ? null : Path.GetFileName(calibration));
            json.WriteBoolean("calibration_in_sample", inSample);
            json.WriteBoolean("streaming", streaming);
            json.WriteNumber("requests", replay.Requests);
            json.WriteNumber("max_report_cost_deviation", replay.MaxCostDeviation);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WritePoint(Utf8JsonWriter json, string name, List<OperatingPoint> points, Dictionary<double, int[]> calls, double share, Summary s, RoutingDataFile data)
    {
        OperatingPoint? best = null;
        foreach (OperatingPoint p in points)
        {
            if (p.Quality >= (share * s.BestQuality) - (1e-12 * s.BestQuality) && (best is null || p.CostUsd < best.Value.CostUsd))
            {
                best = p;
            }
        }

        if (best is not { } point)
        {
            json.WriteNull(name);
            return;
        }

        json.WriteStartObject(name);
        json.WriteNumber("parameter", point.Parameter);
        json.WriteNumber("cost_usd", point.CostUsd);
        json.WriteNumber("quality", Round(point.Quality));
        json.WriteStartObject("calls");
        int[] byModel = calls[point.Parameter];
        for (int m = 0; m < data.Models.Count; m++)
        {
            json.WriteNumber(data.Models[m], byModel[m]);
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, Round(v));
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static double Round(double v) => Math.Round(v, 4);

    /// <summary>Baselines of a data file: always-best, always-cheapest, oracle, random.</summary>
    private sealed class Summary
    {
        public Summary(RoutingDataFile data)
        {
            Best = Enumerable.Range(0, data.Models.Count).MaxBy(data.MeanQuality);
            Cheapest = Enumerable.Range(0, data.Models.Count).MinBy(data.MeanCost);
            BestQuality = data.MeanQuality(Best);
            BestCost = data.MeanCost(Best);
            CheapestQuality = data.MeanQuality(Cheapest);
            CheapestCost = data.MeanCost(Cheapest);
            double q = 0, c = 0;
            foreach (RoutingPrompt p in data.Prompts)
            {
                // The oracle takes the best answer, and the cheapest model among those that give it.
                int o = Enumerable.Range(0, p.Quality.Length).OrderByDescending(m => p.Quality[m]).ThenBy(m => p.CostUsd[m]).First();
                q += p.Quality[o];
                c += p.CostUsd[o];
            }

            OracleQuality = q / data.Prompts.Count;
            OracleCost = c / data.Prompts.Count;
        }

        public int Best { get; }

        public int Cheapest { get; }

        public double BestQuality { get; }

        public double BestCost { get; }

        public double CheapestQuality { get; }

        public double CheapestCost { get; }

        public double OracleQuality { get; }

        public double OracleCost { get; }

        /// <summary>Random routing: send each prompt to the best model with probability p, else to the cheapest.</summary>
        public IEnumerable<OperatingPoint> RandomPoints() =>
            Enumerable.Range(0, 11).Select(k => k / 10.0).Select(p => new OperatingPoint(p, ((1 - p) * CheapestCost) + (p * BestCost), ((1 - p) * CheapestQuality) + (p * BestQuality)));
    }

    /// <summary>The replay: one deployment per model of the file over clients that price to the file's costs.</summary>
    private sealed class Replay : IDisposable
    {
        private readonly RoutingDataFile _data;
        private readonly ProviderRegistry _registry = new();
        private readonly Dictionary<string, int> _modelIndex;
        private readonly decimal[] _pricePerToken;

        public Replay(RoutingDataFile data, Dictionary<string, ModelQualityProfile> profiles)
        {
            _data = data;
            _modelIndex = data.Models.Select((m, i) => (m, i)).ToDictionary(x => x.m, x => x.i, StringComparer.OrdinalIgnoreCase);
            // The files price the prompt only: per-token price = total file cost / total router-estimated prompt tokens.
            long tokens = data.Prompts.Sum(p => RequestProfile.Create([new ChatMessage(ChatRole.User, p.Prompt)], null, 1).EstimatedInputTokens);
            _pricePerToken = data.Models.Select((_, m) => (decimal)data.Prompts.Sum(p => p.CostUsd[m]) / tokens).ToArray();
            for (int m = 0; m < data.Models.Count; m++)
            {
                string name = data.Models[m];
                var info = new ModelInfo
                {
                    Provider = "replay",
                    ModelId = name,
                    Pricing = new ModelPricing { InputPerToken = _pricePerToken[m], OutputPerToken = 0m },
                    Capabilities = ModelCapabilities.Streaming | ModelCapabilities.SystemMessages,
                    Priors = profiles.ContainsKey(name) || CatalogIndex(name) is not { } index ? null : new ModelPriors { IntelligenceIndex = index },
                };
                _registry.Add(new Deployment(name, "replay", name, info), CreateClient(m));
            }
        }

        public long Requests { get; private set; }

        public void Dispose() => _registry.Dispose();

        public double MaxCostDeviation { get; private set; }

        public double? CatalogIndex(string model) =>
            ModelCatalog.Default.TryGetModel(model, out ModelInfo? info) || ModelCatalog.Default.TryGetModel(model[(model.LastIndexOf('/') + 1)..], out info)
                ? info.Priors?.IntelligenceIndex
                : null;

        public async Task<(OperatingPoint Point, int[] Calls)> RunAsync(IRoutingPolicy policy, double parameter, bool streaming, CancellationToken cancellationToken)
        {
            using IChatClient chain = new ChatClientBuilder(new DeploymentDispatcherChatClient(_registry))
                .UseCostRouter(_registry, router => router.Policy = policy)
                .UseRedaction()
                .UseResilience()
                .UseRoutingTelemetry()
                .Build();
            double cost = 0, quality = 0;
            var calls = new int[_data.Models.Count];
            for (int i = 0; i < _data.Prompts.Count; i++)
            {
                RoutingPrompt prompt = _data.Prompts[i];
                var options = new ChatOptions { AdditionalProperties = new() { [RowKey] = i } };
                ChatMessage[] messages = [new ChatMessage(ChatRole.User, prompt.Prompt)];
                ChatResponse response = streaming
                    ? await chain.GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken).ConfigureAwait(false)
                    : await chain.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
                RoutingReport report = response.GetRoutingReport() ?? throw new InvalidOperationException("The router attached no routing report.");
                int m = _modelIndex[report.Deployment!];
                calls[m]++;
                cost += prompt.CostUsd[m];
                quality += prompt.Quality[m];
                if (prompt.CostUsd[m] > 0)
                {
                    MaxCostDeviation = Math.Max(MaxCostDeviation, Math.Abs(((double)report.CostUsd / prompt.CostUsd[m]) - 1));
                }

                Requests++;
            }

            return (new OperatingPoint(parameter, cost / _data.Prompts.Count, quality / _data.Prompts.Count), calls);
        }

        private TestChatClient CreateClient(int model)
        {
            UsageDetails Usage(ChatOptions? options)
            {
                int row = options?.AdditionalProperties?.TryGetValue(RowKey, out object? value) == true && value is int r
                    ? r
                    : throw new InvalidOperationException("The replayed request lost its row.");
                long tokens = (long)Math.Round((decimal)_data.Prompts[row].CostUsd[model] / _pricePerToken[model]);
                return new UsageDetails { InputTokenCount = tokens, OutputTokenCount = 0, TotalTokenCount = tokens };
            }

            string name = _data.Models[model];
            return new TestChatClient
            {
                GetResponseAsyncCallback = (_, options, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "(replayed)"))
                {
                    ModelId = name,
                    FinishReason = ChatFinishReason.Stop,
                    Usage = Usage(options),
                }),
                GetStreamingResponseAsyncCallback = (_, options, _) => StreamAsync(name, Usage(options)),
            };
        }

        private static async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(string model, UsageDetails usage)
        {
            await Task.CompletedTask.ConfigureAwait(false);
            yield return new ChatResponseUpdate(ChatRole.Assistant, "(replayed)") { ModelId = model };
            yield return new ChatResponseUpdate { Role = ChatRole.Assistant, ModelId = model, FinishReason = ChatFinishReason.Stop, Contents = [new UsageContent(usage)] };
        }
    }
}
