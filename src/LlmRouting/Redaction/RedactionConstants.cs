namespace LlmRouting;

/// <summary>Defaults and fixed names of the redactor.</summary>
public static class RedactionConstants
{
    /// <summary>The entity type reported for blocked images (<see cref="RedactionOptions.BlockImages"/>): <c>IMAGE</c>.</summary>
    public const string ImageEntityType = "IMAGE";

    /// <summary>The entity type of secrets (API keys, tokens, passwords, private keys): <c>SECRET</c>.</summary>
    public const string SecretEntityType = "SECRET";

    /// <summary>The default action for personal data: <see cref="PiiAction.Placeholder"/>.</summary>
    public const PiiAction DefaultAction = PiiAction.Placeholder;

    /// <summary>The default action for secrets: <see cref="PiiAction.Mask"/> (a secret is never restored into an answer).</summary>
    public const PiiAction DefaultSecretAction = PiiAction.Mask;

    /// <summary>The default number of hexadecimal characters of a <see cref="PiiAction.Hash"/> token: 8.</summary>
    public const int DefaultHashLength = 8;

    /// <summary>The shortest accepted <see cref="RedactionOptions.HashSalt"/>: 16 characters.</summary>
    public const int MinimumHashSaltLength = 16;
}
