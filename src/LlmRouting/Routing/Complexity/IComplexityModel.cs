using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>Estimates from a request's prompt alone how capable a model it needs. <see cref="ComplexityModel.Default"/> is the shipped one.</summary>
/// <remarks>Implementations must be thread-safe, fast (they run on every routed request) and must not perform I/O.</remarks>
public interface IComplexityModel
{
    /// <summary>Estimates the complexity of a request from its messages (the last user message is the task).</summary>
    /// <param name="messages">The request messages.</param>
    /// <returns>The estimate.</returns>
    ComplexityEstimate Estimate(IEnumerable<ChatMessage> messages);
}
