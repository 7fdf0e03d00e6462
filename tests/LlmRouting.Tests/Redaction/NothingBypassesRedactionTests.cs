using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace LlmRouting.Tests.Redaction;

/// <summary>A value planted in every corner of a request never reaches the provider, streaming or not.</summary>
[TestFixture]
public class NothingBypassesRedactionTests
{
    private const string V = Corpus.Email1;
    private const string Marker = "<EMAIL_1>";

    private static JsonElement Json(string json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static JsonElement Schema(string description) => Json($$$"""
        {"type":"object","properties":{"to":{"type":"string","description":"{{{description}}}"}},"required":["to"]}
        """);

    private static readonly Dictionary<string, Func<(List<ChatMessage> Messages, ChatOptions Options)>> s_corners = new()
    {
        ["instructions"] = () => (Ask("hi"), new ChatOptions { Instructions = $"Reply to {V}" }),
        ["system message"] = () => ([new(ChatRole.System, $"Agent for {V}"), new(ChatRole.User, "hi")], new ChatOptions()),
        ["user message"] = () => (Ask($"mail {V}"), new ChatOptions()),
        ["assistant message in history"] = () => ([new(ChatRole.User, "hi"), new(ChatRole.Assistant, $"I wrote to {V}"), new(ChatRole.User, "thanks")], new ChatOptions()),
        ["second text part"] = () => ([new(ChatRole.User, [new TextContent("first part"), new TextContent($"second part {V}")])], new ChatOptions()),
        ["reasoning in history"] = () => ([new(ChatRole.User, "hi"), new(ChatRole.Assistant, [new TextReasoningContent($"the user is {V}"), new TextContent("ok")]), new(ChatRole.User, "go")], new ChatOptions()),
        ["author name"] = () => ([new(ChatRole.User, "hi") { AuthorName = V }], new ChatOptions()),
        ["tool-call argument"] = () => (Call(new Dictionary<string, object?> { ["to"] = V, ["n"] = 3 }), new ChatOptions()),
        ["nested tool-call argument"] = () => (Call(new Dictionary<string, object?> { ["filter"] = new Dictionary<string, object?> { ["any"] = new List<object?> { "x", new Dictionary<string, object?> { ["to"] = V } } } }), new ChatOptions()),
        ["JSON tool-call argument"] = () => (Call(new Dictionary<string, object?> { ["q"] = Json($$$"""{"deep":{"list":[1,"{{{V}}}"]}}""") }), new ChatOptions()),
        ["JsonNode tool-call argument"] = () => (Call(new Dictionary<string, object?> { ["q"] = JsonNode.Parse($$"""{"to":"{{V}}"}""") }), new ChatOptions()),
        ["tool-call argument name"] = () => (Call(new Dictionary<string, object?> { [V] = true }), new ChatOptions()),
        ["tool-call function name"] = () => (Call(new Dictionary<string, object?>(), name: $"mail_{V}"), new ChatOptions()),
        ["tool result text"] = () => (Result($"Customer found: {V}"), new ChatOptions()),
        ["tool result JSON"] = () => (Result(Json($$"""{"customers":[{"email":"{{V}}","vip":true}]}""")), new ChatOptions()),
        ["tool result dictionary"] = () => (Result(new Dictionary<string, object?> { ["rows"] = new object?[] { new Dictionary<string, object?> { ["email"] = V } } }), new ChatOptions()),
        ["tool result typed object (source-generated JSON)"] = () => (Result(new CustomerRecord("Uta", V, 3)), new ChatOptions()),
        ["tool result object without JSON metadata"] = () => (Result(new UnregisteredRecord(V)), new ChatOptions()),
        ["tool result contents"] = () => (Result(new List<AIContent> { new TextContent($"row: {V}") }), new ChatOptions()),
        ["tool description"] = () => (Ask("hi"), new ChatOptions { Tools = [AIFunctionFactory.CreateDeclaration("lookup", $"Looks up {V}", Schema("who"))] }),
        ["tool name"] = () => (Ask("hi"), new ChatOptions { Tools = [AIFunctionFactory.CreateDeclaration($"lookup_{V}", "Looks up", Schema("who"))] }),
        ["tool parameter schema"] = () => (Ask("hi"), new ChatOptions { Tools = [AIFunctionFactory.CreateDeclaration("lookup", "Looks up", Schema($"e.g. {V}"))] }),
        ["tool return schema"] = () => (Ask("hi"), new ChatOptions { Tools = [AIFunctionFactory.CreateDeclaration("lookup", "Looks up", Schema("who"), Json($$"""{"type":"string","description":"like {{V}}"}"""))] }),
        ["response-format schema"] = () => (Ask("hi"), new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(Schema($"e.g. {V}"), "answer", $"Answer for {V}") }),
        ["provider-bound additional property"] = () => (Ask("hi"), new ChatOptions { AdditionalProperties = new() { ["user"] = V } }),
        ["text attachment"] = () => ([new(ChatRole.User, [new TextContent("see file"), new DataContent(Encoding.UTF8.GetBytes($"Name: Uta\nMail: {V}\n"), "text/plain") { Name = "contact.txt" }])], new ChatOptions()),
        ["JSON attachment"] = () => ([new(ChatRole.User, [new DataContent(Encoding.UTF8.GetBytes($$"""{"mail":"{{V}}"}"""), "application/json")])], new ChatOptions()),
        ["hosted MCP tool-call arguments"] = () => ([new(ChatRole.User, "hi"), new(ChatRole.Assistant, [new McpServerToolCallContent("m1", "crm_lookup", "crm") { Arguments = new Dictionary<string, object?> { ["email"] = V } }]), new(ChatRole.User, "and?")], new ChatOptions()),
        ["hosted MCP tool result"] = () => ([new(ChatRole.User, "hi"), new(ChatRole.Assistant, [new McpServerToolResultContent("m1") { Outputs = [new TextContent($"owner: {V}")] }]), new(ChatRole.User, "and?")], new ChatOptions()),
        ["error content in history"] = () => ([new(ChatRole.User, "hi"), new(ChatRole.Assistant, [new ErrorContent($"could not reach {V}") { Details = $"mailbox {V} full" }]), new(ChatRole.User, "retry")], new ChatOptions()),
    };

