namespace LlmRouting.Redis.Tests;

/// <summary>
/// Base of the Redis test fixtures: one real <c>redis-server</c> per fixture on a free loopback port, restarted before each
/// test if a test stopped it. Fixtures are not run in parallel, so outage tests cannot disturb each other.
/// </summary>
[NonParallelizable]
public abstract class RedisTestBase
{
    /// <summary>Gets the fixture's Redis server.</summary>
    private protected RedisServer Redis { get; private set; } = null!;

    /// <summary>Starts the server (a clear failure in CI when it cannot start).</summary>
    [OneTimeSetUp]
    public void StartRedis() => Redis = RedisServer.Start();

    /// <summary>Stops the server.</summary>
    [OneTimeTearDown]
    public void StopRedis() => Redis.Dispose();

    /// <summary>Makes sure the server runs (a previous test may have stopped it).</summary>
    [SetUp]
    public void EnsureRunning() => Redis.Restart();
}
