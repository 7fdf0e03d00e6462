using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace LlmRouting.Eval.Commands;

/// <summary>
/// <c>pii</c>: runs the built-in PII detectors over a labelled JSONL file (the format of <c>shared/data/pii</c>) and prints,
/// per entity type, precision, recall and F2 with character-overlap matching, plus the share of negative texts with a false
/// positive per negatives tier. The last line is one JSON object.
/// </summary>
/// <remarks>
/// Scoring follows the data set's README: a prediction is a true positive when it overlaps a gold span of the same type;
/// a gold span is found when a prediction of its type overlaps it. Spans marked <c>ignorable</c> (and <c>weak</c>, unless
/// <c>--include-weak</c>) count neither way: predictions overlapping them are not scored. In a text whose
/// <c>label_scope</c> is a list, predictions of types outside the list are not scored. Don't-care types (ORGANIZATION,
/// DATE_TIME, AGE, TITLE, NRP) are never gold; a prediction that overlaps only such a span is a false positive.
/// </remarks>
internal sealed class PiiCommand : IEvalCommand
{
    /// <summary>The types the issue sets precision/recall targets for.</summary>
    internal static readonly string[] CoreTypes =
    [
        PiiEntityTypes.EmailAddress, PiiEntityTypes.PhoneNumber, PiiEntityTypes.CreditCard, PiiEntityTypes.UsSsn, PiiEntityTypes.IbanCode,
        PiiEntityTypes.IpAddress, PiiEntityTypes.Url, PiiEntityTypes.CryptoWallet, PiiEntityTypes.Secret,
    ];

    private static readonly HashSet<string> s_scored = new(PiiDetectors.AllEntityTypes, StringComparer.Ordinal);

    /// <inheritdoc/>
    public string Name => "pii";

    /// <inheritdoc/>
    public string Description => "PII detector precision/recall/F2 per type and negatives false-positive rates (--data, --negatives, --predictions, --names)";

