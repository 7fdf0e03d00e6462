using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;

namespace LlmRouting.Redis;

/// <summary>A server-side Lua script run with <c>EVALSHA</c>, loaded again with <c>EVAL</c> when the server does not know it (e.g. after a restart).</summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class RedisScript
{
    private readonly string _source;
    private readonly byte[] _sha1;

    public RedisScript(string source)
    {
        _source = source;
#pragma warning disable CA5350 // Redis names scripts by their SHA-1 (EVALSHA); this is an identifier, not a security measure.
        _sha1 = SHA1.HashData(Encoding.UTF8.GetBytes(source));
#pragma warning restore CA5350
    }

    public async Task<RedisResult> EvaluateAsync(IDatabaseAsync db, RedisKey[] keys, RedisValue[] values)
    {
        try
        {
            return await db.ScriptEvaluateAsync(_sha1, keys, values).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            return await db.ScriptEvaluateAsync(_source, keys, values).ConfigureAwait(false);
        }
    }
}
