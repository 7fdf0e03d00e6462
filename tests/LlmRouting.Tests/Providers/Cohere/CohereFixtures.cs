namespace LlmRouting.Tests.Providers.Cohere;

/// <summary>
/// Cohere Chat v2 replies written from the API reference and its streaming guides: each answer non-streamed and as its event stream
/// (message-start, content-start/-delta/-end, tool-plan-delta, tool-call-start/-delta/-end, message-end).
/// </summary>
internal static class CohereFixtures
{
    public const string TextReply = """
        {
          "id": "c14c80c3-18eb-4519-9460-6c92edd8cfb4",
          "finish_reason": "COMPLETE",
          "message": { "role": "assistant", "content": [ { "type": "text", "text": "LLMs are large language models trained on text." } ] },
          "usage": { "billed_units": { "input_tokens": 5, "output_tokens": 9 }, "tokens": { "input_tokens": 71, "output_tokens": 9 } }
        }
        """;

    public static readonly string[] TextEvents =
    [
        """{"id":"c14c80c3-18eb-4519-9460-6c92edd8cfb4","type":"message-start","delta":{"message":{"role":"assistant","content":[],"tool_plan":"","tool_calls":[],"citations":[]}}}""",
        """{"type":"content-start","index":0,"delta":{"message":{"content":{"type":"text","text":""}}}}""",
        """{"type":"content-delta","index":0,"delta":{"message":{"content":{"text":"LLMs are"}}}}""",
        """{"type":"content-delta","index":0,"delta":{"message":{"content":{"text":" large language models"}}}}""",
        """{"type":"content-delta","index":0,"delta":{"message":{"content":{"text":" trained on text."}}}}""",
        """{"type":"content-end","index":0}""",
        """{"type":"message-end","delta":{"finish_reason":"COMPLETE","usage":{"billed_units":{"input_tokens":5,"output_tokens":9},"tokens":{"input_tokens":71,"output_tokens":9}}}}""",
    ];

    /// <summary>A tool plan beside two parallel calls (the docs' Madrid / Brasilia example).</summary>
    public const string ToolCallsReply = """
        {
          "id": "fba98ad3-e5a1-413c-a8de-84fbf9baabf7",
          "finish_reason": "TOOL_CALL",
          "message": {
            "role": "assistant",
            "tool_plan": "I will search for the weather in Madrid and Brasilia.",
            "tool_calls": [
              { "id": "get_weather_p1t92w7gfgq7", "type": "function", "function": { "name": "get_weather", "arguments": "{\n    \"location\": \"Madrid\"\n}" } },
              { "id": "get_weather_ay6nmvjgp9vn", "type": "function", "function": { "name": "get_weather", "arguments": "{\n    \"location\": \"Brasilia\"\n}" } }
            ]
          },
          "usage": { "billed_units": { "input_tokens": 37, "output_tokens": 28 }, "tokens": { "input_tokens": 913, "output_tokens": 83 } }
        }
        """;

    public static readonly string[] ToolCallEvents =
    [
        """{"id":"fba98ad3-e5a1-413c-a8de-84fbf9baabf7","type":"message-start","delta":{"message":{"role":"assistant","content":[],"tool_plan":"","tool_calls":[],"citations":[]}}}""",
        """{"type":"tool-plan-delta","delta":{"message":{"tool_plan":"I will search"}}}""",
        """{"type":"tool-plan-delta","delta":{"message":{"tool_plan":" for the weather in Madrid"}}}""",
        """{"type":"tool-plan-delta","delta":{"message":{"tool_plan":" and Brasilia."}}}""",
        """{"type":"tool-call-start","index":0,"delta":{"message":{"tool_calls":{"id":"get_weather_p1t92w7gfgq7","type":"function","function":{"name":"get_weather","arguments":""}}}}}""",
        """{"type":"tool-call-delta","index":0,"delta":{"message":{"tool_calls":{"function":{"arguments":"{\n    \""}}}}}""",
        """{"type":"tool-call-delta","index":0,"delta":{"message":{"tool_calls":{"function":{"arguments":"location\": \"Mad"}}}}}""",
        """{"type":"tool-call-delta","index":0,"delta":{"message":{"tool_calls":{"function":{"arguments":"rid\"\n}"}}}}}""",
        """{"type":"tool-call-end","index":0}""",
        """{"type":"tool-call-start","index":1,"delta":{"message":{"tool_calls":{"id":"get_weather_ay6nmvjgp9vn","type":"function","function":{"name":"get_weather","arguments":""}}}}}""",
        """{"type":"tool-call-delta","index":1,"delta":{"message":{"tool_calls":{"function":{"arguments":"{\n    \"location\": \"Bras"}}}}}""",
        """{"type":"tool-call-delta","index":1,"delta":{"message":{"tool_calls":{"function":{"arguments":"ilia\"\n}"}}}}}""",
        """{"type":"tool-call-end","index":1}""",
        """{"type":"message-end","delta":{"finish_reason":"TOOL_CALL","usage":{"billed_units":{"input_tokens":37,"output_tokens":28},"tokens":{"input_tokens":913,"output_tokens":83}}}}""",
    ];

