using System.Text;
using System.Text.RegularExpressions;

namespace LlmRouting.CatalogGenerator;

/// <summary>
/// Name normalisation used to join models across feeds whose naming differs
/// (<c>anthropic.claude-sonnet-4-5-20250929-v1:0</c>, <c>claude-sonnet-4.5</c>, <c>claude-4-5-sonnet</c>).
/// Each level is looser than the previous one; the crosswalk tries them in order and accepts only unambiguous matches.
/// </summary>
internal static partial class ModelNames
{
    private const string LatestSuffix = "-latest";

    // Cross-region inference prefixes of Bedrock model ids (us.anthropic.claude-...).
    private static readonly string[] s_geographyPrefixes = ["us-gov.", "us.", "eu.", "apac.", "global.", "jp.", "au.", "ca."];

    // Publisher prefixes of Bedrock and OCI model ids (anthropic.claude-..., meta.llama-...).
    private static readonly string[] s_publisherPrefixes =
    [
        "ai21.", "amazon.", "anthropic.", "cohere.", "deepseek.", "google.", "meta.", "minimax.", "mistral.", "moonshot.",
        "moonshotai.", "nvidia.", "openai.", "qwen.", "twelvelabs.", "writer.", "xai.", "zai.",
    ];

    // Tokens that name a packaging, serving or quantisation variant rather than a different model.
    private static readonly HashSet<string> s_servingTokens = new(StringComparer.Ordinal)
    {
        "fp8", "fp16", "bf16", "int4", "int8", "awq", "gguf", "mlx", "mxfp4", "nvfp4", "dynamic", "hf", "maas", "cloud", "free", "tee",
    };

    // Tokens that name a variant only in open-weights names with a parameter size (llama-3.3-70b-instruct-turbo);
    // elsewhere they name a different model (gpt-3.5-turbo-instruct, gpt-4-turbo, claude-instant, gpt-5-chat, grok-3-fast).
    private static readonly HashSet<string> s_openWeightsVariantTokens = new(StringComparer.Ordinal)
    {
        "instruct", "chat", "it", "turbo", "instant", "versatile", "fast",
    };

    /// <summary>
    /// Returns the bare model name of a model id: lowercase, without path segments (<c>meta-llama/</c>, <c>accounts/fireworks/models/</c>),
    /// Bedrock geography and publisher prefixes, Bedrock API versions (<c>-v1:0</c>) and OpenRouter variants (<c>:free</c>).
    /// </summary>
    /// <param name="modelId">A model id from any feed.</param>
    /// <returns>The bare name, e.g. <c>claude-sonnet-4-5-20250929</c> for <c>us.anthropic.claude-sonnet-4-5-20250929-v1:0</c>.</returns>
    public static string BaseName(string modelId)
    {
        ArgumentNullException.ThrowIfNull(modelId);
        string name = modelId.Trim().ToLowerInvariant();
        int slash = name.LastIndexOf('/');
        if (slash >= 0)
        {
            name = name[(slash + 1)..];
        }

        name = StripFirstPrefix(name, s_geographyPrefixes);
        name = StripFirstPrefix(name, s_publisherPrefixes);
        if (name.EndsWith(":free", StringComparison.Ordinal))
        {
            name = name[..^":free".Length];
        }

        // Bedrock API versions: "-v1:0", "-v2:0", "-1:0" (not "claude-v2:1", where ":1" is the model version).
        return BedrockApiVersion().Replace(name, string.Empty);
    }

    /// <summary>
    /// Level 1: <see cref="BaseName"/> with separators unified to <c>-</c>: <c>gpt-5.4-mini</c> becomes <c>gpt-5-4-mini</c>,
    /// and Fireworks' <c>p</c> between digits (<c>llama-v3p1</c>) is a decimal point too.
    /// </summary>
    /// <param name="modelId">A model id from any feed.</param>
    /// <returns>The normalised name.</returns>
    public static string Normalize(string modelId)
    {
        string name = DigitPDigit().Replace(BaseName(modelId), "-");
        var builder = new StringBuilder(name.Length);
        foreach (char c in name)
        {
            char mapped = char.IsAsciiLetterOrDigit(c) ? c : '-';
            if (mapped != '-' || (builder.Length > 0 && builder[^1] != '-'))
            {
                builder.Append(mapped);
            }
        }

        return builder.ToString().TrimEnd('-');
    }

    /// <summary>
    /// Level 2: <see cref="Normalize"/> without snapshot suffixes: dates (<c>-20241022</c>, <c>-2024-08-06</c>, <c>-251201</c>),
    /// Google revisions (<c>-001</c>), <c>-v1</c>, <c>-maas</c>, and <c>-latest</c> after a version number
    /// (<c>grok-4.3-latest</c>, but not <c>mistral-large-latest</c>, which follows the newest release).
    /// </summary>
    /// <param name="modelId">A model id from any feed.</param>
    /// <returns>The name without snapshot suffixes.</returns>
    public static string WithoutSnapshot(string modelId)
    {
        string name = Normalize(modelId);
        while (true)
        {
            string shorter = SnapshotSuffix().Replace(name, string.Empty);
            if (shorter == name && name.EndsWith(LatestSuffix, StringComparison.Ordinal))
            {
                shorter = name[..^LatestSuffix.Length];
                shorter = shorter.Any(char.IsAsciiDigit) ? shorter : name;
            }

            if (shorter == name || shorter.Length == 0)
            {
                return name;
            }

            name = shorter;
        }
    }

