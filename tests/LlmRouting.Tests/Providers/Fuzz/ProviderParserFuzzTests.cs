using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using LlmRouting.Tests.Providers.Conformance;

namespace LlmRouting.Tests.Providers.Fuzz;

/// <summary>
/// Property tests of the SSE reader and every response parser of the OpenAI and Anthropic adapters: valid documented replies,
/// randomly truncated, corrupted with garbage bytes, stretched with huge lines, or delivered a few bytes at a time, must end in a
/// response or a typed exception (<see cref="LlmProviderException"/>, or <see cref="OperationCanceledException"/>) — never another
/// exception, never a hang. Randomness is seeded, so every failure names its seed and is reproducible; every call is time-bounded.
/// </summary>
[TestFixture]
public sealed class ProviderParserFuzzTests
{
    private const int Seed = 20_260_303;
    private static readonly TimeSpan CallBound = TimeSpan.FromSeconds(10);

    public enum Adapter
    {
        OpenAI,
        Anthropic,
    }

    [Test]
    public async Task Random_truncation_gives_a_response_or_a_typed_error([Values] Adapter adapter, [Values] bool streaming)
    {
        var random = new Random(Seed + (int)adapter * 10 + (streaming ? 1 : 0));
        var failures = new List<string>();
        int interrupted = 0;
        foreach (ReplySituation situation in Enum.GetValues<ReplySituation>())
        {
            byte[] valid = await ValidBodyAsync(adapter, situation, streaming);
            for (int i = 0; i < 12; i++)
            {
                int cut = random.Next(0, valid.Length);
                Outcome outcome = await RunAsync(adapter, situation, streaming, valid[..cut]);
                Record(outcome, $"{situation} cut at byte {cut} of {valid.Length}", failures);
                if (outcome.Error is LlmProviderException { Kind: LlmErrorKind.StreamInterrupted or LlmErrorKind.InvalidResponse })
                {
                    interrupted++;
                }
            }
        }

        Assert.That(failures, Is.Empty, string.Join("\n", failures));
        Assert.That(interrupted, Is.GreaterThan(0), "truncated replies are detected as incomplete");
    }

    [Test]
    public async Task Garbage_bytes_give_a_response_or_a_typed_error([Values] Adapter adapter, [Values] bool streaming)
    {
        var random = new Random(Seed + 100 + (int)adapter * 10 + (streaming ? 1 : 0));
        var failures = new List<string>();
        foreach (ReplySituation situation in Enum.GetValues<ReplySituation>())
        {
            byte[] valid = await ValidBodyAsync(adapter, situation, streaming);
            for (int i = 0; i < 12; i++)
            {
                (byte[] body, string how) = Corrupt(valid, random);
                Record(await RunAsync(adapter, situation, streaming, body), $"{situation} {how}", failures);
            }
        }

        for (int i = 0; i < 20; i++)
        {
            byte[] noise = new byte[random.Next(0, 4096)];
            random.NextBytes(noise);
            Record(await RunAsync(adapter, ReplySituation.Text, streaming, noise), $"pure noise of {noise.Length} bytes (#{i})", failures);
        }

        Assert.That(failures, Is.Empty, string.Join("\n", failures));
    }

    [Test]
    public async Task Huge_lines_give_a_response_or_a_typed_error([Values] Adapter adapter, [Values] bool streaming)
    {
        var failures = new List<string>();
        string big = new('x', 4 * 1024 * 1024);

        // A huge but valid text delta (or message text) parses; a huge unterminated garbage line does not crash the reader.
        byte[] valid = await ValidBodyAsync(adapter, ReplySituation.Text, streaming);
        string text = Encoding.UTF8.GetString(valid);
        byte[] hugeText = Encoding.UTF8.GetBytes(text.Replace("Paris is", "Paris is" + big, StringComparison.Ordinal));
        Outcome parsed = await RunAsync(adapter, ReplySituation.Text, streaming, hugeText);
        Record(parsed, "a 4 MiB text", failures);
        Assert.That(parsed.Response?.Text.Length, Is.GreaterThan(big.Length), "a huge valid text is read in full");

        Record(await RunAsync(adapter, ReplySituation.Text, streaming, Encoding.UTF8.GetBytes("data: " + big)), "a 4 MiB unterminated data line", failures);
        Record(await RunAsync(adapter, ReplySituation.Text, streaming, Encoding.UTF8.GetBytes(": " + big + "\n\n" + text)), "a 4 MiB comment line before a valid reply", failures);
        Record(await RunAsync(adapter, ReplySituation.Text, streaming, Encoding.UTF8.GetBytes(new string('\n', 1_000_000))), "a million empty lines", failures);

        Assert.That(failures, Is.Empty, string.Join("\n", failures));
    }

