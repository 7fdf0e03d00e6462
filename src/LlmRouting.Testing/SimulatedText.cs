using System.Text;
using Microsoft.Extensions.AI;

namespace LlmRouting.Testing;

/// <summary>Text helpers of the simulated provider: the text a provider would count, token estimates and stream chunking.</summary>
internal static class SimulatedText
{
    /// <summary>Appends the text a provider would tokenize for <paramref name="content"/>: text, reasoning, tool call names and arguments, tool results.</summary>
    public static void AppendContentText(StringBuilder sb, AIContent content)
    {
        switch (content)
        {
            case TextContent text:
                sb.Append(text.Text);
                break;
            case TextReasoningContent reasoning:
                sb.Append(reasoning.Text);
                break;
            case FunctionCallContent call:
                sb.Append(call.Name);
                if (call.Arguments is { } args)
                {
                    foreach (KeyValuePair<string, object?> kv in args)
                    {
                        sb.Append(' ').Append(kv.Key).Append('=').Append(kv.Value?.ToString());
                    }
                }

                break;
            case FunctionResultContent result:
                sb.Append(result.Result?.ToString());
                break;
            default:
                break;
        }
    }

    /// <summary>Gets the text of all contents of all messages, one message a line.</summary>
    public static string PromptText(IReadOnlyList<ChatMessage> messages)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < messages.Count; i++)
        {
            if (i > 0)
            {
                sb.Append('\n');
            }

            foreach (AIContent content in messages[i].Contents)
            {
                AppendContentText(sb, content);
            }
        }

        return sb.ToString();
    }

    /// <summary>Counts the characters a provider would tokenize in <paramref name="messages"/>.</summary>
    public static long CountCharacters(IReadOnlyList<ChatMessage> messages)
    {
        var sb = new StringBuilder();
        long total = 0;
        foreach (ChatMessage message in messages)
        {
            foreach (AIContent content in message.Contents)
            {
                sb.Clear();
                AppendContentText(sb, content);
                total += sb.Length;
            }
        }

        return total;
    }

    /// <summary>Counts the characters of tool calls.</summary>
    public static long CountCharacters(IReadOnlyList<FunctionCallContent> calls)
    {
        var sb = new StringBuilder();
        foreach (FunctionCallContent call in calls)
        {
            AppendContentText(sb, call);
        }

        return sb.Length;
    }

    /// <summary>Estimates tokens from characters: characters divided by <paramref name="charactersPerToken"/>, at least 1.</summary>
    public static long EstimateTokens(long characters, int charactersPerToken) => Math.Max(1, characters / Math.Max(1, charactersPerToken));

    /// <summary>Gets the text of the last user message, or an empty string.</summary>
    public static string LastUserText(IReadOnlyList<ChatMessage> messages)
    {
        for (int i = messages.Count - 1; i >= 0; i--)
        {
            if (messages[i].Role == ChatRole.User)
            {
                return messages[i].Text;
            }
        }

        return string.Empty;
    }

    /// <summary>Cuts <paramref name="text"/> to at most <paramref name="maxLength"/> characters without splitting a surrogate pair.</summary>
    public static string Truncate(string text, int maxLength)
    {
        if (text.Length <= maxLength)
        {
            return text;
        }

        int end = Math.Max(0, maxLength);
        if (end > 0 && char.IsHighSurrogate(text[end - 1]))
        {
            end--;
        }

        return text[..end];
    }

    /// <summary>
    /// Splits <paramref name="text"/> into stream chunks whose concatenation is the text: one per word (with the whitespace after it)
    /// when <paramref name="chunkCount"/> is <see langword="null"/>, otherwise that many pieces of nearly equal length.
    /// An empty text gives one empty chunk.
    /// </summary>
    public static List<string> Split(string text, int? chunkCount)
    {
        var chunks = new List<string>();
        if (text.Length == 0)
        {
            chunks.Add(string.Empty);
            return chunks;
        }

        if (chunkCount is { } n)
        {
            n = Math.Clamp(n, 1, text.Length);
            int start = 0;
            for (int k = 1; k <= n; k++)
            {
                int end = (int)((long)text.Length * k / n);
                if (end < text.Length && end > 0 && char.IsLowSurrogate(text[end]) && char.IsHighSurrogate(text[end - 1]))
                {
                    end++;
                }

                if (end > start)
                {
                    chunks.Add(text[start..end]);
                    start = end;
                }
            }

            return chunks;
        }

        int i = 0;
        while (i < text.Length)
        {
            int start = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            chunks.Add(text[start..i]);
        }

        return chunks;
    }
}