    private static List<ChatMessage> Ask(string text) => [new(ChatRole.User, text)];

    private static List<ChatMessage> Call(Dictionary<string, object?> args, string name = "send_mail") =>
    [
        new(ChatRole.User, "send it"),
        new(ChatRole.Assistant, [new FunctionCallContent("c1", name, args)]),
        new(ChatRole.Tool, [new FunctionResultContent("c1", "done")]),
        new(ChatRole.User, "thanks"),
    ];

    private static List<ChatMessage> Result(object? result) =>
    [
        new(ChatRole.User, "look it up"),
        new(ChatRole.Assistant, [new FunctionCallContent("c1", "lookup", new Dictionary<string, object?> { ["q"] = "uta" })]),
        new(ChatRole.Tool, [new FunctionResultContent("c1", result)]),
    ];

    public static IEnumerable<TestCaseData> Corners() =>
        s_corners.Keys.SelectMany(name => new[] { false, true }.Select(streaming => new TestCaseData(name, streaming).SetArgDisplayNames(name, streaming ? "streaming" : "non-streaming")));

    [TestCaseSource(nameof(Corners))]
    public async Task A_planted_value_never_reaches_the_provider(string corner, bool streaming)
    {
        (List<ChatMessage> messages, ChatOptions options) = s_corners[corner]();
        string before = ProviderView.Dump(messages, options);
        Assert.That(before, Does.Contain(V), "the value is planted");
        var chain = new RedactionChain();
        RecordingProvider cloud = chain.Add("cloud");
        IChatClient client = chain.Build(r => r.SerializerOptions = TestJson.Options);

        ChatResponse response = await client.AskAsync(streaming, messages, options);

        string received = cloud.Received();
        Assert.That(received, Does.Not.Contain(V), corner);
        Assert.That(received, Does.Contain(Marker), "the corner reached the provider, redacted");
        Assert.That(response.GetRoutingReport()!.Redactions["EMAIL_ADDRESS"], Is.GreaterThanOrEqualTo(1));
        Assert.That(ProviderView.Dump(messages, options), Is.EqualTo(before), "the caller's messages and options are unchanged");

        // What the OpenAI adapter would put on the wire for the same request, where it can express it.
        byte[] wire;
        try
        {
            wire = OpenAIRequestWriter.Write(cloud.Calls[0].Messages, cloud.Calls[0].Options, "m", streaming, OpenAICompatibleQuirks.OpenAI);
        }
        catch (NotSupportedException)
        {
            return; // e.g. text attachments: the adapter refuses them rather than sending them
        }

        Assert.That(Encoding.UTF8.GetString(wire), Does.Not.Contain(V).And.Not.Contain(JsonEncodedText.Encode(V).ToString()));
    }

    [Test]
    public async Task A_number_that_is_a_card_becomes_a_placeholder_string_in_tool_results([Values] bool streaming)
    {
        var chain = new RedactionChain();
        RecordingProvider cloud = chain.Add("cloud");

        await chain.Build().AskAsync(streaming, Result(new Dictionary<string, object?> { ["card"] = long.Parse(Corpus.Card1, System.Globalization.CultureInfo.InvariantCulture), ["json"] = Json($$"""{"card":{{Corpus.Card2}}}""") }));

        string received = cloud.Received();
        Assert.That(received, Does.Not.Contain(Corpus.Card1).And.Not.Contain(Corpus.Card2));
        Assert.That(received, Does.Contain("card:<CREDIT_CARD_1>").And.Contain("\"card\":\"<CREDIT_CARD_2>\""));
    }

