using System.Globalization;
using System.Net;
using Microsoft.Extensions.Time.Testing;

namespace LlmRouting.Tests.Providers.OpenAI;

/// <summary>Tests of the provider-neutral HTTP helpers the OpenAI adapter is built on.</summary>
public sealed class ProviderHttpHelpersTests
{
    [TestCase("1s", 1000)]
    [TestCase("6m0s", 360_000)]
    [TestCase("20ms", 20)]
    [TestCase("1h2m3.5s", 3_723_500)]
    [TestCase("2m59.56s", 179_560)]
    [TestCase("150us", 0.15)]
    [TestCase("0.5", 500)]
    [TestCase("7", 7000)]
    public void Durations_parse(string text, double expectedMs)
    {
        Assert.That(ProviderResponseHeaders.TryParseDuration(text, out TimeSpan d), Is.True);
        Assert.That(d.TotalMilliseconds, Is.EqualTo(expectedMs).Within(0.001));
    }

    [TestCase("")]
    [TestCase("soon")]
    [TestCase("5x")]
    [TestCase("ms")]
    [TestCase("-1")]
    public void Invalid_durations_are_rejected(string text) =>
        Assert.That(ProviderResponseHeaders.TryParseDuration(text, out _), Is.False);

    [TestCase(400, LlmErrorKind.BadRequest)]
    [TestCase(401, LlmErrorKind.Authentication)]
    [TestCase(402, LlmErrorKind.QuotaExceeded)]
    [TestCase(403, LlmErrorKind.PermissionDenied)]
    [TestCase(404, LlmErrorKind.NotFound)]
    [TestCase(408, LlmErrorKind.Timeout)]
    [TestCase(409, LlmErrorKind.ServerError)]
    [TestCase(422, LlmErrorKind.BadRequest)]
    [TestCase(429, LlmErrorKind.RateLimited)]
    [TestCase(500, LlmErrorKind.ServerError)]
    [TestCase(502, LlmErrorKind.ServerError)]
    [TestCase(503, LlmErrorKind.Overloaded)]
    [TestCase(504, LlmErrorKind.ServerError)]
    [TestCase(529, LlmErrorKind.Overloaded)]
    [TestCase(418, LlmErrorKind.BadRequest)]
    [TestCase(200, LlmErrorKind.Unknown)]
    public void Status_codes_classify(int status, LlmErrorKind kind) =>
        Assert.That(ProviderErrorClassifier.FromStatusCode((HttpStatusCode)status), Is.EqualTo(kind));

    [Test]
    public void Retry_after_http_date_is_relative_to_the_time_provider()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", CultureInfo.InvariantCulture));
        Assert.That(ProviderResponseHeaders.ParseRetryAfter("Thu, 01 Jan 2026 00:01:00 GMT", clock), Is.EqualTo(TimeSpan.FromMinutes(1)));
        clock.Advance(TimeSpan.FromSeconds(45));
        Assert.That(ProviderResponseHeaders.ParseRetryAfter("Thu, 01 Jan 2026 00:01:00 GMT", clock), Is.EqualTo(TimeSpan.FromSeconds(15)));
    }

    [Test]
    public void Absurd_retry_after_is_clamped_to_a_day()
    {
        Assert.That(ProviderResponseHeaders.ParseRetryAfter("99999999999", TimeProvider.System), Is.EqualTo(TimeSpan.FromDays(1)));
    }

    [Test]
    public void Rate_limits_are_null_without_headers()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.OK);
        Assert.That(ProviderResponseHeaders.GetXRateLimits(response.Headers), Is.Null);
    }

    [Test]
    public void Sanitize_removes_the_secret_control_characters_and_truncates()
    {
        var call = new ProviderHttpCall("p", "m", null, TimeProvider.System, "sk-secret-123456789", ["x-request-id"], static (_, _) => null);

        Assert.That(call.Sanitize("bad key sk-secret-123456789\r\nnext line"), Is.EqualTo("bad key ***  next line"));
        Assert.That(call.Sanitize(new string('a', 2000)), Has.Length.EqualTo(ProviderHttpCall.MaxProviderTextLength + 1));
        Assert.That(call.Sanitize("truncated key sk-secret-12"), Is.EqualTo("truncated key ***"));
        Assert.That(call.Sanitize(null), Is.Empty);
    }

    [Test]
    public void Transport_failures_translate_and_caller_cancellation_always_wins()
    {
        var call = new ProviderHttpCall("p", "m", "d", TimeProvider.System, null, ["x-request-id"], static (_, _) => null);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.Multiple(() =>
        {
            Assert.That(call.TranslateTransportFailure(new IOException("reset"), midStream: false, null, CancellationToken.None), Is.InstanceOf<LlmProviderException>().With.Property(nameof(LlmProviderException.Kind)).EqualTo(LlmErrorKind.Network));
            Assert.That(call.TranslateTransportFailure(new IOException("reset"), midStream: true, null, CancellationToken.None), Is.InstanceOf<LlmProviderException>().With.Property(nameof(LlmProviderException.Kind)).EqualTo(LlmErrorKind.StreamInterrupted));
            Assert.That(call.TranslateTransportFailure(new TaskCanceledException(), midStream: false, null, CancellationToken.None), Is.InstanceOf<LlmProviderException>().With.Property(nameof(LlmProviderException.Kind)).EqualTo(LlmErrorKind.Timeout));
            Assert.That(call.TranslateTransportFailure(new HttpRequestException("x", null, HttpStatusCode.BadGateway), midStream: false, null, CancellationToken.None), Is.InstanceOf<LlmProviderException>().With.Property(nameof(LlmProviderException.Kind)).EqualTo(LlmErrorKind.ServerError));
            Assert.That(call.TranslateTransportFailure(new OperationCanceledException(cancelled.Token), midStream: false, null, cancelled.Token), Is.Null, "the caller's own cancellation propagates as is");
            Assert.That(call.TranslateTransportFailure(new IOException("aborted"), midStream: true, null, cancelled.Token), Is.InstanceOf<OperationCanceledException>());
            Assert.That(call.TranslateTransportFailure(new LlmProviderException(LlmErrorKind.BadRequest, "typed"), midStream: false, null, CancellationToken.None), Is.Null);
        });
    }
}
