namespace LlmRouting;

/// <summary>A prompt and the quality (0–1) one model's answer to it received, for <see cref="ModelQualityProfile.Fit"/>.</summary>
/// <param name="Prompt">The prompt (the task, as the last user message would carry it).</param>
/// <param name="Quality">The graded quality of the answer: 1 good, 0 bad, or a score in between.</param>
public readonly record struct GradedPrompt(string Prompt, double Quality);