    [Test]
    public async Task Structured_results_keep_their_shape([Values] bool streaming)
    {
        var chain = new RedactionChain();
        RecordingProvider cloud = chain.Add("cloud");

        await chain.Build(r => r.SerializerOptions = TestJson.Options).AskAsync(streaming, Result(new CustomerRecord("Uta", V, 3)));

        object? sent = ((FunctionResultContent)cloud.Calls[0].Messages[2].Contents[0]).Result;
        Assert.That(sent, Is.TypeOf<JsonElement>());
        var element = (JsonElement)sent!;
        Assert.That(element.GetProperty("name").GetString(), Is.EqualTo("Uta"));
        Assert.That(element.GetProperty("email").GetString(), Is.EqualTo(Marker));
        Assert.That(element.GetProperty("orders").GetInt32(), Is.EqualTo(3));
    }

    [Test]
    public async Task Parts_without_findings_reach_the_provider_as_the_same_objects([Values] bool streaming)
    {
        var chain = new RedactionChain();
        RecordingProvider cloud = chain.Add("cloud");
        AIFunctionDeclaration tool = AIFunctionFactory.CreateDeclaration("lookup", "Looks up a customer", Schema("who"));
        var clean = new ChatMessage(ChatRole.System, "Be brief.");
        var options = new ChatOptions { Tools = [tool] };

        await chain.Build().AskAsync(streaming, [clean, new ChatMessage(ChatRole.User, $"mail {V}")], options);

        Assert.That(cloud.Calls[0].Messages[0], Is.SameAs(clean));
        Assert.That(cloud.Calls[0].Options!.Tools![0], Is.SameAs(tool));
    }

    [Test]
    public async Task Images_pass_unchanged([Values] bool streaming)
    {
        var chain = new RedactionChain();
        RecordingProvider cloud = chain.Add("cloud");
        var image = new DataContent(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, "image/png");
        var remote = new UriContent(new Uri("https://img.example/photo.jpg"), "image/jpeg");

        await chain.Build().AskAsync(streaming, [new ChatMessage(ChatRole.User, [new TextContent($"who is {V}?"), image, remote])]);

        IList<AIContent> sent = cloud.Calls[0].Messages[0].Contents;
        Assert.That(sent[1], Is.SameAs(image));
        Assert.That(sent[2], Is.SameAs(remote));
        Assert.That(((TextContent)sent[0]).Text, Is.EqualTo($"who is {Marker}?"));
    }

    [Test]
    public async Task BlockImages_refuses_requests_with_images_anywhere([Values] bool streaming)
    {
        var chain = new RedactionChain();
        RecordingProvider cloud = chain.Add("cloud");
        IChatClient client = chain.Build(r => r.Options = new RedactionOptions { BlockImages = true });
        var image = new DataContent(new byte[] { 1, 2, 3 }, "image/png");
        var remote = new UriContent(new Uri("https://img.example/photo.jpg"), "image/jpeg");

        var ex = await Assert.ThrowsAsync<PiiBlockedException>(() => client.AskAsync(streaming,
        [
            new ChatMessage(ChatRole.User, [new TextContent("describe"), image]),
            new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c1", "snap")]),
            new ChatMessage(ChatRole.Tool, [new FunctionResultContent("c1", new List<AIContent> { remote })]),
        ]));

        Assert.That(ex!.BlockedEntities, Is.EquivalentTo(new Dictionary<string, int> { [RedactionConstants.ImageEntityType] = 2 }));
        Assert.That(cloud.Calls, Is.Empty);

        // Text-only requests still pass.
        await client.AskAsync(streaming, "no pictures here");
        Assert.That(cloud.Calls, Has.Count.EqualTo(1));
    }
}

/// <summary>A typed tool result with source-generated JSON metadata.</summary>
public sealed record CustomerRecord(string Name, string Email, int Orders);

/// <summary>A typed tool result with no JSON metadata anywhere: it can only be judged by its text.</summary>
public sealed record UnregisteredRecord(string Email);

[JsonSerializable(typeof(CustomerRecord))]
internal sealed partial class RedactionTestJsonContext : JsonSerializerContext;

internal static class TestJson
{
    public static JsonSerializerOptions Options { get; } = new(AIJsonUtilities.DefaultOptions)
    {
        TypeInfoResolver = JsonTypeInfoResolver.Combine(RedactionTestJsonContext.Default, AIJsonUtilities.DefaultOptions.TypeInfoResolver),
    };
}
