using LlmRouting;

/// <summary>Chooses real providers when keys or a local server are available, simulated ones otherwise.</summary>
internal sealed class ProviderSetup
{
    private readonly List<(string Name, DeploymentOptions Options)> _deployments = [];

    public bool Simulated { get; private init; }

    public string Description { get; private init; } = string.Empty;

    public static async Task<ProviderSetup> DetectAsync()
    {
        var real = new List<(string, DeploymentOptions)>();
        var notes = new List<string>();
        if (!string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("OPENAI_API_KEY")))
        {
            real.Add(("gpt-4o-mini", new DeploymentOptions { Provider = "openai", Model = "gpt-4o-mini", ApiKeyEnvironmentVariable = "OPENAI_API_KEY" }));
            real.Add(("gpt-4o", new DeploymentOptions { Provider = "openai", Model = "gpt-4o", ApiKeyEnvironmentVariable = "OPENAI_API_KEY" }));
            real.Add(("claude-sonnet", new DeploymentOptions { Provider = "openai", Model = "gpt-4.1", CatalogModel = "openai/gpt-4.1", ApiKeyEnvironmentVariable = "OPENAI_API_KEY" }));
            notes.Add("OPENAI_API_KEY is set: routing to OpenAI.");
        }

        if (!string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("ANTHROPIC_API_KEY")))
        {
            notes.Add("ANTHROPIC_API_KEY is set, but this build has no Anthropic adapter yet (it comes with the provider adapters); it is not used.");
        }

        string? ollamaModel = await ProbeOllamaAsync();
        if (ollamaModel is not null)
        {
            real.Add(("ollama-local", new DeploymentOptions { Provider = "ollama", Model = ollamaModel, Endpoint = new Uri("http://127.0.0.1:11434/v1/"), IsLocal = true, CatalogModel = "ollama/" + ollamaModel }));
            notes.Add($"An Ollama server answers on 127.0.0.1:11434: routing to local model '{ollamaModel}' too.");
        }

        if (real.Count > 0)
        {
            var setup = new ProviderSetup { Simulated = false, Description = string.Join(Environment.NewLine, notes) + Environment.NewLine + "The outage scenario is skipped with real providers." };
            setup._deployments.AddRange(real);
            return setup;
        }

        var simulated = new ProviderSetup
        {
            Simulated = true,
            Description = string.Join(Environment.NewLine, notes.Append(
                "The providers are SIMULATED (offline, no keys): answers are canned, latency and token usage are simulated,\n" +
                "prices are real catalog prices. Set OPENAI_API_KEY (or start an Ollama server on 127.0.0.1:11434) to route to real providers instead.")),
        };
        foreach ((string name, string catalogModel) in QuickstartSimulation.Deployments)
        {
            simulated._deployments.Add((name, new DeploymentOptions { Provider = "simulated", Model = catalogModel[(catalogModel.IndexOf('/', StringComparison.Ordinal) + 1)..], CatalogModel = catalogModel }));
        }

        return simulated;
    }

    public void AddDeployments(LlmRoutingOptions options)
    {
        foreach ((string name, DeploymentOptions deployment) in _deployments)
        {
            options.Deployments[name] = deployment;
        }
    }

    private static async Task<string?> ProbeOllamaAsync()
    {
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromMilliseconds(500) };
            using var response = await http.GetAsync(new Uri("http://127.0.0.1:11434/api/tags"));
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }

            using var doc = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return doc.RootElement.TryGetProperty("models", out var models) && models.GetArrayLength() > 0
                ? models[0].GetProperty("name").GetString()
                : null;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException or InvalidOperationException or KeyNotFoundException)
        {
            return null;
        }
    }
}
