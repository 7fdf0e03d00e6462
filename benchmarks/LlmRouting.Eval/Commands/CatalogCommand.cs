using System.Globalization;
using System.Text;
using System.Text.Json;

namespace LlmRouting.Eval.Commands;

/// <summary>
/// <c>catalog</c>: coverage of the embedded model catalog (<see cref="ModelCatalog.Default"/>): how many models and providers,
/// and how many have prices, capabilities and quality/speed priors. Prints a short table, then one JSON object on the last line.
/// </summary>
internal sealed class CatalogCommand : IEvalCommand
{
    // Capabilities the catalog assumes for every chat model unless a feed says otherwise; they do not count as "declared".
    private const ModelCapabilities DefaultCapabilities = ModelCapabilities.Streaming | ModelCapabilities.SystemMessages;

    /// <inheritdoc/>
    public string Name => "catalog";

    /// <inheritdoc/>
    public string Description => "coverage of the embedded model catalog (models, providers, prices, capabilities, priors)";

    /// <inheritdoc/>
    public async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (args.Count > 0)
        {
            await error.WriteLineAsync("usage: catalog (takes no arguments)").ConfigureAwait(false);
            return Program.UsageExitCode;
        }

        CatalogCoverage coverage = CatalogCoverage.Of(ModelCatalog.Default);
        foreach ((string provider, int count) in coverage.ModelsByProvider.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Take(10))
        {
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{provider,-24} {count,5} models")).ConfigureAwait(false);
        }

        await output.WriteLineAsync(coverage.ToJson()).ConfigureAwait(false);
        return 0;
    }

    /// <summary>Coverage figures of a catalog.</summary>
    internal sealed class CatalogCoverage
    {
        private CatalogCoverage()
        {
        }

        /// <summary>Gets the number of models.</summary>
        public int Models { get; private init; }

        /// <summary>Gets the number of models per provider.</summary>
        public SortedDictionary<string, int> ModelsByProvider { get; } = new(StringComparer.Ordinal);

        /// <summary>Gets the number of models with a known price.</summary>
        public int WithPrice { get; private init; }

        /// <summary>Gets the number of models with at least one capability declared by the source feed (beyond streaming and system messages, which are assumed).</summary>
        public int WithCapabilities { get; private init; }

        /// <summary>Gets the number of models with an intelligence or coding index.</summary>
        public int WithQualityPrior { get; private init; }

        /// <summary>Gets the number of models with a measured output speed or time to first token.</summary>
        public int WithSpeedPrior { get; private init; }

        /// <summary>Gets the number of models with a context window.</summary>
        public int WithContextWindow { get; private init; }

        /// <summary>Gets the number of models per capability.</summary>
        public SortedDictionary<string, int> ByCapability { get; } = new(StringComparer.Ordinal);

        /// <summary>Gets the catalog's source description.</summary>
        public string? GeneratedFrom { get; private init; }

        /// <summary>Computes the coverage of <paramref name="catalog"/>.</summary>
        /// <param name="catalog">The catalog.</param>
        /// <returns>The coverage.</returns>
        public static CatalogCoverage Of(ModelCatalog catalog)
        {
            IReadOnlyCollection<ModelInfo> models = catalog.Models;
            var coverage = new CatalogCoverage
            {
                Models = models.Count,
                WithPrice = models.Count(m => m.Pricing.IsKnown),
                WithCapabilities = models.Count(m => (m.Capabilities & ~DefaultCapabilities) != ModelCapabilities.None),
                WithQualityPrior = models.Count(m => m.Priors is { IntelligenceIndex: not null } or { CodingIndex: not null }),
                WithSpeedPrior = models.Count(m => m.Priors is { OutputTokensPerSecond: not null } or { TimeToFirstTokenSeconds: not null }),
                WithContextWindow = models.Count(m => m.ContextWindow is not null),
                GeneratedFrom = catalog.GeneratedFrom,
            };
            foreach (IGrouping<string, ModelInfo> provider in models.GroupBy(m => m.Provider, StringComparer.OrdinalIgnoreCase))
            {
                coverage.ModelsByProvider[provider.Key] = provider.Count();
            }

            foreach (ModelCapabilities capability in Enum.GetValues<ModelCapabilities>().Where(c => c != ModelCapabilities.None))
            {
                coverage.ByCapability[JsonNamingPolicy.SnakeCaseLower.ConvertName(capability.ToString())] = models.Count(m => m.Supports(capability));
            }

            return coverage;
        }

        /// <summary>Writes the coverage as one line of JSON.</summary>
        /// <returns>The JSON object.</returns>
        public string ToJson()
        {
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteNumber("models", Models);
                json.WriteNumber("providers", ModelsByProvider.Count);
                json.WriteNumber("models_with_price", WithPrice);
                json.WriteNumber("models_with_capabilities", WithCapabilities);
                json.WriteNumber("models_with_quality_prior", WithQualityPrior);
                json.WriteNumber("models_with_speed_prior", WithSpeedPrior);
                json.WriteNumber("models_with_context_window", WithContextWindow);
                json.WriteStartObject("capabilities");
                foreach ((string capability, int count) in ByCapability)
                {
                    json.WriteNumber(capability, count);
                }

                json.WriteEndObject();
                json.WriteStartArray("providers_list");
                foreach (string provider in ModelsByProvider.Keys)
                {
                    json.WriteStringValue(provider);
                }

                json.WriteEndArray();
                json.WriteString("generated_from", GeneratedFrom);
                json.WriteEndObject();
            }

            return Encoding.UTF8.GetString(buffer.ToArray());
        }
    }
}
