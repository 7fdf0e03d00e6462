using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>
/// The outermost layer of the chain: decides which deployments may serve a request and in which order,
/// records the decision in the per-request <see cref="LlmRequestContext"/>, and attaches the
/// <see cref="RoutingReport"/> to the response (or to the last update of a stream).
/// </summary>
/// <remarks>
/// Candidates are the registry's deployments. A deployment is rejected, with a reason in the report, when
/// the caller pinned another model with <see cref="ChatOptions.ModelId"/>, or when it lacks a capability the
/// request needs (images → vision, tools, JSON schema, reasoning effort), or when the estimated prompt plus
/// requested output exceed its context window. The <see cref="Policy"/> ranks the rest.
/// The caller's <see cref="ChatOptions"/> and messages are never mutated. Thread-safe.
/// </remarks>
public sealed class CostRouterChatClient : DelegatingChatClient
{
    private static readonly ChatClientMetadata s_metadata = new("llm-routing");

    private readonly ProviderRegistry _registry;
    private readonly TimeProvider _timeProvider;
    private IRoutingPolicy _policy = new CheapestRoutingPolicy();
    private int _defaultEstimatedOutputTokens = 256;

    /// <summary>Initializes a new instance of the <see cref="CostRouterChatClient"/> class.</summary>
    /// <param name="innerClient">The next layer (normally the redactor).</param>
    /// <param name="registry">The deployments to route among.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public CostRouterChatClient(IChatClient innerClient, ProviderRegistry registry, TimeProvider? timeProvider = null)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _registry = registry;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Gets or sets the policy that ranks eligible deployments. The default is <see cref="CheapestRoutingPolicy"/>.</summary>
    public IRoutingPolicy Policy
    {
        get => _policy;
        set => _policy = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>Gets or sets the output-token estimate used for cost and context checks when the request sets no <see cref="ChatOptions.MaxOutputTokens"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public int DefaultEstimatedOutputTokens
    {
        get => _defaultEstimatedOutputTokens;
        set => _defaultEstimatedOutputTokens = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Must be positive.");
    }

    /// <inheritdoc/>
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        (LlmRequestContext context, ChatOptions routed) = Route(messages, options, streaming: false);
        ChatResponse response;
        try
        {
            response = await base.GetResponseAsync(messages, routed, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (AttachReport(ex, context))
        {
            throw;
        }

        (response.AdditionalProperties ??= [])[RoutingReportExtensions.AdditionalPropertiesKey] = context.BuildReport();
        return response;
    }

    /// <inheritdoc/>
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        (LlmRequestContext context, ChatOptions routed) = Route(messages, options, streaming: true);
        IAsyncEnumerator<ChatResponseUpdate> enumerator = base.GetStreamingResponseAsync(messages, routed, cancellationToken).GetAsyncEnumerator(cancellationToken);
        string? responseId = null, messageId = null, modelId = null;
        try
        {
            while (true)
            {
                ChatResponseUpdate update;
                try
                {
                    if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }

                    update = enumerator.Current;
                }
                catch (Exception ex) when (AttachReport(ex, context))
                {
                    throw;
                }

                context.TimeToFirstToken ??= context.GetElapsed();
                responseId = update.ResponseId ?? responseId;
                messageId = update.MessageId ?? messageId;
                modelId = update.ModelId ?? modelId;
                yield return update;
            }
        }
        finally
        {
            await enumerator.DisposeAsync().ConfigureAwait(false);
        }

        yield return new ChatResponseUpdate
        {
            Role = ChatRole.Assistant,
            ResponseId = responseId,
            MessageId = messageId,
            ModelId = modelId,
            AdditionalProperties = new() { [RoutingReportExtensions.AdditionalPropertiesKey] = context.BuildReport() },
        };
    }