    [Test]
    public async Task Slow_trickle_gives_the_same_response_as_one_read([Values] Adapter adapter)
    {
        var random = new Random(Seed + 200 + (int)adapter);
        var failures = new List<string>();
        foreach (ReplySituation situation in Enum.GetValues<ReplySituation>())
        {
            byte[] valid = await ValidBodyAsync(adapter, situation, streaming: true);
            Outcome whole = await RunAsync(adapter, situation, streaming: true, valid);
            Outcome trickled = await RunAsync(adapter, situation, streaming: true, valid, trickle: random);
            Record(trickled, $"{situation} trickled", failures);
            if (whole.Response is null || trickled.Response is null || trickled.Response.Text != whole.Response.Text
                || trickled.Response.FinishReason != whole.Response.FinishReason)
            {
                failures.Add($"{situation}: the trickled stream differs from the same stream read at once.");
            }

            // A trickled, cut stream is still detected as cut.
            Outcome cut = await RunAsync(adapter, situation, streaming: true, valid[..(valid.Length / 2)], trickle: random);
            Record(cut, $"{situation} trickled and cut", failures);
            if (cut.Error is not LlmProviderException)
            {
                failures.Add($"{situation}: a trickled stream cut in half ended without an error.");
            }
        }

        Assert.That(failures, Is.Empty, string.Join("\n", failures));
    }

    [Test]
    public void Error_body_parsers_and_header_parsers_never_throw_on_random_input()
    {
        var random = new Random(Seed + 300);
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        for (int i = 0; i < 2000; i++)
        {
            byte[] bytes = RandomJsonish(random);
            Assert.DoesNotThrow(() => AnthropicErrors.TryParse(bytes), $"Anthropic error body #{i}: {Convert.ToBase64String(bytes)}");
            Assert.DoesNotThrow(() => OpenAIErrors.TryParse(bytes), $"OpenAI error body #{i}: {Convert.ToBase64String(bytes)}");
            string header = RandomHeaderValue(random);
            Assert.DoesNotThrow(() => ProviderResponseHeaders.ParseRetryAfter(header, clock), $"Retry-After '{header}'");
            Assert.DoesNotThrow(() => ProviderResponseHeaders.TryParseDuration(header, out _), $"duration '{header}'");
            using var response = new HttpResponseMessage();
            foreach (string name in (string[])["anthropic-ratelimit-requests-limit", "anthropic-ratelimit-requests-reset", "anthropic-ratelimit-tokens-remaining", "anthropic-ratelimit-tokens-reset", "retry-after", "x-ratelimit-reset-tokens"])
            {
                response.Headers.TryAddWithoutValidation(name, RandomHeaderValue(random));
            }

            Assert.DoesNotThrow(() => AnthropicErrors.GetRateLimits(response.Headers, clock));
            Assert.DoesNotThrow(() => ProviderResponseHeaders.GetXRateLimits(response.Headers));
            Assert.DoesNotThrow(() => ProviderResponseHeaders.GetRetryAfter(response.Headers, clock));
        }
    }

