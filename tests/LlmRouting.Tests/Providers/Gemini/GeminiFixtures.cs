namespace LlmRouting.Tests.Providers.Gemini;

/// <summary>
/// Gemini replies written from the API reference (GenerateContentResponse, streamGenerateContent with alt=sse, google.rpc error bodies):
/// each pair is one answer, non-streamed and as the events of a stream.
/// </summary>
internal static class GeminiFixtures
{
    public const string TextReply = """
        {
          "candidates": [
            {
              "content": { "parts": [ { "text": "Hello! How can I help you today?" } ], "role": "model" },
              "finishReason": "STOP",
              "index": 0
            }
          ],
          "usageMetadata": {
            "promptTokenCount": 4,
            "candidatesTokenCount": 9,
            "totalTokenCount": 13,
            "promptTokensDetails": [ { "modality": "TEXT", "tokenCount": 4 } ]
          },
          "modelVersion": "gemini-2.5-flash",
          "responseId": "mQPaaI2YNcWz7M8P8bGg6Qw"
        }
        """;

    public static readonly string[] TextChunks =
    [
        """{"candidates": [{"content": {"parts": [{"text": "Hello!"}],"role": "model"},"index": 0}],"usageMetadata": {"promptTokenCount": 4,"totalTokenCount": 4,"promptTokensDetails": [{"modality": "TEXT","tokenCount": 4}]},"modelVersion": "gemini-2.5-flash","responseId": "mQPaaI2YNcWz7M8P8bGg6Qw"}""",
        """{"candidates": [{"content": {"parts": [{"text": " How can I help"}],"role": "model"},"index": 0}],"usageMetadata": {"promptTokenCount": 4,"totalTokenCount": 4},"modelVersion": "gemini-2.5-flash","responseId": "mQPaaI2YNcWz7M8P8bGg6Qw"}""",
        """{"candidates": [{"content": {"parts": [{"text": " you today?"}],"role": "model"},"finishReason": "STOP","index": 0}],"usageMetadata": {"promptTokenCount": 4,"candidatesTokenCount": 9,"totalTokenCount": 13,"promptTokensDetails": [{"modality": "TEXT","tokenCount": 4}]},"modelVersion": "gemini-2.5-flash","responseId": "mQPaaI2YNcWz7M8P8bGg6Qw"}""",
    ];

    /// <summary>Text beside two parallel function calls, the first with a thought signature (Gemini 2.5 with thinking on).</summary>
    public const string ToolCallsReply = """
        {
          "candidates": [
            {
              "content": {
                "parts": [
                  { "text": "I'll check the weather in both cities." },
                  { "functionCall": { "name": "get_weather", "args": { "city": "Paris", "unit": "celsius" } }, "thoughtSignature": "CiQBVKhc7nX5Yp0sig1" },
                  { "functionCall": { "name": "get_weather", "args": { "city": "London" } } }
                ],
                "role": "model"
              },
              "finishReason": "STOP",
              "index": 0
            }
          ],
          "usageMetadata": { "promptTokenCount": 87, "candidatesTokenCount": 31, "totalTokenCount": 172, "thoughtsTokenCount": 54 },
          "modelVersion": "gemini-2.5-flash",
          "responseId": "Yx3aaLvAB8Wn7M8P9tG4iQo"
        }
        """;

