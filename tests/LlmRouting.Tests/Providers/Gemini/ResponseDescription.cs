using System.Text.Json;

namespace LlmRouting.Tests.Providers;

/// <summary>
/// A canonical text of everything a caller can observe in a response — ids, finish reason, usage, each message and each content with its
/// properties — except <see cref="ChatResponse.AdditionalProperties"/>: M.E.AI's <c>ToChatResponse()</c> moves update properties to the
/// message, where both paths put them. Two responses with equal descriptions are interchangeable for a caller.
/// </summary>
internal static class ResponseDescription
{
    public static string Of(ChatResponse response)
    {
        var lines = new List<string>
        {
            $"id={response.ResponseId} model={response.ModelId} created={response.CreatedAt:O} finish={response.FinishReason}",
            $"usage in={response.Usage?.InputTokenCount} out={response.Usage?.OutputTokenCount} total={response.Usage?.TotalTokenCount} cached={response.Usage?.CachedInputTokenCount} reasoning={response.Usage?.ReasoningTokenCount}" +
            $" extra={string.Join(",", (response.Usage?.AdditionalCounts ?? []).OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => $"{k.Key}:{k.Value}"))}",
        };
        foreach (ChatMessage message in response.Messages)
        {
            lines.Add($"message role={message.Role} id={message.MessageId} created={message.CreatedAt:O} author={message.AuthorName}");
            lines.AddRange(Properties("  prop", message.AdditionalProperties));
            foreach (AIContent content in message.Contents)
            {
                lines.Add(content switch
                {
                    TextContent t => $"  text {t.Text}",
                    TextReasoningContent r => $"  reasoning {r.Text} protected={r.ProtectedData}",
                    FunctionCallContent f => $"  call {f.CallId} {f.Name} {JsonSerializer.Serialize(f.Arguments, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(IDictionary<string, object?>)))}",
                    ErrorContent e => $"  error {e.ErrorCode} {e.Message}",
                    DataContent d => $"  data {d.MediaType} {d.Uri.Length}",
                    UriContent u => $"  uri {u.MediaType} {u.Uri}",
                    _ => $"  {content.GetType().Name}",
                });
                lines.AddRange(Properties("    prop", content.AdditionalProperties));
            }
        }

        return string.Join("\n", lines);
    }

    private static IEnumerable<string> Properties(string prefix, AdditionalPropertiesDictionary? properties) =>
        (properties ?? []).OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Value switch
        {
            RateLimitInfo r => $"{prefix} {kv.Key}=limits:{r.LimitRequests}/{r.RemainingRequests}/{r.LimitTokens}/{r.RemainingTokens}",
            _ => $"{prefix} {kv.Key}={kv.Value}",
        });
}
