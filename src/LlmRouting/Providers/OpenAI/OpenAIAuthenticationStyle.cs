namespace LlmRouting;

/// <summary>How <see cref="OpenAIChatCompletionsClient"/> sends the API key.</summary>
public enum OpenAIAuthenticationStyle
{
    /// <summary><c>Authorization: Bearer {key}</c>, as OpenAI and most OpenAI-compatible providers expect.</summary>
    BearerToken = 0,

    /// <summary><c>api-key: {key}</c>, as Azure OpenAI expects for key authentication.</summary>
    ApiKeyHeader,
}
