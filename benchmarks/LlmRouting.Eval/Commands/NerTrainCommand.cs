using System.Globalization;
using System.Text.Json;

namespace LlmRouting.Eval.Commands;

/// <summary>
/// <c>ner-train</c>: trains the opt-in name/place tagger (<see cref="NerTagger"/>) on a labelled PII file and writes its weights.
/// Reproducible: a fixed seed and epoch count, texts in file order shuffled by that seed. Train only on the dev split:
/// <c>ner-train --data ../shared/data/pii/pii_dev.jsonl --out src/LlmRouting/Redaction/Data/ner-model.bin.gz</c>.
/// With <c>--holdout 0.1</c> it trains on 90% and prints token accuracy and span F2 on the other 10% instead of writing a model.
/// </summary>
internal sealed class NerTrainCommand : IEvalCommand
{
    private const int Seed = 20261123;

    /// <inheritdoc/>
    public string Name => "ner-train";

    /// <inheritdoc/>
    public string Description => "train the opt-in PERSON/LOCATION/ADDRESS tagger on a dev file (--data, --out, [--epochs N] [--holdout F])";

    /// <inheritdoc/>
    public async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        string? data = null, outPath = null, errorsFor = null;
        int epochs = 8;
        double holdout = 0;
        for (int i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--data" when i + 1 < args.Count: data = args[++i]; break;
                case "--out" when i + 1 < args.Count: outPath = args[++i]; break;
                case "--epochs" when i + 1 < args.Count: epochs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--holdout" when i + 1 < args.Count: holdout = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--errors" when i + 1 < args.Count: errorsFor = args[++i]; break;
                default:
                    await error.WriteLineAsync("usage: ner-train --data <pii_dev.jsonl> (--out <ner-model.bin.gz> | --holdout 0.1) [--epochs 8]").ConfigureAwait(false);
                    return Program.UsageExitCode;
            }
        }

        if (data is null || !File.Exists(data) || (outPath is null && holdout <= 0))
        {
            await error.WriteLineAsync("ner-train: --data must exist, and --out or --holdout is required").ConfigureAwait(false);
            return Program.UsageExitCode;
        }

        if (Path.GetFileName(data).Contains("test", StringComparison.OrdinalIgnoreCase))
        {
            await error.WriteLineAsync("ner-train: refusing to train on a test file; train on the dev split only").ConfigureAwait(false);
            return Program.UsageExitCode;
        }

        List<LabelledText> all = (await LabelledText.LoadAsync(data, cancellationToken).ConfigureAwait(false)).Where(t => t.Scope is null).ToList();
        List<LabelledText> train = all, test = [];
        if (holdout > 0)
        {
            train = all.Where(t => (StableHash(t.Id) % 1000) >= holdout * 1000).ToList();
            test = all.Where(t => (StableHash(t.Id) % 1000) < holdout * 1000).ToList();
        }

        Gazetteer gazetteer = Gazetteer.Default;
        List<Example> examples = train.Select(t => Example.Of(t, gazetteer)).ToList();
        var trainer = new Trainer();
        var random = new Random(Seed);
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            int errors = 0, tokens = 0;
            foreach (Example example in examples.OrderBy(_ => random.Next()))
            {
                cancellationToken.ThrowIfCancellationRequested();
                errors += trainer.Train(example);
                tokens += example.Labels.Length;
            }

            await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"epoch {epoch}: {errors} token errors of {tokens} ({1 - ((double)errors / tokens):0.0000} accuracy)")).ConfigureAwait(false);
        }

        Dictionary<uint, float[]> weights = trainer.Averaged(pruneBelow: 0.02f);
        if (holdout > 0)
        {
            var tagger = new NerTagger(weights);
            var detector = new NameAndPlaceDetector(true, true, true, tagger, gazetteer);
            var scores = PiiDetectors.AllEntityTypes.ToDictionary(t => t, _ => new PiiCommand.TypeScore(), StringComparer.Ordinal);
            var options = new PiiCommand.ScoreOptions(includeWeak: false, errorsFor: errorsFor, error: error);
            foreach (LabelledText text in test)
            {
                var found = new List<PiiMatch>();
                detector.Detect(text.Text, found);
                PiiCommand.Score(text, found, scores, options);
            }

            foreach (string type in PiiDetectors.NameAndPlaceEntityTypes)
            {
                PiiCommand.TypeScore s = scores[type];
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{type,-10} precision {s.Precision:0.000} recall {s.Recall:0.000} F2 {s.F2:0.000} (gold {s.Support})")).ConfigureAwait(false);
            }

            await output.WriteLineAsync(Json(new Dictionary<string, double>
            {
                ["train_texts"] = train.Count,
                ["holdout_texts"] = test.Count,
                ["features"] = weights.Count,
                ["person_f2"] = Math.Round(scores[PiiEntityTypes.Person].F2, 4),
                ["location_f2"] = Math.Round(scores[PiiEntityTypes.Location].F2, 4),
                ["address_f2"] = Math.Round(scores[PiiEntityTypes.Address].F2, 4),
            })).ConfigureAwait(false);
            return 0;
        }

        await using (FileStream file = File.Create(outPath!))
        {
            NerTagger.Save(weights, file);
        }

        await output.WriteLineAsync(Json(new Dictionary<string, double>
        {
            ["train_texts"] = train.Count,
            ["epochs"] = epochs,
            ["features"] = weights.Count,
            ["bytes"] = new FileInfo(outPath!).Length,
        })).ConfigureAwait(false);
        return 0;
    }

    private static string Json(Dictionary<string, double> values)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            foreach ((string key, double value) in values)
            {
                json.WriteNumber(key, value);
            }

            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static uint StableHash(string value)
    {
        uint h = 2166136261;
        foreach (char c in value)
        {
            h = (h ^ c) * 16777619;
        }

        return h;
    }

    /// <summary>A tokenised text with gold labels and prepared features.</summary>
    private sealed class Example
    {
        public required NerFeatures Features { get; init; }

        public required byte[] Labels { get; init; }

        public static Example Of(LabelledText text, Gazetteer gazetteer)
        {
            var tokens = new List<NerToken>();
            NerTokenizer.Tokenize(text.Text, tokens);
            var labels = new byte[tokens.Count];
            var spans = text.Spans.Where(s => !s.Ignorable && LabelOf(s.Type) > 0).OrderBy(s => s.Start).ToList();
            GoldSpan? previousSpan = null;
            for (int i = 0; i < tokens.Count; i++)
            {
                NerToken t = tokens[i];
                GoldSpan? span = spans.Find(s => s.Start < t.Start + t.Length && t.Start < s.End);
                if (span is null || (t.Kind == NerTokenKind.Newline && (i + 1 >= tokens.Count || !(span.Start < tokens[i + 1].Start + tokens[i + 1].Length && tokens[i + 1].Start < span.End))))
                {
                    previousSpan = null;
                    continue;
                }

                int b = LabelOf(span.Type);
                labels[i] = (byte)(ReferenceEquals(span, previousSpan) ? b + 1 : b);
                previousSpan = span;
            }

            var features = new NerFeatures();
            features.Prepare(text.Text, tokens, gazetteer);
            return new Example { Features = features, Labels = labels };
        }

        private static int LabelOf(string type) => type switch
        {
            PiiEntityTypes.Person => 1,
            PiiEntityTypes.Location => 3,
            PiiEntityTypes.Address => 5,
            _ => 0,
        };
    }

    /// <summary>An averaged perceptron (Collins 2002) with lazy averaging.</summary>
    private sealed class Trainer
    {
        private readonly Dictionary<uint, float[]> _weights = [];
        private readonly Dictionary<uint, float[]> _accumulated = [];
        private int _step = 1;

        public int Train(Example example)
        {
            int errors = 0;
            var active = new List<uint>(48);
            Span<float> scores = stackalloc float[NerTagger.LabelCount];
            var predicted = new byte[example.Labels.Length];
            for (int i = 0; i < example.Labels.Length; i++)
            {
                int p1 = i > 0 ? predicted[i - 1] : 0, p2 = i > 1 ? predicted[i - 2] : 0;
                active.Clear();
                example.Features.Extract(i, p1, p2, active);
                scores.Clear();
                foreach (uint f in active)
                {
                    if (_weights.TryGetValue(f, out float[]? w))
                    {
                        for (int l = 0; l < NerTagger.LabelCount; l++)
                        {
                            scores[l] += w[l];
                        }
                    }
                }

                int guess = NerTagger.Best(scores, p1);
                int gold = example.Labels[i];
                if (guess != gold)
                {
                    errors++;
                    foreach (uint f in active)
                    {
                        Update(f, gold, 1);
                        Update(f, guess, -1);
                    }
                }

                // Keep the gold history when the gold label is reachable, so training sees consistent sequences.
                predicted[i] = (byte)guess;
                _step++;
            }

            return errors;
        }

        public Dictionary<uint, float[]> Averaged(float pruneBelow)
        {
            var result = new Dictionary<uint, float[]>();
            foreach ((uint f, float[] w) in _weights)
            {
                float[] acc = _accumulated[f];
                var avg = new float[NerTagger.LabelCount];
                bool keep = false;
                for (int l = 0; l < NerTagger.LabelCount; l++)
                {
                    avg[l] = w[l] - (acc[l] / _step);
                    keep |= Math.Abs(avg[l]) >= pruneBelow;
                }

                if (keep)
                {
                    result[f] = avg;
                }
            }

            return result;
        }

        private void Update(uint feature, int label, float delta)
        {
            if (!_weights.TryGetValue(feature, out float[]? w))
            {
                _weights[feature] = w = new float[NerTagger.LabelCount];
                _accumulated[feature] = new float[NerTagger.LabelCount];
            }

            w[label] += delta;
            _accumulated[feature][label] += _step * delta;
        }
    }
}
