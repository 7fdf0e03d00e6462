using System.Net;
using System.Text;
using LlmRouting.Testing;
using Microsoft.Extensions.DependencyInjection;
using RichardSzalay.MockHttp;

namespace LlmRouting.Tests;

/// <summary>The whole chain registered with AddLlmRouting, over the real OpenAI adapter and a mocked HTTP endpoint.</summary>
[TestFixture]
public class EndToEndOpenAITests
{
    private const string Key = "sk-e2e-SECRET-abcdef0123456789";

    private static (ServiceProvider Services, MockHttpMessageHandler Http) Build(Action<MockHttpMessageHandler> setup)
    {
        var http = new MockHttpMessageHandler();
        setup(http);
        var services = new ServiceCollection();
        services.AddHttpClient(OpenAIProviderFactory.HttpClientName("openai")).ConfigurePrimaryHttpMessageHandler(() => http);
        services.AddSimulatedProviders();
        services.AddLlmRouting(o =>
        {
            o.Deployments["mini"] = new DeploymentOptions { Provider = "openai", Model = "gpt-4o-mini", ApiKey = Key, Endpoint = new Uri("http://127.0.0.1:9/v1/") };
            o.Deployments["backup"] = new DeploymentOptions { Provider = "simulated", Model = "gpt-4o", CatalogModel = "openai/gpt-4o" };
        });
        return (services.BuildServiceProvider(), http);
    }

    [Test]
    public async Task Routes_to_the_cheapest_openai_deployment_and_prices_its_usage([Values] bool streaming)
    {
        (ServiceProvider sp, MockHttpMessageHandler http) = Build(h =>
        {
            MockedRequest request = h.When(HttpMethod.Post, "http://127.0.0.1:9/v1/chat/completions")
                .WithHeaders("Authorization", "Bearer " + Key);
            if (streaming)
            {
                request.Respond("text/event-stream",
                    "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Paris\"},\"finish_reason\":null}]}\n\n" +
                    "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n" +
                    "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[],\"usage\":{\"prompt_tokens\":1000,\"completion_tokens\":100,\"total_tokens\":1100,\"prompt_tokens_details\":{\"cached_tokens\":400}}}\n\n" +
                    "data: [DONE]\n\n");
            }
            else
            {
                request.Respond("application/json",
                    "{\"id\":\"c1\",\"object\":\"chat.completion\",\"created\":1700000000,\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Paris\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":1000,\"completion_tokens\":100,\"total_tokens\":1100,\"prompt_tokens_details\":{\"cached_tokens\":400}}}");
            }
        });
        using (sp)
        {
            ChatResponse response = await sp.GetRequiredService<IChatClient>().AskAsync(streaming, "Capital of France? Reply to bob@example.org");

            Assert.That(response.Text, Is.EqualTo("Paris"));
            RoutingReport report = response.GetRoutingReport()!;
            Assert.That(report.Deployment, Is.EqualTo("mini"));
            Assert.That(report.Model, Is.EqualTo("gpt-4o-mini-2024-07-18"));
            // gpt-4o-mini: 600 uncached x 0.00000015 + 400 cached x 0.000000075 + 100 output x 0.0000006
            //            = 0.00009 + 0.00003 + 0.00006 = 0.00018
            Assert.That(report.CostUsd, Is.EqualTo(0.00018m));
            Assert.That(report.Usage.CachedInputTokens, Is.EqualTo(400));
            Assert.That(report.Redactions["EMAIL_ADDRESS"], Is.EqualTo(1));
            http.VerifyNoOutstandingExpectation();
        }
    }

    [Test]
    public async Task A_429_from_openai_fails_over_and_the_key_never_leaks([Values] bool streaming)
    {
        (ServiceProvider sp, _) = Build(h => h.When(HttpMethod.Post, "http://127.0.0.1:9/v1/chat/completions").Respond(_ =>
        {
            var r = new HttpResponseMessage(HttpStatusCode.TooManyRequests)
            {
                Content = new StringContent("{\"error\":{\"message\":\"Rate limit reached for key " + Key[..12] + "\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}", Encoding.UTF8, "application/json"),
            };
            r.Headers.Add("retry-after", "2");
            return r;
        }));
        using (sp)
        {
            ChatResponse response = await sp.GetRequiredService<IChatClient>().AskAsync(streaming, "hi");
            RoutingReport report = response.GetRoutingReport()!;
            Assert.That(report.Deployment, Is.EqualTo("backup"));
            Assert.That(report.Attempts[0].ErrorKind, Is.EqualTo(LlmErrorKind.RateLimited));
            Assert.That(report.Attempts[0].StatusCode, Is.EqualTo(429));
            string everything = string.Join("|", report.Attempts.Select(a => $"{a.ErrorType}{a.FailoverReason}{a.Deployment}"));
            Assert.That(everything, Does.Not.Contain(Key[..12]));
        }
    }
}
