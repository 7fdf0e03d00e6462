namespace LlmRouting.Tests.Providers.OpenAI;

/// <summary>Replies shaped like OpenAI's documented Chat Completions objects.</summary>
internal static class OpenAIFixtures
{
    public const string TextCompletion = """
        {
          "id": "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT",
          "object": "chat.completion",
          "created": 1741569952,
          "model": "gpt-4o-mini-2024-07-18",
          "choices": [
            {
              "index": 0,
              "message": { "role": "assistant", "content": "Hello! How can I assist you today?", "refusal": null, "annotations": [] },
              "logprobs": null,
              "finish_reason": "stop"
            }
          ],
          "usage": {
            "prompt_tokens": 19,
            "completion_tokens": 10,
            "total_tokens": 29,
            "prompt_tokens_details": { "cached_tokens": 0, "audio_tokens": 0 },
            "completion_tokens_details": { "reasoning_tokens": 0, "audio_tokens": 0, "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0 }
          },
          "service_tier": "default",
          "system_fingerprint": "fp_06737a9306"
        }
        """;

    /// <summary>The same answer as <see cref="TextCompletion"/>, streamed with <c>include_usage</c>.</summary>
    public static readonly string[] TextChunks =
    [
        """{"id":"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT","object":"chat.completion.chunk","created":1741569952,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_06737a9306","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}""",
        """{"id":"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT","object":"chat.completion.chunk","created":1741569952,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_06737a9306","choices":[{"index":0,"delta":{"content":"Hello!"},"logprobs":null,"finish_reason":null}],"usage":null}""",
        """{"id":"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT","object":"chat.completion.chunk","created":1741569952,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_06737a9306","choices":[{"index":0,"delta":{"content":" How can I"},"logprobs":null,"finish_reason":null}],"usage":null}""",
        """{"id":"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT","object":"chat.completion.chunk","created":1741569952,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_06737a9306","choices":[{"index":0,"delta":{"content":" assist you today?"},"logprobs":null,"finish_reason":null}],"usage":null}""",
        """{"id":"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT","object":"chat.completion.chunk","created":1741569952,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_06737a9306","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}""",
        """{"id":"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT","object":"chat.completion.chunk","created":1741569952,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_06737a9306","choices":[],"usage":{"prompt_tokens":19,"completion_tokens":10,"total_tokens":29,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}""",
    ];

    public const string ParallelToolCallsCompletion = """
        {
          "id": "chatcmpl-AbCdEfToolCalls01",
          "object": "chat.completion",
          "created": 1741570000,
          "model": "gpt-4o-2024-08-06",
          "choices": [
            {
              "index": 0,
              "message": {
                "role": "assistant",
                "content": "Let me check both cities.",
                "refusal": null,
                "tool_calls": [
                  { "id": "call_paris01", "type": "function", "function": { "name": "get_weather", "arguments": "{\"city\":\"Paris\",\"unit\":\"celsius\"}" } },
                  { "id": "call_tokyo02", "type": "function", "function": { "name": "get_weather", "arguments": "{\"city\":\"Tokyo\",\"unit\":\"celsius\"}" } }
                ],
                "annotations": []
              },
              "logprobs": null,
              "finish_reason": "tool_calls"
            }
          ],
          "usage": {
            "prompt_tokens": 82,
            "completion_tokens": 51,
            "total_tokens": 133,
            "prompt_tokens_details": { "cached_tokens": 64, "audio_tokens": 0 },
            "completion_tokens_details": { "reasoning_tokens": 0, "audio_tokens": 0, "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0 }
          },
          "system_fingerprint": "fp_a7d06e42a7"
        }
        """;

