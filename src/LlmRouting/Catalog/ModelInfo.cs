using System.Text.Json.Serialization;

namespace LlmRouting;

/// <summary>One chat model of the catalog: who serves it, what it costs, what it can do and how good and fast it is known to be.</summary>
/// <remarks>Bindable from configuration (<c>LlmRouting:Models</c>) to add models or override catalog facts.</remarks>
public sealed class ModelInfo
{
    /// <summary>Gets or sets the provider that serves the model (e.g. <c>openai</c>, <c>anthropic</c>, <c>gemini</c>).</summary>
    public string Provider { get; set; } = string.Empty;

    /// <summary>Gets or sets the model id as the provider's API expects it.</summary>
    public string ModelId { get; set; } = string.Empty;

    /// <summary>Gets or sets the prices per token.</summary>
    public ModelPricing Pricing { get; set; } = new();

    /// <summary>Gets or sets the context window in tokens (input plus output), if known.</summary>
    public int? ContextWindow { get; set; }

    /// <summary>Gets or sets the maximum output tokens per call, if known.</summary>
    public int? MaxOutputTokens { get; set; }

    /// <summary>Gets or sets what the model can do.</summary>
    public ModelCapabilities Capabilities { get; set; }

    /// <summary>Gets or sets the regions where the provider serves this model, where known.</summary>
    public IList<string> Regions { get; set; } = [];

    /// <summary>Gets or sets published quality and speed priors, where known.</summary>
    public ModelPriors? Priors { get; set; }

    /// <summary>Gets or sets the date from which the provider deprecates the model (ISO 8601), if announced.</summary>
    public string? DeprecationDate { get; set; }

    /// <summary>Gets the catalog key, <c>provider/modelId</c>.</summary>
    [JsonIgnore]
    public string Key => Provider + "/" + ModelId;

    /// <summary>Gets a value indicating whether the model has every capability in <paramref name="required"/>.</summary>
    /// <param name="required">The capabilities needed.</param>
    /// <returns><see langword="true"/> if all are present.</returns>
    public bool Supports(ModelCapabilities required) => (Capabilities & required) == required;

    /// <inheritdoc/>
    public override string ToString() => Key;
}
