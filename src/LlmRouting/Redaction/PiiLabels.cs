using System.Collections.Concurrent;

namespace LlmRouting;

/// <summary>Short labels of entity types used in masks (<c>[EMAIL]</c>), placeholders (<c>&lt;EMAIL_1&gt;</c>) and hash tokens.</summary>
internal static class PiiLabels
{
    private static readonly ConcurrentDictionary<string, string> s_labels = new(StringComparer.Ordinal)
    {
        ["EMAIL_ADDRESS"] = "EMAIL",
        ["PHONE_NUMBER"] = "PHONE",
        ["US_SSN"] = "SSN",
        ["IBAN_CODE"] = "IBAN",
        ["IP_ADDRESS"] = "IP",
        ["US_PASSPORT"] = "PASSPORT",
        ["US_DRIVER_LICENSE"] = "DRIVER_LICENSE",
    };

    private static readonly ConcurrentDictionary<string, string> s_masks = new(StringComparer.Ordinal);

    /// <summary>Gets the label of an entity type: a short name for well-known types, else the type itself reduced to <c>[A-Z0-9_]</c>.</summary>
    public static string For(string entityType) => s_labels.GetOrAdd(entityType, static t => Sanitize(t));

    /// <summary>Gets the mask of an entity type, e.g. <c>[EMAIL]</c>.</summary>
    public static string Mask(string entityType) => s_masks.GetOrAdd(entityType, static t => "[" + For(t) + "]");

    /// <summary>Whether <paramref name="c"/> may appear in a label.</summary>
    public static bool IsLabelChar(char c) => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c == '_';

    private static string Sanitize(string entityType)
    {
        if (entityType.Length == 0)
        {
            return "PII";
        }

        return string.Create(entityType.Length, entityType, static (span, source) =>
        {
            for (int i = 0; i < span.Length; i++)
            {
                char c = char.ToUpperInvariant(source[i]);
                span[i] = IsLabelChar(c) ? c : '_';
            }
        });
    }
}
