using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>What a request needs from a model, inferred from its messages and options before routing.</summary>
public sealed class RequestProfile
{
    private const int CharsPerToken = 4;
    private const int PerMessageOverheadTokens = 4;

    /// <summary>Gets the capabilities the request needs (vision for images, tools, JSON schema, reasoning).</summary>
    public ModelCapabilities RequiredCapabilities { get; init; }

    /// <summary>Gets the estimated prompt tokens.</summary>
    public long EstimatedInputTokens { get; init; }

    /// <summary>Gets the estimated output tokens (the requested maximum, or the configured default).</summary>
    public long EstimatedOutputTokens { get; init; }

    /// <summary>Gets the model or deployment the caller pinned with <see cref="ChatOptions.ModelId"/>, if any.</summary>
    public string? PinnedModel { get; init; }

    /// <summary>Gets the per-request routing hints (<see cref="LlmRoutingHints"/>).</summary>
    public RoutingHints Hints { get; init; } = RoutingHints.None;

    /// <summary>Gets a value indicating whether the conversation already contains an assistant turn with several tool calls.</summary>
    public bool HasParallelToolCallHistory { get; init; }

    /// <summary>Analyses a request.</summary>
    /// <param name="messages">The messages.</param>
    /// <param name="options">The options.</param>
    /// <param name="defaultOutputTokens">The output estimate when <see cref="ChatOptions.MaxOutputTokens"/> is not set.</param>
    /// <returns>The profile.</returns>
    /// <exception cref="ArgumentException">A routing hint in <see cref="ChatOptions.AdditionalProperties"/> is invalid.</exception>
    public static RequestProfile Create(IEnumerable<ChatMessage> messages, ChatOptions? options, int defaultOutputTokens)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ModelCapabilities needs = ModelCapabilities.None;
        long chars = options?.Instructions?.Length ?? 0;
        long tokens = 0;
        bool parallelHistory = false;
        foreach (ChatMessage message in messages)
        {
            tokens += PerMessageOverheadTokens;
            int calls = 0;
            foreach (AIContent content in message.Contents)
            {
                switch (content)
                {
                    case TextContent text:
                        chars += text.Text?.Length ?? 0;
                        break;
                    case DataContent data when data.HasTopLevelMediaType("image"):
                        needs |= ModelCapabilities.Vision;
                        tokens += 765; // a typical high-detail image tile budget
                        break;
                    case UriContent uri when uri.HasTopLevelMediaType("image"):
                        needs |= ModelCapabilities.Vision;
                        tokens += 765;
                        break;
                    case FunctionCallContent call:
                        chars += call.Name.Length + (call.Arguments?.Count ?? 0) * 16;
                        calls++;
                        break;
                    case FunctionResultContent result:
                        chars += result.Result?.ToString()?.Length ?? 0;
                        break;
                }
            }

            parallelHistory |= calls > 1;
        }

        RoutingHints hints = RoutingHints.FromOptions(options);

        if (options?.Tools is { Count: > 0 } tools)
        {
            needs |= ModelCapabilities.Tools;
            foreach (AITool tool in tools)
            {
                chars += tool.Name.Length + (tool.Description?.Length ?? 0);
                if (tool is AIFunctionDeclaration f)
                {
                    chars += f.JsonSchema.GetRawText().Length;
                }
            }
        }

        // Parallel tool calls are needed only when the caller does not forbid them (AllowMultipleToolCalls is not false) and the
        // conversation already relies on them, or the caller asks for them with a hint.
        if (options?.Tools is { Count: > 0 } && options.AllowMultipleToolCalls != false && (parallelHistory || hints.ParallelToolCalls))
        {
            needs |= ModelCapabilities.ParallelToolCalls;
        }

        if (options?.ResponseFormat is ChatResponseFormatJson { Schema: not null })
        {
            needs |= ModelCapabilities.JsonSchema;
        }

        if (options?.Reasoning is { Effort: not null and not ReasoningEffort.None })
        {
            needs |= ModelCapabilities.Reasoning;
        }

        return new RequestProfile
        {
            RequiredCapabilities = needs,
            EstimatedInputTokens = Math.Max(1, tokens + ((chars + CharsPerToken - 1) / CharsPerToken)),
            EstimatedOutputTokens = options?.MaxOutputTokens ?? defaultOutputTokens,
            PinnedModel = string.IsNullOrWhiteSpace(options?.ModelId) ? null : options!.ModelId,
            Hints = hints,
            HasParallelToolCallHistory = parallelHistory,
        };
    }
}