    public static readonly string[] ToolCallsChunks =
    [
        """{"candidates": [{"content": {"parts": [{"text": "I'll check the weather"}],"role": "model"},"index": 0}],"usageMetadata": {"promptTokenCount": 87,"totalTokenCount": 141,"thoughtsTokenCount": 54},"modelVersion": "gemini-2.5-flash","responseId": "Yx3aaLvAB8Wn7M8P9tG4iQo"}""",
        """{"candidates": [{"content": {"parts": [{"text": " in both cities."}],"role": "model"},"index": 0}],"modelVersion": "gemini-2.5-flash","responseId": "Yx3aaLvAB8Wn7M8P9tG4iQo"}""",
        """{"candidates": [{"content": {"parts": [{"functionCall": {"name": "get_weather","args": {"city": "Paris","unit": "celsius"}},"thoughtSignature": "CiQBVKhc7nX5Yp0sig1"},{"functionCall": {"name": "get_weather","args": {"city": "London"}}}],"role": "model"},"finishReason": "STOP","index": 0}],"usageMetadata": {"promptTokenCount": 87,"candidatesTokenCount": 31,"totalTokenCount": 172,"thoughtsTokenCount": 54},"modelVersion": "gemini-2.5-flash","responseId": "Yx3aaLvAB8Wn7M8P9tG4iQo"}""",
    ];

    /// <summary>Thought summaries (includeThoughts) and an answer whose signature arrives on an empty final part; part of the prompt came from a cache.</summary>
    public const string ThinkingReply = """
        {
          "candidates": [
            {
              "content": {
                "parts": [
                  { "text": "**Adding the numbers**\n\nTwo plus two is four.", "thought": true },
                  { "text": "2 + 2 = 4." },
                  { "text": "", "thoughtSignature": "AY89a18iOcFus5wr5bW5xN6zZ4aU" }
                ],
                "role": "model"
              },
              "finishReason": "STOP",
              "index": 0
            }
          ],
          "usageMetadata": {
            "promptTokenCount": 1200,
            "cachedContentTokenCount": 1024,
            "candidatesTokenCount": 7,
            "thoughtsTokenCount": 96,
            "totalTokenCount": 1303
          },
          "modelVersion": "gemini-3-flash-preview",
          "createTime": "2026-03-10T14:54:45.066123Z",
          "responseId": "tTCwacuEBMvnitYP06qsgQY"
        }
        """;

    public static readonly string[] ThinkingChunks =
    [
        """{"candidates": [{"content": {"parts": [{"text": "**Adding the numbers**\n\n","thought": true}],"role": "model"},"index": 0}],"usageMetadata": {"trafficType": "ON_DEMAND"},"modelVersion": "gemini-3-flash-preview","createTime": "2026-03-10T14:54:45.066123Z","responseId": "tTCwacuEBMvnitYP06qsgQY"}""",
        """{"candidates": [{"content": {"parts": [{"text": "Two plus two is four.","thought": true}],"role": "model"},"index": 0}],"modelVersion": "gemini-3-flash-preview","createTime": "2026-03-10T14:54:45.066123Z","responseId": "tTCwacuEBMvnitYP06qsgQY"}""",
        """{"candidates": [{"content": {"parts": [{"text": "2 + 2"}],"role": "model"},"index": 0}],"modelVersion": "gemini-3-flash-preview","createTime": "2026-03-10T14:54:45.066123Z","responseId": "tTCwacuEBMvnitYP06qsgQY"}""",
        """{"candidates": [{"content": {"parts": [{"text": " = 4."}],"role": "model"},"index": 0}],"modelVersion": "gemini-3-flash-preview","createTime": "2026-03-10T14:54:45.066123Z","responseId": "tTCwacuEBMvnitYP06qsgQY"}""",
        """{"candidates": [{"content": {"parts": [{"text": "","thoughtSignature": "AY89a18iOcFus5wr5bW5xN6zZ4aU"}],"role": "model"},"finishReason": "STOP","index": 0}],"usageMetadata": {"promptTokenCount": 1200,"cachedContentTokenCount": 1024,"candidatesTokenCount": 7,"thoughtsTokenCount": 96,"totalTokenCount": 1303},"modelVersion": "gemini-3-flash-preview","createTime": "2026-03-10T14:54:45.066123Z","responseId": "tTCwacuEBMvnitYP06qsgQY"}""",
    ];

