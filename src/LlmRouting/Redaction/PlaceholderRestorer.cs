using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>
/// Puts the original values back where an answer repeats the placeholders of its request: in whole texts, in streamed text split
/// at any point (holding back only the shortest tail that could still become a placeholder), and in tool-call names and arguments.
/// Only placeholders issued for this request are replaced; any other <c>&lt;…&gt;</c> text passes unchanged.
/// </summary>
/// <remarks>Not thread-safe: one instance serves one answer.</remarks>
internal sealed class PlaceholderRestorer : ValueRewriter
{
    private readonly Dictionary<string, string> _originals;
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly int _maxLength;
    private string? _pendingText;
    private string? _pendingReasoning;

    public PlaceholderRestorer(Dictionary<string, string> originals, int maxLength, JsonSerializerOptions serializerOptions)
        : base(serializerOptions)
    {
        _originals = originals;
        _lookup = originals.GetAlternateLookup<ReadOnlySpan<char>>();
        _maxLength = maxLength;
    }

    /// <summary>Gets a value indicating whether streamed text is being held back.</summary>
    public bool HasPending => _pendingText is not null || _pendingReasoning is not null;

    /// <inheritdoc/>
    public override string RewriteText(string text) => Process(text, final: true, out _);

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
                return RestoreCall(call, depth);

