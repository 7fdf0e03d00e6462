using System.Globalization;
using System.Text;
using LlmRouting;

/// <summary>Prints the quickstart's results as a readable table.</summary>
internal static class Table
{
    public static void Print(IReadOnlyList<Row> rows)
    {
        string[] header = ["Request", "Chosen deployment (model)", "Reason", "Failovers", "Redactions", "Tokens in/out", "Cost $", "Premium $", "Latency"];
        List<string[]> lines = rows.Select(r => new[]
        {
            r.Label,
            $"{r.Report.Deployment} ({r.Report.Model})",
            Reason(r.Report),
            Failovers(r.Report),
            r.Report.Redactions.Count == 0 ? "-" : string.Join(" ", r.Report.Redactions.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}×{kv.Value}")),
            $"{r.Report.Usage.InputTokens}/{r.Report.Usage.OutputTokens}",
            r.Report.CostUsd.ToString("0.000000", CultureInfo.InvariantCulture),
            r.PremiumCost.ToString("0.000000", CultureInfo.InvariantCulture),
            $"{r.Latency.TotalMilliseconds:0} ms",
        }).ToList();

        int[] widths = header.Select((h, i) => Math.Max(h.Length, lines.Count == 0 ? 0 : lines.Max(l => l[i].Length))).ToArray();
        var sb = new StringBuilder();
        void Line(string[] cells) => sb.AppendLine(string.Join(" | ", cells.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
        Line(header);
        sb.AppendLine(string.Join("-+-", widths.Select(w => new string('-', w))));
        lines.ForEach(Line);
        Console.Write(sb.ToString());

        decimal total = rows.Sum(r => r.Report.CostUsd);
        decimal premium = rows.Sum(r => r.PremiumCost);
        int failovers = rows.Sum(r => r.Report.Failovers);
        int redactions = rows.Sum(r => r.Report.Redactions.Values.Sum());
        Console.WriteLine();
        Console.WriteLine($"Requests: {rows.Count}   failovers: {failovers}   values redacted: {redactions}");
        Console.WriteLine($"Routed cost: ${total:0.000000}   always-premium (claude-sonnet-4-5 prices, same tokens): ${premium:0.000000}   saving: {(premium == 0 ? 0 : 1 - (total / premium)):P1}");
        Console.WriteLine("Premium $ prices each request's actual tokens at the premium model's catalog prices.");
    }

    private static string Reason(RoutingReport report)
    {
        string reason = report.Policy == "pinned" ? "pinned by ModelId" : $"{report.Policy} eligible";
        string[] rejected = report.RejectedCandidates
            .Where(r => r.Reason != "not_pinned")
            .GroupBy(r => r.Reason, StringComparer.Ordinal)
            .Select(g => $"{g.Count()}× {g.Key}")
            .ToArray();
        return rejected.Length == 0 ? reason : $"{reason}; rejected {string.Join(", ", rejected)}";
    }

    private static string Failovers(RoutingReport report) =>
        report.Failovers == 0 ? "0" : $"{report.Failovers} ({string.Join(", ", report.Attempts.Where(a => a.ErrorKind is not null).Select(a => $"{a.Deployment}: {a.ErrorKind!.Value.ToTelemetryName()}"))})";
}