    /// <summary>An answer cut by the output limit.</summary>
    public const string MaxTokensReply = """
        {"candidates":[{"content":{"parts":[{"text":"The history of Rome begins"}],"role":"model"},"finishReason":"MAX_TOKENS","index":0}],
         "usageMetadata":{"promptTokenCount":6,"candidatesTokenCount":5,"totalTokenCount":11},"modelVersion":"gemini-2.5-flash","responseId":"rOmEaBcDeFgHiJkLmNoPqR"}
        """;

    public static readonly string[] MaxTokensChunks =
    [
        """{"candidates":[{"content":{"parts":[{"text":"The history of"}],"role":"model"},"index":0}],"modelVersion":"gemini-2.5-flash","responseId":"rOmEaBcDeFgHiJkLmNoPqR"}""",
        """{"candidates":[{"content":{"parts":[{"text":" Rome begins"}],"role":"model"},"finishReason":"MAX_TOKENS","index":0}],"usageMetadata":{"promptTokenCount":6,"candidatesTokenCount":5,"totalTokenCount":11},"modelVersion":"gemini-2.5-flash","responseId":"rOmEaBcDeFgHiJkLmNoPqR"}""",
    ];

    /// <summary>A candidate stopped by the safety filters, without content.</summary>
    public const string SafetyReply = """
        {"candidates":[{"finishReason":"SAFETY","index":0,"safetyRatings":[{"category":"HARM_CATEGORY_DANGEROUS_CONTENT","probability":"HIGH","blocked":true}]}],
         "usageMetadata":{"promptTokenCount":12,"totalTokenCount":12},"modelVersion":"gemini-2.5-flash","responseId":"sAfEtYbLoCkEdReSpOnSe1"}
        """;

    public static readonly string[] SafetyChunks =
    [
        """{"candidates":[{"finishReason":"SAFETY","index":0,"safetyRatings":[{"category":"HARM_CATEGORY_DANGEROUS_CONTENT","probability":"HIGH","blocked":true}]}],"usageMetadata":{"promptTokenCount":12,"totalTokenCount":12},"modelVersion":"gemini-2.5-flash","responseId":"sAfEtYbLoCkEdReSpOnSe1"}""",
    ];

    /// <summary>A prompt blocked before generation: no candidates.</summary>
    public const string BlockedPrompt = """
        {"promptFeedback":{"blockReason":"PROHIBITED_CONTENT","safetyRatings":[{"category":"HARM_CATEGORY_SEXUALLY_EXPLICIT","probability":"NEGLIGIBLE"}]},
         "usageMetadata":{"promptTokenCount":9,"totalTokenCount":9},"modelVersion":"gemini-2.5-flash","responseId":"bLoCkEdPrOmPt0000000001"}
        """;

    /// <summary>Builds a Google API error body.</summary>
    public static string Error(int code, string status, string message, string? details = null) =>
        "{\"error\":{\"code\":" + code.ToString(System.Globalization.CultureInfo.InvariantCulture)
        + ",\"message\":\"" + System.Text.Json.JsonEncodedText.Encode(message) + "\",\"status\":\"" + status + "\""
        + (details is null ? string.Empty : ",\"details\":" + details.ReplaceLineEndings(" "))
        + "}}";

    public const string QuotaDetails = """
        [
          {"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[{"quotaMetric":"generativelanguage.googleapis.com/generate_content_free_tier_requests","quotaId":"GenerateRequestsPerMinutePerProjectPerModel-FreeTier","quotaDimensions":{"location":"global","model":"gemini-2.5-flash"},"quotaValue":"10"}]},
          {"@type":"type.googleapis.com/google.rpc.Help","links":[{"description":"Learn more about Gemini API quotas","url":"https://ai.google.dev/gemini-api/docs/rate-limits"}]},
          {"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"37s"}
        ]
        """;

    public const string InvalidKeyDetails = """
        [
          {"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID","domain":"googleapis.com","metadata":{"service":"generativelanguage.googleapis.com"}},
          {"@type":"type.googleapis.com/google.rpc.LocalizedMessage","locale":"en-US","message":"API key not valid. Please pass a valid API key."}
        ]
        """;
}
