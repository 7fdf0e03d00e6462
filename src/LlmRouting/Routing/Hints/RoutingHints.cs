using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>
/// The per-request routing hints of a request, read from <see cref="ChatOptions.AdditionalProperties"/>
/// (set them with the <see cref="LlmRoutingHints"/> helpers). Immutable.
/// </summary>
public sealed class RoutingHints
{
    private static readonly IReadOnlyDictionary<string, string> s_nothing = new Dictionary<string, string>();

    /// <summary>Gets hints that ask for nothing.</summary>
    public static RoutingHints None { get; } = new();

    /// <summary>Gets the tier name the request is restricted to, if any.</summary>
    public string? Tier { get; init; }

    /// <summary>Gets the maximum estimated cost per call in US dollars, if any.</summary>
    public decimal? MaxCostUsd { get; init; }

    /// <summary>Gets the maximum predicted latency, if any.</summary>
    public TimeSpan? MaxLatency { get; init; }

    /// <summary>Gets the minimum predicted quality (0 to 1), if any.</summary>
    public double? MinQuality { get; init; }

    /// <summary>Gets the end user, if named. Never written to reports.</summary>
    public string? User { get; init; }

    /// <summary>Gets the tenant, if named.</summary>
    public string? Tenant { get; init; }

    /// <summary>Gets the request's tags.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Gets the budget key, if any.</summary>
    public string? BudgetKey { get; init; }

    /// <summary>Gets the policy that overrides the router's for this request, if any.</summary>
    public string? Policy { get; init; }

    /// <summary>Gets the key experiment assignment sticks to, if given.</summary>
    public string? ExperimentKey { get; init; }

    /// <summary>Gets the providers allowed for this request (empty: no restriction).</summary>
    public IReadOnlyList<string> AllowedProviders { get; init; } = [];

    /// <summary>Gets the providers blocked for this request.</summary>
    public IReadOnlyList<string> BlockedProviders { get; init; } = [];

    /// <summary>Gets the model patterns allowed for this request (empty: no restriction).</summary>
    public IReadOnlyList<string> AllowedModels { get; init; } = [];

    /// <summary>Gets the model patterns blocked for this request.</summary>
    public IReadOnlyList<string> BlockedModels { get; init; } = [];

    /// <summary>Gets the regions allowed for this request (empty: no restriction).</summary>
    public IReadOnlyList<string> AllowedRegions { get; init; } = [];

    /// <summary>Gets the regions blocked for this request.</summary>
    public IReadOnlyList<string> BlockedRegions { get; init; } = [];

    /// <summary>Gets a value indicating whether the caller asked for models that emit parallel tool calls.</summary>
    public bool ParallelToolCalls { get; init; }

    /// <summary>Gets whether the caller turned the cascade on or off for this request; <see langword="null"/> follows configuration.</summary>
    public bool? Cascade { get; init; }

