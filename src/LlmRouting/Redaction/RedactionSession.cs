using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>
/// The redaction of one request: applies the configured action to every value the detectors find, numbers placeholders consistently
/// (same entity type and value → same placeholder everywhere in the request), and records what was found. Holds the original values
/// of placeholders only for restoring the answer; they never leave this object.
/// </summary>
/// <remarks>Not thread-safe: one instance serves one request.</remarks>
internal sealed class RedactionSession : ValueRewriter
{
    private readonly RedactingChatClient _owner;
    private readonly RedactionOptions _options;
    private Dictionary<string, (int Count, PiiAction Action)>? _found;
    private Dictionary<(string EntityType, string Value), string>? _placeholderByValue;
    private Dictionary<string, string>? _valueByPlaceholder;
    private Dictionary<string, int>? _counters;
    private byte[]? _hashKey;
    private int _maxPlaceholderLength;

    public RedactionSession(RedactingChatClient owner, RedactionOptions options, JsonSerializerOptions serializerOptions)
        : base(serializerOptions)
    {
        _owner = owner;
        _options = options;
    }

    /// <summary>Gets the number of images seen while <see cref="RedactionOptions.BlockImages"/> is set.</summary>
    public int BlockedImages { get; private set; }

    /// <summary>Gets a value indicating whether any value was detected.</summary>
    public bool HasFindings => _found is not null;

    /// <summary>Gets the detected entity types with their counts and actions.</summary>
    public IReadOnlyDictionary<string, (int Count, PiiAction Action)> Found =>
        (IReadOnlyDictionary<string, (int Count, PiiAction Action)>?)_found ?? new Dictionary<string, (int Count, PiiAction Action)>();

    /// <summary>Gets the original value of each placeholder issued, or <see langword="null"/> when none was.</summary>
    public Dictionary<string, string>? Placeholders => _valueByPlaceholder;

    /// <summary>Gets the length of the longest placeholder issued.</summary>
    public int MaxPlaceholderLength => _maxPlaceholderLength;

    /// <inheritdoc/>
    protected override bool ReplacesOpaqueValues => true;

    /// <inheritdoc/>
    public override string RewriteText(string text)
    {
        if (text.Length == 0)
        {
            return text;
        }

        List<PiiMatch> matches = _owner.Detect(text);
        try
        {
            if (matches.Count == 0)
            {
                return text;
            }

            matches.Sort(static (a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : b.Length.CompareTo(a.Length));
            StringBuilder? sb = null;
            int position = 0;
            foreach (PiiMatch match in matches)
            {
                if (match.Start < position || match.Length <= 0 || match.End > text.Length)
                {
                    continue; // overlaps a longer or earlier match, or is malformed
                }

                PiiAction action = Record(match.EntityType);
                string? replacement = action switch
                {
                    PiiAction.Placeholder => PlaceholderFor(match.EntityType, text.Substring(match.Start, match.Length)),
                    PiiAction.Hash => HashFor(match.EntityType, text.AsSpan(match.Start, match.Length)),
                    PiiAction.RouteLocal => null, // the value stays; the request may only go to local deployments
                    _ => PiiLabels.Mask(match.EntityType), // Mask, and Block (the request is refused before anything is sent)
                };

                if (replacement is null)
                {
                    continue;
                }

                sb ??= new StringBuilder(text.Length + 16);
                sb.Append(text, position, match.Start - position).Append(replacement);
                position = match.End;
            }

            return sb is null ? text : sb.Append(text, position, text.Length - position).ToString();
        }
        finally
        {
            matches.Clear();
        }
    }

    /// <inheritdoc/>
    protected override string? RewriteScalarText(string text)
    {
        string rewritten = RewriteText(text);
        return ReferenceEquals(rewritten, text) ? null : rewritten;
    }

    /// <inheritdoc/>
    public override AIContent RewriteContent(AIContent content, int depth)
    {
        if (RewriteTextContent(content) is { } text)
        {
            return text;
        }

        switch (content)
        {
            case FunctionCallContent call:
                string name = RewriteText(call.Name);
                Dictionary<string, object?>? args = call.Arguments is { Count: > 0 } a ? RewriteDictionary(a, depth) : null;
                return ReferenceEquals(name, call.Name) && args is null
                    ? content
                    : new FunctionCallContent(call.CallId, name, args ?? call.Arguments)
                    {
                        AdditionalProperties = call.AdditionalProperties,
                        InformationalOnly = call.InformationalOnly,
                    };

            case FunctionResultContent result:
                object? value2 = RewriteValue(result.Result, depth);
                return ReferenceEquals(value2, result.Result) ? content : new FunctionResultContent(result.CallId, value2) { AdditionalProperties = result.AdditionalProperties };

            case DataContent data when data.HasTopLevelMediaType("image"):
                CountImage();
                return content;

            case DataContent data when IsTextMediaType(data.MediaType):
                string decoded = Encoding.UTF8.GetString(data.Data.Span);
                string redactedData = RewriteText(decoded);
                return ReferenceEquals(redactedData, decoded)
                    ? content
                    : new DataContent(Encoding.UTF8.GetBytes(redactedData), data.MediaType) { Name = data.Name, AdditionalProperties = data.AdditionalProperties };

            case UriContent uri when uri.HasTopLevelMediaType("image"):
                CountImage();
                return content;

            case ErrorContent error:
                string? message = error.Message is { } m ? RewriteText(m) : null;
                string? details = error.Details is { } d ? RewriteText(d) : null;
                return ReferenceEquals(message, error.Message) && ReferenceEquals(details, error.Details)
                    ? content
                    : new ErrorContent(message) { ErrorCode = error.ErrorCode, Details = details, AdditionalProperties = error.AdditionalProperties };

            case McpServerToolCallContent mcp:
                Dictionary<string, object?>? mcpArgs = mcp.Arguments is { Count: > 0 } ma ? RewriteDictionary(ma, depth) : null;
                return mcpArgs is null
                    ? content
                    : new McpServerToolCallContent(mcp.CallId, mcp.Name, mcp.ServerName) { Arguments = mcpArgs, AdditionalProperties = mcp.AdditionalProperties };

            case McpServerToolResultContent mcpResult when mcpResult.Outputs is { Count: > 0 } outputs:
                IList<AIContent> safeOutputs = RewriteContents(outputs, depth + 1);
                return ReferenceEquals(safeOutputs, outputs)
                    ? content
                    : new McpServerToolResultContent(mcpResult.CallId) { Outputs = safeOutputs, AdditionalProperties = mcpResult.AdditionalProperties };

            default:
                return content;
        }
    }

    /// <summary>Adds the counts of this session to <paramref name="counts"/>.</summary>
    public void CopyCountsTo(IDictionary<string, int> counts)
    {
        if (_found is null)
        {
            return;
        }

        foreach (KeyValuePair<string, (int Count, PiiAction Action)> kv in _found)
        {
            counts[kv.Key] = counts.TryGetValue(kv.Key, out int n) ? n + kv.Value.Count : kv.Value.Count;
        }
    }

    internal static bool IsTextMediaType(string? mediaType)
    {
        if (string.IsNullOrEmpty(mediaType))
        {
            return false;
        }

        ReadOnlySpan<char> type = mediaType.AsSpan();
        int semicolon = type.IndexOf(';');
        if (semicolon >= 0)
        {
            type = type[..semicolon].TrimEnd();
        }

        return type.StartsWith("text/", StringComparison.OrdinalIgnoreCase)
            || type.EndsWith("+json", StringComparison.OrdinalIgnoreCase)
            || type.EndsWith("+xml", StringComparison.OrdinalIgnoreCase)
            || type.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || type.Equals("application/xml", StringComparison.OrdinalIgnoreCase)
            || type.Equals("application/yaml", StringComparison.OrdinalIgnoreCase)
            || type.Equals("application/x-yaml", StringComparison.OrdinalIgnoreCase)
            || type.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);
    }

