using System.Buffers;
using System.Text.RegularExpressions;

namespace LlmRouting;

/// <summary>
/// Detects US passport numbers, US driver's licence numbers and dates of birth. Their shapes (nine digits, a letter and
/// eight digits, a date) are far too common to report on their own, so each is reported only close after its key words:
/// "passport" / "travel document"; "driver's license", "driving licence", "DL", "license number"; "date of birth", "DOB",
/// "born", "birthday" (also as a CSV column header).
/// </summary>
internal sealed partial class IdentityDocumentDetector : IProfiledPiiDetector
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

    public IdentityDocumentDetector(bool passport, bool licence, bool birth)
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

    /// <inheritdoc/>
    public void Detect(string text, List<PiiMatch> matches, in TextProfile profile)
    {
        if (profile.MaxDigitCluster == 0)
        {
            return;
        }

        ReadOnlySpan<char> span = text.AsSpan();
        int first;
        if (_passport && (first = span.IndexOfAny(s_passportWords)) >= 0)
        {
            for (var windows = new KeywordWindows(span, s_passportWords, first, Window + 32); windows.MoveNext(out int from, out int to);)
            {
                ReadOnlySpan<char> window = span[from..to];
                for (int position = 0; NextPassport(window, ref position, out ValueMatchAt w);)
                {
                    int index = from + w.Index;
                    if (index + w.Length < to || to == span.Length || !char.IsLetterOrDigit(span[to]))
                    {
                        matches.Add(new PiiMatch(index, w.Length, PiiEntityTypes.UsPassport));
                    }
                }
            }
        }

        // Both searched ('|'): the first "DL" starts the loop over them below.
        int firstDl;
        if (_licence && ((first = span.IndexOfAny(s_licenceWords)) >= 0 | (firstDl = IndexOfDlWord(span, 0, out int dlLength)) >= 0))
        {
            // The windows after the key words, then those after each "DL" (not merged with them).
            int done = 0;
            if (first >= 0)
            {
                for (var windows = new KeywordWindows(span, s_licenceWords, first, Window + 32); windows.MoveNext(out int from, out int to);)
                {
                    FindLicences(text, from, to, ref done, matches);
                }
            }

            for (int dl = firstDl; dl >= 0; dl = IndexOfDlWord(span, dl + dlLength, out dlLength))
            {
                FindLicences(text, dl, Math.Min(span.Length, dl + Window + 16), ref done, matches);
            }
        }

        if (_birth && (first = span.IndexOfAny(s_birthWords)) >= 0)
        {
            // A CSV header naming a birth-date column: every date below it. (No key word holds a line break, so one is in the
            // header exactly when the first one in the text starts before the header's end.)
            int headerEnd = span.IndexOf('\n');
            bool csvHeader = headerEnd > 0 && first < headerEnd && span[..headerEnd].Contains(',');
            KeywordWindows windows = csvHeader ? KeywordWindows.One(headerEnd, span.Length) : new KeywordWindows(span, s_birthWords, first, Window + 32);
            int done = 0;
            while (windows.MoveNext(out int from, out int to))
            {
                ReadOnlySpan<char> window = span[from..to];
                for (int position = 0; NextDate(window, ref position, out ValueMatchAt w);)
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

    /// <summary>Adds the licence numbers in <c>[from, to)</c> (after a key word or "DL") that start at or after <paramref name="done"/>.</summary>
    private static void FindLicences(string text, int from, int to, ref int done, List<PiiMatch> matches)
    {
        ReadOnlySpan<char> span = text.AsSpan();
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

    /// <summary>
    /// The regions from each key word to <c>reach</c> characters after it (merged when they touch or overlap), found one at a
    /// time from the first key word, which the caller has found already; or one given region.
    /// </summary>
    private ref struct KeywordWindows
    {
        private readonly ReadOnlySpan<char> _span;
        private readonly SearchValues<string>? _keywords;
        private readonly int _reach;
        private int _next; // the next key word not yet in a window (or the one region's start), -1 when done
        private int _end; // the one region's end

        public KeywordWindows(ReadOnlySpan<char> span, SearchValues<string> keywords, int first, int reach)
        {
            _span = span;
            _keywords = keywords;
            _next = first;
            _reach = reach;
        }

        /// <summary>Just the region <c>[from, to)</c>.</summary>
        public static KeywordWindows One(int from, int to)
        {
            KeywordWindows one = default;
            one._next = from;
            one._end = to;
            return one;
        }

        public bool MoveNext(out int from, out int to)
        {
            from = _next;
            if (from < 0)
            {
                to = 0;
                return false;
            }

            if (_keywords is null)
            {
                to = _end;
                _next = -1;
                return true;
            }

            to = Math.Min(_span.Length, from + _reach);
            for (int hit = from; ;)
            {
                int k = _span[(hit + 1)..].IndexOfAny(_keywords);
                if (k < 0)
                {
                    _next = -1;
                    return true;
                }

                hit += 1 + k;
                if (hit > to)
                {
                    _next = hit;
                    return true;
                }

                to = Math.Min(_span.Length, hit + _reach);
            }
        }
    }

    /// <summary>
    /// Finds the next match of <see cref="PassportPattern"/> in <paramref name="window"/> at or after <paramref name="position"/>
    /// as <c>EnumerateMatches</c> would: by hand in an ASCII window (a letter or digit and eight digits, not inside a word or
    /// a dashed code), with the pattern itself otherwise (<c>\d</c> and <c>\w</c> also match other scripts).
    /// </summary>
    internal static bool NextPassport(ReadOnlySpan<char> window, ref int position, out ValueMatchAt match)
    {
        if (!System.Text.Ascii.IsValid(window))
        {
            return WindowScanning.NextMatch(PassportPattern(), window, ref position, out match);
        }

        for (int p = position; p + 9 <= window.Length; p++)
        {
            if (!char.IsAsciiLetterOrDigit(window[p]))
            {
                continue;
            }

            if ((p == 0 || !IsWordOrDash(window[p - 1])) && LeadingDigits(window[(p + 1)..], 8) == 8
                && (p + 9 == window.Length || !IsWordOrDash(window[p + 9])))
            {
                match = new ValueMatchAt(p, 9);
                position = p + 9;
                return true;
            }

            // The rest of this word cannot start a match (it follows a letter or digit).
            while (p + 1 < window.Length && char.IsAsciiLetterOrDigit(window[p + 1]))
            {
                p++;
            }
        }

        position = window.Length;
        match = default;
        return false;
    }

    /// <summary>
    /// Finds the next match of <see cref="DatePattern"/> in <paramref name="window"/> at or after <paramref name="position"/> as
    /// <c>EnumerateMatches</c> would. In an ASCII window the pattern is tried (anchored) only where a date can start: at a
    /// letter or digit not after a word character, '/', '.' or '-'; a run of one, two, or four digits followed by '-'; or
    /// the three first letters of a month. In other windows it is run as it is (<c>\d</c>, <c>\s</c>, <c>\w</c> and case
    /// folding reach beyond ASCII).
    /// </summary>
    internal static bool NextDate(ReadOnlySpan<char> window, ref int position, out ValueMatchAt match)
    {
        if (!System.Text.Ascii.IsValid(window))
        {
            return WindowScanning.NextMatch(DatePattern(), window, ref position, out match);
        }

        for (int p = position; p < window.Length; p++)
        {
            if (!char.IsAsciiLetterOrDigit(window[p]))
            {
                continue;
            }

            if ((p == 0 || !(IsWordOrDash(window[p - 1]) || window[p - 1] is '/' or '.')) && MayStartDate(window[p..]))
            {
                int from = p;
                if (WindowScanning.NextMatch(AnchoredDatePattern(), window, ref from, out match))
                {
                    position = from;
                    return true;
                }
            }

            while (p + 1 < window.Length && char.IsAsciiLetterOrDigit(window[p + 1]))
            {
                p++;
            }
        }

        position = window.Length;
        match = default;
        return false;
    }

    /// <summary>Whether the ASCII text starting with a letter or digit can start a date: see <see cref="NextDate"/>.</summary>
    private static bool MayStartDate(ReadOnlySpan<char> text)
    {
        if (char.IsAsciiDigit(text[0]))
        {
            // Every shape starting with digits goes on after one, two or four of them (then '-').
            int digits = LeadingDigits(text, 5);
            return digits is 1 or 2 || (digits == 4 && text.Length > 4 && text[4] == '-');
        }

        if (text.Length < 3)
        {
            return false;
        }

        for (int month = 0; month < MonthAbbreviations.Length; month += 3)
        {
            if ((text[0] | 0x20) == MonthAbbreviations[month] && (text[1] | 0x20) == MonthAbbreviations[month + 1] && (text[2] | 0x20) == MonthAbbreviations[month + 2])
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Counts the ASCII digits at the start of <paramref name="text"/>, up to <paramref name="max"/> (short runs: no vector search).</summary>
    private static int LeadingDigits(ReadOnlySpan<char> text, int max)
    {
        int n = 0;
        while (n < max && n < text.Length && char.IsAsciiDigit(text[n]))
        {
            n++;
        }

        return n;
    }

    private static bool IsWordOrDash(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '-';

    [GeneratedRegex(@"(?<![\w-])(?:[A-Za-z]\d{8}|\d{9})(?![\w-])", RegexOptions.CultureInvariant)]
    internal static partial Regex PassportPattern();

    [GeneratedRegex(@"(?<![\w-])(?:[A-Za-z]{0,5}\d[A-Za-z0-9]{2,16}|[A-Za-z]?\d{1,4}(?:-\d{2,4}){1,3}|\d{3} \d{3} \d{3})(?![\w-])", RegexOptions.CultureInvariant)]
    private static partial Regex LicencePattern();

    /// <summary>
    /// Finds the first match of <see cref="DlWordPattern"/> (<c>\bD\.?L\b</c>) in <paramref name="span"/> at or after
    /// <paramref name="from"/>, as <c>EnumerateMatches</c> would, without running the pattern over the whole text: at each
    /// <c>D</c>, the neighbours are tested by hand when they are ASCII and by the pattern on the few characters around it
    /// otherwise (<c>\b</c> counts letters and marks of every script as word characters).
    /// </summary>
    /// <returns>The match's index in <paramref name="span"/>, or -1.</returns>
    internal static int IndexOfDlWord(ReadOnlySpan<char> span, int from, out int length)
    {
        length = 0;
        while (from < span.Length)
        {
            int found = span[from..].IndexOf('D');
            if (found < 0)
            {
                return -1;
            }

            int d = from + found;
            from = d + 1;
            int l = d + 1 < span.Length && span[d + 1] == '.' ? d + 2 : d + 1;
            if (l >= span.Length || span[l] != 'L')
            {
                continue;
            }

            char before = d > 0 ? span[d - 1] : ' ', after = l + 1 < span.Length ? span[l + 1] : ' ';
            bool match = before < 128 && after < 128
                ? !(char.IsAsciiLetterOrDigit(before) || before == '_') && !(char.IsAsciiLetterOrDigit(after) || after == '_')
                : DlWordPattern().IsMatch(span[Math.Max(0, d - 1)..Math.Min(span.Length, l + 2)]);
            if (match)
            {
                length = l + 1 - d;
                return d;
            }
        }

        return -1;
    }

    [GeneratedRegex(@"\bD\.?L\b", RegexOptions.CultureInvariant)]
    internal static partial Regex DlWordPattern();

    [GeneratedRegex(@"^(?:\d{4}[-/.](?:0?[1-9]|1[0-2])[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2}))$", RegexOptions.CultureInvariant)]
    private static partial Regex DateShapePattern();

    /// <summary>The date shapes found after a birth key word: ISO, numeric with '/', '.' or '-', and with month names.</summary>
    private const string DatePatternText =
        @"(?<![\w/.-])(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})|\d{1,2}(?:st|nd|rd|th)?(?:\s+of)?\s+(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?,?\s+\d{4}|(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4})(?![\w/-])";

    private const string MonthAbbreviations = "janfebmaraprmayjunjulaugsepoctnovdec";

    [GeneratedRegex(DatePatternText, RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    internal static partial Regex DatePattern();

    /// <summary><see cref="DatePattern"/> anchored where the search starts.</summary>
    [GeneratedRegex(@"\G" + DatePatternText, RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex AnchoredDatePattern();
}
