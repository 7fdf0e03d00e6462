using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>Keys LlmRouting's provider adapters use in <see cref="ChatResponse.AdditionalProperties"/> and <see cref="ChatResponseUpdate.AdditionalProperties"/>.</summary>
public static class LlmResponsePropertyKeys
{
    /// <summary>
    /// The <see cref="RateLimitInfo"/> the provider reported in the headers of a successful reply. Set only when the provider sent
    /// rate-limit headers; on streamed replies it is on the first update (and so on the result of <c>ToChatResponse()</c>).
    /// </summary>
    public const string RateLimits = "LlmRouting.RateLimits";

    /// <summary>The provider's request id (e.g. OpenAI <c>x-request-id</c>) of a successful reply, as a <see cref="string"/>, for support tickets.</summary>
    public const string ProviderRequestId = "LlmRouting.ProviderRequestId";
}
