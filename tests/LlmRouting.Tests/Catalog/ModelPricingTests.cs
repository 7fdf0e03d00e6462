namespace LlmRouting.Tests.Catalog;

[TestFixture]
public sealed class ModelPricingTests
{
    // Claude Sonnet 4.5's published prices (LiteLLM): $3/M input, $15/M output, $0.30/M cache read, $3.75/M cache write.
    private static ModelPricing Sonnet() => new()
    {
        InputPerToken = 0.000003m,
        OutputPerToken = 0.000015m,
        CachedInputPerToken = 0.0000003m,
        CacheWritePerToken = 0.00000375m,
    };

    private static UsageDetails Usage(long? input, long? output, long? cached = null, long? cacheWrite = null, long? reasoning = null)
    {
        var usage = new UsageDetails
        {
            InputTokenCount = input,
            OutputTokenCount = output,
            CachedInputTokenCount = cached,
            ReasoningTokenCount = reasoning,
        };
        if (cacheWrite is { } write)
        {
            usage.AdditionalCounts = new AdditionalPropertiesDictionary<long> { [LlmUsageKeys.CacheWriteInputTokens] = write };
        }

        return usage;
    }

    [Test]
    public void CalculateCost_PricesEachKindOfTokenAtItsOwnRate()
    {
        // 10,000 input tokens of which 4,000 read from cache and 2,000 written to it; 1,000 output of which 400 reasoning.
        //   uncached input 10,000 - 4,000 - 2,000 = 4,000 x 0.000003   = 0.012
        //   cache read                      4,000 x 0.0000003          = 0.0012
        //   cache write                     2,000 x 0.00000375         = 0.0075
        //   output        1,000 - 400     =   600 x 0.000015           = 0.009
        //   reasoning (no own price: output) 400 x 0.000015            = 0.006
        //   total 0.012 + 0.0012 + 0.0075 + 0.009 + 0.006              = 0.0357
        decimal cost = Sonnet().CalculateCost(Usage(input: 10_000, output: 1_000, cached: 4_000, cacheWrite: 2_000, reasoning: 400));

        Assert.That(cost, Is.EqualTo(0.0357m));
    }

    [Test]
    public void CalculateCost_UsesTheReasoningPriceWhenItDiffers()
    {
        ModelPricing pricing = Sonnet();
        pricing.ReasoningPerToken = 0.00006m;

        // As above, but the 400 reasoning tokens cost 400 x 0.00006 = 0.024 instead of 0.006:
        //   0.012 + 0.0012 + 0.0075 + 0.009 + 0.024 = 0.0537
        decimal cost = pricing.CalculateCost(Usage(input: 10_000, output: 1_000, cached: 4_000, cacheWrite: 2_000, reasoning: 400));

        Assert.That(cost, Is.EqualTo(0.0537m));
    }

    [Test]
    public void CalculateCost_WithoutCachePrices_PricesCachedTokensAsInput()
    {
        var pricing = new ModelPricing { InputPerToken = 0.000002m, OutputPerToken = 0.000008m };

        // 1,000 input (500 cached, 200 cache writes) x 0.000002 = 0.002; 100 output x 0.000008 = 0.0008; total 0.0028.
        decimal cost = pricing.CalculateCost(Usage(input: 1_000, output: 100, cached: 500, cacheWrite: 200));

        Assert.That(cost, Is.EqualTo(0.0028m));
    }

    [Test]
    public void CalculateCost_ClampsCachedReadsToTheInputCount()
    {
        // 5,000 cached of 1,000 input: cached is clamped to 1,000, uncached is 0: 1,000 x 0.0000003 = 0.0003.
        decimal cost = Sonnet().CalculateCost(Usage(input: 1_000, output: 0, cached: 5_000));

        Assert.That(cost, Is.EqualTo(0.0003m));
    }

    [Test]
    public void CalculateCost_ClampsCacheWritesToTheInputLeftAfterCachedReads()
    {
        // 1,000 input, 600 cached, 900 written: writes are clamped to 1,000 - 600 = 400, uncached is 0.
        //   600 x 0.0000003 = 0.00018; 400 x 0.00000375 = 0.0015; total 0.00168.
        decimal cost = Sonnet().CalculateCost(Usage(input: 1_000, output: 0, cached: 600, cacheWrite: 900));

        Assert.That(cost, Is.EqualTo(0.00168m));
    }

    [Test]
    public void CalculateCost_ClampsReasoningTokensToTheOutputCount()
    {
        ModelPricing pricing = Sonnet();
        pricing.ReasoningPerToken = 0.00006m;

        // 100 output, 500 reasoning: reasoning is clamped to 100, plain output is 0: 100 x 0.00006 = 0.006.
        decimal cost = pricing.CalculateCost(Usage(input: 0, output: 100, reasoning: 500));

        Assert.That(cost, Is.EqualTo(0.006m));
    }

    [Test]
    public void CalculateCost_TreatsNegativeCountsAsZero()
    {
        // Negative cached, write and reasoning counts clamp to 0, so everything is plain input and output:
        //   1,000 x 0.000003 = 0.003; 10 x 0.000015 = 0.00015; total 0.00315.
        decimal cost = Sonnet().CalculateCost(Usage(input: 1_000, output: 10, cached: -50, cacheWrite: -20, reasoning: -5));

        Assert.That(cost, Is.EqualTo(0.00315m));
    }

    [Test]
    public void CalculateCost_IsZeroWithoutUsageOrCounts()
    {
        Assert.That(Sonnet().CalculateCost(null), Is.Zero);
        Assert.That(Sonnet().CalculateCost(new UsageDetails()), Is.Zero);
    }

    [Test]
    public void CalculateCost_FromExplicitCounts_MatchesTheUsageOverload()
    {
        // Same split as the first test, given directly: 4,000 uncached, 4,000 cached, 2,000 written, 600 output, 400 reasoning.
        Assert.That(Sonnet().CalculateCost(4_000, 4_000, 2_000, 600, 400), Is.EqualTo(0.0357m));
    }

    [Test]
    public void Estimate_UsesInputAndOutputPricesOnly()
    {
        // 2,000 x 0.000003 = 0.006; 500 x 0.000015 = 0.0075; total 0.0135.
        Assert.That(Sonnet().Estimate(2_000, 500), Is.EqualTo(0.0135m));
    }

    [Test]
    public void IsKnown_IsFalseOnlyWhenInputAndOutputAreZero()
    {
        Assert.That(new ModelPricing().IsKnown, Is.False);
        Assert.That(new ModelPricing { OutputPerToken = 0.000001m }.IsKnown, Is.True);
    }
}
