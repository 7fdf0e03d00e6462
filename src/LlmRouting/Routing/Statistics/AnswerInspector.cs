using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>
/// Looks at an answer (whole, or streamed update by update) for automatic quality signals: empty answers, answers cut by
/// the length limit, JSON that does not match the requested schema, tool-call arguments that do not parse, and refusals.
/// Also reads a self-reported confidence for cascades. Keeps the full text only when a check needs it.
/// </summary>
internal sealed partial class AnswerInspector
{
    public const string EmptyAnswer = "empty_answer";
    public const string LengthLimit = "length_limit";
    public const string JsonInvalid = "json_invalid";
    public const string JsonSchemaInvalid = "json_schema_invalid";
    public const string InvalidToolArguments = "invalid_tool_arguments";
    public const string Refusal = "refusal";

    private const int OpeningLength = 64;
    private static readonly string[] s_refusalOpenings =
    [
        "i'm sorry, but i can't", "i’m sorry, but i can’t", "i am sorry, but i cannot", "i'm sorry, but i cannot",
        "i can't help with", "i can’t help with", "i cannot help with", "i can't assist with", "i can’t assist with",
        "i cannot assist with", "i'm unable to help with", "i’m unable to help with", "i am unable to help with",
        "i won't be able to help with", "sorry, i can't help with", "sorry, but i can't help with",
    ];

    private string? _firstText;  // usually enough to judge the opening, without copying
    private char[]? _opening;    // only when the first text is short and more follows (streams)
    private int _openingLength;
    private UsageDetails? _usage;
    private bool _usageOwned;
    private StringBuilder? _text;
    private int _textLength;
    private int _toolCalls;
    private bool _badToolArguments;
    private bool _refusal;

    public AnswerInspector(bool keepText)
    {
        if (keepText)
        {
            _text = new StringBuilder();
        }
    }

    public ChatFinishReason? FinishReason { get; private set; }

    public bool HasContent => _textLength > 0 || _toolCalls > 0;

    public string? Text => _text?.ToString();

    /// <summary>Gets the usage the answer reported, if any.</summary>
    public UsageDetails? Usage => _usage;

    public static bool NeedsText(ChatOptions? options, bool confidence) => confidence || options?.ResponseFormat is ChatResponseFormatJson;

    public void Add(ChatResponse response)
    {
        foreach (ChatMessage message in response.Messages)
        {
            if (message.Role == ChatRole.Assistant)
            {
                AddContents(message.Contents);
            }
        }

        FinishReason = response.FinishReason ?? FinishReason;
        if (response.Usage is { } usage)
        {
            AddUsage(usage);
        }
    }

    public void Add(ChatResponseUpdate update)
    {
        AddContents(update.Contents);
        FinishReason = update.FinishReason ?? FinishReason;
    }

    /// <summary>Gets the automatic signals of the answer; empty when nothing looks wrong.</summary>
    public string[] Signals(ChatOptions? options)
    {
        List<string>? signals = null;
        if (_refusal || FinishReason == ChatFinishReason.ContentFilter || LooksLikeRefusal())
        {
            (signals ??= []).Add(Refusal);
        }
        else if (!HasContent)
        {
            (signals ??= []).Add(EmptyAnswer);
        }

        if (FinishReason == ChatFinishReason.Length)
        {
            (signals ??= []).Add(LengthLimit);
        }

        if (_badToolArguments)
        {
            (signals ??= []).Add(InvalidToolArguments);
        }

        // A cut or refused answer is already explained; do not also call it invalid JSON.
        bool explained = signals is not null && (signals.Contains(LengthLimit) || signals.Contains(Refusal));
        if (options?.ResponseFormat is ChatResponseFormatJson json && _toolCalls == 0 && _textLength > 0 && _text is not null && !explained)
        {
            string? problem = JsonSchemaValidator.Validate(_text.ToString(), json.Schema);
            if (problem is not null)
            {
                (signals ??= []).Add(json.Schema is null || problem == "the answer is not valid JSON" ? JsonInvalid : JsonSchemaInvalid);
            }
        }

        return signals is null ? [] : [.. signals];
    }

