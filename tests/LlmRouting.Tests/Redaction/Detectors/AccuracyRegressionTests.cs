using System.Text.Json;

namespace LlmRouting.Tests.Redaction.Detectors;

/// <summary>
/// Runs the detectors over every 8th text of <c>shared/data/pii/pii_dev.jsonl</c> (the dev split) and fails when precision or
/// recall of a type falls under the floor measured when the detectors were written (character-overlap matching, as
/// <c>LlmRouting.Eval pii</c> scores). The floors sit a little under the measured figures so noise does not fail the build.
/// </summary>
[TestFixture]
public class AccuracyRegressionTests
{
    // type -> (precision floor, recall floor); measured on this sample: 1.00/≥0.98 for every core type.
    private static readonly Dictionary<string, (double Precision, double Recall)> Floors = new()
    {
        [PiiEntityTypes.EmailAddress] = (0.97, 0.97),
        [PiiEntityTypes.PhoneNumber] = (0.95, 0.95),
        [PiiEntityTypes.CreditCard] = (0.97, 0.97),
        [PiiEntityTypes.UsSsn] = (0.95, 0.93),
        [PiiEntityTypes.IbanCode] = (0.97, 0.97),
        [PiiEntityTypes.IpAddress] = (0.97, 0.95),
        [PiiEntityTypes.Url] = (0.95, 0.95),
        [PiiEntityTypes.CryptoWallet] = (0.97, 0.97),
        [PiiEntityTypes.Secret] = (0.95, 0.97),
        [PiiEntityTypes.Person] = (0.90, 0.90),
        [PiiEntityTypes.Location] = (0.75, 0.80),
        [PiiEntityTypes.Address] = (0.90, 0.90),
    };

    [Test]
    public void Precision_and_recall_stay_above_the_measured_floors()
    {
        string? path = FindDevFile();
        if (path is null)
        {
            Assert.Ignore("shared/data/pii/pii_dev.jsonl is not beside the repository");
        }

        IPiiDetector detector = PiiDetectors.Create(new PiiDetectorOptions { IncludeNamesAndPlaces = true });
        var counts = Floors.Keys.ToDictionary(t => t, _ => new int[4]); // gold, found, predicted, correct
        string[] lines = File.ReadAllLines(path!);
        for (int n = 0; n < lines.Length; n += 8)
        {
            using JsonDocument doc = JsonDocument.Parse(lines[n]);
            JsonElement root = doc.RootElement;
            string text = root.GetProperty("text").GetString()!;
            HashSet<string>? scope = root.GetProperty("label_scope").ValueKind == JsonValueKind.Array
                ? root.GetProperty("label_scope").EnumerateArray().Select(e => e.GetString()!).ToHashSet() : null;
            var gold = new List<(int Start, int End, string Type)>();
            var neutral = new List<(int Start, int End, string Type)>();
            foreach (JsonElement s in root.GetProperty("spans").EnumerateArray())
            {
                var span = (s.GetProperty("start").GetInt32(), s.GetProperty("end").GetInt32(), s.GetProperty("type").GetString()!);
                bool ignore = (s.TryGetProperty("ignorable", out JsonElement i) && i.GetBoolean()) || (s.TryGetProperty("weak", out JsonElement w) && w.GetBoolean());
                (ignore ? neutral : gold).Add(span);
            }

            var found = new List<PiiMatch>();
            detector.Detect(text, found);
            foreach (PiiMatch p in found)
            {
                if (!counts.TryGetValue(p.EntityType, out int[]? c) || (scope is not null && !scope.Contains(p.EntityType))
                    || neutral.Exists(s => s.Type == p.EntityType && s.Start < p.End && p.Start < s.End))
                {
                    continue;
                }

                c[2]++;
                if (gold.Exists(s => s.Type == p.EntityType && s.Start < p.End && p.Start < s.End))
                {
                    c[3]++;
                }
            }

            foreach ((int start, int end, string type) in gold)
            {
                if (counts.TryGetValue(type, out int[]? c))
                {
                    c[0]++;
                    if (found.Exists(p => p.EntityType == type && start < p.End && p.Start < end))
                    {
                        c[1]++;
                    }
                }
            }
        }

        Assert.Multiple(() =>
        {
            foreach ((string type, (double minPrecision, double minRecall)) in Floors)
            {
                int[] c = counts[type];
                double precision = c[2] == 0 ? 1 : (double)c[3] / c[2], recall = c[0] == 0 ? 1 : (double)c[1] / c[0];
                Assert.That(c[0], Is.GreaterThan(0), $"{type}: no gold spans in the sample");
                Assert.That(precision, Is.GreaterThanOrEqualTo(minPrecision), $"{type} precision ({c[3]}/{c[2]})");
                Assert.That(recall, Is.GreaterThanOrEqualTo(minRecall), $"{type} recall ({c[1]}/{c[0]})");
            }
        });
    }

    private static string? FindDevFile()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            foreach (string candidate in new[] { Path.Combine(dir.FullName, "shared", "data", "pii", "pii_dev.jsonl"), Path.Combine(dir.FullName, "..", "shared", "data", "pii", "pii_dev.jsonl") })
            {
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}
