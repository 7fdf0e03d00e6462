namespace LlmRouting;

/// <summary>Wire differences of an OpenAI-compatible provider from OpenAI's Chat Completions API.</summary>
/// <remarks>
/// Only differences that change the JSON the adapter writes belong here. An option the provider cannot express is never dropped:
/// the adapter throws <see cref="NotSupportedException"/> for it.
/// </remarks>
internal sealed record OpenAICompatibleQuirks
{
    /// <summary>Gets OpenAI's own behaviour.</summary>
    public static OpenAICompatibleQuirks OpenAI { get; } = new();

    /// <summary>Gets the field that carries <c>ChatOptions.MaxOutputTokens</c>: <c>max_completion_tokens</c> (OpenAI) or <c>max_tokens</c>.</summary>
    public string MaxTokensField { get; init; } = "max_completion_tokens";

    /// <summary>Gets the field that carries <c>ChatOptions.Seed</c>: <c>seed</c>, or <c>random_seed</c> (Mistral).</summary>
    public string SeedField { get; init; } = "seed";

    /// <summary>Gets a value indicating whether <c>ChatOptions.TopK</c> is sent as <c>top_k</c>; when <see langword="false"/>, TopK is rejected.</summary>
    public bool SupportsTopK { get; init; }

    /// <summary>Gets a value indicating whether streamed requests send <c>stream_options: {include_usage: true}</c>.</summary>
    public bool SendStreamOptions { get; init; } = true;

    /// <summary>Gets a value indicating whether the body carries <c>model</c>; Azure OpenAI's deployment URLs name the model in the path instead.</summary>
    public bool SendModel { get; init; } = true;
}

/// <summary>A provider that speaks OpenAI's Chat Completions wire format.</summary>
/// <param name="Name">The provider name used in configuration (<c>Deployment.Provider</c>).</param>
/// <param name="BaseUrl">The default base URL; <c>chat/completions</c> is appended. <see langword="null"/> when every deployment must give its own endpoint (Azure OpenAI).</param>
/// <param name="Quirks">The wire differences.</param>
internal sealed record OpenAICompatiblePreset(string Name, Uri? BaseUrl, OpenAICompatibleQuirks Quirks);

/// <summary>
/// The table of OpenAI-compatible providers served by <see cref="OpenAIProviderFactory"/>: name → default base URL and quirks.
/// </summary>
/// <remarks>
/// Base URLs are the providers' documented defaults (local servers: their default ports); a deployment's <c>Endpoint</c> overrides them.
/// Quirks other than OpenAI's are limited to well-known field-name differences and have not been verified against live services.
/// </remarks>
internal static class OpenAICompatiblePresets
{
    private static readonly OpenAICompatibleQuirks MaxTokens = new() { MaxTokensField = "max_tokens" };
    private static readonly OpenAICompatibleQuirks MaxTokensTopK = new() { MaxTokensField = "max_tokens", SupportsTopK = true };

    /// <summary>Gets the presets by name (case-insensitive).</summary>
    public static IReadOnlyDictionary<string, OpenAICompatiblePreset> All { get; } = Build(
        new("openai", new("https://api.openai.com/v1/"), OpenAICompatibleQuirks.OpenAI),
        new("deepseek", new("https://api.deepseek.com/v1/"), MaxTokens),
        new("mistral", new("https://api.mistral.ai/v1/"), new() { MaxTokensField = "max_tokens", SeedField = "random_seed", SendStreamOptions = false }),
        new("groq", new("https://api.groq.com/openai/v1/"), OpenAICompatibleQuirks.OpenAI),
        new("together", new("https://api.together.xyz/v1/"), MaxTokensTopK),
        new("fireworks", new("https://api.fireworks.ai/inference/v1/"), MaxTokensTopK),
        new("xai", new("https://api.x.ai/v1/"), OpenAICompatibleQuirks.OpenAI),
        new("openrouter", new("https://openrouter.ai/api/v1/"), MaxTokensTopK),
        new("cerebras", new("https://api.cerebras.ai/v1/"), OpenAICompatibleQuirks.OpenAI),
        new("perplexity", new("https://api.perplexity.ai/"), MaxTokensTopK),
        new("dashscope", new("https://dashscope-intl.aliyuncs.com/compatible-mode/v1/"), MaxTokens),
        new("yi", new("https://api.01.ai/v1/"), MaxTokens),
        new(AzureOpenAIDeployments.ProviderName, null, AzureOpenAIDeployments.DeploymentUrlQuirks),
        new("ollama", new("http://localhost:11434/v1/"), MaxTokens),
        new("vllm", new("http://localhost:8000/v1/"), MaxTokensTopK),
        new("llamacpp", new("http://localhost:8080/v1/"), MaxTokensTopK),
        new("lmstudio", new("http://localhost:1234/v1/"), MaxTokensTopK));

    private static Dictionary<string, OpenAICompatiblePreset> Build(params OpenAICompatiblePreset[] presets)
    {
        var table = new Dictionary<string, OpenAICompatiblePreset>(StringComparer.OrdinalIgnoreCase);
        foreach (OpenAICompatiblePreset p in presets)
        {
            table.Add(p.Name, p);
        }

        return table;
    }
}
