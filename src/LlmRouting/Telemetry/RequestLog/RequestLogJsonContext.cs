using System.Text.Json.Serialization;

namespace LlmRouting;

/// <summary>Source-generated JSON for request-log records (snake_case, enums as strings, nulls omitted).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true,
    WriteIndented = false)]
[JsonSerializable(typeof(RequestLogRecord))]
internal sealed partial class RequestLogJsonContext : JsonSerializerContext;
