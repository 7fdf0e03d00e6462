using System.Text.Json;

namespace LlmRouting.CatalogGenerator;

/// <summary>Quality and speed figures of one model in one benchmark feed.</summary>
/// <param name="SourceId">The model's id in that feed.</param>
/// <param name="IntelligenceIndex">The Artificial Analysis intelligence index.</param>
/// <param name="CodingIndex">The Artificial Analysis coding index.</param>
/// <param name="OutputTokensPerSecond">The median output speed; <see langword="null"/> when not measured.</param>
/// <param name="TimeToFirstTokenSeconds">The median time to first token; <see langword="null"/> when not measured.</param>
internal sealed record BenchmarkEntry(string SourceId, double? IntelligenceIndex, double? CodingIndex, double? OutputTokensPerSecond, double? TimeToFirstTokenSeconds)
{
    /// <summary>Gets a value indicating whether the entry has any figure.</summary>
    public bool HasData => IntelligenceIndex is not null || CodingIndex is not null || OutputTokensPerSecond is not null || TimeToFirstTokenSeconds is not null;
}

/// <summary>How a catalog model was joined to a benchmark entry.</summary>
internal enum MatchLevel
{
    /// <summary>No match.</summary>
    None = 0,

    /// <summary>The ids are equal (ignoring case).</summary>
    Exact,

    /// <summary>The bare names are equal after unifying separators (<see cref="ModelNames.Normalize"/>).</summary>
    Normalized,

    /// <summary>The names are equal without snapshot suffixes (<see cref="ModelNames.WithoutSnapshot"/>).</summary>
    WithoutSnapshot,

    /// <summary>The token signatures are equal (<see cref="ModelNames.Signature"/>).</summary>
    Signature,
}

/// <summary>The benchmark entry a catalog model was joined to.</summary>
/// <param name="Entry">The entry, or <see langword="null"/> when none matched.</param>
/// <param name="Level">How it matched.</param>
/// <param name="Ambiguous">The feed ids that fitted equally well, when several did and none was chosen.</param>
internal sealed record CrosswalkMatch(BenchmarkEntry? Entry, MatchLevel Level, IReadOnlyList<string> Ambiguous)
{
    /// <summary>No match.</summary>
    public static readonly CrosswalkMatch None = new(null, MatchLevel.None, []);
}

/// <summary>
/// Joins catalog models to one benchmark feed by name. Tries exact ids first, then ever looser normalised names
/// (<see cref="MatchLevel"/>). Loosening applies to the catalog's name only: a feed entry is a candidate at a level only if its own
/// name needed no loosening to reach that level's form (so <c>gpt-4o-2024-11-20</c> may join <c>gpt-4o</c>, but <c>gpt-4o</c> never joins
/// <c>gpt-4o-2024-05-13</c>, and <c>llama-3-70b</c> never joins <c>llama-3-instruct-70b</c>). A name that fits several entries joins none.
/// </summary>
internal sealed class BenchmarkIndex
{
    private readonly Dictionary<string, BenchmarkEntry> _exact = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<MatchLevel, Dictionary<string, List<Candidate>>> _levels = [];

    /// <summary>Initializes a new instance of the <see cref="BenchmarkIndex"/> class.</summary>
    /// <param name="entries">The feed's entries.</param>
    /// <param name="aliases">Extra names for feed ids whose naming no normalisation can bridge (feed id to names used elsewhere).</param>
    public BenchmarkIndex(IEnumerable<BenchmarkEntry> entries, IReadOnlyDictionary<string, string[]>? aliases = null)
    {
        ArgumentNullException.ThrowIfNull(entries);
        foreach (MatchLevel level in new[] { MatchLevel.Normalized, MatchLevel.WithoutSnapshot, MatchLevel.Signature })
        {
            _levels[level] = new Dictionary<string, List<Candidate>>(StringComparer.Ordinal);
        }

        foreach (BenchmarkEntry entry in entries.Where(e => e.HasData).OrderBy(e => e.SourceId, StringComparer.Ordinal))
        {
            if (!_exact.TryAdd(entry.SourceId, entry))
            {
                continue;
            }

            Add(entry, entry.SourceId);
            if (aliases is not null && aliases.TryGetValue(entry.SourceId, out string[]? names))
            {
                foreach (string name in names)
                {
                    Add(entry, name);
                }
            }
        }
    }

    /// <summary>Gets the number of entries with data.</summary>
    public int Count => _exact.Count;

    /// <summary>Finds the entry for a model id.</summary>
    /// <param name="modelId">The catalog model id (any provider's form).</param>
    /// <returns>The match, or <see cref="CrosswalkMatch.None"/>.</returns>
    public CrosswalkMatch Find(string modelId)
    {
        ArgumentNullException.ThrowIfNull(modelId);
        if (_exact.TryGetValue(modelId, out BenchmarkEntry? exact))
        {
            return new CrosswalkMatch(exact, MatchLevel.Exact, []);
        }

        IReadOnlyList<string> queryVariants = ModelNames.VariantTokens(modelId);
        var forms = new (MatchLevel Level, string Form)[]
        {
            (MatchLevel.Normalized, ModelNames.Normalize(modelId)),
            (MatchLevel.WithoutSnapshot, ModelNames.WithoutSnapshot(modelId)),
            (MatchLevel.Signature, ModelNames.Signature(modelId)),
        };
        foreach ((MatchLevel level, string form) in forms)
        {
            if (form.Length == 0 || !_levels[level].TryGetValue(form, out List<Candidate>? candidates))
            {
                continue;
            }

            List<BenchmarkEntry> eligible = candidates
                .Where(c => level == MatchLevel.Normalized
                    || (c.HasNoSnapshot && (level == MatchLevel.WithoutSnapshot || c.Variants.All(queryVariants.Contains))))
                .Select(c => c.Entry)
                .Distinct()
                .ToList();
            if (eligible.Count == 1)
            {
                return new CrosswalkMatch(eligible[0], level, []);
            }

            if (eligible.Count > 1)
            {
                return new CrosswalkMatch(null, MatchLevel.None, eligible.Select(e => e.SourceId).ToArray());
            }
        }

        return CrosswalkMatch.None;
    }

    private void Add(BenchmarkEntry entry, string name)
    {
        string normalized = ModelNames.Normalize(name);
        string withoutSnapshot = ModelNames.WithoutSnapshot(name);
        var candidate = new Candidate(entry, withoutSnapshot == normalized, ModelNames.VariantTokens(name));
        AddForm(MatchLevel.Normalized, normalized, candidate);
        AddForm(MatchLevel.WithoutSnapshot, withoutSnapshot, candidate);
        AddForm(MatchLevel.Signature, ModelNames.Signature(name), candidate);
    }

    private void AddForm(MatchLevel level, string form, Candidate candidate)
    {
        if (form.Length == 0)
        {
            return;
        }

        Dictionary<string, List<Candidate>> index = _levels[level];
        if (!index.TryGetValue(form, out List<Candidate>? list))
        {
            list = [];
            index[form] = list;
        }

        list.Add(candidate);
    }

    /// <summary>A feed entry under one of its names.</summary>
    /// <param name="Entry">The entry.</param>
    /// <param name="HasNoSnapshot">Whether the name has no snapshot suffix (it reaches <see cref="MatchLevel.WithoutSnapshot"/> unchanged).</param>
    /// <param name="Variants">The name's variant tokens (<see cref="ModelNames.VariantTokens"/>); the catalog name must carry them all to match by signature.</param>
    private sealed record Candidate(BenchmarkEntry Entry, bool HasNoSnapshot, IReadOnlyList<string> Variants);
}