            default:
                return content;
        }
    }

    /// <summary>
    /// Restores a whole (non-streamed) response. Returns the same instance when nothing changed, else a copy: the provider's objects are
    /// never modified, so nothing below the redactor (e.g. an in-memory cache) ever holds a restored value.
    /// </summary>
    public ChatResponse RestoreResponse(ChatResponse response)
    {
        IList<ChatMessage> messages = response.Messages;
        List<ChatMessage>? copy = null;
        for (int i = 0; i < messages.Count; i++)
        {
            ChatMessage message = messages[i];
            IList<AIContent> contents = RewriteContents(message.Contents, 0);
            ChatMessage restored = message;
            if (!ReferenceEquals(contents, message.Contents))
            {
                restored = message.Clone();
                restored.Contents = contents;
            }

            if (!ReferenceEquals(restored, message) && copy is null)
            {
                copy = new List<ChatMessage>(messages.Count);
                for (int j = 0; j < i; j++)
                {
                    copy.Add(messages[j]);
                }
            }

            copy?.Add(restored);
        }

        if (copy is null)
        {
            return response;
        }

        return new ChatResponse(copy)
        {
            ResponseId = response.ResponseId,
            ConversationId = response.ConversationId,
            ModelId = response.ModelId,
            CreatedAt = response.CreatedAt,
            FinishReason = response.FinishReason,
            Usage = response.Usage,
            ContinuationToken = response.ContinuationToken,
            RawRepresentation = response.RawRepresentation,
            AdditionalProperties = response.AdditionalProperties is { } properties ? new AdditionalPropertiesDictionary(properties) : null,
        };
    }

    /// <summary>Restores one streamed update; returns the same instance when nothing changed.</summary>
    public ChatResponseUpdate RestoreUpdate(ChatResponseUpdate update)
    {
        IList<AIContent> contents = update.Contents;
        List<AIContent>? copy = null;
        for (int i = 0; i < contents.Count; i++)
        {
            AIContent original = contents[i];
            AIContent? restored = original switch
            {
                TextContent { Text: { Length: > 0 } text } t => Feed(ref _pendingText, text) is var r && ReferenceEquals(r, text)
                    ? original
                    : (r.Length == 0 ? null : new TextContent(r) { AdditionalProperties = t.AdditionalProperties, Annotations = t.Annotations }),
                TextReasoningContent { Text: { Length: > 0 } text } t => Feed(ref _pendingReasoning, text) is var r && ReferenceEquals(r, text)
                    ? original
                    : (r.Length == 0 ? null : new TextReasoningContent(r) { ProtectedData = t.ProtectedData, AdditionalProperties = t.AdditionalProperties }),
                FunctionCallContent call => RestoreCall(call, 0),
                _ => original,
            };

            if (!ReferenceEquals(restored, original) && copy is null)
            {
                copy = new List<AIContent>(contents.Count);
                for (int j = 0; j < i; j++)
                {
                    copy.Add(contents[j]);
                }
            }

            if (copy is not null && restored is not null)
            {
                copy.Add(restored);
            }
        }

        if (copy is null)
        {
            return update;
        }

        ChatResponseUpdate clone = update.Clone();
        clone.Contents = copy;
        return clone;
    }

    /// <summary>Releases the text held back at the end of a stream (it did not become a placeholder), or <see langword="null"/> if none is.</summary>
    public ChatResponseUpdate? Flush(ChatResponseUpdate? last)
    {
        if (!HasPending)
        {
            return null;
        }

        var contents = new List<AIContent>(2);
        if (_pendingReasoning is { } reasoning)
        {
            contents.Add(new TextReasoningContent(reasoning));
        }

        if (_pendingText is { } text)
        {
            contents.Add(new TextContent(text));
        }

        _pendingText = null;
        _pendingReasoning = null;
        return new ChatResponseUpdate(ChatRole.Assistant, contents)
        {
            ResponseId = last?.ResponseId,
            MessageId = last?.MessageId,
            ConversationId = last?.ConversationId,
            ModelId = last?.ModelId,
            AuthorName = last?.AuthorName,
        };
    }

    private FunctionCallContent RestoreCall(FunctionCallContent call, int depth)
    {
        string name = RewriteText(call.Name);
        Dictionary<string, object?>? args = call.Arguments is { Count: > 0 } a ? RewriteDictionary(a, depth) : null;
        return ReferenceEquals(name, call.Name) && args is null
            ? call
            : new FunctionCallContent(call.CallId, name, args ?? call.Arguments)
            {
                AdditionalProperties = call.AdditionalProperties,
                InformationalOnly = call.InformationalOnly,
                Exception = call.Exception,
            };
    }

    /// <summary>Restores the next streamed piece of one channel, holding back a trailing placeholder prefix in <paramref name="pending"/>.</summary>
    private string Feed(ref string? pending, string chunk)
    {
        if (pending is null)
        {
            if (chunk.IndexOf('<', StringComparison.Ordinal) < 0)
            {
                return chunk; // the common case: nothing to restore, nothing to hold back
            }

            return Process(chunk, final: false, out pending);
        }

        return Process(string.Concat(pending, chunk), final: false, out pending);
    }

    /// <summary>
    /// Replaces the known placeholders in <paramref name="s"/>. Unless <paramref name="final"/>, a tail that is a proper prefix of a known
    /// placeholder is cut off into <paramref name="pending"/>.
    /// </summary>
    private string Process(string s, bool final, out string? pending)
    {
        pending = null;
        int i = s.IndexOf('<', StringComparison.Ordinal);
        if (i < 0)
        {
            return s;
        }

        StringBuilder? sb = null;
        int copied = 0;
        int end = s.Length;
        while (i >= 0)
        {
            int limit = Math.Min(s.Length, i + _maxLength);
            int k = i + 1;
            while (k < limit && PiiLabels.IsLabelChar(s[k]))
            {
                k++;
            }

            if (k < limit && s[k] == '>')
            {
                if (_lookup.TryGetValue(s.AsSpan(i, k - i + 1), out string? original))
                {
                    sb ??= new StringBuilder(s.Length + 32);
                    sb.Append(s, copied, i - copied).Append(original);
                    copied = k + 1;
                    i = copied < s.Length ? s.IndexOf('<', copied) : -1;
                    continue;
                }
            }
            else if (!final && k == s.Length && IsKnownPrefix(s.AsSpan(i)))
            {
                pending = s[i..];
                end = i;
                break;
            }

            i = i + 1 < s.Length ? s.IndexOf('<', i + 1) : -1;
        }

        if (sb is null)
        {
            return end == s.Length ? s : s[..end];
        }

        return sb.Append(s, copied, end - copied).ToString();
    }

    private bool IsKnownPrefix(ReadOnlySpan<char> tail)
    {
        if (tail.Length >= _maxLength)
        {
            return false;
        }

        foreach (string placeholder in _originals.Keys)
        {
            if (placeholder.AsSpan().StartsWith(tail, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
