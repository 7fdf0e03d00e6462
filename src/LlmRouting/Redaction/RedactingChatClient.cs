using System.Text;
using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>
/// Finds personal data and secrets in a request before it leaves the process and masks them
/// (e.g. <c>[EMAIL]</c>), in the instructions and in every message's text, tool-call arguments and tool results.
/// Counts by entity type go into the routing report; the values themselves go nowhere.
/// </summary>
/// <remarks>The caller's messages and options are never mutated: changed messages are copies. Thread-safe.</remarks>
public sealed class RedactingChatClient : DelegatingChatClient
{
    [ThreadStatic]
    private static List<PiiMatch>? t_matches;

    private IReadOnlyList<IPiiDetector> _detectors;

    /// <summary>Initializes a new instance of the <see cref="RedactingChatClient"/> class.</summary>
    /// <param name="innerClient">The next layer (normally the resilience layer).</param>
    /// <param name="detectors">The detectors; the built-in e-mail and card detectors when <see langword="null"/>.</param>
    public RedactingChatClient(IChatClient innerClient, IEnumerable<IPiiDetector>? detectors = null)
        : base(innerClient)
    {
        _detectors = detectors?.ToArray() ?? DefaultDetectors();
    }

    /// <summary>Gets or sets the detectors applied to every request.</summary>
    public IReadOnlyList<IPiiDetector> Detectors
    {
        get => _detectors;
        set => _detectors = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>Creates the default detectors: <see cref="PiiDetectors.Default"/> (every built-in entity type except the opt-in names, places and addresses).</summary>
    /// <returns>The detectors.</returns>
    public static IReadOnlyList<IPiiDetector> DefaultDetectors() => [PiiDetectors.Default];

    /// <summary>Gets the mask that replaces a value of <paramref name="entityType"/>.</summary>
    /// <param name="entityType">The entity type.</param>
    /// <returns>The mask, e.g. <c>[EMAIL]</c>.</returns>
    public static string MaskFor(string entityType) => entityType switch
    {
        PiiEntityTypes.EmailAddress => "[EMAIL]",
        _ => "[" + entityType + "]",
    };

    /// <inheritdoc/>
    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        (IEnumerable<ChatMessage> safeMessages, ChatOptions? safeOptions) = Redact(messages, options);
        return base.GetResponseAsync(safeMessages, safeOptions, cancellationToken);
    }

