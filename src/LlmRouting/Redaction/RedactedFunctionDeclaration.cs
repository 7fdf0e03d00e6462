using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>A function declaration as a provider may see it: the original's name, description and schemas with detected values redacted.</summary>
/// <remarks>Declares only; it cannot be invoked. Tools are invoked outside the gateway (e.g. by <c>UseFunctionInvocation()</c>) from the caller's options.</remarks>
internal sealed class RedactedFunctionDeclaration : AIFunctionDeclaration
{
    private readonly AIFunctionDeclaration _original;
    private readonly string _name;
    private readonly string _description;
    private readonly JsonElement _schema;
    private readonly JsonElement? _returnSchema;

    public RedactedFunctionDeclaration(AIFunctionDeclaration original, string name, string description, JsonElement schema, JsonElement? returnSchema)
    {
        _original = original;
        _name = name;
        _description = description;
        _schema = schema;
        _returnSchema = returnSchema;
    }

    public override string Name => _name;

    public override string Description => _description;

    public override JsonElement JsonSchema => _schema;

    public override JsonElement? ReturnJsonSchema => _returnSchema;

    public override IReadOnlyDictionary<string, object?> AdditionalProperties => _original.AdditionalProperties;
}