    [Test]
    public void Json_schema_check_never_throws_on_random_values_and_schemas()
    {
        var random = new Random(Seed + 400);
        for (int i = 0; i < 3000; i++)
        {
            using JsonDocument value = JsonDocument.Parse(RandomJson(random, 0));
            using JsonDocument schema = JsonDocument.Parse(RandomSchema(random, 0));
            Assert.DoesNotThrow(() => JsonSchemaValidator.FindMismatch(value.RootElement, schema.RootElement), $"value {value.RootElement} schema {schema.RootElement}");
        }

        // Deep nesting is reported, not recursed into without bound.
        string deep = new string('[', 500) + new string(']', 500);
        string deepSchema = string.Concat(Enumerable.Repeat("{\"items\":", 500)) + "{}" + new string('}', 500);
        using JsonDocument d = JsonDocument.Parse(deep, new JsonDocumentOptions { MaxDepth = 1000 });
        using JsonDocument ds = JsonDocument.Parse(deepSchema, new JsonDocumentOptions { MaxDepth = 1000 });
        Assert.That(JsonSchemaValidator.FindMismatch(d.RootElement, ds.RootElement), Does.Contain("deeper than 64"));
    }

    [Test]
    public async Task Sse_reader_yields_events_or_typed_errors_on_random_bytes()
    {
        var random = new Random(Seed + 500);
        for (int i = 0; i < 300; i++)
        {
            byte[] bytes = new byte[random.Next(0, 2048)];
            random.NextBytes(bytes);
            var call = new ProviderHttpCall("fuzz", "m", null, TimeProvider.System, null, ["x-request-id"], static (headers, _) => ProviderResponseHeaders.GetXRateLimits(headers));
            using var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new TrickleStream(bytes, random)) };
            int count = 0;
            Task read = Task.Run(async () =>
            {
                await foreach (System.Net.ServerSentEvents.SseItem<string> item in call.ReadEventsAsync(response, CancellationToken.None))
                {
                    count++;
                }
            });
            await read.WaitAsync(CallBound);
        }

        Assert.Pass("300 random byte streams read without an exception or a hang.");
    }

    [Test]
    public async Task Regressions_found_by_fuzzing_are_typed([Values] Adapter adapter, [Values] bool streaming)
    {
        byte[] valid = await ValidBodyAsync(adapter, ReplySituation.Text, streaming);
        string text = Encoding.UTF8.GetString(valid);

        // A lone UTF-16 surrogate escape in the answer text (OpenAI read it lazily and threw InvalidOperationException).
        Outcome surrogate = await RunAsync(adapter, ReplySituation.Text, streaming, Encoding.UTF8.GetBytes(text.Replace("Paris is", "Paris \\ud83d is", StringComparison.Ordinal)));

        // Invalid UTF-8 inside a JSON string of a whole reply.
        byte[] badUtf8 = (byte[])valid.Clone();
        int at = text.IndexOf("Paris", StringComparison.Ordinal);
        badUtf8[at] = 0xC3;
        badUtf8[at + 1] = 0x28;
        Outcome utf8 = await RunAsync(adapter, ReplySituation.Text, streaming, badUtf8);

        Assert.That(surrogate.Error, Is.InstanceOf<LlmProviderException>().With.Property(nameof(LlmProviderException.Kind)).EqualTo(LlmErrorKind.InvalidResponse));
        Assert.That(utf8.Error, Is.Null.Or.InstanceOf<LlmProviderException>(), "invalid UTF-8 never escapes as an untyped exception");
    }

    [Test]
    public void Header_and_schema_regressions_found_by_fuzzing()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        using JsonDocument value = JsonDocument.Parse("[1,2]");
        using JsonDocument schema = JsonDocument.Parse("""{"type":"array","minItems":"3","maxItems":1}""");

        Assert.That(ProviderResponseHeaders.ParseRetryAfter("-1e308", clock), Is.EqualTo(TimeSpan.Zero), "a huge negative delay overflowed TimeSpan");
        Assert.That(JsonSchemaValidator.FindMismatch(value.RootElement, schema.RootElement), Does.Contain("more than 1 items"), "a non-numeric minItems threw");
    }

    private static void Record(Outcome outcome, string what, List<string> failures)
    {
        if (outcome.Error is not null and not LlmProviderException and not OperationCanceledException)
        {
            failures.Add($"{what}: {outcome.Error.GetType().Name}: {outcome.Error.Message}");
        }

        if (outcome.Error is LlmProviderException typed && (typed.Message.Contains("fuzz-key", StringComparison.Ordinal) || typed.Kind == LlmErrorKind.Unknown))
        {
            failures.Add($"{what}: untyped or leaking error: {typed.Kind}: {typed.Message}");
        }
    }

    private static async Task<byte[]> ValidBodyAsync(Adapter adapter, ReplySituation situation, bool streaming)
    {
        using HttpResponseMessage reply = Suite(adapter).ProviderReply(situation, streaming);
        return await reply.Content.ReadAsByteArrayAsync();
    }

    private static ProviderConformanceTests Suite(Adapter adapter) =>
        adapter == Adapter.OpenAI ? new OpenAIConformanceTests() : new AnthropicConformanceTests();

    private static async Task<Outcome> RunAsync(Adapter adapter, ReplySituation situation, bool streaming, byte[] body, Random? trickle = null)
    {
        using var handler = new FixedReplyHandler(body, streaming ? "text/event-stream" : "application/json", trickle);
        using var http = new HttpClient(handler);
        using IChatClient client = Suite(adapter).NewClient(http);
        (List<ChatMessage> messages, ChatOptions? options) = ConformanceInputs.For(ConformanceInputs.RequestFor(situation));
        try
        {
            ChatResponse response = await ConformanceHttp.GetAsync(client, streaming, messages, options).WaitAsync(CallBound);
            return new Outcome(response, null);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"{adapter} {situation} (streaming: {streaming}) did not finish within {CallBound.TotalSeconds} s: a hang.");
            throw;
        }
        catch (Exception ex)
        {
            return new Outcome(null, ex);
        }
    }

    private static (byte[] Body, string How) Corrupt(byte[] valid, Random random)
    {
        byte[] body = (byte[])valid.Clone();
        switch (random.Next(4))
        {
            case 0:
                int flips = random.Next(1, 8);
                for (int i = 0; i < flips && body.Length > 0; i++)
                {
                    body[random.Next(body.Length)] = (byte)random.Next(256);
                }

                return (body, $"with {flips} random bytes replaced");
            case 1:
                int at = random.Next(body.Length + 1);
                byte[] junk = new byte[random.Next(1, 64)];
                random.NextBytes(junk);
                return ([.. body[..at], .. junk, .. body[at..]], $"with {junk.Length} random bytes inserted at {at}");
            case 2:
                int from = random.Next(body.Length + 1);
                int length = random.Next(0, Math.Min(200, body.Length - from) + 1);
                return ([.. body[..from], .. body[(from + length)..]], $"with bytes {from}..{from + length} removed");
            default:
                int start = random.Next(body.Length + 1);
                int take = random.Next(0, Math.Min(300, body.Length - start) + 1);
                int into = random.Next(body.Length + 1);
                return ([.. body[..into], .. body[start..(start + take)], .. body[into..]], $"with {take} bytes duplicated at {into}");
        }
    }

    private static byte[] RandomJsonish(Random random)
    {
        string[] pieces =
        [
            "{", "}", "[", "]", ":", ",", "\"error\"", "\"type\"", "\"message\"", "\"code\"", "\"request_id\"", "\"object\"", "\"detail\"",
            "null", "true", "1e999", "-0", "429", "\"rate_limit_error\"", "\"\\ud800\"", "\"x\"", " ", "\"", "\\",
        ];
        var sb = new StringBuilder();
        int n = random.Next(0, 40);
        for (int i = 0; i < n; i++)
        {
            sb.Append(pieces[random.Next(pieces.Length)]);
        }

        byte[] bytes = Encoding.UTF8.GetBytes(sb.ToString());
        if (random.Next(4) == 0 && bytes.Length > 0)
        {
            bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
        }

        return bytes;
    }

    private static string RandomHeaderValue(Random random) => random.Next(8) switch
    {
        0 => random.Next(-5, 100_000).ToString(CultureInfo.InvariantCulture),
        1 => (random.NextDouble() * 1e12).ToString("R", CultureInfo.InvariantCulture),
        2 => DateTimeOffset.UnixEpoch.AddSeconds(random.Next()).ToString("r", CultureInfo.InvariantCulture),
        3 => DateTimeOffset.UnixEpoch.AddSeconds(random.Next()).ToString("O", CultureInfo.InvariantCulture),
        4 => $"{random.Next(100)}h{random.Next(100)}m{random.Next(100)}.{random.Next(1000)}s",
        5 => "9999999999999999999999999",
        6 => new string((char)random.Next(33, 127), random.Next(0, 30)),
        _ => "-1e308",
    };

    private static string RandomJson(Random random, int depth) => (depth > 4 ? random.Next(4) : random.Next(7)) switch
    {
        0 => "null",
        1 => random.Next(2) == 0 ? "true" : "false",
        2 => (random.NextDouble() * 2000 - 1000).ToString("R", CultureInfo.InvariantCulture),
        3 => JsonSerializer.Serialize("s" + random.Next(10)),
        4 => "[" + string.Join(",", Enumerable.Range(0, random.Next(4)).Select(_ => RandomJson(random, depth + 1))) + "]",
        _ => "{" + string.Join(",", Enumerable.Range(0, random.Next(4)).Select(i => $"\"p{random.Next(5)}{i}\":" + RandomJson(random, depth + 1))) + "}",
    };

    private static string RandomSchema(Random random, int depth)
    {
        if (depth > 3 || random.Next(5) == 0)
        {
            return random.Next(3) switch { 0 => "true", 1 => "false", _ => "{}" };
        }

        string[] types = ["\"object\"", "\"array\"", "\"string\"", "\"number\"", "\"integer\"", "\"boolean\"", "\"null\"", "[\"string\",\"null\"]", "42", "\"unknown\""];
        var parts = new List<string>();
        if (random.Next(2) == 0)
        {
            parts.Add("\"type\":" + types[random.Next(types.Length)]);
        }

        if (random.Next(3) == 0)
        {
            parts.Add("\"properties\":{" + string.Join(",", Enumerable.Range(0, random.Next(3)).Select(i => $"\"p{i}{random.Next(5)}\":" + RandomSchema(random, depth + 1))) + "}");
        }

        if (random.Next(3) == 0)
        {
            parts.Add("\"required\":[" + string.Join(",", Enumerable.Range(0, random.Next(3)).Select(_ => random.Next(4) == 0 ? "7" : $"\"p{random.Next(3)}{random.Next(5)}\"")) + "]");
        }

        if (random.Next(4) == 0)
        {
            parts.Add("\"additionalProperties\":" + RandomSchema(random, depth + 1));
        }

        if (random.Next(4) == 0)
        {
            parts.Add("\"items\":" + RandomSchema(random, depth + 1));
        }

        if (random.Next(5) == 0)
        {
            parts.Add("\"enum\":[" + string.Join(",", Enumerable.Range(0, random.Next(3)).Select(_ => RandomJson(random, 4))) + "]");
        }

        if (random.Next(6) == 0)
        {
            string combinator = random.Next(3) switch { 0 => "anyOf", 1 => "oneOf", _ => "allOf" };
            parts.Add($"\"{combinator}\":[" + string.Join(",", Enumerable.Range(0, random.Next(3)).Select(_ => RandomSchema(random, depth + 1))) + "]");
        }

        if (random.Next(6) == 0)
        {
            parts.Add($"\"minItems\":{random.Next(-1, 3)},\"maxItems\":\"{random.Next(3)}\"");
        }

        return "{" + string.Join(",", parts) + "}";
    }

    private sealed record Outcome(ChatResponse? Response, Exception? Error);

    /// <summary>Answers every request with the same bytes, optionally delivered a few bytes per read.</summary>
    private sealed class FixedReplyHandler(byte[] body, string mediaType, Random? trickle) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            HttpContent content = trickle is null ? new ByteArrayContent(body) : new StreamContent(new TrickleStream(body, trickle));
            content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content, RequestMessage = request });
        }
    }

    /// <summary>A body that returns 1 to 7 bytes per read and yields between reads, like a slow network.</summary>
    private sealed class TrickleStream(byte[] data, Random random) : AsyncReadOnlyStream
    {
        private int _position;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            int n = Math.Min(Math.Min(buffer.Length, random.Next(1, 8)), data.Length - _position);
            data.AsMemory(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = Math.Min(Math.Min(count, random.Next(1, 8)), data.Length - _position);
            Array.Copy(data, _position, buffer, offset, n);
            _position += n;
            return n;
        }
    }
}