    /// <summary>The same answer as <see cref="ParallelToolCallsCompletion"/>, streamed: the two calls' fragments interleave by <c>index</c>.</summary>
    public static readonly string[] ParallelToolCallChunks =
    [
        """{"id":"chatcmpl-AbCdEfToolCalls01","object":"chat.completion.chunk","created":1741570000,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_a7d06e42a7","choices":[{"index":0,"delta":{"role":"assistant","content":"Let me check ","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}""",
        """{"id":"chatcmpl-AbCdEfToolCalls01","object":"chat.completion.chunk","created":1741570000,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_a7d06e42a7","choices":[{"index":0,"delta":{"content":"both cities."},"logprobs":null,"finish_reason":null}],"usage":null}""",
        """{"id":"chatcmpl-AbCdEfToolCalls01","object":"chat.completion.chunk","created":1741570000,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_a7d06e42a7","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_paris01","type":"function","function":{"name":"get_weather","arguments":""}}]},"logprobs":null,"finish_reason":null}],"usage":null}""",
        """{"id":"chatcmpl-AbCdEfToolCalls01","object":"chat.completion.chunk","created":1741570000,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_a7d06e42a7","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":\"Pa"}}]},"logprobs":null,"finish_reason":null}],"usage":null}""",
        """{"id":"chatcmpl-AbCdEfToolCalls01","object":"chat.completion.chunk","created":1741570000,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_a7d06e42a7","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_tokyo02","type":"function","function":{"name":"get_weather","arguments":""}}]},"logprobs":null,"finish_reason":null}],"usage":null}""",
        """{"id":"chatcmpl-AbCdEfToolCalls01","object":"chat.completion.chunk","created":1741570000,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_a7d06e42a7","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"ris\",\"unit\":\"celsius\"}"}}]},"logprobs":null,"finish_reason":null}],"usage":null}""",
        """{"id":"chatcmpl-AbCdEfToolCalls01","object":"chat.completion.chunk","created":1741570000,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_a7d06e42a7","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"{\"city\":\"Tokyo\","}}]},"logprobs":null,"finish_reason":null}],"usage":null}""",
        """{"id":"chatcmpl-AbCdEfToolCalls01","object":"chat.completion.chunk","created":1741570000,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_a7d06e42a7","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"\"unit\":\"celsius\"}"}}]},"logprobs":null,"finish_reason":null}],"usage":null}""",
        """{"id":"chatcmpl-AbCdEfToolCalls01","object":"chat.completion.chunk","created":1741570000,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_a7d06e42a7","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}],"usage":null}""",
        """{"id":"chatcmpl-AbCdEfToolCalls01","object":"chat.completion.chunk","created":1741570000,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_a7d06e42a7","choices":[],"usage":{"prompt_tokens":82,"completion_tokens":51,"total_tokens":133,"prompt_tokens_details":{"cached_tokens":64,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}""",
    ];

    public const string ReasoningCompletion = """
        {
          "id": "chatcmpl-ReasoningUsage42",
          "object": "chat.completion",
          "created": 1741571234,
          "model": "o4-mini-2025-04-16",
          "choices": [
            { "index": 0, "message": { "role": "assistant", "content": "42", "refusal": null, "annotations": [] }, "finish_reason": "stop" }
          ],
          "usage": {
            "prompt_tokens": 2048,
            "completion_tokens": 900,
            "total_tokens": 2948,
            "prompt_tokens_details": { "cached_tokens": 1920, "audio_tokens": 0 },
            "completion_tokens_details": { "reasoning_tokens": 832, "audio_tokens": 0, "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0 }
          },
          "service_tier": "default"
        }
        """;

    public static readonly string[] ReasoningChunks =
    [
        """{"id":"chatcmpl-ReasoningUsage42","object":"chat.completion.chunk","created":1741571234,"model":"o4-mini-2025-04-16","service_tier":"default","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"finish_reason":null}],"usage":null}""",
        """{"id":"chatcmpl-ReasoningUsage42","object":"chat.completion.chunk","created":1741571234,"model":"o4-mini-2025-04-16","service_tier":"default","choices":[{"index":0,"delta":{"content":"42"},"finish_reason":null}],"usage":null}""",
        """{"id":"chatcmpl-ReasoningUsage42","object":"chat.completion.chunk","created":1741571234,"model":"o4-mini-2025-04-16","service_tier":"default","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":null}""",
        """{"id":"chatcmpl-ReasoningUsage42","object":"chat.completion.chunk","created":1741571234,"model":"o4-mini-2025-04-16","service_tier":"default","choices":[],"usage":{"prompt_tokens":2048,"completion_tokens":900,"total_tokens":2948,"prompt_tokens_details":{"cached_tokens":1920,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":832,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}""",
    ];