    /// <inheritdoc/>
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is null)
        {
            // A telemetry layer outside the router must see the gateway, not whichever provider the inner layers expose.
            if (serviceType == typeof(ChatClientMetadata))
            {
                return s_metadata;
            }

            if (serviceType == typeof(ProviderRegistry))
            {
                return _registry;
            }
        }

        return base.GetService(serviceType, serviceKey);
    }

    /// <summary>Computes the candidates for a request without sending it, e.g. to preview a routing decision.</summary>
    /// <param name="messages">The messages.</param>
    /// <param name="options">The options.</param>
    /// <returns>The request context holding candidates and rejections.</returns>
    /// <exception cref="NoEligibleDeploymentException">No deployment can serve the request.</exception>
    public LlmRequestContext Plan(IEnumerable<ChatMessage> messages, ChatOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return Route(messages, options, streaming: false).Context;
    }

    private (LlmRequestContext Context, ChatOptions Options) Route(IEnumerable<ChatMessage> messages, ChatOptions? options, bool streaming)
    {
        var context = new LlmRequestContext(Guid.NewGuid().ToString("N"), streaming, _timeProvider);
        RequestProfile profile = RequestProfile.Create(messages, options, _defaultEstimatedOutputTokens);
        context.EstimatedInputTokens = profile.EstimatedInputTokens;
        context.EstimatedOutputTokens = profile.EstimatedOutputTokens;
        context.Policy = profile.PinnedModel is null ? _policy.Name : "pinned";

        IReadOnlyList<Deployment> deployments = _registry.Deployments;
        var eligible = new List<RoutingCandidate>(deployments.Count);
        foreach (Deployment deployment in deployments)
        {
            if (Reject(deployment, profile) is { } rejection)
            {
                context.Rejections.Add(rejection);
            }
            else
            {
                eligible.Add(new RoutingCandidate(deployment, deployment.ModelInfo.Pricing.Estimate(profile.EstimatedInputTokens, profile.EstimatedOutputTokens)));
            }
        }

        // Resilience: skip open circuits and saturated local limits while another candidate is available (Resilience/DeploymentHealthFilter).
        DeploymentHealthFilter.Apply(InnerClient.GetService<IDeploymentHealth>(), eligible, context.Rejections, profile.EstimatedInputTokens + profile.EstimatedOutputTokens);

        if (eligible.Count == 0)
        {
            var ex = new NoEligibleDeploymentException(
                string.Create(CultureInfo.InvariantCulture, $"None of the {deployments.Count} deployments can serve this request; see Rejections for each reason."),
                context.Rejections.ToArray());
            ex.Report = context.BuildReport();
            throw ex;
        }

        IReadOnlyList<RoutingCandidate> ranked = _policy.Rank(eligible, profile);
        if (ranked.Count == 0)
        {
            var ex = new NoEligibleDeploymentException($"The '{_policy.Name}' policy accepted none of the {eligible.Count} eligible deployments.", context.Rejections.ToArray());
            ex.Report = context.BuildReport();
            throw ex;
        }

        context.Candidates = ranked.Select(c => c.Deployment).ToArray();
        context.EstimatedCostUsd = ranked[0].EstimatedCostUsd;
        context.Reason = profile.PinnedModel is not null
            ? "pinned by ChatOptions.ModelId"
            : string.Create(CultureInfo.InvariantCulture, $"{_policy.Name}: ranked first of {ranked.Count} eligible, estimated ${ranked[0].EstimatedCostUsd:0.########}");

        ChatOptions routed = options?.Clone() ?? new ChatOptions();
        routed.AdditionalProperties = routed.AdditionalProperties is { } existing ? new AdditionalPropertiesDictionary(existing) : [];
        routed.AdditionalProperties[LlmRequestContext.OptionsKey] = context;
        return (context, routed);
    }

    private static CandidateRejection? Reject(Deployment d, RequestProfile profile)
    {
        if (profile.PinnedModel is { } pinned
            && !string.Equals(pinned, d.Name, StringComparison.OrdinalIgnoreCase)
            && !string.Equals(pinned, d.Model, StringComparison.OrdinalIgnoreCase)
            && !string.Equals(pinned, d.ModelInfo.Key, StringComparison.OrdinalIgnoreCase))
        {
            return Rejection(d, "not_pinned", "The request pinned another model with ChatOptions.ModelId.");
        }

        ModelCapabilities missing = profile.RequiredCapabilities & ~d.ModelInfo.Capabilities;
        if (missing != ModelCapabilities.None)
        {
            string code = missing.HasFlag(ModelCapabilities.Vision) ? "no_vision"
                : missing.HasFlag(ModelCapabilities.Tools) ? "no_tools"
                : missing.HasFlag(ModelCapabilities.JsonSchema) ? "no_json_schema"
                : missing.HasFlag(ModelCapabilities.Reasoning) ? "no_reasoning"
                : "missing_capability";
            return Rejection(d, code, $"The model lacks capabilities the request needs: {missing}.");
        }

        if (d.ModelInfo.ContextWindow is int window && profile.EstimatedInputTokens + profile.EstimatedOutputTokens > window)
        {
            return Rejection(d, "context_window", string.Create(
                CultureInfo.InvariantCulture,
                $"Estimated {profile.EstimatedInputTokens} prompt + {profile.EstimatedOutputTokens} output tokens exceed the {window}-token context window."));
        }

        return null;
    }

    private static CandidateRejection Rejection(Deployment d, string reason, string detail) => new(d.Name, d.Provider, d.Model, reason, detail);

    private static bool AttachReport(Exception ex, LlmRequestContext context)
    {
        switch (ex)
        {
            case AllAttemptsFailedException all:
                all.Report ??= context.BuildReport();
                break;
            case StreamInterruptedException interrupted when interrupted.Report is null:
                interrupted.Report = context.BuildReport();
                break;
        }

        return false;
    }
}
