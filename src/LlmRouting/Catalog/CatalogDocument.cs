namespace LlmRouting;

/// <summary>The serialized form of a <see cref="ModelCatalog"/> (the embedded <c>models.json</c>).</summary>
internal sealed class CatalogDocument
{
    public string? GeneratedFrom { get; set; }

    public List<ModelInfo> Models { get; set; } = [];
}
