using System.Globalization;

namespace LlmRouting;

/// <summary>Checks <c>LlmRouting:Redaction</c>; messages name the setting and never quote the salt.</summary>
internal static class RedactionOptionsValidator
{
    public static void Check(LlmRoutingOptions options, List<string> errors)
    {
        const string P = LlmRoutingOptions.SectionName + ":Redaction";
        RedactionOptions r = options.Redaction;
        if (r is null)
        {
            errors.Add($"{P} is empty.");
            return;
        }

        CheckAction($"{P}:DefaultAction", r.DefaultAction, errors);
        CheckAction($"{P}:SecretAction", r.SecretAction, errors);
        bool usesHash = r.DefaultAction == PiiAction.Hash || r.SecretAction == PiiAction.Hash;
        foreach ((string type, PiiAction action) in r.Actions ?? new Dictionary<string, PiiAction>())
        {
            if (string.IsNullOrWhiteSpace(type))
            {
                errors.Add($"{P}:Actions has an empty entity type.");
                continue;
            }

            CheckAction($"{P}:Actions:{type}", action, errors);
            usesHash |= action == PiiAction.Hash;
        }

        if (usesHash)
        {
            if (string.IsNullOrEmpty(r.HashSalt))
            {
                errors.Add($"{P}:HashSalt is required when an action is Hash.");
            }
            else if (r.HashSalt.Length < RedactionConstants.MinimumHashSaltLength)
            {
                errors.Add(string.Create(CultureInfo.InvariantCulture, $"{P}:HashSalt must be at least {RedactionConstants.MinimumHashSaltLength} characters long."));
            }
        }

        if (r.HashLength is < 8 or > 64 || r.HashLength % 2 != 0)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"{P}:HashLength must be an even number from 8 to 64 (was {r.HashLength})."));
        }

        CheckDetectors($"{P}:Detectors", r.Detectors, errors);
    }

    /// <summary>Checks the built-in detector settings: known entity types and phone regions, and at least one type left to detect.</summary>
    internal static void CheckDetectors(string path, PiiDetectorOptions? detectors, List<string> errors)
    {
        if (detectors is null)
        {
            errors.Add($"{path} is empty.");
            return;
        }

        int before = errors.Count;
        var types = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        CheckEntityTypes($"{path}:EntityTypes", detectors.EntityTypes, types, errors);
        if (types.Count == 0)
        {
            types.UnionWith(PiiDetectors.DefaultEntityTypes);
        }

        if (detectors.IncludeNamesAndPlaces)
        {
            types.UnionWith(PiiDetectors.NameAndPlaceEntityTypes);
        }

        var disabled = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        CheckEntityTypes($"{path}:DisabledEntityTypes", detectors.DisabledEntityTypes, disabled, errors);
        types.ExceptWith(disabled);
        IList<string>? regions = detectors.PhoneRegions;
        for (int i = 0; regions is not null && i < regions.Count; i++)
        {
            string? region = regions[i]?.Trim();
            if (region is not { Length: 2 } || !char.IsAsciiLetter(region[0]) || !char.IsAsciiLetter(region[1]))
            {
                errors.Add(string.Create(CultureInfo.InvariantCulture, $"{path}:PhoneRegions:{i} '{regions[i]}' is not an ISO 3166 alpha-2 region code (e.g. US, DE)."));
            }
        }

        if (errors.Count == before && types.Count == 0)
        {
            errors.Add($"{path}:DisabledEntityTypes leaves no entity type to detect; to run only your own detectors set {LlmRoutingOptions.SectionName}:Redaction:ReplaceBuiltInDetectors to true.");
        }
    }

    private static void CheckEntityTypes(string path, IList<string>? types, HashSet<string> known, List<string> errors)
    {
        for (int i = 0; types is not null && i < types.Count; i++)
        {
            string? type = types[i]?.Trim();
            if (string.IsNullOrEmpty(type) || !PiiDetectors.AllEntityTypes.Contains(type, StringComparer.OrdinalIgnoreCase))
            {
                errors.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{path}:{i} '{types[i]}' is not a built-in entity type; use one of {string.Join(", ", PiiDetectors.AllEntityTypes)}."));
            }
            else
            {
                known.Add(type);
            }
        }
    }

    private static void CheckAction(string path, PiiAction action, List<string> errors)
    {
        if (!Enum.IsDefined(action))
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"{path} must be one of Mask, Placeholder, Hash, Block, RouteLocal (was {(int)action})."));
        }
    }
}
