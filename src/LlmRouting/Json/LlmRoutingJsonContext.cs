using System.Text.Json.Serialization;

namespace LlmRouting;

/// <summary>Source-generated JSON metadata for LlmRouting's own documents.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = false,
    UseStringEnumConverter = true,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(CatalogDocument))]
internal sealed partial class LlmRoutingJsonContext : JsonSerializerContext;
