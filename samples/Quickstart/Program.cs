// LlmRouting quickstart: a realistic mixed batch through the real chain
// (cost router → PII redactor → failover → telemetry → provider clients).
// Offline by default: the providers are simulated (LlmRouting.Testing), priced from the embedded catalog.
using System.Diagnostics;
using System.Globalization;
using LlmRouting;
using LlmRouting.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

// The premium model we compare against: what "always use the best model" would cost.
const string PremiumCatalogModel = "anthropic/claude-sonnet-4-5";

ProviderSetup setup = await ProviderSetup.DetectAsync();
var services = new ServiceCollection();
services.AddSimulatedProviders(factory => QuickstartSimulation.Configure(factory));
services.AddLlmRouting(options => setup.AddDeployments(options));
await using ServiceProvider provider = services.BuildServiceProvider();

IChatClient client = provider.GetRequiredService<IChatClient>();
ModelCatalog catalog = provider.GetRequiredService<ModelCatalog>();
SimulatedProviderFactory simulation = provider.GetServices<IChatProviderFactory>().OfType<SimulatedProviderFactory>().Single();
ModelPricing premium = catalog.TryGetModel(PremiumCatalogModel, out ModelInfo? premiumModel)
    ? premiumModel.Pricing
    : throw new InvalidOperationException($"{PremiumCatalogModel} is missing from the catalog.");

Console.WriteLine("LlmRouting quickstart");
Console.WriteLine(setup.Description);
Console.WriteLine("Policy: the cheapest deployment that can serve each request (images need vision, tools need tool calling, JSON schema,");
Console.WriteLine("reasoning effort and context length filter candidates; ChatOptions.ModelId pins one). Failover moves on when one fails.");
Console.WriteLine();

var rows = new List<Row>();
foreach (QuickstartRequest request in QuickstartRequest.Batch())
{
    if (request.StartOutage && setup.Simulated)
    {
        if (simulation.TryGetClient("llama-8b", out SimulatedChatClient? cheapest))
        {
            cheapest.SetOutage(SimulatedFaultKind.Overloaded);
        }
    }

    if (request.EndOutage && setup.Simulated && simulation.TryGetClient("llama-8b", out SimulatedChatClient? recovered))
    {
        recovered.ClearOutage();
    }

    var watch = Stopwatch.StartNew();
    RoutingReport report;
    string answer;
    try
    {
        if (request.Stream)
        {
            var updates = new List<ChatResponseUpdate>();
            await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync(request.Messages, request.Options))
            {
                updates.Add(update);
            }

            ChatResponse merged = updates.ToChatResponse();
            report = merged.GetRoutingReport()!;
            answer = merged.Text;
        }
        else
        {
            ChatResponse response = await client.GetResponseAsync(request.Messages, request.Options);
            report = response.GetRoutingReport()!;
            answer = response.Text;
        }
    }
    catch (LlmRoutingException ex)
    {
        Console.WriteLine($"{request.Label}: failed with {ex.GetType().Name}: {ex.Message}");
        continue;
    }

    rows.Add(new Row(request.Label, report, premium.CalculateCost(ToUsage(report.Usage)), watch.Elapsed));
}

Table.Print(rows);

static UsageDetails ToUsage(TokenUsage usage) => new()
{
    InputTokenCount = usage.InputTokens,
    OutputTokenCount = usage.OutputTokens,
    CachedInputTokenCount = usage.CachedInputTokens,
    ReasoningTokenCount = usage.ReasoningTokens,
};

internal sealed record Row(string Label, RoutingReport Report, decimal PremiumCost, TimeSpan Latency);