    private void CountImage()
    {
        if (_options.BlockImages)
        {
            BlockedImages++;
        }
    }

    private PiiAction Record(string entityType)
    {
        _found ??= new Dictionary<string, (int Count, PiiAction Action)>(StringComparer.Ordinal);
        if (_found.TryGetValue(entityType, out (int Count, PiiAction Action) entry))
        {
            _found[entityType] = (entry.Count + 1, entry.Action);
            return entry.Action;
        }

        PiiAction action = _options.GetAction(entityType);
        _found[entityType] = (1, action);
        return action;
    }

    private string PlaceholderFor(string entityType, string value)
    {
        _placeholderByValue ??= new Dictionary<(string, string), string>();
        if (_placeholderByValue.TryGetValue((entityType, value), out string? existing))
        {
            return existing;
        }

        string label = PiiLabels.For(entityType);
        _counters ??= new Dictionary<string, int>(StringComparer.Ordinal);
        int n = _counters.TryGetValue(label, out int last) ? last + 1 : 1;
        _counters[label] = n;
        string placeholder = string.Create(CultureInfo.InvariantCulture, $"<{label}_{n}>");
        _placeholderByValue[(entityType, value)] = placeholder;
        (_valueByPlaceholder ??= new Dictionary<string, string>(StringComparer.Ordinal))[placeholder] = value;
        _maxPlaceholderLength = Math.Max(_maxPlaceholderLength, placeholder.Length);
        return placeholder;
    }

    private string HashFor(string entityType, ReadOnlySpan<char> value)
    {
        _hashKey ??= Encoding.UTF8.GetBytes(_options.HashSalt ?? throw new InvalidOperationException(
            "LlmRouting:Redaction:HashSalt is required when an action is Hash."));
        int length = Math.Clamp(_options.HashLength, 8, 64) & ~1;
        int byteCount = Encoding.UTF8.GetMaxByteCount(entityType.Length + 1 + value.Length);
        byte[] input = new byte[byteCount];
        int written = Encoding.UTF8.GetBytes(entityType, input);
        input[written++] = 0;
        written += Encoding.UTF8.GetBytes(value, input.AsSpan(written));
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_hashKey, input.AsSpan(0, written), mac);
        CryptographicOperations.ZeroMemory(input);
        return "<" + PiiLabels.For(entityType) + "_HASH_" + Convert.ToHexStringLower(mac[..(length / 2)]) + ">";
    }
}
