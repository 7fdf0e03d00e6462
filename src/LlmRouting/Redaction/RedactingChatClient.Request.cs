using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <content>Redaction of the request: every part that reaches a provider, then refusal or local-only routing when the findings require it.</content>
public sealed partial class RedactingChatClient
{
    private const string RoutingKeyPrefix = "LlmRouting.";

    private RequestRedaction Redact(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        ArgumentNullException.ThrowIfNull(messages);
        LlmRequestContext.TryGet(options, out LlmRequestContext? context);
        long started = context?.TimeProvider.GetTimestamp() ?? 0;
        var session = new RedactionSession(this, _options, _serializerOptions);

        // Stable parts first (instructions, tools), then the conversation in order: a value keeps its placeholder number across
        // turns as long as the caller resends the history.
        ChatOptions? safeOptions = RedactOptions(options, session);
        IEnumerable<ChatMessage> safeMessages = RedactMessages(messages, session);
        var request = new RequestRedaction(safeMessages, safeOptions, session, context);
        if (session.HasFindings || session.BlockedImages > 0)
        {
            Enforce(request);
        }

        if (context is not null)
        {
            context.RedactionDuration = context.TimeProvider.GetElapsedTime(started);
        }

        return request;
    }

    private static IEnumerable<ChatMessage> RedactMessages(IEnumerable<ChatMessage> messages, RedactionSession session)
    {
        IList<ChatMessage> list = messages as IList<ChatMessage> ?? messages.ToList();
        List<ChatMessage>? copy = null;
        for (int i = 0; i < list.Count; i++)
        {
            ChatMessage message = list[i];
            ChatMessage safe = RedactMessage(message, session);
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

        return copy ?? list;
    }

    private static ChatMessage RedactMessage(ChatMessage message, RedactionSession session)
    {
        string? author = message.AuthorName is { } name ? session.RewriteText(name) : null;
        IList<AIContent> contents = session.RewriteContents(message.Contents, 0);
        if (ReferenceEquals(contents, message.Contents) && ReferenceEquals(author, message.AuthorName))
        {
            return message;
        }

        return new ChatMessage(message.Role, contents)
        {
            AuthorName = author,
            MessageId = message.MessageId,
            CreatedAt = message.CreatedAt,
            AdditionalProperties = message.AdditionalProperties,
            RawRepresentation = null, // a provider object would carry the original text
        };
    }

    private static ChatOptions? RedactOptions(ChatOptions? options, RedactionSession session)
    {
        if (options is null)
        {
            return null;
        }

        string? instructions = options.Instructions is { } text ? session.RewriteText(text) : null;
        IList<AITool>? tools = options.Tools is { Count: > 0 } list ? RedactTools(list, session) : null;
        ChatResponseFormat? format = options.ResponseFormat is ChatResponseFormatJson json ? RedactFormat(json, session) : null;
        AdditionalPropertiesDictionary? properties = options.AdditionalProperties is { Count: > 0 } props ? RedactProperties(props, session) : null;
        if (ReferenceEquals(instructions, options.Instructions) && tools is null && format is null && properties is null)
        {
            return options;
        }

        ChatOptions clone = options.Clone();
        clone.Instructions = instructions;
        if (tools is not null)
        {
            clone.Tools = tools;
        }

        if (format is not null)
        {
            clone.ResponseFormat = format;
        }

        if (properties is not null)
        {
            clone.AdditionalProperties = properties;
        }

        return clone;
    }

    /// <summary>Function declarations: descriptions, schemas and — only if they contain a detected value — names.</summary>
    private static List<AITool>? RedactTools(IList<AITool> tools, RedactionSession session)
    {
        List<AITool>? copy = null;
        for (int i = 0; i < tools.Count; i++)
        {
            AITool tool = tools[i];
            AITool safe = tool;
            if (tool is AIFunctionDeclaration function)
            {
                string name = session.RewriteText(function.Name);
                string? description = function.Description is { } d ? session.RewriteText(d) : null;
                JsonElement schema = session.RewriteJson(function.JsonSchema, out bool schemaChanged);
                bool returnChanged = false;
                JsonElement? returnSchema = function.ReturnJsonSchema is { } r ? session.RewriteJson(r, out returnChanged) : null;
                if (!ReferenceEquals(name, function.Name) || !ReferenceEquals(description, function.Description) || schemaChanged || returnChanged)
                {
                    safe = new RedactedFunctionDeclaration(function, name, description ?? string.Empty, schema, returnSchema);
                }
            }

            if (!ReferenceEquals(safe, tool) && copy is null)
            {
                copy = new List<AITool>(tools.Count);
                for (int j = 0; j < i; j++)
                {
                    copy.Add(tools[j]);
                }
            }

            copy?.Add(safe);
        }

        return copy;
    }

    private static ChatResponseFormatJson? RedactFormat(ChatResponseFormatJson json, RedactionSession session)
    {
        string? name = json.SchemaName is { } n ? session.RewriteText(n) : null;
        string? description = json.SchemaDescription is { } d ? session.RewriteText(d) : null;
        bool schemaChanged = false;
        JsonElement? schema = json.Schema is { } s ? session.RewriteJson(s, out schemaChanged) : null;
        return ReferenceEquals(name, json.SchemaName) && ReferenceEquals(description, json.SchemaDescription) && !schemaChanged
            ? null
            : new ChatResponseFormatJson(schema, name, description);
    }

    /// <summary>Additional properties are sent to providers (e.g. as extra request fields), except LlmRouting's own <c>LlmRouting.*</c> state.</summary>
    private static AdditionalPropertiesDictionary? RedactProperties(AdditionalPropertiesDictionary properties, RedactionSession session)
    {
        AdditionalPropertiesDictionary? copy = null;
        foreach (KeyValuePair<string, object?> kv in properties)
        {
            if (kv.Key.StartsWith(RoutingKeyPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            object? value = session.RewriteValue(kv.Value);
            if (!ReferenceEquals(value, kv.Value))
            {
                copy ??= new AdditionalPropertiesDictionary(properties);
                copy[kv.Key] = value;
            }
        }

        return copy;
    }

    /// <summary>Records the findings in the request context, then refuses the request or restricts it to local deployments when required.</summary>
    private void Enforce(RequestRedaction request)
    {
        RedactionSession session = request.Session;
        LlmRequestContext? context = request.Context;
        IReadOnlyDictionary<string, (int Count, PiiAction Action)> found = session.Found;
        if (context is not null)
        {
            foreach (KeyValuePair<string, (int Count, PiiAction Action)> kv in found)
            {
                context.AddRedactions(kv.Key, kv.Value.Count);
                context.SetRedactionAction(kv.Key, kv.Value.Action);
            }
        }

        LogFindings(request);

        // Block: nothing is sent.
        Dictionary<string, int>? blocked = null;
        foreach (KeyValuePair<string, (int Count, PiiAction Action)> kv in found)
        {
            if (kv.Value.Action == PiiAction.Block)
            {
                (blocked ??= new Dictionary<string, int>(StringComparer.Ordinal))[kv.Key] = kv.Value.Count;
            }
        }

        if (session.BlockedImages > 0)
        {
            (blocked ??= new Dictionary<string, int>(StringComparer.Ordinal))[RedactionConstants.ImageEntityType] = session.BlockedImages;
        }

        if (blocked is not null)
        {
            string summary = Summarize(blocked);
            Log.RequestBlocked(_logger, context?.RequestId, summary);
            Audit(request, sent: false);
            throw new PiiBlockedException($"The request was blocked by the redaction policy ({summary}); nothing was sent.", blocked)
            {
                Report = context?.BuildReport(),
            };
        }

        // Route-local actions and the data policy's confidential entity types: only local deployments may receive the request.
        List<string>? routeLocal = null;
        List<string>? confidential = null;
        foreach (KeyValuePair<string, (int Count, PiiAction Action)> kv in found)
        {
            if (kv.Value.Action == PiiAction.RouteLocal)
            {
                (routeLocal ??= []).Add(kv.Key);
            }

            if (context?.ConfidentialEntityTypes is { } types && types.Contains(kv.Key))
            {
                (confidential ??= []).Add(kv.Key);
            }
        }

        if (routeLocal is null && confidential is null)
        {
            return;
        }

        if (context is null)
        {
            Audit(request, sent: false);
            throw new NoEligibleDeploymentException(
                "The request contains values that may only go to local deployments, but no router chose its candidates; put UseCostRouter above UseRedaction.");
        }

        context.Confidential = true;
        routeLocal?.Sort(StringComparer.Ordinal);
        confidential?.Sort(StringComparer.Ordinal);
        string code = confidential is not null ? DataPolicyReasons.ConfidentialLocalOnly : DataPolicyReasons.PiiLocalOnly;
        string detail = confidential is not null
            ? $"The request contains {string.Join(", ", confidential)}, which its data policy classifies as confidential; only local deployments may receive it."
            : $"The request contains {string.Join(", ", routeLocal!)}, whose action is RouteLocal; only local deployments may receive it.";
        try
        {
            int remaining = CandidateNarrowing.Narrow(
                context,
                d => d.IsLocal ? null : new CandidateRejection(d.Name, d.Provider, d.Model, code, detail),
                "local deployment");
            Log.RestrictedToLocal(_logger, context.RequestId, code, remaining);
        }
        catch (NoEligibleDeploymentException)
        {
            Audit(request, sent: false);
            throw;
        }
    }

    private static string Summarize(IEnumerable<KeyValuePair<string, int>> counts)
    {
        var sb = new StringBuilder();
        foreach (KeyValuePair<string, int> kv in counts.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (sb.Length > 0)
            {
                sb.Append(", ");
            }

            sb.Append(kv.Key).Append(" x").Append(kv.Value.ToString(CultureInfo.InvariantCulture));
        }

        return sb.ToString();
    }

    /// <summary>A redacted request: what to send, and what was found.</summary>
    private readonly record struct RequestRedaction(IEnumerable<ChatMessage> Messages, ChatOptions? Options, RedactionSession Session, LlmRequestContext? Context);
}
