using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>
/// Keys of per-request values in <see cref="ChatOptions.AdditionalProperties"/> that several layers read (routing, budgets,
/// experiments, data policies). Set them with the typed helpers (e.g. <see cref="LlmRoutingHints.WithUser"/>) rather than by hand.
/// </summary>
/// <remarks>
/// Every key starts with <c>LlmRouting.</c>, so the dispatcher strips it before the provider sees the options.
/// Values: <see cref="User"/>, <see cref="Tenant"/> — a non-empty string; <see cref="Tags"/> — a <see cref="string"/> array.
/// </remarks>
public static class LlmRoutingPropertyKeys
{
    /// <summary>The end user on whose behalf the request is made (budgets, experiments), <c>LlmRouting.User</c>.</summary>
    public const string User = "LlmRouting.User";

    /// <summary>The tenant (customer organisation) the request belongs to, <c>LlmRouting.Tenant</c>.</summary>
    public const string Tenant = "LlmRouting.Tenant";

    /// <summary>Free-form tags of the request (e.g. a feature name), <c>LlmRouting.Tags</c>.</summary>
    public const string Tags = "LlmRouting.Tags";
}
