namespace LlmRouting;

/// <summary>
/// Opt-in detector of person names, places and street addresses (<see cref="PiiEntityTypes.Person"/>,
/// <see cref="PiiEntityTypes.Location"/>, <see cref="PiiEntityTypes.Address"/>): the embedded gazetteer plus the
/// <see cref="NerTagger"/>, all in-process. Slower and less precise than the pattern detectors, hence off by default.
/// </summary>
internal sealed class NameAndPlaceDetector : IPiiDetector
{
    [ThreadStatic]
    private static State? t_state;

    private readonly bool _person;
    private readonly bool _location;
    private readonly bool _address;
    private readonly NerTagger _tagger;
    private readonly Gazetteer _gazetteer;

    public NameAndPlaceDetector(bool person, bool location, bool address)
        : this(person, location, address, NerTagger.Default ?? throw new InvalidOperationException("The name/place tagger model is not embedded in this build of LlmRouting."), Gazetteer.Default)
    {
    }

    public NameAndPlaceDetector(bool person, bool location, bool address, NerTagger tagger, Gazetteer gazetteer)
    {
        _person = person;
        _location = location;
        _address = address;
        _tagger = tagger;
        _gazetteer = gazetteer;
        EntityTypes = new[] { person ? PiiEntityTypes.Person : null, location ? PiiEntityTypes.Location : null, address ? PiiEntityTypes.Address : null }.OfType<string>().ToArray();
    }

    public IReadOnlyCollection<string> EntityTypes { get; }

    public void Detect(string text, List<PiiMatch> matches)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(matches);
        State state = t_state ??= new State();
        List<NerToken> tokens = state.Tokens;
        tokens.Clear();
        NerTokenizer.Tokenize(text, tokens);
        if (tokens.Count == 0)
        {
            return;
        }

        state.Features.Prepare(text, tokens, _gazetteer);
        if (state.Labels.Length < tokens.Count)
        {
            state.Labels = new byte[Math.Max(tokens.Count, state.Labels.Length * 2)];
        }

        Span<byte> labels = state.Labels.AsSpan(0, tokens.Count);
        _tagger.Tag(text, tokens, state.Features, labels);
        int k = 0;
        while (k < tokens.Count)
        {
            string? type = NerTagger.LabelTypes[labels[k]];
            if (type is null)
            {
                k++;
                continue;
            }

            int first = k++;
            while (k < tokens.Count && labels[k] == labels[first] + (labels[first] % 2 == 1 ? 1 : 0) && NerTagger.LabelTypes[labels[k]] == type)
            {
                k++;
            }

            int last = k - 1;
            while (last > first && tokens[last].Kind is NerTokenKind.Newline or NerTokenKind.Punctuation)
            {
                last--;
            }

            if (tokens[first].Kind is NerTokenKind.Newline or NerTokenKind.Punctuation || !Enabled(type))
            {
                continue;
            }

            int start = tokens[first].Start, end = tokens[last].Start + tokens[last].Length;
            matches.Add(new PiiMatch(start, end - start, type));
            if (type == PiiEntityTypes.Address && _location)
            {
                AddPlacesInAddress(text, tokens, state.Features, first, last, matches);
            }
        }
    }

    /// <summary>
    /// Also reports the known towns, regions and countries inside an address as locations: labelled data (and users) treat the
    /// city and country lines of an address block sometimes as part of the address and sometimes as places of their own.
    /// </summary>
    private static void AddPlacesInAddress(string text, List<NerToken> tokens, NerFeatures features, int first, int last, List<PiiMatch> matches)
    {
        const GazetteerFlags Place = GazetteerFlags.City | GazetteerFlags.Country | GazetteerFlags.State;
        int k = first;
        while (k <= last)
        {
            if (tokens[k].Kind != NerTokenKind.Word || (features.FlagsOf(k) & Place) == 0 || (features.FlagsOf(k) & (GazetteerFlags.StreetSuffix | GazetteerFlags.Unit)) != 0
                || !char.IsUpper(text[tokens[k].Start]))
            {
                k++;
                continue;
            }

            int runStart = k;
            while (k + 1 <= last && tokens[k + 1].Kind == NerTokenKind.Word && (features.FlagsOf(k + 1) & Place) != 0)
            {
                k++;
            }

            // Only a place that fills its own segment of the address (a line, or between commas): not "Rue de Libya", "London Place".
            if (IsSegmentEdge(text, tokens, runStart - 1, first) && IsSegmentEdge(text, tokens, k + 1, last))
            {
                int start = tokens[runStart].Start, end = tokens[k].Start + tokens[k].Length;
                matches.Add(new PiiMatch(start, end - start, PiiEntityTypes.Location));
            }

            k++;
        }
    }

    private static bool IsSegmentEdge(string text, List<NerToken> tokens, int index, int edge)
    {
        if (index < 0 || index >= tokens.Count || (index < edge ? index < edge : false))
        {
            return true;
        }

        NerToken t = tokens[index];
        return t.Kind is NerTokenKind.Newline or NerTokenKind.Number || (t.Kind == NerTokenKind.Punctuation && text[t.Start] is ',' or ';' or '>' or '?');
    }

    private bool Enabled(string type) => type switch
    {
        PiiEntityTypes.Person => _person,
        PiiEntityTypes.Location => _location,
        _ => _address,
    };

    private sealed class State
    {
        public List<NerToken> Tokens { get; } = new(64);

        public NerFeatures Features { get; } = new();

        public byte[] Labels { get; set; } = new byte[64];
    }
}
