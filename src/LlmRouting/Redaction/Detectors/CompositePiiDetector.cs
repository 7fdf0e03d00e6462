using System.Buffers;

namespace LlmRouting;

/// <summary>
/// Runs several detectors over a text and resolves overlaps between their matches: where two matches of different types
/// overlap, the more specific type wins (a token inside a URL is a secret, a Luhn-valid number is a card rather than a phone);
/// overlapping matches of the same type merge.
/// </summary>
internal sealed class CompositePiiDetector : IPiiDetector
{
    // Higher wins an overlap.
    private static readonly Dictionary<string, int> s_priority = new(StringComparer.Ordinal)
    {
        [PiiEntityTypes.Secret] = 100,
        [PiiEntityTypes.CryptoWallet] = 95,
        [PiiEntityTypes.IbanCode] = 90,
        [PiiEntityTypes.CreditCard] = 85,
        [PiiEntityTypes.EmailAddress] = 80,
        [PiiEntityTypes.UsSsn] = 75,
        [PiiEntityTypes.IpAddress] = 70,
        [PiiEntityTypes.UsPassport] = 65,
        [PiiEntityTypes.UsDriverLicense] = 64,
        [PiiEntityTypes.DateOfBirth] = 60,
        [PiiEntityTypes.PhoneNumber] = 55,
        [PiiEntityTypes.Url] = 50,
        [PiiEntityTypes.Address] = 30,
        [PiiEntityTypes.Person] = 20,
        [PiiEntityTypes.Location] = 10,
    };

    private readonly IPiiDetector[] _detectors;

    public CompositePiiDetector(IEnumerable<IPiiDetector> detectors)
    {
        _detectors = detectors.ToArray();
        EntityTypes = _detectors.SelectMany(d => d.EntityTypes).Distinct(StringComparer.Ordinal).ToArray();
    }

    public IReadOnlyCollection<string> EntityTypes { get; }

    /// <summary>Gets the detectors run, in order (for the per-detector timing of the benchmarks).</summary>
    internal IReadOnlyList<IPiiDetector> Detectors => _detectors;

    public void Detect(string text, List<PiiMatch> matches)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(matches);
        int first = matches.Count;
        using TextProfile profile = TextProfile.Of(text);
        foreach (IPiiDetector detector in _detectors)
        {
            if (detector is IProfiledPiiDetector profiled)
            {
                profiled.Detect(text, matches, profile);
            }
            else
            {
                detector.Detect(text, matches);
            }
        }

        if (matches.Count - first > 1)
        {
            Resolve(matches, first);
        }
    }

    private static int Priority(string type) => s_priority.TryGetValue(type, out int p) ? p : 0;

    /// <summary>Resolves overlaps among <c>matches[first..]</c> in place; the survivors end up sorted by start.</summary>
    internal static void Resolve(List<PiiMatch> matches, int first)
    {
        int count = matches.Count - first;
        matches.Sort(first, count, MatchOrder.Instance);
        PiiMatch[] items = ArrayPool<PiiMatch>.Shared.Rent(count);
        matches.CopyTo(first, items, 0, count);
        matches.RemoveRange(first, count);
        foreach (PiiMatch m in items.AsSpan(0, count))
        {
            int blocker = -1;
            for (int k = first; k < matches.Count; k++)
            {
                PiiMatch o = matches[k];
                if (o.End > m.Start && m.End > o.Start
                    && (string.Equals(o.EntityType, m.EntityType, StringComparison.Ordinal) || Priority(o.EntityType) >= Priority(m.EntityType)))
                {
                    blocker = k;
                    break;
                }
            }

            if (blocker >= 0)
            {
                PiiMatch o = matches[blocker];
                if (string.Equals(o.EntityType, m.EntityType, StringComparison.Ordinal) && m.End > o.End)
                {
                    matches[blocker] = o with { Length = m.End - o.Start };
                }

                continue;
            }

            for (int k = matches.Count - 1; k >= first; k--)
            {
                PiiMatch o = matches[k];
                if (o.End > m.Start && m.End > o.Start)
                {
                    matches.RemoveAt(k);
                }
            }

            matches.Add(m);
        }

        ArrayPool<PiiMatch>.Shared.Return(items, clearArray: true);

        // The survivors were added in start order and only ever lengthened, so they are nearly always in order already; sorting
        // is needed only when two compare equal or out of order (empty matches at one position).
        for (int k = first + 1; k < matches.Count; k++)
        {
            if (MatchOrder.Instance.Compare(matches[k - 1], matches[k]) >= 0)
            {
                matches.Sort(first, matches.Count - first, MatchOrder.Instance);
                break;
            }
        }
    }

    private sealed class MatchOrder : IComparer<PiiMatch>
    {
        public static readonly MatchOrder Instance = new();

        public int Compare(PiiMatch x, PiiMatch y) => x.Start != y.Start ? x.Start.CompareTo(y.Start) : y.Length.CompareTo(x.Length);
    }
}
