using System.Buffers;
using System.Text.RegularExpressions;

namespace LlmRouting.Tests.Redaction.Detectors;

/// <summary>
/// The identity document detector as it was before it was rewritten for speed (each key word set searched twice, windows
/// in a list, the passport and date patterns run over whole windows), kept unchanged as the reference the rewrite must
/// agree with.
/// </summary>
internal sealed partial class ReferenceIdentityDocumentDetector : IProfiledPiiDetector
{
    private const int Window = 48;

    private static readonly SearchValues<string> s_passportWords = SearchValues.Create(["passport", "travel document", "travel doc"], StringComparison.OrdinalIgnoreCase);

    private static readonly SearchValues<string> s_licenceWords = SearchValues.Create(
        ["driver's licen", "drivers licen", "driver licen", "driving licen", "s licen", "licence number", "license number", "licence no", "license no", "license #", "license#", "lic#", "lic. no", "dl#", "dl #", "dl no", "dl number"],
        StringComparison.OrdinalIgnoreCase);

    private static readonly SearchValues<string> s_birthWords = SearchValues.Create(
        ["date of birth", "dob", "d.o.b", "born", "birthday", "birth date", "birthdate", "birth_date", "date_of_birth", "geboren", "fecha de nacimiento"],
        StringComparison.OrdinalIgnoreCase);

    private readonly bool _passport;
    private readonly bool _licence;
    private readonly bool _birth;

    public ReferenceIdentityDocumentDetector(bool passport, bool licence, bool birth)
    {
        _passport = passport;
        _licence = licence;
        _birth = birth;
        var types = new List<string>(3);
        if (passport)
        {
            types.Add(PiiEntityTypes.UsPassport);
        }

        if (licence)
        {
            types.Add(PiiEntityTypes.UsDriverLicense);
        }

        if (birth)
        {
            types.Add(PiiEntityTypes.DateOfBirth);
        }

        EntityTypes = types;
    }

    public IReadOnlyCollection<string> EntityTypes { get; }

    public void Detect(string text, List<PiiMatch> matches, in TextProfile profile)
    {
        if (profile.MaxDigitCluster == 0)
        {
            return;
        }

        ReadOnlySpan<char> span = text.AsSpan();

        if (_passport && span.IndexOfAny(s_passportWords) >= 0)
        {
            foreach ((int from, int to) in KeywordWindows(span, s_passportWords))
            {
                foreach (ValueMatch w in PassportPattern().EnumerateMatches(span[from..to]))
                {
                    int index = from + w.Index;
                    if (index + w.Length < to || to == span.Length || !char.IsLetterOrDigit(span[to]))
                    {
                        matches.Add(new PiiMatch(index, w.Length, PiiEntityTypes.UsPassport));
                    }
                }
            }
        }

        if (_licence && (span.IndexOfAny(s_licenceWords) >= 0 || IndexOfDlWord(span, 0, out _) >= 0))
        {
            List<(int From, int To)> windows = KeywordWindows(span, s_licenceWords);
            for (int dl = IndexOfDlWord(span, 0, out int dlLength); dl >= 0; dl = IndexOfDlWord(span, dl + dlLength, out dlLength))
            {
                windows.Add((dl, Math.Min(span.Length, dl + Window + 16)));
            }

            int done = 0;
            foreach ((int from, int to) in windows)
            {
                foreach (ValueMatch w in LicencePattern().EnumerateMatches(span[from..to]))
                {
                    int index = from + w.Index;
                    ReadOnlySpan<char> value = span.Slice(index, w.Length);
                    if (index < done || (index + w.Length == to && to < span.Length && char.IsLetterOrDigit(span[to])))
                    {
                        continue;
                    }

                    if (DetectorText.CountDigits(value) >= 3 && !DateShapePattern().IsMatch(value)
                        && (DetectorText.KeywordBefore(text, index, Window, s_licenceWords) || IndexOfDlWord(text.AsSpan(Math.Max(0, index - 24), Math.Min(24, index)), 0, out _) >= 0))
                    {
                        matches.Add(new PiiMatch(index, w.Length, PiiEntityTypes.UsDriverLicense));
                        done = index + w.Length;
                    }
                }
            }
        }

        if (_birth && span.IndexOfAny(s_birthWords) >= 0)
        {
            int headerEnd = span.IndexOf('\n');
            bool csvHeader = headerEnd > 0 && span[..headerEnd].Contains(',') && span[..headerEnd].IndexOfAny(s_birthWords) >= 0;
            List<(int From, int To)> windows = csvHeader ? [(headerEnd, span.Length)] : KeywordWindows(span, s_birthWords);
            int done = 0;
            foreach ((int from, int to) in windows)
            {
                foreach (ValueMatch w in DatePattern().EnumerateMatches(span[from..to]))
                {
                    int index = from + w.Index;
                    if (index < done || (index + w.Length == to && to < span.Length && char.IsLetterOrDigit(span[to])))
                    {
                        continue;
                    }

                    if (csvHeader || DetectorText.KeywordBefore(text, index, Window, s_birthWords))
                    {
                        matches.Add(new PiiMatch(index, w.Length, PiiEntityTypes.DateOfBirth));
                        done = index + w.Length;
                    }
                }
            }
        }
    }

    /// <summary>The regions from each key word to a little past <see cref="Window"/> characters after it (merged when they overlap).</summary>
    private static List<(int From, int To)> KeywordWindows(ReadOnlySpan<char> span, SearchValues<string> keywords)
    {
        var windows = new List<(int, int)>(2);
        int i = 0;
        while (i < span.Length)
        {
            int k = span[i..].IndexOfAny(keywords);
            if (k < 0)
            {
                break;
            }

            int from = i + k, to = Math.Min(span.Length, from + Window + 32);
            if (windows.Count > 0 && windows[^1].Item2 >= from)
            {
                windows[^1] = (windows[^1].Item1, to);
            }
            else
            {
                windows.Add((from, to));
            }

            i = from + 1;
        }

        return windows;
    }

    [GeneratedRegex(@"(?<![\w-])(?:[A-Za-z]\d{8}|\d{9})(?![\w-])", RegexOptions.CultureInvariant)]
    private static partial Regex PassportPattern();

    [GeneratedRegex(@"(?<![\w-])(?:[A-Za-z]{0,5}\d[A-Za-z0-9]{2,16}|[A-Za-z]?\d{1,4}(?:-\d{2,4}){1,3}|\d{3} \d{3} \d{3})(?![\w-])", RegexOptions.CultureInvariant)]
    private static partial Regex LicencePattern();

    private static int IndexOfDlWord(ReadOnlySpan<char> span, int from, out int length) => IdentityDocumentDetector.IndexOfDlWord(span, from, out length);

    [GeneratedRegex(@"^(?:\d{4}[-/.](?:0?[1-9]|1[0-2])[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2}))$", RegexOptions.CultureInvariant)]
    private static partial Regex DateShapePattern();

    [GeneratedRegex(
        @"(?<![\w/.-])(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})|\d{1,2}(?:st|nd|rd|th)?(?:\s+of)?\s+(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?,?\s+\d{4}|(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4})(?![\w/-])",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex DatePattern();
}