    /// <summary>Reads the hints of a request.</summary>
    /// <param name="options">The options, possibly <see langword="null"/>.</param>
    /// <returns>The hints; <see cref="None"/> when there are none.</returns>
    /// <exception cref="ArgumentException">A hint has a value of the wrong type or out of range; the message names the key.</exception>
    public static RoutingHints FromOptions(ChatOptions? options)
    {
        AdditionalPropertiesDictionary? p = options?.AdditionalProperties;
        if (p is null || p.Count == 0)
        {
            return None;
        }

        bool any = false;
        foreach (string key in p.Keys)
        {
            if (key.StartsWith("LlmRouting.", StringComparison.Ordinal))
            {
                any = true;
                break;
            }
        }

        if (!any)
        {
            return None;
        }

        decimal? maxCost = ReadDecimal(p, LlmRoutingHints.MaxCostKey);
        if (maxCost < 0)
        {
            throw Invalid(LlmRoutingHints.MaxCostKey, maxCost, "a non-negative number of US dollars");
        }

        TimeSpan? maxLatency = ReadTimeSpan(p, LlmRoutingHints.MaxLatencyKey);
        if (maxLatency <= TimeSpan.Zero)
        {
            throw Invalid(LlmRoutingHints.MaxLatencyKey, maxLatency, "a positive TimeSpan");
        }

        double? minQuality = ReadDouble(p, LlmRoutingHints.MinQualityKey);
        if (minQuality is double q && !(q >= 0 && q <= 1))
        {
            throw Invalid(LlmRoutingHints.MinQualityKey, q, "a number between 0 and 1");
        }

        return new RoutingHints
        {
            Tier = ReadString(p, LlmRoutingHints.TierKey),
            MaxCostUsd = maxCost,
            MaxLatency = maxLatency,
            MinQuality = minQuality,
            User = ReadString(p, LlmRoutingPropertyKeys.User),
            Tenant = ReadString(p, LlmRoutingPropertyKeys.Tenant),
            Tags = ReadList(p, LlmRoutingPropertyKeys.Tags),
            BudgetKey = ReadString(p, LlmRoutingHints.BudgetKeyKey),
            Policy = ReadString(p, LlmRoutingHints.PolicyKey),
            ExperimentKey = ReadString(p, LlmRoutingHints.ExperimentKeyKey),
            AllowedProviders = ReadList(p, LlmRoutingHints.AllowedProvidersKey),
            BlockedProviders = ReadList(p, LlmRoutingHints.BlockedProvidersKey),
            AllowedModels = ReadList(p, LlmRoutingHints.AllowedModelsKey),
            BlockedModels = ReadList(p, LlmRoutingHints.BlockedModelsKey),
            AllowedRegions = ReadList(p, LlmRoutingHints.AllowedRegionsKey),
            BlockedRegions = ReadList(p, LlmRoutingHints.BlockedRegionsKey),
            ParallelToolCalls = ReadBool(p, LlmRoutingHints.ParallelToolCallsKey) ?? false,
            Cascade = ReadBool(p, LlmRoutingHints.CascadeKey),
        };
    }

    /// <summary>Describes the hints that were set, for the routing report: names to invariant values. The user id is never included, only that one was set.</summary>
    /// <returns>The applied hints.</returns>
    public IReadOnlyDictionary<string, string> Describe()
    {
        if (ReferenceEquals(this, None))
        {
            return s_nothing;
        }

        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        Add(d, "tier", Tier);
        Add(d, "max_cost_usd", MaxCostUsd?.ToString(CultureInfo.InvariantCulture));
        Add(d, "max_latency_ms", MaxLatency?.TotalMilliseconds.ToString(CultureInfo.InvariantCulture));
        Add(d, "min_quality", MinQuality?.ToString(CultureInfo.InvariantCulture));
        Add(d, "user", User is null ? null : "set");
        Add(d, "tenant", Tenant);
        Add(d, "tags", Tags.Count == 0 ? null : string.Join(",", Tags));
        Add(d, "budget_key", BudgetKey);
        Add(d, "policy", Policy);
        Add(d, "experiment_key", ExperimentKey is null ? null : "set");
        Add(d, "allowed_providers", AllowedProviders.Count == 0 ? null : string.Join(",", AllowedProviders));
        Add(d, "blocked_providers", BlockedProviders.Count == 0 ? null : string.Join(",", BlockedProviders));
        Add(d, "allowed_models", AllowedModels.Count == 0 ? null : string.Join(",", AllowedModels));
        Add(d, "blocked_models", BlockedModels.Count == 0 ? null : string.Join(",", BlockedModels));
        Add(d, "allowed_regions", AllowedRegions.Count == 0 ? null : string.Join(",", AllowedRegions));
        Add(d, "blocked_regions", BlockedRegions.Count == 0 ? null : string.Join(",", BlockedRegions));
        Add(d, "parallel_tool_calls", ParallelToolCalls ? "true" : null);
        Add(d, "cascade", Cascade is bool c ? (c ? "true" : "false") : null);
        return d;

        static void Add(Dictionary<string, string> d, string key, string? value)
        {
            if (value is not null)
            {
                d[key] = value;
            }
        }
    }

    private static ArgumentException Invalid(string key, object? value, string expected) =>
        new(string.Create(CultureInfo.InvariantCulture, $"ChatOptions.AdditionalProperties['{key}'] must be {expected} (was {Describe(value)}).")); // the caller passed the options, not this helper