    public const string RefusalCompletion = """
        {
          "id": "chatcmpl-Refusal0001",
          "object": "chat.completion",
          "created": 1741572000,
          "model": "gpt-4o-2024-08-06",
          "choices": [
            { "index": 0, "message": { "role": "assistant", "content": null, "refusal": "I'm sorry, I can't help with that request.", "annotations": [] }, "finish_reason": "stop" }
          ],
          "usage": { "prompt_tokens": 30, "completion_tokens": 10, "total_tokens": 40 }
        }
        """;

    public static readonly string[] RefusalChunks =
    [
        """{"id":"chatcmpl-Refusal0001","object":"chat.completion.chunk","created":1741572000,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{"role":"assistant","content":null,"refusal":""},"finish_reason":null}],"usage":null}""",
        """{"id":"chatcmpl-Refusal0001","object":"chat.completion.chunk","created":1741572000,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{"refusal":"I'm sorry, I can't "},"finish_reason":null}],"usage":null}""",
        """{"id":"chatcmpl-Refusal0001","object":"chat.completion.chunk","created":1741572000,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{"refusal":"help with that request."},"finish_reason":null}],"usage":null}""",
        """{"id":"chatcmpl-Refusal0001","object":"chat.completion.chunk","created":1741572000,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":null}""",
        """{"id":"chatcmpl-Refusal0001","object":"chat.completion.chunk","created":1741572000,"model":"gpt-4o-2024-08-06","choices":[],"usage":{"prompt_tokens":30,"completion_tokens":10,"total_tokens":40}}""",
    ];

    /// <summary>A compatible server's reply with <c>reasoning_content</c> (DeepSeek style).</summary>
    public const string ReasoningContentCompletion = """
        {"id":"0f3b1c2d","object":"chat.completion","created":1741573000,"model":"deepseek-reasoner",
         "choices":[{"index":0,"message":{"role":"assistant","reasoning_content":"9.11 < 9.8 because 0.11 < 0.8.","content":"9.8 is larger."},"finish_reason":"stop"}],
         "usage":{"prompt_tokens":15,"completion_tokens":40,"total_tokens":55,"completion_tokens_details":{"reasoning_tokens":28}}}
        """;

    public static readonly string[] ReasoningContentChunks =
    [
        """{"id":"0f3b1c2d","object":"chat.completion.chunk","created":1741573000,"model":"deepseek-reasoner","choices":[{"index":0,"delta":{"role":"assistant","content":null,"reasoning_content":""},"finish_reason":null}]}""",
        """{"id":"0f3b1c2d","object":"chat.completion.chunk","created":1741573000,"model":"deepseek-reasoner","choices":[{"index":0,"delta":{"content":null,"reasoning_content":"9.11 < 9.8 because "},"finish_reason":null}]}""",
        """{"id":"0f3b1c2d","object":"chat.completion.chunk","created":1741573000,"model":"deepseek-reasoner","choices":[{"index":0,"delta":{"content":null,"reasoning_content":"0.11 < 0.8."},"finish_reason":null}]}""",
        """{"id":"0f3b1c2d","object":"chat.completion.chunk","created":1741573000,"model":"deepseek-reasoner","choices":[{"index":0,"delta":{"content":"9.8 is ","reasoning_content":null},"finish_reason":null}]}""",
        """{"id":"0f3b1c2d","object":"chat.completion.chunk","created":1741573000,"model":"deepseek-reasoner","choices":[{"index":0,"delta":{"content":"larger.","reasoning_content":null},"finish_reason":"stop"}],"usage":{"prompt_tokens":15,"completion_tokens":40,"total_tokens":55,"completion_tokens_details":{"reasoning_tokens":28}}}""",
    ];

    public static string Error(string message, string? type, string? code, string? param = null) =>
        new System.Text.Json.Nodes.JsonObject
        {
            ["error"] = new System.Text.Json.Nodes.JsonObject
            {
                ["message"] = message,
                ["type"] = type,
                ["param"] = param,
                ["code"] = code,
            },
        }.ToJsonString();
}
