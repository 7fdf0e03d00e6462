using System.Globalization;
using Microsoft.Extensions.Options;

namespace LlmRouting;

/// <summary>Validates <see cref="LlmRoutingOptions"/> at start-up; every message names the offending setting by its configuration path.</summary>
internal sealed class LlmRoutingOptionsValidator : IValidateOptions<LlmRoutingOptions>
{
    private readonly IEnumerable<IChatProviderFactory> _factories;
    private readonly IEnumerable<IRoutingPolicy> _policies;

    public LlmRoutingOptionsValidator(IEnumerable<IChatProviderFactory> factories, IEnumerable<IRoutingPolicy> policies)
    {
        _factories = factories;
        _policies = policies;
    }

    public ValidateOptionsResult Validate(string? name, LlmRoutingOptions options)
    {
        List<string> errors = Check(options, _factories, _policies);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    internal static List<string> Check(LlmRoutingOptions options, IEnumerable<IChatProviderFactory> factories, IEnumerable<IRoutingPolicy> policies)
    {
        const string S = LlmRoutingOptions.SectionName;
        var errors = new List<string>();
        var providers = new HashSet<string>(factories.SelectMany(f => f.ProviderNames), StringComparer.OrdinalIgnoreCase);
        if (options.Deployments is null || options.Deployments.Count == 0)
        {
            errors.Add($"{S}:Deployments must contain at least one deployment.");
        }
        else
        {
            foreach ((string deploymentName, DeploymentOptions? d) in options.Deployments)
            {
                string path = $"{S}:Deployments:{deploymentName}";
                if (d is null)
                {
                    errors.Add($"{path} is empty.");
                    continue;
                }

                if (string.IsNullOrWhiteSpace(d.Provider))
                {
                    errors.Add($"{path}:Provider is required.");
                }
                else if (!providers.Contains(d.Provider))
                {
                    errors.Add($"{path}:Provider '{d.Provider}' has no registered provider. Known providers: {string.Join(", ", providers.Order(StringComparer.OrdinalIgnoreCase))}.");
                }
                else if (factories.FirstOrDefault(f => f.ProviderNames.Contains(d.Provider, StringComparer.OrdinalIgnoreCase)) is IProviderDeploymentValidator providerChecks)
                {
                    errors.AddRange(providerChecks.Validate(path, d));
                }

                if (string.IsNullOrWhiteSpace(d.Model))
                {
                    errors.Add($"{path}:Model is required.");
                }

                if (d.Endpoint is { IsAbsoluteUri: false })
                {
                    errors.Add($"{path}:Endpoint must be an absolute URI.");
                }

                if (!(d.Weight > 0) || double.IsInfinity(d.Weight))
                {
                    errors.Add(string.Create(CultureInfo.InvariantCulture, $"{path}:Weight must be a positive number (was {d.Weight})."));
                }
            }
        }

        for (int i = 0; i < options.Models.Count; i++)
        {
            ModelInfo m = options.Models[i];
            if (string.IsNullOrWhiteSpace(m.Provider) || string.IsNullOrWhiteSpace(m.ModelId))
            {
                errors.Add(string.Create(CultureInfo.InvariantCulture, $"{S}:Models:{i} needs both Provider and ModelId."));
            }

            if (m.Pricing is { } p && (p.InputPerToken < 0 || p.OutputPerToken < 0 || p.CachedInputPerToken < 0 || p.CacheWritePerToken < 0 || p.ReasoningPerToken < 0))
            {
                errors.Add(string.Create(CultureInfo.InvariantCulture, $"{S}:Models:{i}:Pricing prices cannot be negative."));
            }
        }

        if (string.IsNullOrWhiteSpace(options.Routing.Policy))
        {
            errors.Add($"{S}:Routing:Policy is required.");
        }
        else if (!policies.Any(p => string.Equals(p.Name, options.Routing.Policy, StringComparison.OrdinalIgnoreCase)))
        {
            errors.Add($"{S}:Routing:Policy '{options.Routing.Policy}' is not a registered routing policy. Known policies: {string.Join(", ", policies.Select(p => p.Name).Distinct().Order(StringComparer.Ordinal))}.");
        }

        if (options.Routing.DefaultEstimatedOutputTokens <= 0)
        {
            errors.Add($"{S}:Routing:DefaultEstimatedOutputTokens must be positive.");
        }

        RoutingOptionsValidation.Check(options, policies, errors); // LlmRouting:Routing (filters, tiers, policies, statistics, experiments, cascade) and LlmRouting:Budgets

        ResilienceOptionsValidator.Check(options.Resilience, options.Deployments?.Keys, errors);

        CheckTelemetry(options.Telemetry, errors);
        RedactionOptionsValidator.Check(options, errors);
        DataPolicyOptionsValidator.Check(options, errors);

        return errors;
    }

    private static void CheckTelemetry(TelemetryOptions telemetry, List<string> errors)
    {
        const string T = LlmRoutingOptions.SectionName + ":Telemetry:RequestLog";
        RequestLogOptions log = telemetry.RequestLog;
        if (log.QueueCapacity < 1)
        {
            errors.Add($"{T}:QueueCapacity must be at least 1.");
        }

        if (log.RingBufferCapacity < 0)
        {
            errors.Add($"{T}:RingBufferCapacity cannot be negative.");
        }

        if (log.DrainTimeout < TimeSpan.Zero)
        {
            errors.Add($"{T}:DrainTimeout cannot be negative.");
        }

        if (!string.IsNullOrWhiteSpace(log.JsonLines.Directory))
        {
            if (string.IsNullOrWhiteSpace(log.JsonLines.FileNamePrefix) || log.JsonLines.FileNamePrefix.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
            {
                errors.Add($"{T}:JsonLines:FileNamePrefix must be a valid, non-empty file name.");
            }

            if (log.JsonLines.MaxFileSizeBytes < 1024)
            {
                errors.Add($"{T}:JsonLines:MaxFileSizeBytes must be at least 1024.");
            }

            if (log.JsonLines.RetainedFileCount < 0)
            {
                errors.Add($"{T}:JsonLines:RetainedFileCount cannot be negative.");
            }
        }
    }
}
