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
    }

    private static void CheckAction(string path, PiiAction action, List<string> errors)
    {
        if (!Enum.IsDefined(action))
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"{path} must be one of Mask, Placeholder, Hash, Block, RouteLocal (was {(int)action})."));
        }
    }
}
