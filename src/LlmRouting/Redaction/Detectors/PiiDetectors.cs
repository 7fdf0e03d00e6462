using System.Collections.Frozen;

namespace LlmRouting;

/// <summary>
/// Builds the built-in PII and secret detectors. Every detector runs in-process on data embedded in the package
/// (no network, no model download).
/// </summary>
/// <example>
/// <code>
/// IPiiDetector all = PiiDetectors.Create();                                         // the default set
/// IPiiDetector some = PiiDetectors.Create(PiiEntityTypes.EmailAddress, PiiEntityTypes.Secret);
/// IPiiDetector names = PiiDetectors.Create(new PiiDetectorOptions { IncludeNamesAndPlaces = true });
/// </code>
/// </example>
public static class PiiDetectors
{
    private static readonly Lazy<IPiiDetector> s_default = new(() => Create((PiiDetectorOptions?)null), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Gets the entity types detected by default: everything except person names, locations and addresses.</summary>
    public static IReadOnlyList<string> DefaultEntityTypes { get; } =
    [
        PiiEntityTypes.EmailAddress, PiiEntityTypes.PhoneNumber, PiiEntityTypes.CreditCard, PiiEntityTypes.UsSsn,
        PiiEntityTypes.IbanCode, PiiEntityTypes.IpAddress, PiiEntityTypes.Url, PiiEntityTypes.CryptoWallet,
        PiiEntityTypes.Secret, PiiEntityTypes.UsPassport, PiiEntityTypes.UsDriverLicense, PiiEntityTypes.DateOfBirth,
    ];

    /// <summary>Gets the opt-in entity types (see <see cref="PiiDetectorOptions.IncludeNamesAndPlaces"/>).</summary>
    public static IReadOnlyList<string> NameAndPlaceEntityTypes { get; } = [PiiEntityTypes.Person, PiiEntityTypes.Location, PiiEntityTypes.Address];

    /// <summary>Gets every entity type the built-in detectors can report.</summary>
    public static IReadOnlyList<string> AllEntityTypes { get; } = [.. DefaultEntityTypes, .. NameAndPlaceEntityTypes];

    /// <summary>Gets the secret formats recognised, i.e. the values <see cref="PiiMatch.Subtype"/> can take for <see cref="PiiEntityTypes.Secret"/>.</summary>
    public static IReadOnlyList<string> SecretSubtypes => SecretDetector.Subtypes;

    /// <summary>Gets the shared default detector (<see cref="DefaultEntityTypes"/>). Thread-safe.</summary>
    public static IPiiDetector Default => s_default.Value;

    /// <summary>Creates a detector for exactly <paramref name="entityTypes"/>.</summary>
    /// <param name="entityTypes">Entity type names from <see cref="PiiEntityTypes"/>.</param>
    /// <returns>One detector that runs the chosen built-in detectors and resolves overlaps between them.</returns>
    /// <exception cref="ArgumentException">An entity type is not one of <see cref="AllEntityTypes"/>.</exception>
    public static IPiiDetector Create(params string[] entityTypes)
    {
        ArgumentNullException.ThrowIfNull(entityTypes);
        return Create(new PiiDetectorOptions { EntityTypes = entityTypes, IncludeNamesAndPlaces = false });
    }

    /// <summary>Creates a detector as configured by <paramref name="options"/>.</summary>
    /// <param name="options">The options; <see langword="null"/> for the default set.</param>
    /// <returns>One detector that runs the chosen built-in detectors and resolves overlaps between them (e.g. a URL that
    /// contains a token is reported as the token). Thread-safe.</returns>
    /// <exception cref="ArgumentException">An entity type or phone region is unknown.</exception>
    public static IPiiDetector Create(PiiDetectorOptions? options)
    {
        var types = new HashSet<string>(StringComparer.Ordinal);
        IList<string>? requested = options?.EntityTypes;
        foreach (string type in requested is { Count: > 0 } ? requested : (IEnumerable<string>)DefaultEntityTypes)
        {
            types.Add(Normalize(type, "EntityTypes"));
        }

        if (options?.IncludeNamesAndPlaces == true)
        {
            types.UnionWith(NameAndPlaceEntityTypes);
        }

        foreach (string type in options?.DisabledEntityTypes ?? [])
        {
            types.Remove(Normalize(type, "DisabledEntityTypes"));
        }

        var detectors = new List<IPiiDetector>();
        if (types.Contains(PiiEntityTypes.Secret))
        {
            detectors.Add(new SecretDetector());
        }

        if (types.Contains(PiiEntityTypes.CryptoWallet))
        {
            detectors.Add(new CryptoWalletDetector());
        }

        if (types.Contains(PiiEntityTypes.EmailAddress))
        {
            detectors.Add(new EmailDetector());
        }

        if (types.Contains(PiiEntityTypes.Url))
        {
            detectors.Add(new UrlDetector());
        }

        if (types.Contains(PiiEntityTypes.IpAddress))
        {
            detectors.Add(new IpAddressDetector());
        }

        if (types.Contains(PiiEntityTypes.IbanCode))
        {
            detectors.Add(new IbanDetector());
        }

        if (types.Contains(PiiEntityTypes.CreditCard))
        {
            detectors.Add(new CreditCardDetector());
        }

        if (types.Contains(PiiEntityTypes.UsSsn))
        {
            detectors.Add(new UsSsnDetector());
        }

        if (types.Contains(PiiEntityTypes.PhoneNumber))
        {
            detectors.Add(new PhoneNumberDetector(options?.PhoneRegions));
        }

        bool passport = types.Contains(PiiEntityTypes.UsPassport), licence = types.Contains(PiiEntityTypes.UsDriverLicense), birth = types.Contains(PiiEntityTypes.DateOfBirth);
        if (passport || licence || birth)
        {
            detectors.Add(new IdentityDocumentDetector(passport, licence, birth));
        }

        bool person = types.Contains(PiiEntityTypes.Person), location = types.Contains(PiiEntityTypes.Location), address = types.Contains(PiiEntityTypes.Address);
        if (person || location || address)
        {
            detectors.Add(new NameAndPlaceDetector(person, location, address));
        }

        return new CompositePiiDetector(detectors);
    }

    private static readonly FrozenSet<string> s_all = AllEntityTypes.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    private static string Normalize(string type, string setting)
    {
        if (type is null || !s_all.TryGetValue(type.Trim(), out string? known))
        {
            throw new ArgumentException($"PiiDetectorOptions.{setting}: '{type}' is not a built-in entity type; use one of {string.Join(", ", AllEntityTypes)}.", nameof(type));
        }

        return known;
    }
}
