namespace LlmRouting;

/// <summary>Redactor settings (<c>LlmRouting:Redaction</c>).</summary>
public sealed class RedactionOptions
{
    /// <summary>Gets or sets a value indicating whether the redactor is in the chain. The default is <see langword="true"/>.</summary>
    public bool Enabled { get; set; } = true;
}
