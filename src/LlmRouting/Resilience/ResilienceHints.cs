using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>Per-request resilience hints carried in <see cref="ChatOptions.AdditionalProperties"/>, and the marker of non-idempotent tools.</summary>
/// <example>
/// <code language="csharp">
/// var options = new ChatOptions().WithResilience(new ResilienceRequestOptions { TotalRequestTimeout = TimeSpan.FromSeconds(20), Hedging = true });
///
/// // A tool whose calls must not be duplicated: requests carrying it are never hedged.
/// AIFunction pay = AIFunctionFactory.Create(PayAsync, new AIFunctionFactoryOptions
/// {
///     AdditionalProperties = new Dictionary&lt;string, object?&gt; { [ResilienceHints.NonIdempotentToolKey] = true },
/// });
/// </code>
/// </example>
public static class ResilienceHints
{
    /// <summary>The key of the <see cref="ResilienceRequestOptions"/> in <see cref="ChatOptions.AdditionalProperties"/>.</summary>
    /// <remarks>Like every <c>LlmRouting.*</c> key, it is removed before the options reach a provider.</remarks>
    public const string OptionsKey = "LlmRouting.Resilience";

    /// <summary>
    /// The key in a tool's <see cref="AITool.AdditionalProperties"/> that marks it non-idempotent when its value is <see langword="true"/>
    /// (or the string <c>"true"</c>): a request that offers such a tool is never hedged.
    /// </summary>
    public const string NonIdempotentToolKey = "LlmRouting.NonIdempotent";

    /// <summary>Attaches resilience settings to <paramref name="options"/> (which it changes and returns, for chaining).</summary>
    /// <param name="options">The caller's options.</param>
    /// <param name="settings">The settings for requests sent with these options.</param>
    /// <returns><paramref name="options"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static ChatOptions WithResilience(this ChatOptions options, ResilienceRequestOptions settings)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(settings);
        (options.AdditionalProperties ??= [])[OptionsKey] = settings;
        return options;
    }

    /// <summary>Gets the resilience settings attached to <paramref name="options"/>, if any.</summary>
    /// <param name="options">The options, possibly <see langword="null"/>.</param>
    /// <returns>The settings, or <see langword="null"/>.</returns>
    public static ResilienceRequestOptions? GetResilience(this ChatOptions? options) =>
        options?.AdditionalProperties?.TryGetValue(OptionsKey, out object? value) == true ? value as ResilienceRequestOptions : null;

    /// <summary>Gets a value indicating whether <paramref name="tool"/> is marked non-idempotent with <see cref="NonIdempotentToolKey"/>.</summary>
    /// <param name="tool">The tool.</param>
    /// <returns><see langword="true"/> when marked.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tool"/> is <see langword="null"/>.</exception>
    public static bool IsNonIdempotent(this AITool tool)
    {
        ArgumentNullException.ThrowIfNull(tool);
        return tool.AdditionalProperties.TryGetValue(NonIdempotentToolKey, out object? value)
            && (value is true || (value is string s && bool.TryParse(s, out bool parsed) && parsed));
    }

    /// <summary>Gets a value indicating whether <paramref name="options"/> offers a tool marked non-idempotent.</summary>
    internal static bool HasNonIdempotentTool(ChatOptions? options)
    {
        if (options?.Tools is { Count: > 0 } tools)
        {
            foreach (AITool tool in tools)
            {
                if (tool.IsNonIdempotent())
                {
                    return true;
                }
            }
        }

        return false;
    }
}
