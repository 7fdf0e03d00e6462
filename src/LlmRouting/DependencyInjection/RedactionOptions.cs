namespace LlmRouting;

/// <summary>Redactor settings (<c>LlmRouting:Redaction</c>).</summary>
public sealed class RedactionOptions
{
    /// <summary>Gets or sets a value indicating whether the redactor is in the chain. The default is <see langword="true"/>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Gets or sets the action per entity type (e.g. <c>"EMAIL_ADDRESS": "Placeholder"</c>, <c>"SECRET": "Block"</c>), case-insensitive.
    /// Types not listed get <see cref="SecretAction"/> when they are secrets (<c>SECRET</c>) and <see cref="DefaultAction"/> otherwise.
    /// </summary>
    public IDictionary<string, PiiAction> Actions { get; set; } = new Dictionary<string, PiiAction>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets or sets the action for personal data whose type is not in <see cref="Actions"/>. The default is <see cref="PiiAction.Placeholder"/>.</summary>
    public PiiAction DefaultAction { get; set; } = RedactionConstants.DefaultAction;

    /// <summary>Gets or sets the action for secrets (<c>SECRET</c>) when not in <see cref="Actions"/>: <see cref="PiiAction.Mask"/> (the default) or <see cref="PiiAction.Block"/>.</summary>
    public PiiAction SecretAction { get; set; } = RedactionConstants.DefaultSecretAction;

    /// <summary>
    /// Gets or sets the key of the HMAC-SHA256 used by <see cref="PiiAction.Hash"/>; required (at least 16 characters) when any action is
    /// <see cref="PiiAction.Hash"/>. Keep it in a secret store; it is never logged or reported.
    /// </summary>
    public string? HashSalt { get; set; }

    /// <summary>Gets or sets the number of hexadecimal characters of a hash token (8 to 64, even). The default is 8.</summary>
    public int HashLength { get; set; } = RedactionConstants.DefaultHashLength;

    /// <summary>Gets or sets a value indicating whether requests carrying images (<see cref="Microsoft.Extensions.AI.DataContent"/> or
    /// <see cref="Microsoft.Extensions.AI.UriContent"/> with an <c>image/*</c> media type) are refused with <see cref="PiiBlockedException"/>.
    /// The default is <see langword="false"/>: images pass unchanged.</summary>
    public bool BlockImages { get; set; }

    /// <summary>Gets or sets a value indicating whether placeholders in answers are replaced by the original values. The default is <see langword="true"/>.</summary>
    public bool RestorePlaceholders { get; set; } = true;

    /// <summary>
    /// Gets or sets the built-in detectors the redactor runs (<c>LlmRouting:Redaction:Detectors</c>): the entity types, the opt-in
    /// names and places, the phone regions. The default is <see cref="PiiDetectors.DefaultEntityTypes"/>. Unknown entity types or
    /// regions are reported at start-up by the options validation.
    /// </summary>
    /// <example>
    /// <code>
    /// "Redaction": { "Detectors": { "DisabledEntityTypes": [ "URL" ], "IncludeNamesAndPlaces": true, "PhoneRegions": [ "DE", "AT" ] } }
    /// </code>
    /// </example>
    public PiiDetectorOptions Detectors { get; set; } = new();

    /// <summary>
    /// Gets or sets a value indicating whether the <see cref="IPiiDetector"/>s registered in the service collection replace the built-in
    /// detectors chosen by <see cref="Detectors"/>. The default is <see langword="false"/>: registered detectors run in addition to
    /// the built-in ones. When <see langword="true"/>, at least one detector must be registered.
    /// </summary>
    public bool ReplaceBuiltInDetectors { get; set; }

    /// <summary>Gets the effective action for an entity type.</summary>
    /// <param name="entityType">The entity type.</param>
    /// <returns>The configured action, else <see cref="SecretAction"/> for secrets and <see cref="DefaultAction"/> for everything else.</returns>
    public PiiAction GetAction(string entityType)
    {
        ArgumentNullException.ThrowIfNull(entityType);
        if (Actions is { Count: > 0 } actions)
        {
            if (actions.TryGetValue(entityType, out PiiAction action))
            {
                return action;
            }

            foreach (KeyValuePair<string, PiiAction> kv in actions)
            {
                if (string.Equals(kv.Key, entityType, StringComparison.OrdinalIgnoreCase))
                {
                    return kv.Value;
                }
            }
        }

        return IsSecret(entityType) ? SecretAction : DefaultAction;
    }

    internal static bool IsSecret(string entityType) =>
        entityType.StartsWith(RedactionConstants.SecretEntityType, StringComparison.OrdinalIgnoreCase);
}