    /// <inheritdoc/>
    public async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        string? data = null, negatives = null, predictions = null, errorsFor = null;
        bool names = false, includeWeak = false, timing = false;
        for (int i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--data" when i + 1 < args.Count: data = args[++i]; break;
                case "--negatives" when i + 1 < args.Count: negatives = args[++i]; break;
                case "--predictions" when i + 1 < args.Count: predictions = args[++i]; break;
                case "--errors" when i + 1 < args.Count: errorsFor = args[++i]; break;
                case "--names": names = true; break;
                case "--include-weak": includeWeak = true; break;
                case "--timing": timing = true; break;
                default:
                    await error.WriteLineAsync($"unknown or incomplete argument '{args[i]}'").ConfigureAwait(false);
                    await error.WriteLineAsync("usage: pii --data <pii.jsonl> [--negatives <negatives.jsonl>] [--predictions <out.jsonl>] [--names] [--include-weak] [--errors <TYPE|all>]").ConfigureAwait(false);
                    return Program.UsageExitCode;
            }
        }

        if (data is null || !File.Exists(data) || (negatives is not null && !File.Exists(negatives)))
        {
            await error.WriteLineAsync("pii: --data <file> is required and every file given must exist").ConfigureAwait(false);
            return Program.UsageExitCode;
        }

        IPiiDetector detector = PiiDetectors.Create(new PiiDetectorOptions { IncludeNamesAndPlaces = names });
        var options = new ScoreOptions(includeWeak, errorsFor, error);

        List<LabelledText> texts = await LabelledText.LoadAsync(data, cancellationToken).ConfigureAwait(false);
        List<LabelledText> negativeTexts = negatives is null ? [] : await LabelledText.LoadAsync(negatives, cancellationToken).ConfigureAwait(false);

        // Warm up (regex construction, phone metadata) so the throughput figure measures scanning.
        detector.Detect("warm up +1 415 555 0132 a@b.co 4111111111111111", []);

        var stopwatch = Stopwatch.StartNew();
        long chars = 0;
        var results = new List<(LabelledText Text, List<PiiMatch> Predictions)>(texts.Count + negativeTexts.Count);
        foreach (LabelledText text in texts.Concat(negativeTexts))
        {
            var found = new List<PiiMatch>();
            detector.Detect(text.Text, found);
            results.Add((text, found));
            chars += text.Text.Length;
        }

        stopwatch.Stop();

        var scores = new Dictionary<string, TypeScore>(StringComparer.Ordinal);
        foreach (string type in PiiDetectors.AllEntityTypes)
        {
            scores[type] = new TypeScore();
        }

        var negativeScores = PiiDetectors.AllEntityTypes.ToDictionary(t => t, _ => new TypeScore(), StringComparer.Ordinal);
        var tiers = new SortedDictionary<string, TierScore>(StringComparer.Ordinal);
        foreach ((LabelledText text, List<PiiMatch> found) in results)
        {
            int falsePositives = Score(text, found, text.Tier is null ? scores : negativeScores, options);
            if (text.Tier is { } tier)
            {
                TierScore t = tiers.TryGetValue(tier, out TierScore? existing) ? existing : tiers[tier] = new TierScore();
                t.Texts++;
                if (falsePositives > 0)
                {
                    t.TextsWithFalsePositive++;
                }
            }
        }

        if (timing)
        {
            await WriteTimingAsync(error, texts.Concat(negativeTexts).Select(t => t.Text).ToList(), names).ConfigureAwait(false);
        }

        if (predictions is not null)
        {
            await WritePredictionsAsync(predictions, results, cancellationToken).ConfigureAwait(false);
        }

        double seconds = stopwatch.Elapsed.TotalSeconds;
        await WriteTableAsync(output, scores, tiers, detector).ConfigureAwait(false);
        await output.WriteLineAsync(ToJson(data, negatives, texts.Count, names, includeWeak, scores, tiers, detector, chars, seconds)).ConfigureAwait(false);
        return 0;
    }

    /// <summary>Scores one text into <paramref name="scores"/>; returns the number of scored false positives.</summary>
    internal static int Score(LabelledText text, List<PiiMatch> found, Dictionary<string, TypeScore> scores, ScoreOptions options)
    {
        var gold = new List<GoldSpan>();
        var neutral = new List<GoldSpan>();
        foreach (GoldSpan span in text.Spans)
        {
            if (!s_scored.Contains(span.Type))
            {
                continue;
            }

            if (span.Ignorable || (span.Weak && !options.IncludeWeak))
            {
                neutral.Add(span);
            }
            else
            {
                gold.Add(span);
            }
        }

        int falsePositives = 0;
        foreach (PiiMatch p in found)
        {
            if (!s_scored.Contains(p.EntityType) || (text.Scope is not null && !text.Scope.Contains(p.EntityType)))
            {
                continue;
            }

            if (neutral.Exists(s => s.Type == p.EntityType && s.Overlaps(p)))
            {
                continue;
            }

            TypeScore score = scores[p.EntityType];
            score.Predicted++;
            if (gold.Exists(s => s.Type == p.EntityType && s.Overlaps(p)))
            {
                score.TruePositivePredictions++;
            }
            else
            {
                score.FalsePositives++;
                falsePositives++;
                options.Report(p.EntityType, "FP", text, p.Start, p.End, p.Subtype);
            }
        }

        foreach (GoldSpan span in gold)
        {
            TypeScore score = scores[span.Type];
            score.Support++;
            if (found.Exists(p => p.EntityType == span.Type && span.Overlaps(p)))
            {
                score.Found++;
            }
            else
            {
                options.Report(span.Type, "FN", text, span.Start, span.End, span.Subtype);
            }
        }

        return falsePositives;
    }

    /// <summary>Times each entity type's detector alone over the texts (to stderr).</summary>
    private static async Task WriteTimingAsync(TextWriter error, List<string> texts, bool names)
    {
        long chars = texts.Sum(t => (long)t.Length);
        foreach (string type in names ? PiiDetectors.AllEntityTypes : PiiDetectors.DefaultEntityTypes)
        {
            IPiiDetector detector = PiiDetectors.Create(type);
            var found = new List<PiiMatch>();
            detector.Detect("warm up +1 415 555 0132", found);
            var stopwatch = Stopwatch.StartNew();
            for (int round = 0; round < 3; round++)
            {
                foreach (string text in texts)
                {
                    found.Clear();
                    detector.Detect(text, found);
                }
            }

            double mbs = 3 * chars * 2 / 1e6 / stopwatch.Elapsed.TotalSeconds;
            await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"timing {type,-18} {mbs,8:0.0} MB/s")).ConfigureAwait(false);
        }
    }

    private static async Task WritePredictionsAsync(string path, List<(LabelledText Text, List<PiiMatch> Predictions)> results, CancellationToken cancellationToken)
    {
        await using var stream = File.Create(path);
        foreach ((LabelledText text, List<PiiMatch> found) in results)
        {
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteString("id", text.Id);
                json.WriteStartArray("spans");
                foreach (PiiMatch p in found)
                {
                    json.WriteStartObject();
                    json.WriteNumber("start", p.Start);
                    json.WriteNumber("end", p.End);
                    json.WriteString("type", p.EntityType);
                    if (p.Subtype is not null)
                    {
                        json.WriteString("subtype", p.Subtype);
                    }

                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            buffer.WriteByte((byte)'\n');
            await stream.WriteAsync(buffer.ToArray(), cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task WriteTableAsync(TextWriter output, Dictionary<string, TypeScore> scores, SortedDictionary<string, TierScore> tiers, IPiiDetector detector)
    {
        await output.WriteLineAsync($"{"type",-18} {"prec",6} {"recall",6} {"F2",6} {"gold",5} {"found",5} {"pred",5} {"FP",4}").ConfigureAwait(false);
        foreach ((string type, TypeScore s) in scores)
        {
            if (s.Support == 0 && s.Predicted == 0 && !detector.EntityTypes.Contains(type))
            {
                continue;
            }

            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{type,-18} {s.Precision,6:0.000} {s.Recall,6:0.000} {s.F2,6:0.000} {s.Support,5} {s.Found,5} {s.Predicted,5} {s.FalsePositives,4}")).ConfigureAwait(false);
        }

        foreach ((string tier, TierScore t) in tiers)
        {
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"negatives {tier,-18} {t.TextsWithFalsePositive,4}/{t.Texts,-4} texts with a false positive ({t.Rate:0.0000})")).ConfigureAwait(false);
        }
    }

    private static string ToJson(string data, string? negatives, int texts, bool names, bool includeWeak, Dictionary<string, TypeScore> scores,
        SortedDictionary<string, TierScore> tiers, IPiiDetector detector, long chars, double seconds)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("data", Path.GetFileName(data));
            json.WriteString("negatives", negatives is null ? null : Path.GetFileName(negatives));
            json.WriteNumber("texts", texts);
            json.WriteBoolean("names", names);
            json.WriteBoolean("include_weak", includeWeak);
            json.WriteStartArray("enabled_types");
            foreach (string type in detector.EntityTypes)
            {
                json.WriteStringValue(type);
            }

            json.WriteEndArray();
            json.WriteStartObject("types");
            foreach ((string type, TypeScore s) in scores)
            {
                if (s.Support == 0 && s.Predicted == 0 && !detector.EntityTypes.Contains(type))
                {
                    continue;
                }

                json.WriteStartObject(type);
                WriteScore(json, s);
                json.WriteEndObject();
            }

            json.WriteEndObject();
            var core = new TypeScore();
            foreach (string type in CoreTypes)
            {
                core.Add(scores[type]);
            }

            json.WriteStartObject("core_micro");
            WriteScore(json, core);
            json.WriteEndObject();
            json.WriteStartObject("negatives_tiers");
            foreach ((string tier, TierScore t) in tiers)
            {
                json.WriteStartObject(tier);
                json.WriteNumber("texts", t.Texts);
                json.WriteNumber("texts_with_fp", t.TextsWithFalsePositive);
                json.WriteNumber("fp_text_rate", Math.Round(t.Rate, 4));
                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteNumber("secret_subtypes", PiiDetectors.SecretSubtypes.Count);
            json.WriteNumber("chars", chars);
            json.WriteNumber("seconds", Math.Round(seconds, 3));
            json.WriteNumber("mb_per_s", Math.Round(chars / 1e6 / Math.Max(seconds, 1e-9), 2));
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteScore(Utf8JsonWriter json, TypeScore s)
    {
        json.WriteNumber("precision", Math.Round(s.Precision, 4));
        json.WriteNumber("recall", Math.Round(s.Recall, 4));
        json.WriteNumber("f2", Math.Round(s.F2, 4));
        json.WriteNumber("gold", s.Support);
        json.WriteNumber("found", s.Found);
        json.WriteNumber("predicted", s.Predicted);
        json.WriteNumber("true_positive_predictions", s.TruePositivePredictions);
        json.WriteNumber("false_positives", s.FalsePositives);
        json.WriteNumber("false_negatives", s.Support - s.Found);
    }

    /// <summary>Scoring switches and the error reporter.</summary>
    internal sealed class ScoreOptions(bool includeWeak, string? errorsFor, TextWriter? error)
    {
        /// <summary>Gets a value indicating whether weak spans count as gold.</summary>
        public bool IncludeWeak { get; } = includeWeak;

        /// <summary>Prints a false positive or negative when <c>--errors</c> asked for its type.</summary>
        public void Report(string type, string kind, LabelledText text, int start, int end, string? subtype)
        {
            if (error is null || errorsFor is null || !(errorsFor == "all" || string.Equals(errorsFor, type, StringComparison.OrdinalIgnoreCase)))
            {
                return;
            }

            int from = Math.Max(0, start - 40), to = Math.Min(text.Text.Length, end + 30);
            string context = (text.Text[from..start] + "[[" + text.Text[start..end] + "]]" + text.Text[end..to]).Replace("\n", "\\n", StringComparison.Ordinal);
            error.WriteLine($"{kind} {type} {subtype} {text.Id}: {context}");
        }
    }

    /// <summary>Counts for one entity type.</summary>
    internal sealed class TypeScore
    {
        /// <summary>Gets or sets the number of scored gold spans.</summary>
        public int Support { get; set; }

        /// <summary>Gets or sets the number of gold spans overlapped by a prediction of their type.</summary>
        public int Found { get; set; }

        /// <summary>Gets or sets the number of scored predictions.</summary>
        public int Predicted { get; set; }

        /// <summary>Gets or sets the number of predictions that overlap a gold span of their type.</summary>
        public int TruePositivePredictions { get; set; }

        /// <summary>Gets or sets the number of predictions that overlap none.</summary>
        public int FalsePositives { get; set; }

        /// <summary>Gets the precision (1 when nothing was predicted).</summary>
        public double Precision => Predicted == 0 ? 1 : (double)TruePositivePredictions / Predicted;

        /// <summary>Gets the recall (1 when there was nothing to find).</summary>
        public double Recall => Support == 0 ? 1 : (double)Found / Support;

        /// <summary>Gets the F2 score (recall weighted twice as much as precision).</summary>
        public double F2 => Precision + Recall == 0 ? 0 : 5 * Precision * Recall / ((4 * Precision) + Recall);

        /// <summary>Adds another type's counts (micro average).</summary>
        public void Add(TypeScore other)
        {
            Support += other.Support;
            Found += other.Found;
            Predicted += other.Predicted;
            TruePositivePredictions += other.TruePositivePredictions;
            FalsePositives += other.FalsePositives;
        }
    }

    /// <summary>False-positive counts for one negatives tier.</summary>
    internal sealed class TierScore
    {
        /// <summary>Gets or sets the number of texts.</summary>
        public int Texts { get; set; }

        /// <summary>Gets or sets the number of texts with at least one scored false positive.</summary>
        public int TextsWithFalsePositive { get; set; }

        /// <summary>Gets the share of texts with a false positive.</summary>
        public double Rate => Texts == 0 ? 0 : (double)TextsWithFalsePositive / Texts;
    }
}

/// <summary>A gold span.</summary>
internal sealed record GoldSpan(int Start, int End, string Type, string? Subtype, bool Ignorable, bool Weak)
{
    /// <summary>Returns whether the span shares at least one character with <paramref name="match"/>.</summary>
    public bool Overlaps(PiiMatch match) => match.Start < End && Start < match.End;
}

/// <summary>One line of a labelled PII file.</summary>
internal sealed record LabelledText(string Id, string Text, IReadOnlyList<GoldSpan> Spans, HashSet<string>? Scope, string? Tier)
{
    /// <summary>Reads a JSONL file of labelled texts.</summary>
    public static async Task<List<LabelledText>> LoadAsync(string path, CancellationToken cancellationToken)
    {
        var texts = new List<LabelledText>();
        foreach (string line in await File.ReadAllLinesAsync(path, cancellationToken).ConfigureAwait(false))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            texts.Add(Parse(line));
        }

        return texts;
    }

    /// <summary>Parses one JSON line.</summary>
    public static LabelledText Parse(string line)
    {
        using JsonDocument doc = JsonDocument.Parse(line);
        JsonElement root = doc.RootElement;
        var spans = new List<GoldSpan>();
        if (root.TryGetProperty("spans", out JsonElement spansElement))
        {
            foreach (JsonElement s in spansElement.EnumerateArray())
            {
                spans.Add(new GoldSpan(
                    s.GetProperty("start").GetInt32(),
                    s.GetProperty("end").GetInt32(),
                    s.GetProperty("type").GetString()!,
                    s.TryGetProperty("subtype", out JsonElement sub) ? sub.GetString() : null,
                    s.TryGetProperty("ignorable", out JsonElement ign) && ign.ValueKind == JsonValueKind.True,
                    s.TryGetProperty("weak", out JsonElement weak) && weak.ValueKind == JsonValueKind.True));
            }
        }

        HashSet<string>? scope = null;
        if (root.TryGetProperty("label_scope", out JsonElement scopeElement) && scopeElement.ValueKind == JsonValueKind.Array)
        {
            scope = new HashSet<string>(scopeElement.EnumerateArray().Select(e => e.GetString()!), StringComparer.Ordinal);
        }

        string? tier = root.TryGetProperty("tier", out JsonElement tierElement) ? tierElement.GetString() : null;
        return new LabelledText(root.GetProperty("id").GetString()!, root.GetProperty("text").GetString()!, spans, scope, tier);
    }
}
