using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LlmRouting.Testing;

namespace LlmRouting.Tests.Redaction;

/// <summary>A detector for tests: one entity type, one regular expression (stands in for the detectors of the detector issue).</summary>
internal sealed class RegexDetector(string entityType, string pattern) : IPiiDetector
{
    private readonly Regex _regex = new(pattern, RegexOptions.CultureInvariant | RegexOptions.Compiled);

    public IReadOnlyCollection<string> EntityTypes { get; } = [entityType];

    public void Detect(string text, List<PiiMatch> matches)
    {
        foreach (Match m in _regex.Matches(text))
        {
            matches.Add(new PiiMatch(m.Index, m.Length, entityType));
        }
    }
}

/// <summary>Real-looking values taken from <c>../shared/data/pii/pii_dev.jsonl</c>, and detectors that find them.</summary>
internal static class Corpus
{
    public const string Email1 = "UtaKortig@jourrapide.com";
    public const string Email2 = "UshurmaDratchev@rhyta.com";
    public const string Email3 = "SzaszJanka@cuvox.de";
    public const string Email4 = "CarlESteffensen@einrot.com";
    public const string Card1 = "4454794511390933";
    public const string Card2 = "4007070753690781";
    public const string Phone1 = "905-674-3793";
    public const string Phone2 = "780-999-2181";
    public const string OpenAIKey = "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";
    public const string AwsKeyId = "AKIAOSRGULEWZ6MIEHZF";
    public const string GitHubToken = "ghs_CfVwGWLDRhRMVuBHrc9jiDxkdMK2Uvq4y4P8";
    public const string SlackToken = "xoxb-812173602143-4111324127833-iwQSS0mmpV6hQLzb9jkQVsqR";

    public static readonly string[] AllValues = [Email1, Email2, Email3, Email4, Card1, Card2, Phone1, Phone2, OpenAIKey, AwsKeyId, GitHubToken, SlackToken];

    public static RegexDetector Phone() => new("PHONE_NUMBER", @"(?<![\d-])\d{3}-\d{3}-\d{4}(?![\d-])");

    public static RegexDetector Secret() => new("SECRET", @"\bsk-[A-Za-z0-9_-]{20,}|\bAKIA[0-9A-Z]{16}\b|\bghs_[A-Za-z0-9]{36}\b|\bxoxb-[0-9A-Za-z-]{20,}");

    public static IPiiDetector[] Detectors() => [new EmailDetector(), new CreditCardDetector(), Phone(), Secret()];
}

/// <summary>A deployment's provider client that records what it received and answers with scripted updates.</summary>
internal sealed class RecordingProvider
{
    private int _calls;

    public RecordingProvider(string name, bool isLocal = false, string provider = "openai", string? region = null, decimal price = 1m, params string[] jurisdictions)
    {
        Deployment = new Deployment(name, provider, "m-" + name, ChainHarness.Model(provider, "m-" + name, price, price, ModelCapabilities.Tools | ModelCapabilities.Streaming | ModelCapabilities.Vision | ModelCapabilities.JsonSchema))
        {
            IsLocal = isLocal,
            Region = region,
            Jurisdictions = jurisdictions,
            ApiKey = new ApiKeySecret(ApiKeyFor(name)),
        };
        Client = new TestChatClient
        {
            GetResponseAsyncCallback = async (messages, options, ct) =>
            {
                IReadOnlyList<ChatResponseUpdate> updates = Begin(messages, options, ct);
                await Task.Yield();
                return updates.ToChatResponse();
            },
            GetStreamingResponseAsyncCallback = (messages, options, ct) => StreamAsync(Begin(messages, options, ct), ct),
        };
    }

    public Deployment Deployment { get; }

    /// <summary>Gets the API key of a test deployment (it must never show up anywhere).</summary>
    public static string ApiKeyFor(string name) => "sk-live-" + name + "-7c0ffee5ecre7k3y0123456789";

    public TestChatClient Client { get; }

    public List<(List<ChatMessage> Messages, ChatOptions? Options)> Calls { get; } = [];

    /// <summary>Gets or sets the answer: updates computed from what the provider received (non-streaming callers get them merged).</summary>
    public Func<IReadOnlyList<ChatMessage>, ChatOptions?, IReadOnlyList<ChatResponseUpdate>> Reply { get; set; } = (_, _) => Text("ok");

    /// <summary>Gets or sets a failure thrown on the given call number (1-based), before any update.</summary>
    public Func<int, Exception?>? FailOnCall { get; set; }

    /// <summary>Gets or sets a failure thrown after this many streamed updates.</summary>
    public (int After, Exception Error)? InterruptStream { get; set; }

    public static IReadOnlyList<ChatResponseUpdate> Text(params string[] chunks) =>
        chunks.Select(c => new ChatResponseUpdate(ChatRole.Assistant, c) { MessageId = "m1", ResponseId = "r1" }).ToArray();

    public string Received(int call = 0) => ProviderView.Dump(Calls[call].Messages, Calls[call].Options);

    public string ReceivedAll() => string.Join("\n", Calls.Select(c => ProviderView.Dump(c.Messages, c.Options)));

    private IReadOnlyList<ChatResponseUpdate> Begin(IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var list = messages.ToList();
        lock (Calls)
        {
            Calls.Add((list, options));
        }

        if (FailOnCall?.Invoke(Interlocked.Increment(ref _calls)) is { } failure)
        {
            throw failure;
        }

        return Reply(list, options);
    }