    // Never echo string values: a mistyped hint could hold anything.
    private static string Describe(object? value) => value switch
    {
        null => "null",
        string => "a string",
        JsonElement e => "JSON " + e.ValueKind.ToString().ToLowerInvariant(),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => "a " + value.GetType().Name,
    };

    private static bool TryGet(AdditionalPropertiesDictionary p, string key, out object? value) =>
        p.TryGetValue(key, out value) && value is not null && !(value is JsonElement { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined });

    private static string? ReadString(AdditionalPropertiesDictionary p, string key)
    {
        if (!TryGet(p, key, out object? value))
        {
            return null;
        }

        string? s = value switch
        {
            string str => str,
            JsonElement { ValueKind: JsonValueKind.String } e => e.GetString(),
            _ => throw Invalid(key, value, "a non-empty string"),
        };
        return string.IsNullOrWhiteSpace(s) ? throw Invalid(key, value, "a non-empty string") : s;
    }

    private static decimal? ReadDecimal(AdditionalPropertiesDictionary p, string key)
    {
        if (!TryGet(p, key, out object? value))
        {
            return null;
        }

        return value switch
        {
            decimal d => d,
            double d when double.IsFinite(d) => (decimal)d,
            float f when float.IsFinite(f) => (decimal)f,
            int i => i,
            long l => l,
            string s when decimal.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out decimal d) => d,
            JsonElement { ValueKind: JsonValueKind.Number } e when e.TryGetDecimal(out decimal d) => d,
            JsonElement { ValueKind: JsonValueKind.String } e when decimal.TryParse(e.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out decimal d) => d,
            _ => throw Invalid(key, value, "a number"),
        };
    }

    private static double? ReadDouble(AdditionalPropertiesDictionary p, string key)
    {
        if (!TryGet(p, key, out object? value))
        {
            return null;
        }

        return value switch
        {
            double d => d,
            float f => f,
            decimal m => (double)m,
            int i => i,
            long l => l,
            string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) => d,
            JsonElement { ValueKind: JsonValueKind.Number } e => e.GetDouble(),
            JsonElement { ValueKind: JsonValueKind.String } e when double.TryParse(e.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out double d) => d,
            _ => throw Invalid(key, value, "a number"),
        };
    }

    private static TimeSpan? ReadTimeSpan(AdditionalPropertiesDictionary p, string key)
    {
        if (!TryGet(p, key, out object? value))
        {
            return null;
        }

        return value switch
        {
            TimeSpan t => t,
            string s when TimeSpan.TryParse(s, CultureInfo.InvariantCulture, out TimeSpan t) => t,
            JsonElement { ValueKind: JsonValueKind.String } e when TimeSpan.TryParse(e.GetString(), CultureInfo.InvariantCulture, out TimeSpan t) => t,
            _ => throw Invalid(key, value, "a TimeSpan"),
        };
    }

    private static bool? ReadBool(AdditionalPropertiesDictionary p, string key)
    {
        if (!TryGet(p, key, out object? value))
        {
            return null;
        }

        return value switch
        {
            bool b => b,
            string s when bool.TryParse(s, out bool b) => b,
            JsonElement { ValueKind: JsonValueKind.True } => true,
            JsonElement { ValueKind: JsonValueKind.False } => false,
            _ => throw Invalid(key, value, "true or false"),
        };
    }

    private static IReadOnlyList<string> ReadList(AdditionalPropertiesDictionary p, string key)
    {
        if (!TryGet(p, key, out object? value))
        {
            return [];
        }

        List<string> list = [];
        switch (value)
        {
            case string s:
                list.AddRange(s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                break;
            case IEnumerable<string> items:
                list.AddRange(items);
                break;
            case JsonElement { ValueKind: JsonValueKind.Array } e:
                foreach (JsonElement item in e.EnumerateArray())
                {
                    list.Add(item.ValueKind == JsonValueKind.String ? item.GetString()! : throw Invalid(key, value, "a list of strings"));
                }

                break;
            case JsonElement { ValueKind: JsonValueKind.String } e:
                list.AddRange(e.GetString()!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                break;
            default:
                throw Invalid(key, value, "a list of strings");
        }

        foreach (string item in list)
        {
            if (string.IsNullOrWhiteSpace(item))
            {
                throw Invalid(key, value, "a list of non-empty strings");
            }
        }

        return list;
    }
}
