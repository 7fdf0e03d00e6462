using System.Diagnostics.Metrics;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace LlmRouting.Tests.Telemetry;

/// <summary>Keeps the shipped Grafana dashboard in step with the instruments and attributes LlmRouting emits.</summary>
[TestFixture]
public partial class GrafanaDashboardTests
{
    private static string DashboardPath()
    {
        for (DirectoryInfo? dir = new(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LlmRouting.sln")))
            {
                return Path.Combine(dir.FullName, "samples", "Telemetry", "grafana-dashboard.json");
            }
        }

        throw new InvalidOperationException("Repository root not found.");
    }

    /// <summary>The Prometheus names of LlmRouting's instruments, as OpenTelemetry's Prometheus translation writes them.</summary>
    private static HashSet<string> PrometheusSeries()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (FieldInfo field in typeof(LlmRoutingDiagnostics).GetFields(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public))
        {
            if (field.GetValue(null) is not Instrument instrument)
            {
                continue;
            }

            string name = instrument.Name.Replace('.', '_') + (instrument.Unit == "s" ? "_seconds" : string.Empty);
            if (field.FieldType.IsGenericType && field.FieldType.GetGenericTypeDefinition() == typeof(Histogram<>))
            {
                names.UnionWith([name + "_bucket", name + "_sum", name + "_count"]);
            }
            else
            {
                names.Add(name + "_total");
            }
        }

        return names;
    }

    private static HashSet<string> AttributeLabels() =>
        typeof(LlmRoutingDiagnostics).GetNestedType("Tags", BindingFlags.NonPublic)!
            .GetFields(BindingFlags.Static | BindingFlags.Public)
            .Select(f => ((string)f.GetValue(null)!).Replace('.', '_'))
            .ToHashSet(StringComparer.Ordinal);

    [Test]
    public void The_dashboard_queries_only_metrics_and_labels_LlmRouting_emits()
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(DashboardPath()));
        string[] expressions = doc.RootElement.GetProperty("panels").EnumerateArray()
            .Where(p => p.TryGetProperty("targets", out _))
            .SelectMany(p => p.GetProperty("targets").EnumerateArray())
            .Select(t => t.GetProperty("expr").GetString()!)
            .ToArray();
        Assert.That(expressions, Has.Length.GreaterThan(20));

        HashSet<string> series = PrometheusSeries();
        HashSet<string> labels = AttributeLabels();
        string[] used = expressions.SelectMany(e => SeriesName().Matches(e).Select(m => m.Value)).Distinct().ToArray();
        Assert.That(used, Is.SubsetOf(series), "every series the dashboard queries is emitted");
        Assert.That(series.Where(s => s.EndsWith("_total", StringComparison.Ordinal) || s.EndsWith("_bucket", StringComparison.Ordinal)).Where(s => !s.Contains("time_per_output_chunk", StringComparison.Ordinal)),
            Is.SubsetOf(used.Concat(used.Select(u => u.Replace("_count", "_bucket", StringComparison.Ordinal).Replace("_sum", "_bucket", StringComparison.Ordinal)))),
            "every instrument has a panel");

        string[] grouped = expressions.SelectMany(e => GroupBy().Matches(e).SelectMany(m => m.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries))).Distinct().ToArray();
        Assert.That(grouped.Where(l => l is not "le" and not "__name__"), Is.SubsetOf(labels), "every label grouped by is an attribute LlmRouting sets");
    }

    [GeneratedRegex(@"\b(?:gen_ai|llm_routing)_[a-z_]+(?=\{|\[)")]
    private static partial Regex SeriesName();

    [GeneratedRegex(@"by \(([^)]*)\)")]
    private static partial Regex GroupBy();
}
