namespace LlmRouting.CatalogGenerator;

/// <summary>Maps LiteLLM's <c>litellm_provider</c> values and model keys to LlmRouting provider names and model ids.</summary>
internal static class ProviderNames
{
    private const string VertexPrefix = "vertex_ai";

    // LiteLLM provider -> LlmRouting provider, where the LlmRouting name is not simply the LiteLLM name kebab-cased.
    private static readonly Dictionary<string, string> s_renamed = new(StringComparer.OrdinalIgnoreCase)
    {
        ["azure"] = "azure-openai",
        ["azure_ai"] = "azure-ai",
        ["vertex_ai"] = "vertex-ai",
        ["bedrock_converse"] = "bedrock",
        ["together_ai"] = "together",
        ["fireworks_ai"] = "fireworks",
        ["cohere_chat"] = "cohere",
        ["ollama_chat"] = "ollama",
    };

    /// <summary>Returns the LlmRouting provider name for a LiteLLM provider: short, lowercase, kebab-case.</summary>
    /// <param name="liteLlmProvider">The <c>litellm_provider</c> value, e.g. <c>vertex_ai-anthropic_models</c>.</param>
    /// <returns>The provider name, e.g. <c>vertex-ai</c>.</returns>
    public static string Normalize(string liteLlmProvider)
    {
        ArgumentNullException.ThrowIfNull(liteLlmProvider);
        string provider = liteLlmProvider.Trim();
        if (provider.StartsWith(VertexPrefix + "-", StringComparison.OrdinalIgnoreCase))
        {
            // vertex_ai-anthropic_models, vertex_ai-language-models, ...: one Vertex AI endpoint serving several publishers.
            provider = VertexPrefix;
        }

        return s_renamed.TryGetValue(provider, out string? renamed)
            ? renamed
            : provider.ToLowerInvariant().Replace('_', '-');
    }

    /// <summary>Returns the model id of a LiteLLM key: the key without its provider prefix, or the key itself when it has none.</summary>
    /// <param name="key">The LiteLLM key, e.g. <c>anthropic/claude-3-haiku</c> or <c>gpt-4o</c>.</param>
    /// <param name="liteLlmProvider">The entry's <c>litellm_provider</c>.</param>
    /// <returns>The model id, e.g. <c>claude-3-haiku</c>.</returns>
    public static string ModelIdFromKey(string key, string liteLlmProvider)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(liteLlmProvider);
        int slash = key.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == key.Length - 1)
        {
            return key;
        }

        string prefix = key[..slash];
        return PrefixesOf(liteLlmProvider).Any(p => string.Equals(p, prefix, StringComparison.OrdinalIgnoreCase))
            ? key[(slash + 1)..]
            : key;
    }

    /// <summary>Returns the AWS region named by a Bedrock key such as <c>bedrock/eu-central-1/anthropic.claude-v1</c>, if any.</summary>
    /// <param name="modelId">The model id (the key without the <c>bedrock/</c> prefix).</param>
    /// <returns>The region, or <see langword="null"/>.</returns>
    public static string? AwsRegionOf(string modelId)
    {
        ArgumentNullException.ThrowIfNull(modelId);
        int slash = modelId.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0)
        {
            return null;
        }

        string first = modelId[..slash];
        return IsAwsRegion(first) ? first : null;
    }

    /// <summary>Returns whether <paramref name="value"/> looks like an AWS region code, e.g. <c>us-east-1</c> or <c>us-gov-west-1</c>.</summary>
    internal static bool IsAwsRegion(string value)
    {
        string[] parts = value.Split('-');
        if (parts.Length is < 3 or > 4 || parts[0].Length != 2 || !parts[0].All(char.IsAsciiLetterLower))
        {
            return false;
        }

        return parts[^1].Length == 1 && char.IsAsciiDigit(parts[^1][0])
            && parts[1..^1].All(p => p.Length > 0 && p.All(char.IsAsciiLetterLower));
    }

    private static IEnumerable<string> PrefixesOf(string liteLlmProvider)
    {
        yield return liteLlmProvider;
        yield return liteLlmProvider.Replace('_', '-');
        yield return Normalize(liteLlmProvider);
        if (liteLlmProvider.StartsWith(VertexPrefix, StringComparison.OrdinalIgnoreCase))
        {
            yield return VertexPrefix;
        }

        if (liteLlmProvider.StartsWith("bedrock", StringComparison.OrdinalIgnoreCase))
        {
            yield return "bedrock";
        }
    }
}