    /// <inheritdoc/>
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        // The request is redacted before the stream is requested; answers pass through unchanged.
        (IEnumerable<ChatMessage> safeMessages, ChatOptions? safeOptions) = Redact(messages, options);
        return base.GetStreamingResponseAsync(safeMessages, safeOptions, cancellationToken);
    }

    /// <summary>Masks every detected value in <paramref name="text"/>.</summary>
    /// <param name="text">The text.</param>
    /// <param name="counts">Receives counts by entity type, if not <see langword="null"/>.</param>
    /// <returns>The masked text, or the same instance when nothing was found.</returns>
    public string RedactText(string text, IDictionary<string, int>? counts = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        Dictionary<string, int>? found = null;
        string result = Redact(text, ref found);
        if (counts is not null && found is not null)
        {
            foreach (KeyValuePair<string, int> kv in found)
            {
                counts[kv.Key] = counts.TryGetValue(kv.Key, out int n) ? n + kv.Value : kv.Value;
            }
        }

        return result;
    }

    private string Redact(string text, ref Dictionary<string, int>? counts)
    {
        if (text.Length == 0)
        {
            return text;
        }

        List<PiiMatch> matches = t_matches ??= new List<PiiMatch>(8);
        matches.Clear();
        IReadOnlyList<IPiiDetector> detectors = _detectors;
        for (int i = 0; i < detectors.Count; i++)
        {
            detectors[i].Detect(text, matches);
        }

        if (matches.Count == 0)
        {
            return text;
        }

        matches.Sort(static (a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : b.Length.CompareTo(a.Length));
        var sb = new StringBuilder(text.Length);
        int position = 0;
        foreach (PiiMatch match in matches)
        {
            if (match.Start < position)
            {
                continue; // overlaps a longer or earlier match
            }

            sb.Append(text, position, match.Start - position).Append(MaskFor(match.EntityType));
            position = match.End;
            counts ??= new Dictionary<string, int>(StringComparer.Ordinal);
            counts[match.EntityType] = counts.TryGetValue(match.EntityType, out int n) ? n + 1 : 1;
        }

        string result = sb.Append(text, position, text.Length - position).ToString();
        matches.Clear();
        return result;
    }

    private (IEnumerable<ChatMessage> Messages, ChatOptions? Options) Redact(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        ArgumentNullException.ThrowIfNull(messages);
        Dictionary<string, int>? counts = null;
        IList<ChatMessage> list = messages as IList<ChatMessage> ?? messages.ToList();
        List<ChatMessage>? copy = null;
        for (int i = 0; i < list.Count; i++)
        {
            ChatMessage message = list[i];
            ChatMessage safe = RedactMessage(message, ref counts);
            if (!ReferenceEquals(safe, message) && copy is null)
            {
                copy = new List<ChatMessage>(list.Count);
                for (int j = 0; j < i; j++)
                {
                    copy.Add(list[j]);
                }
            }

            copy?.Add(safe);
        }

        ChatOptions? safeOptions = options;
        if (options?.Instructions is { } instructions)
        {
            string redacted = Redact(instructions, ref counts);
            if (!ReferenceEquals(redacted, instructions))
            {
                safeOptions = options.Clone();
                safeOptions.Instructions = redacted;
            }
        }

        if (counts is not null && LlmRequestContext.TryGet(options, out LlmRequestContext? context))
        {
            foreach (KeyValuePair<string, int> kv in counts)
            {
                context.AddRedactions(kv.Key, kv.Value);
            }
        }

        return (copy ?? list, safeOptions);
    }

    private ChatMessage RedactMessage(ChatMessage message, ref Dictionary<string, int>? counts)
    {
        IList<AIContent> contents = message.Contents;
        List<AIContent>? copy = null;
        for (int i = 0; i < contents.Count; i++)
        {
            AIContent original = contents[i];
            AIContent safe = RedactContent(original, ref counts);
            if (!ReferenceEquals(safe, original) && copy is null)
            {
                copy = new List<AIContent>(contents.Count);
                for (int j = 0; j < i; j++)
                {
                    copy.Add(contents[j]);
                }
            }

            copy?.Add(safe);
        }

        if (copy is null)
        {
            return message;
        }

        return new ChatMessage(message.Role, copy)
        {
            AuthorName = message.AuthorName,
            MessageId = message.MessageId,
            CreatedAt = message.CreatedAt,
            AdditionalProperties = message.AdditionalProperties,
            RawRepresentation = null,
        };
    }

    private AIContent RedactContent(AIContent content, ref Dictionary<string, int>? counts)
    {
        switch (content)
        {
            case TextContent text when text.Text is { Length: > 0 } value:
                string redacted = Redact(value, ref counts);
                return ReferenceEquals(redacted, value) ? content : new TextContent(redacted) { AdditionalProperties = text.AdditionalProperties };

            case TextReasoningContent reasoning when reasoning.Text is { Length: > 0 } value:
                string redactedReasoning = Redact(value, ref counts);
                return ReferenceEquals(redactedReasoning, value) ? content : new TextReasoningContent(redactedReasoning) { AdditionalProperties = reasoning.AdditionalProperties };

            case FunctionResultContent result when result.Result is string value:
                string redactedResult = Redact(value, ref counts);
                return ReferenceEquals(redactedResult, value) ? content : new FunctionResultContent(result.CallId, redactedResult) { AdditionalProperties = result.AdditionalProperties };

            case FunctionCallContent call when call.Arguments is { Count: > 0 } args:
                Dictionary<string, object?>? safeArgs = null;
                foreach (KeyValuePair<string, object?> kv in args)
                {
                    if (kv.Value is string s && Redact(s, ref counts) is var r && !ReferenceEquals(r, s))
                    {
                        safeArgs ??= new Dictionary<string, object?>(args);
                        safeArgs[kv.Key] = r;
                    }
                }

                return safeArgs is null ? content : new FunctionCallContent(call.CallId, call.Name, safeArgs) { AdditionalProperties = call.AdditionalProperties };

            default:
                return content;
        }
    }
}
