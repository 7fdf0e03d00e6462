namespace LlmRouting;

/// <summary>What a model can do. Used by the router to filter candidates by the request's needs.</summary>
[Flags]
public enum ModelCapabilities
{
    /// <summary>No known capability.</summary>
    None = 0,

    /// <summary>Accepts images in the prompt.</summary>
    Vision = 1 << 0,

    /// <summary>Supports tool (function) calling.</summary>
    Tools = 1 << 1,

    /// <summary>Can emit several tool calls in one turn.</summary>
    ParallelToolCalls = 1 << 2,

    /// <summary>Supports structured output constrained by a JSON schema.</summary>
    JsonSchema = 1 << 3,

    /// <summary>A reasoning model (accepts a reasoning effort, may emit reasoning tokens).</summary>
    Reasoning = 1 << 4,

    /// <summary>Supports streamed answers.</summary>
    Streaming = 1 << 5,

    /// <summary>Accepts system messages.</summary>
    SystemMessages = 1 << 6,

    /// <summary>Supports prompt caching.</summary>
    PromptCaching = 1 << 7,
}
