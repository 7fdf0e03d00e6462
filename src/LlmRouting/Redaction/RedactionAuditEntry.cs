namespace LlmRouting;

/// <summary>One entity type in a <see cref="RedactionAuditEvent"/>.</summary>
/// <param name="EntityType">The entity type (e.g. <c>EMAIL_ADDRESS</c>, or <c>IMAGE</c> for blocked images).</param>
/// <param name="Count">How many values of the type the request contained.</param>
/// <param name="Action">What was done with them.</param>
public readonly record struct RedactionAuditEntry(string EntityType, int Count, PiiAction Action);
