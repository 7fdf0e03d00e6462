namespace LlmRouting;

/// <summary>
/// Chooses the built-in detectors that <see cref="PiiDetectors.Create(PiiDetectorOptions?)"/> assembles. Binds from configuration.
/// </summary>
/// <remarks>
/// By default every entity type except the opt-in <see cref="PiiEntityTypes.Person"/>, <see cref="PiiEntityTypes.Location"/>
/// and <see cref="PiiEntityTypes.Address"/> is detected (see <see cref="PiiDetectors.DefaultEntityTypes"/>).
/// </remarks>
public sealed class PiiDetectorOptions
{
    /// <summary>
    /// Gets or sets the entity types to detect (names from <see cref="PiiEntityTypes"/>); <see langword="null"/> or empty means
    /// <see cref="PiiDetectors.DefaultEntityTypes"/>.
    /// </summary>
    public IList<string>? EntityTypes { get; set; }

    /// <summary>Gets or sets entity types to leave out, e.g. <c>URL</c> when links in prompts are not sensitive for you.</summary>
    public IList<string>? DisabledEntityTypes { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether person names, places and street addresses are detected too
    /// (<see cref="PiiEntityTypes.Person"/>, <see cref="PiiEntityTypes.Location"/>, <see cref="PiiEntityTypes.Address"/>), with the
    /// embedded gazetteer and tagger. Off by default: it is slower and less precise than the pattern detectors.
    /// </summary>
    public bool IncludeNamesAndPlaces { get; set; }

    /// <summary>
    /// Gets or sets the regions (ISO 3166 alpha-2, e.g. <c>US</c>, <c>DE</c>) whose national phone formats are recognised without a
    /// leading <c>+</c>; <see langword="null"/> means a built-in list of 40 common regions. International numbers (<c>+</c> or
    /// <c>00</c>) are recognised for every region.
    /// </summary>
    public IList<string>? PhoneRegions { get; set; }
}
