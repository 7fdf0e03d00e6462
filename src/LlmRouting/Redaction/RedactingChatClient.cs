using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmRouting;

/// <summary>
/// Finds personal data and secrets in a request before it leaves the process and applies the configured <see cref="PiiAction"/> per
/// entity type — mask (<c>[EMAIL]</c>), reversible placeholder (<c>&lt;EMAIL_1&gt;</c>, restored in the answer), salted hash, block, or
/// route-local — in the instructions, every message (text, reasoning, author names, tool-call names and arguments, tool results, text
/// attachments, error contents), tool declarations, the response-format schema and provider-bound additional properties.
/// Counts and actions by entity type go into the routing report and the audit sink; the values themselves go nowhere.
/// </summary>
/// <remarks>
/// The caller's messages and options are never mutated: changed messages are copies. Images pass unchanged unless
/// <see cref="RedactionOptions.BlockImages"/> is set. Runs below the router and the data-policy layer: it reads the candidates and the
/// policy's confidential entity types from the <see cref="LlmRequestContext"/>, and narrows the candidates to local deployments when
/// a detected type requires it. Thread-safe.
/// </remarks>
public sealed partial class RedactingChatClient : DelegatingChatClient
{
    [ThreadStatic]
    private static List<PiiMatch>? t_matches;

    private IReadOnlyList<IPiiDetector> _detectors;

    /// <summary>Initializes a new instance of the <see cref="RedactingChatClient"/> class.</summary>
    /// <param name="innerClient">The next layer (normally the resilience layer).</param>
    /// <param name="detectors">The detectors; the built-in e-mail and card detectors when <see langword="null"/>.</param>
    public RedactingChatClient(IChatClient innerClient, IEnumerable<IPiiDetector>? detectors = null)
        : base(innerClient)
    {
        _detectors = detectors?.ToArray() ?? DefaultDetectors();
    }

    /// <summary>Gets or sets the detectors applied to every request.</summary>
    public IReadOnlyList<IPiiDetector> Detectors
    {
        get => _detectors;
        set => _detectors = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>Creates the default detectors: <see cref="PiiDetectors.Default"/> (every built-in entity type except the opt-in names, places and addresses).</summary>
    /// <returns>The detectors.</returns>
    public static IReadOnlyList<IPiiDetector> DefaultDetectors() => [PiiDetectors.Default];

    /// <summary>Gets the mask that replaces a value of <paramref name="entityType"/>.</summary>
    /// <param name="entityType">The entity type.</param>
    /// <returns>The mask, e.g. <c>[EMAIL]</c>.</returns>
    public static string MaskFor(string entityType)
    {
        ArgumentNullException.ThrowIfNull(entityType);
        return PiiLabels.Mask(entityType);
    }

    /// <summary>Gets or sets the actions per entity type and the other redaction settings. Read on every request.</summary>
    /// <exception cref="ArgumentNullException">The value is <see langword="null"/>.</exception>
    public RedactionOptions Options
    {
        get => _options;
        set => _options = value ?? throw new ArgumentNullException(nameof(value));
    }

    private RedactionOptions _options = new();

    /// <summary>Gets or sets the sink that receives an audit event per request and deployment (entity types, counts and actions — never values).</summary>
    public IRedactionAuditSink? AuditSink { get; set; }

    /// <summary>Gets or sets the logger. Logs carry entity types, counts and actions only.</summary>
    /// <exception cref="ArgumentNullException">The value is <see langword="null"/>.</exception>
    public ILogger Logger
    {
        get => _logger;
        set => _logger = value ?? throw new ArgumentNullException(nameof(value));
    }

    private ILogger _logger = NullLogger.Instance;

    /// <summary>Gets or sets the clock that timestamps audit events.</summary>
    /// <exception cref="ArgumentNullException">The value is <see langword="null"/>.</exception>
    public TimeProvider TimeProvider
    {
        get => _timeProvider;
        set => _timeProvider = value ?? throw new ArgumentNullException(nameof(value));
    }

    private TimeProvider _timeProvider = TimeProvider.System;

    /// <summary>
    /// Gets or sets the JSON options whose (source-generated) metadata turns tool results and arguments of other types than strings, JSON,
    /// dictionaries and lists into JSON so their strings can be redacted with their shape kept. The default is
    /// <see cref="AIJsonUtilities.DefaultOptions"/>. A value of a type with no metadata is replaced by its redacted <see cref="object.ToString"/> text.
    /// </summary>
    /// <exception cref="ArgumentNullException">The value is <see langword="null"/>.</exception>
    public JsonSerializerOptions SerializerOptions
    {
        get => _serializerOptions;
        set => _serializerOptions = value ?? throw new ArgumentNullException(nameof(value));
    }

    private JsonSerializerOptions _serializerOptions = AIJsonUtilities.DefaultOptions;

    /// <inheritdoc/>
    /// <exception cref="PiiBlockedException">The request contains a value whose action is <see cref="PiiAction.Block"/>, or a blocked image.</exception>
    /// <exception cref="NoEligibleDeploymentException">A detected value requires a local deployment and no candidate is local.</exception>
    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        RequestRedaction request = Redact(messages, options);
        return request.Session.HasFindings
            ? GetRedactedResponseAsync(request, cancellationToken)
            : base.GetResponseAsync(request.Messages, request.Options, cancellationToken);
    }

    /// <inheritdoc/>
    /// <exception cref="PiiBlockedException">The request contains a value whose action is <see cref="PiiAction.Block"/>, or a blocked image.</exception>
    /// <exception cref="NoEligibleDeploymentException">A detected value requires a local deployment and no candidate is local.</exception>
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        // The request is redacted (and refused, if it must be) before the stream is requested.
        RequestRedaction request = Redact(messages, options);
        return request.Session.HasFindings
            ? StreamRedactedAsync(request, cancellationToken)
            : base.GetStreamingResponseAsync(request.Messages, request.Options, cancellationToken);
    }

    /// <summary>Applies the configured actions to every detected value in <paramref name="text"/>, on its own (placeholders are numbered from 1).</summary>
    /// <param name="text">The text.</param>
    /// <param name="counts">Receives counts by entity type, if not <see langword="null"/>.</param>
    /// <returns>The redacted text, or the same instance when nothing was found. Values whose action is
    /// <see cref="PiiAction.Block"/> are masked; values whose action is <see cref="PiiAction.RouteLocal"/> stay.</returns>
    public string RedactText(string text, IDictionary<string, int>? counts = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var session = new RedactionSession(this, _options, _serializerOptions);
        string result = session.RewriteText(text);
        if (counts is not null)
        {
            session.CopyCountsTo(counts);
        }

        return result;
    }

    /// <summary>Runs every detector over <paramref name="text"/> into the calling thread's match list (cleared by the caller).</summary>
    internal List<PiiMatch> Detect(string text)
    {
        List<PiiMatch> matches = t_matches ??= new List<PiiMatch>(8);
        matches.Clear();
        IReadOnlyList<IPiiDetector> detectors = _detectors;
        for (int i = 0; i < detectors.Count; i++)
        {
            detectors[i].Detect(text, matches);
        }

        return matches;
    }
}
