using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>Keys LlmRouting's provider adapters use in the <c>AdditionalProperties</c> of the replies they return.</summary>
/// <remarks>
/// Adapters set these on the reply's assistant <see cref="ChatMessage.AdditionalProperties"/> and, for non-streamed calls, also on
/// <see cref="ChatResponse.AdditionalProperties"/>. On streamed calls they are on the first <see cref="ChatResponseUpdate.AdditionalProperties"/>,
/// which <c>ToChatResponse()</c> moves to the assistant message. Keys are present only when the provider sent the information.
/// </remarks>
public static class LlmResponsePropertyKeys
{
    /// <summary>The <see cref="RateLimitInfo"/> the provider reported in the headers of a successful reply.</summary>
    public const string RateLimits = "LlmRouting.RateLimits";

    /// <summary>The provider's request id (e.g. OpenAI <c>x-request-id</c>) of a successful reply, as a <see cref="string"/>, for support tickets.</summary>
    public const string ProviderRequestId = "LlmRouting.ProviderRequestId";
}
