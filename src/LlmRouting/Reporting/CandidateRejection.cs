namespace LlmRouting;

/// <summary>A deployment the router did not consider for a request, and why.</summary>
/// <param name="Deployment">The deployment name.</param>
/// <param name="Provider">The provider.</param>
/// <param name="Model">The model id.</param>
/// <param name="Reason">A short, data-free reason code (e.g. <c>no_vision</c>, <c>context_window</c>, <c>not_pinned</c>).</param>
/// <param name="Detail">A human-readable explanation that contains no prompt content.</param>
public sealed record CandidateRejection(string Deployment, string Provider, string Model, string Reason, string Detail);
