namespace LlmRouting;

/// <summary>
/// Implemented by built-in provider factories whose deployments need settings beyond provider and model (e.g. Azure OpenAI's endpoint),
/// so that <c>LlmRoutingOptionsValidator</c> reports them at start-up instead of on the first request.
/// </summary>
internal interface IProviderDeploymentValidator
{
    /// <summary>Checks one configured deployment served by this factory.</summary>
    /// <param name="path">The configuration path of the deployment (e.g. <c>LlmRouting:Deployments:main</c>), to prefix messages with.</param>
    /// <param name="deployment">The configured deployment.</param>
    /// <returns>The problems found, each naming the setting by its path; empty when valid.</returns>
    IEnumerable<string> Validate(string path, DeploymentOptions deployment);
}
