using System.Diagnostics;
using System.Text.Json;

namespace LlmRouting.Tests.Telemetry;

[TestFixture]
[NonParallelizable]
public class ContentCaptureTests
{
    private const string EmailToken = @"(\[EMAIL\]|<EMAIL_\d+>)";
    private const string CardToken = @"(\[CREDIT_CARD\]|<CREDIT_CARD_\d+>)";

    private const string PromptEmail = "ana.lopez@example.com";
    private const string InstructionsEmail = "bo.smith@example.org";
    private const string AnswerEmail = "carl.jones@example.net";
    private const string Card = "4111 1111 1111 1111";

    private static ChainHarness Harness()
    {
        var h = new ChainHarness();
        h.Add(TelemetryChain.Deployment("a", "openai", "m-a"), "Sure, I will write to " + AnswerEmail + " today");
        return h;
    }

    private static readonly ChatOptions s_options = new() { Instructions = "Copy " + InstructionsEmail + " on every reply." };

    [Test]
    public async Task Content_is_not_captured_by_default([Values] bool streaming)
    {
        string? saved = Environment.GetEnvironmentVariable(LlmRoutingDiagnostics.CaptureMessageContentEnvironmentVariable);
        Environment.SetEnvironmentVariable(LlmRoutingDiagnostics.CaptureMessageContentEnvironmentVariable, null);
        try
        {
            using var otel = new OtelCapture();
            await TelemetryChain.Build(Harness()).AskAsync(streaming, "Contact " + PromptEmail, s_options);
            otel.Flush();

            Activity attempt = otel.Spans.Single(s => s.Kind == ActivityKind.Client);
            Assert.That(attempt.GetTagItem("gen_ai.input.messages"), Is.Null);
            Assert.That(attempt.GetTagItem("gen_ai.output.messages"), Is.Null);
            Assert.That(attempt.GetTagItem("gen_ai.system_instructions"), Is.Null);
        }
        finally
        {
            Environment.SetEnvironmentVariable(LlmRoutingDiagnostics.CaptureMessageContentEnvironmentVariable, saved);
        }
    }

    [Test]
    public void The_OpenTelemetry_environment_variable_switches_capture_on_and_the_property_overrides_it()
    {
        string? saved = Environment.GetEnvironmentVariable(LlmRoutingDiagnostics.CaptureMessageContentEnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(LlmRoutingDiagnostics.CaptureMessageContentEnvironmentVariable, "TRUE");
            using var on = new RoutingTelemetryChatClient(new TestChatClientStub());
            Environment.SetEnvironmentVariable(LlmRoutingDiagnostics.CaptureMessageContentEnvironmentVariable, "false");
            using var off = new RoutingTelemetryChatClient(new TestChatClientStub());
            Assert.That(on.EnableSensitiveData, Is.True);
            Assert.That(off.EnableSensitiveData, Is.False);
            off.EnableSensitiveData = true;
            Assert.That(off.EnableSensitiveData, Is.True);
        }
        finally
        {
            Environment.SetEnvironmentVariable(LlmRoutingDiagnostics.CaptureMessageContentEnvironmentVariable, saved);
        }
    }

    [Test]
    public async Task Captured_content_is_the_redacted_text_in_the_convention_format([Values] bool streaming)
    {
        using var otel = new OtelCapture();
        ChainHarness h = Harness();
        await TelemetryChain.Build(h, telemetry: t => t.EnableSensitiveData = true)
            .AskAsync(streaming, "Contact " + PromptEmail + " about card " + Card, s_options);
        otel.Flush();

        Activity attempt = otel.Spans.Single(s => s.Kind == ActivityKind.Client);
        string input = (string)attempt.GetTagItem("gen_ai.input.messages")!;
        string instructions = (string)attempt.GetTagItem("gen_ai.system_instructions")!;
        string output = (string)attempt.GetTagItem("gen_ai.output.messages")!;
        using (Assert.EnterMultipleScope())
        {
            // The telemetry layer sits below the redactor: it sees what the provider saw.
            // Personal data is replaced by reversible placeholders by default (masks when configured).
            Assert.That(h.Calls.Single().Messages.Single().Text, Does.Match(EmailToken));
            Assert.That(input, Does.Match(EmailToken).And.Match(CardToken));
            Assert.That(input, Does.Not.Contain(PromptEmail).And.Not.Contain(Card));
            Assert.That(instructions, Does.Match(EmailToken).And.Not.Contain(InstructionsEmail));
            Assert.That(output, Does.Contain("[EMAIL]").And.Not.Contain(AnswerEmail), "answers are masked before they are recorded too");
        }

        using JsonDocument inputJson = JsonDocument.Parse(input);
        JsonElement message = inputJson.RootElement[0];
        Assert.That(message.GetProperty("role").GetString(), Is.EqualTo("user"));
        Assert.That(message.GetProperty("parts")[0].GetProperty("type").GetString(), Is.EqualTo("text"));
        using JsonDocument outputJson = JsonDocument.Parse(output);
        Assert.That(outputJson.RootElement[0].GetProperty("role").GetString(), Is.EqualTo("assistant"));
        Assert.That(outputJson.RootElement[0].GetProperty("finish_reason").GetString(), Is.EqualTo("stop"));
        using JsonDocument instructionsJson = JsonDocument.Parse(instructions);
        Assert.That(instructionsJson.RootElement[0].GetProperty("content").GetString(), Does.Match("^Copy " + EmailToken));
    }

    [Test]
    public async Task Without_a_redactor_in_the_chain_captured_content_is_still_masked([Values] bool streaming)
    {
        using var otel = new OtelCapture();
        ChainHarness h = Harness();
        IChatClient chat = new ChatClientBuilder(new DeploymentDispatcherChatClient(h.Registry))
            .UseCostRouter(h.Registry).UseResilience().UseRoutingTelemetry(t => t.EnableSensitiveData = true).Build();

        await chat.AskAsync(streaming, [new ChatMessage(ChatRole.User, "Contact " + PromptEmail),
            new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("call-1", "send_mail", new Dictionary<string, object?> { ["to"] = PromptEmail, ["n"] = 2 })]),
            new ChatMessage(ChatRole.Tool, [new FunctionResultContent("call-1", "sent to " + PromptEmail)])]);
        otel.Flush();

        Activity attempt = otel.Spans.Single(s => s.Kind == ActivityKind.Client);
        string input = (string)attempt.GetTagItem("gen_ai.input.messages")!;
        Assert.That(h.Calls.Single().Messages[0].Text, Does.Contain(PromptEmail), "no redactor: the provider got the raw text");
        Assert.That(input, Does.Not.Contain(PromptEmail));
        Assert.That(input, Does.Contain("\"type\":\"tool_call\"").And.Contain("\"to\":\"[EMAIL]\"").And.Contain("\"n\":2"));
        Assert.That(input, Does.Contain("\"type\":\"tool_call_response\"").And.Contain("sent to [EMAIL]"));
    }

    private sealed class TestChatClientStub : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
