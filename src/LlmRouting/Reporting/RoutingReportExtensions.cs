using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>Reads the <see cref="RoutingReport"/> LlmRouting attaches to responses.</summary>
public static class RoutingReportExtensions
{
    /// <summary>The key under which the report is stored in <see cref="ChatResponse.AdditionalProperties"/> and <see cref="ChatResponseUpdate.AdditionalProperties"/>.</summary>
    public const string AdditionalPropertiesKey = "LlmRouting.Report";

    /// <summary>Gets the routing report of a response.</summary>
    /// <param name="response">The response.</param>
    /// <returns>The report, or <see langword="null"/> if the response did not pass through the router.</returns>
    /// <remarks>
    /// Also finds the report of a response merged from a stream with <c>ToChatResponse()</c>, which moves the
    /// last update's additional properties onto the last message.
    /// </remarks>
    public static RoutingReport? GetRoutingReport(this ChatResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (Find(response.AdditionalProperties) is { } report)
        {
            return report;
        }

        for (int i = response.Messages.Count - 1; i >= 0; i--)
        {
            if (Find(response.Messages[i].AdditionalProperties) is { } fromMessage)
            {
                return fromMessage;
            }
        }

        return null;
    }

    private static RoutingReport? Find(AdditionalPropertiesDictionary? properties) =>
        properties?.TryGetValue(AdditionalPropertiesKey, out object? value) == true ? value as RoutingReport : null;

    /// <summary>Gets the routing report carried by a streamed update (the last update of every routed stream carries it).</summary>
    /// <param name="update">The update.</param>
    /// <returns>The report, or <see langword="null"/> if this update carries none.</returns>
    public static RoutingReport? GetRoutingReport(this ChatResponseUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        return Find(update.AdditionalProperties);
    }
}