    /// <summary>Reads a self-reported confidence: a final line <c>Confidence: 0.8</c> (or <c>80%</c>), or a top-level JSON property <c>confidence</c>.</summary>
    public double? Confidence()
    {
        string? text = _text?.ToString();
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        string trimmed = text.Trim();
        if (trimmed.StartsWith('{'))
        {
            try
            {
                using JsonDocument doc = JsonDocument.Parse(trimmed);
                foreach (JsonProperty p in doc.RootElement.EnumerateObject())
                {
                    if (string.Equals(p.Name, "confidence", StringComparison.OrdinalIgnoreCase))
                    {
                        return p.Value.ValueKind switch
                        {
                            JsonValueKind.Number => Normalise(p.Value.GetDouble(), percent: false),
                            JsonValueKind.String => Parse(p.Value.GetString()),
                            _ => null,
                        };
                    }
                }
            }
            catch (JsonException)
            {
                // Not JSON after all; fall through to the text form.
            }
        }

        MatchCollection matches = ConfidenceLine().Matches(text);
        return matches.Count == 0 ? null : Parse(matches[^1].Groups["value"].Value + matches[^1].Groups["percent"].Value);
    }

    private static double? Parse(string? s)
    {
        if (string.IsNullOrWhiteSpace(s))
        {
            return null;
        }

        s = s.Trim();
        bool percent = s.EndsWith('%');
        return double.TryParse(percent ? s[..^1] : s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? Normalise(v, percent) : null;
    }

    private static double? Normalise(double v, bool percent) =>
        !double.IsFinite(v) || v < 0 ? null : percent || v > 1 ? Math.Min(1, v / 100) : v;

    private void AddContents(IList<AIContent> contents)
    {
        for (int i = 0; i < contents.Count; i++)
        {
            switch (contents[i])
            {
                case TextContent { Text: { Length: > 0 } text }:
                    _textLength += text.Length;
                    _text?.Append(text);
                    if (_firstText is null)
                    {
                        _firstText = text;
                        _openingLength = Math.Min(text.Length, OpeningLength);
                    }
                    else if (_openingLength < OpeningLength)
                    {
                        if (_opening is null)
                        {
                            _opening = new char[OpeningLength];
                            _firstText.AsSpan(0, _openingLength).CopyTo(_opening);
                        }

                        int n = Math.Min(text.Length, OpeningLength - _openingLength);
                        text.AsSpan(0, n).CopyTo(_opening.AsSpan(_openingLength));
                        _openingLength += n;
                    }

                    break;
                case FunctionCallContent call:
                    _toolCalls++;
                    _badToolArguments |= call.Exception is not null;
                    break;
                case ErrorContent { ErrorCode: "refusal" }:
                    _refusal = true;
                    break;
                case UsageContent usage:
                    AddUsage(usage.Details);
                    break;
            }
        }
    }

    private void AddUsage(UsageDetails usage)
    {
        if (_usage is null)
        {
            _usage = usage; // the common case: one usage report, kept as is
        }
        else
        {
            if (!_usageOwned)
            {
                var sum = new UsageDetails();
                sum.Add(_usage);
                _usage = sum;
                _usageOwned = true;
            }

            _usage.Add(usage);
        }
    }

    private bool LooksLikeRefusal()
    {
        // Only short answers that open with a refusal: a long answer that starts politely is an answer.
        if (_toolCalls > 0 || _textLength == 0 || _textLength > 400)
        {
            return false;
        }

        ReadOnlySpan<char> opening = (_opening is null ? _firstText.AsSpan() : _opening.AsSpan())[.._openingLength].TrimStart();
        foreach (string r in s_refusalOpenings)
        {
            if (opening.StartsWith(r, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    [GeneratedRegex(@"(?im)^[\s*_>#-]*confidence\s*(?:score|level)?\s*[:=]\s*\**\s*(?<value>\d+(?:\.\d+)?)\s*(?<percent>%)?")]
    private static partial Regex ConfidenceLine();
}
