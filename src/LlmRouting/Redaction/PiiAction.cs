namespace LlmRouting;

/// <summary>What the redactor does with a detected value of an entity type (configured in <see cref="RedactionOptions.Actions"/>).</summary>
public enum PiiAction
{
    /// <summary>Replace the value with a label such as <c>[EMAIL]</c>. Not reversible.</summary>
    Mask = 0,

    /// <summary>
    /// Replace the value with a numbered placeholder such as <c>&lt;EMAIL_1&gt;</c> — the same value gets the same placeholder in every
    /// message of the request — and put the value back where the answer repeats the placeholder (text, streamed text, tool-call arguments).
    /// </summary>
    Placeholder,

    /// <summary>Replace the value with a salted, truncated HMAC-SHA256 such as <c>&lt;EMAIL_HASH_ab12cd34&gt;</c>: stable across requests, not reversible.</summary>
    Hash,

    /// <summary>Refuse the request with <see cref="PiiBlockedException"/>; nothing is sent.</summary>
    Block,

    /// <summary>Leave the value as it is but allow only deployments flagged <see cref="Deployment.IsLocal"/> to receive the request.</summary>
    RouteLocal,
}