    private async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(IReadOnlyList<ChatResponseUpdate> updates, [EnumeratorCancellation] CancellationToken ct)
    {
        await Task.Yield();
        for (int i = 0; i < updates.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            if (InterruptStream is { } interrupt && i == interrupt.After)
            {
                throw interrupt.Error;
            }

            yield return updates[i];
        }
    }
}

/// <summary>Builds the full chain (router → data policy → redactor → failover → telemetry) over recording providers.</summary>
internal sealed class RedactionChain
{
    public ProviderRegistry Registry { get; } = new();

    public List<RecordingProvider> Providers { get; } = [];

    public RecordingProvider Add(string name, bool isLocal = false, string provider = "openai", string? region = null, decimal price = 1m, params string[] jurisdictions)
    {
        var p = new RecordingProvider(name, isLocal, provider, region, price, jurisdictions);
        Registry.Add(p.Deployment, p.Client);
        Providers.Add(p);
        return p;
    }

    public IChatClient Build(
        Action<RedactingChatClient>? redactor = null, DataPolicyOptions? policy = null, Action<ChatClientBuilder>? inner = null, Action<DataPolicyChatClient>? policyLayer = null)
    {
        var builder = new ChatClientBuilder(new DeploymentDispatcherChatClient(Registry));
        builder.UseCostRouter(Registry).UseDataPolicy(policy, policyLayer).UseRedaction(r =>
        {
            r.Detectors = Corpus.Detectors();
            redactor?.Invoke(r);
        }).UseResilience();
        inner?.Invoke(builder);
        builder.UseRoutingTelemetry();
        return builder.Build();
    }
}

/// <summary>Everything a provider can read from a request, flattened to text, to search for values that must not be there.</summary>
internal static class ProviderView
{
    public static string Dump(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var sb = new StringBuilder();
        if (options is not null)
        {
            sb.Append("instructions: ").AppendLine(options.Instructions);
            foreach (AITool tool in options.Tools ?? [])
            {
                sb.Append("tool: ").Append(tool.Name).Append(" | ").Append(tool.Description);
                if (tool is AIFunctionDeclaration f)
                {
                    sb.Append(" | ").Append(f.JsonSchema.GetRawText()).Append(" | ").Append(f.ReturnJsonSchema?.GetRawText());
                }

                sb.AppendLine();
            }

            if (options.ResponseFormat is ChatResponseFormatJson json)
            {
                sb.Append("format: ").Append(json.SchemaName).Append(" | ").Append(json.SchemaDescription).Append(" | ").AppendLine(json.Schema?.GetRawText());
            }

            foreach (KeyValuePair<string, object?> kv in options.AdditionalProperties ?? [])
            {
                sb.Append("property: ").Append(kv.Key).Append(" = ");
                Value(sb, kv.Value);
                sb.AppendLine();
            }
        }

        foreach (ChatMessage message in messages)
        {
            sb.Append(message.Role.Value).Append(" (").Append(message.AuthorName).Append("): ");
            foreach (AIContent content in message.Contents)
            {
                Content(sb, content);
                sb.Append(" || ");
            }

            sb.AppendLine();
        }

        return sb.ToString();
    }

    private static void Content(StringBuilder sb, AIContent content)
    {
        switch (content)
        {
            case TextContent t:
                sb.Append(t.Text);
                break;
            case TextReasoningContent r:
                sb.Append(r.Text);
                break;
            case FunctionCallContent call:
                sb.Append(call.Name).Append('(');
                Value(sb, call.Arguments);
                sb.Append(')');
                break;
            case FunctionResultContent result:
                sb.Append("result: ");
                Value(sb, result.Result);
                break;
            case DataContent data:
                sb.Append(data.MediaType).Append(' ').Append(Encoding.UTF8.GetString(data.Data.Span));
                break;
            case UriContent uri:
                sb.Append(uri.Uri);
                break;
            case McpServerToolCallContent mcp:
                sb.Append(mcp.ServerName).Append('.').Append(mcp.Name).Append('(');
                Value(sb, mcp.Arguments);
                sb.Append(')');
                break;
            case McpServerToolResultContent mcpResult:
                sb.Append("mcp result: ");
                Value(sb, mcpResult.Outputs);
                break;
            case ErrorContent error:
                sb.Append(error.Message).Append(' ').Append(error.Details);
                break;
            default:
                sb.Append(content.GetType().Name);
                break;
        }
    }

    private static void Value(StringBuilder sb, object? value)
    {
        switch (value)
        {
            case null:
                sb.Append("null");
                break;
            case string s:
                sb.Append(s);
                break;
            case JsonElement e:
                sb.Append(e.GetRawText());
                break;
            case JsonNode n:
                sb.Append(n.ToJsonString());
                break;
            case AIContent c:
                Content(sb, c);
                break;
            case IEnumerable<KeyValuePair<string, object?>> d:
                sb.Append('{');
                foreach (KeyValuePair<string, object?> kv in d)
                {
                    sb.Append(kv.Key).Append(':');
                    Value(sb, kv.Value);
                    sb.Append(',');
                }

                sb.Append('}');
                break;
            case System.Collections.IEnumerable items:
                sb.Append('[');
                foreach (object? item in items)
                {
                    Value(sb, item);
                    sb.Append(',');
                }

                sb.Append(']');
                break;
            default:
                sb.Append(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));
                break;
        }
    }
}
