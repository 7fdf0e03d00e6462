using LlmRouting.Tests.Routing;

namespace LlmRouting.Tests;

/// <summary>The <c>auto</c> policy reads the router's quality prediction (prior × observed quality) on the intelligence-index scale.</summary>
[TestFixture]
public class ComplexityLiveQualityTests
{
    private static readonly ChatOptions HundredTokens = new() { MaxOutputTokens = 100 };

    [Test]
    public async Task Bad_feedback_moves_traffic_to_the_stronger_model_and_it_returns_after_recovery([Values] bool streaming)
    {
        var kit = new RouterKit();
        kit.Add("small", RouterKit.Model("p1", "small", 1m, 1m, intelligence: 25));
        kit.Add("frontier", RouterKit.Model("p2", "frontier", 1m, 5m, intelligence: 35));
        IChatClient client = kit.Build(r => r.Policy = new ComplexityRoutingPolicy());
        IRoutingFeedback feedback = client.GetService<IRoutingFeedback>()!;

        RoutingReport first = (await client.AskAsync(streaming, ComplexityModelTests.Everyday, HundredTokens)).GetRoutingReport()!;
        Assert.That(first.Deployment, Is.EqualTo("small"), "an everyday request gains little from the stronger model");

        for (int i = 0; i < 6; i++)
        {
            Assert.That(feedback.Score(first, 0.0), Is.True);
        }

        RoutingReport degraded = (await client.AskAsync(streaming, ComplexityModelTests.Everyday, HundredTokens)).GetRoutingReport()!;
        Assert.That(degraded.Deployment, Is.EqualTo("frontier"), "users scored the small model's answers badly");
        Assert.That(degraded.Candidates, Is.EqualTo(new[] { "frontier", "small" }));

        kit.Time.Advance(TimeSpan.FromHours(2));
        RoutingReport recovered = (await client.AskAsync(streaming, ComplexityModelTests.Everyday, HundredTokens)).GetRoutingReport()!;
        Assert.That(recovered.Deployment, Is.EqualTo("small"), "the bad scores have decayed");
    }
}
