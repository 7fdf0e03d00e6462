using System.Buffers;
using System.Runtime.InteropServices;

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
        PiiMatch[] items = ArrayPool<PiiMatch>.Shared.Rent(count);
        long[] keys = ArrayPool<long>.Shared.Rent(count);
        Span<PiiMatch> sorted = items.AsSpan(0, count);
        CollectionsMarshal.AsSpan(matches).Slice(first, count).CopyTo(sorted);
        Sort(keys.AsSpan(0, count), sorted);
        ArrayPool<long>.Shared.Return(keys);
        CollectionsMarshal.SetCount(matches, first);

        // The survivors are kept in start order; those before 'settled' end at or before the current match's start (the
        // matches come in start order, so they cannot overlap it or any later one) and are not looked at again.
        int settled = 0;
        foreach (ref readonly PiiMatch m in sorted)
        {
            Span<PiiMatch> survivors = CollectionsMarshal.AsSpan(matches)[first..];
            while (settled < survivors.Length && survivors[settled].End <= m.Start)
            {
                settled++;
            }

            int blocker = -1;
            for (int k = settled; k < survivors.Length; k++)
            {
                ref readonly PiiMatch o = ref survivors[k];
                if (o.End > m.Start && m.End > o.Start
                    && (string.Equals(o.EntityType, m.EntityType, StringComparison.Ordinal) || Priority(o.EntityType) >= Priority(m.EntityType)))
                {
                    blocker = k;
                    break;
                }
            }

            if (blocker >= 0)
            {
                ref PiiMatch o = ref survivors[blocker];
                if (string.Equals(o.EntityType, m.EntityType, StringComparison.Ordinal) && m.End > o.End)
                {
                    o = o with { Length = m.End - o.Start };
                }

                continue;
            }

            // Every survivor that overlaps m loses to it: keep the others, in order.
            int kept = settled;
            for (int k = settled; k < survivors.Length; k++)
            {
                if (!(survivors[k].End > m.Start && m.End > survivors[k].Start))
                {
                    survivors[kept++] = survivors[k];
                }
            }

            CollectionsMarshal.SetCount(matches, first + kept);
            matches.Add(m);
        }

        ArrayPool<PiiMatch>.Shared.Return(items, clearArray: true);

        // The survivors were added in start order and only ever lengthened, so they are nearly always in order already; sorting
        // is needed only when two compare equal or out of order (empty matches at one position).
        Span<PiiMatch> result = CollectionsMarshal.AsSpan(matches)[first..];
        for (int k = 1; k < result.Length; k++)
        {
            if (MatchOrder.Compare(result[k - 1], result[k]) >= 0)
            {
                result.Sort(MatchOrder.Comparison);
                break;
            }
        }
    }

    /// <summary>
    /// Sorts matches by <see cref="MatchOrder"/>, a total order (so the outcome does not depend on the algorithm): by start and
    /// length packed in one number, then the rare runs with equal start and length by the rest of the order.
    /// </summary>
    private static void Sort(Span<long> keys, Span<PiiMatch> items)
    {
        for (int i = 0; i < items.Length; i++)
        {
            keys[i] = ((long)items[i].Start << 32) | (uint)(int.MaxValue - items[i].Length);
        }

        keys.Sort(items);
        for (int i = 1; i < keys.Length; i++)
        {
            if (keys[i] != keys[i - 1])
            {
                continue;
            }

            int run = i - 1;
            while (i + 1 < keys.Length && keys[i + 1] == keys[run])
            {
                i++;
            }

            items[run..(i + 1)].Sort(MatchOrder.Comparison);
        }
    }

    /// <summary>By start, longer first, then the type that wins an overlap, then type and subtype names: a total order.</summary>
    private static class MatchOrder
    {
        public static readonly Comparison<PiiMatch> Comparison = Compare;

        public static int Compare(PiiMatch x, PiiMatch y)
        {
            if (x.Start != y.Start)
            {
                return x.Start.CompareTo(y.Start);
            }

            if (x.Length != y.Length)
            {
                return y.Length.CompareTo(x.Length);
            }

            int byPriority = Priority(y.EntityType).CompareTo(Priority(x.EntityType));
            if (byPriority != 0)
            {
                return byPriority;
            }

            int byType = string.CompareOrdinal(x.EntityType, y.EntityType);
            return byType != 0 ? byType : string.CompareOrdinal(x.Subtype, y.Subtype);
        }
    }
}