    /// <summary>
    /// Level 3: the order-insensitive token signature of <see cref="WithoutSnapshot"/>: version numbers are kept together
    /// (<c>3-5</c> is <c>3.5</c>, <c>llama3</c> and <c>llama-v3</c> are <c>llama 3</c>, <c>2.0</c> is <c>2</c>) and <see cref="VariantTokens"/> are left out,
    /// so <c>llama-3.3-70b-instruct</c> and <c>llama-3-3-instruct-70b</c> share a signature.
    /// </summary>
    /// <param name="modelId">A model id from any feed.</param>
    /// <returns>The signature: sorted tokens separated by spaces.</returns>
    public static string Signature(string modelId) => Split(modelId).Signature;

    /// <summary>
    /// Returns the variant tokens <see cref="Signature"/> leaves out: serving and quantisation tokens (<c>fp8</c>, <c>gguf</c>, <c>maas</c>, ...)
    /// and, in names with a parameter size such as <c>70b</c>, instruction tuning and serving tiers (<c>instruct</c>, <c>it</c>, <c>chat</c>, <c>turbo</c>, ...).
    /// </summary>
    /// <param name="modelId">A model id from any feed.</param>
    /// <returns>The variant tokens, sorted and distinct.</returns>
    public static IReadOnlyList<string> VariantTokens(string modelId) => Split(modelId).Variants;

    private static (string Signature, string[] Variants) Split(string modelId)
    {
        string[] parts = WithoutSnapshot(modelId).Split('-', StringSplitOptions.RemoveEmptyEntries);
        bool openWeights = parts.Any(p => ParameterSize().IsMatch(p));
        var tokens = new List<string>();
        var variants = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string part in parts)
        {
            if (s_servingTokens.Contains(part) || (openWeights && s_openWeightsVariantTokens.Contains(part)))
            {
                variants.Add(part);
                continue;
            }

            Match split = LettersThenDigits().Match(part);
            if (!split.Success)
            {
                tokens.Add(part);
                continue;
            }

            // llama3 -> llama 3; a "v" before a version only says "version" (deepseek-v3, llama-v3p1).
            if (split.Groups[1].Value != "v")
            {
                tokens.Add(split.Groups[1].Value);
            }

            tokens.Add(split.Groups[2].Value);
        }

        var kept = new List<string>();
        for (int i = 0; i < tokens.Count; i++)
        {
            if (!IsShortNumber(tokens[i]))
            {
                kept.Add(tokens[i]);
                continue;
            }

            // A run of short numbers is one version: 3-5 -> 3.5; a trailing ".0" adds nothing (2.0 -> 2).
            var version = new List<string> { tokens[i] };
            while (i + 1 < tokens.Count && IsShortNumber(tokens[i + 1]))
            {
                version.Add(tokens[++i]);
            }

            while (version.Count > 1 && version[^1] is "0" or "00")
            {
                version.RemoveAt(version.Count - 1);
            }

            kept.Add(string.Join('.', version));
        }

        kept.Sort(StringComparer.Ordinal);
        return (string.Join(' ', kept), variants.ToArray());
    }

    private static bool IsShortNumber(string token) => token.Length is 1 or 2 && token.All(char.IsAsciiDigit);

    private static string StripFirstPrefix(string name, string[] prefixes)
    {
        foreach (string prefix in prefixes)
        {
            if (name.StartsWith(prefix, StringComparison.Ordinal) && name.Length > prefix.Length)
            {
                return name[prefix.Length..];
            }
        }

        return name;
    }

    [GeneratedRegex(@"-v?\d+:0$", RegexOptions.CultureInvariant)]
    private static partial Regex BedrockApiVersion();

    [GeneratedRegex(@"-(\d{8}|\d{4}-\d{2}-\d{2}|\d{6}|\d{3}|v1|maas)$", RegexOptions.CultureInvariant)]
    private static partial Regex SnapshotSuffix();

    [GeneratedRegex(@"^([a-z]+)(\d+)$", RegexOptions.CultureInvariant)]
    private static partial Regex LettersThenDigits();

    [GeneratedRegex(@"(?<=\d)p(?=\d)", RegexOptions.CultureInvariant)]
    private static partial Regex DigitPDigit();

    // A parameter count: 70b, 8x7b, 500m.
    [GeneratedRegex(@"^(\d+x)?\d+[bm]$", RegexOptions.CultureInvariant)]
    private static partial Regex ParameterSize();
}
