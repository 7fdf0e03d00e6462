using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>Provider-neutral helpers for adapters: header validation, reply content types and the properties of successful replies.</summary>
internal static class ProviderHttpUtilities
{
    /// <summary>Gets a value indicating whether <paramref name="value"/> can be sent as an HTTP header value (visible ASCII only).</summary>
    /// <param name="value">The value, e.g. an API key.</param>
    /// <returns><see langword="true"/> when every character is visible ASCII.</returns>
    public static bool IsValidHeaderValue(string value)
    {
        foreach (char c in value)
        {
            if (c is < (char)0x21 or > (char)0x7E)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Gets a value indicating whether the reply body is JSON (rather than an event stream).</summary>
    /// <param name="response">The reply.</param>
    /// <returns><see langword="true"/> for <c>application/json</c>.</returns>
    public static bool IsJson(HttpResponseMessage response) =>
        response.Content.Headers.ContentType?.MediaType is { } mediaType
        && mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase);

    /// <summary>Builds the <see cref="LlmResponsePropertyKeys"/> properties of a successful reply: its rate limits and request id.</summary>
    /// <param name="call">The call.</param>
    /// <param name="response">The reply.</param>
    /// <returns>The properties, or <see langword="null"/> when the reply has neither.</returns>
    public static AdditionalPropertiesDictionary? ReplyProperties(ProviderHttpCall call, HttpResponseMessage response)
    {
        AdditionalPropertiesDictionary? properties = null;
        if (call.GetRateLimits(response) is { } rateLimits)
        {
            properties = new() { [LlmResponsePropertyKeys.RateLimits] = rateLimits };
        }

        if (ProviderResponseHeaders.GetFirstOf(response.Headers, call.RequestIdHeaders) is { } requestId)
        {
            properties ??= [];
            properties[LlmResponsePropertyKeys.ProviderRequestId] = requestId;
        }

        return properties;
    }
}