    /// <summary>A reasoning model's reply: a thinking item, then the answer; part of the prompt hit the cache.</summary>
    public const string ThinkingReply = """
        {
          "id": "5b1e9a7c-3f2d-4c8e-9a6b-7d0e1f2a3b4c",
          "finish_reason": "COMPLETE",
          "message": {
            "role": "assistant",
            "content": [
              { "type": "thinking", "thinking": "17 times 23: 17 times 20 is 340, plus 51 is 391." },
              { "type": "text", "text": "17 × 23 = 391." }
            ]
          },
          "usage": { "billed_units": { "input_tokens": 12, "output_tokens": 40 }, "tokens": { "input_tokens": 530, "output_tokens": 40 }, "cached_tokens": 448 }
        }
        """;

    public static readonly string[] ThinkingEvents =
    [
        """{"id":"5b1e9a7c-3f2d-4c8e-9a6b-7d0e1f2a3b4c","type":"message-start","delta":{"message":{"role":"assistant","content":[],"tool_plan":"","tool_calls":[],"citations":[]}}}""",
        """{"type":"content-start","index":0,"delta":{"message":{"content":{"type":"thinking","thinking":""}}}}""",
        """{"type":"content-delta","index":0,"delta":{"message":{"content":{"thinking":"17 times 23: 17 times 20 is 340,"}}}}""",
        """{"type":"content-delta","index":0,"delta":{"message":{"content":{"thinking":" plus 51 is 391."}}}}""",
        """{"type":"content-end","index":0}""",
        """{"type":"content-start","index":1,"delta":{"message":{"content":{"type":"text","text":""}}}}""",
        """{"type":"content-delta","index":1,"delta":{"message":{"content":{"text":"17 × 23"}}}}""",
        """{"type":"content-delta","index":1,"delta":{"message":{"content":{"text":" = 391."}}}}""",
        """{"type":"content-end","index":1}""",
        """{"type":"message-end","delta":{"finish_reason":"COMPLETE","usage":{"billed_units":{"input_tokens":12,"output_tokens":40},"tokens":{"input_tokens":530,"output_tokens":40},"cached_tokens":448}}}""",
    ];

    public const string MaxTokensReply = """
        {"id":"0c6b2f1e-8d4a-4e3b-9f7c-1a2b3c4d5e6f","finish_reason":"MAX_TOKENS","message":{"role":"assistant","content":[{"type":"text","text":"The history of Rome"}]},
         "usage":{"billed_units":{"input_tokens":6,"output_tokens":4},"tokens":{"input_tokens":72,"output_tokens":4}}}
        """;

    public static readonly string[] MaxTokensEvents =
    [
        """{"id":"0c6b2f1e-8d4a-4e3b-9f7c-1a2b3c4d5e6f","type":"message-start","delta":{"message":{"role":"assistant","content":[],"tool_plan":"","tool_calls":[],"citations":[]}}}""",
        """{"type":"content-start","index":0,"delta":{"message":{"content":{"type":"text","text":""}}}}""",
        """{"type":"content-delta","index":0,"delta":{"message":{"content":{"text":"The history of Rome"}}}}""",
        """{"type":"content-end","index":0}""",
        """{"type":"message-end","delta":{"finish_reason":"MAX_TOKENS","usage":{"billed_units":{"input_tokens":6,"output_tokens":4},"tokens":{"input_tokens":72,"output_tokens":4}}}}""",
    ];

    /// <summary>Builds a Cohere error body.</summary>
    public static string Error(string message, string id = "11864227-5c7f-4c4a-8c9b-6465ab44a26e") =>
        "{\"id\":\"" + id + "\",\"message\":\"" + System.Text.Json.JsonEncodedText.Encode(message) + "\"}";
}
