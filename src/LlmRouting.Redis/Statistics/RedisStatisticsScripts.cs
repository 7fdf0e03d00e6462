namespace LlmRouting.Redis;

/// <summary>
/// The Lua script of <see cref="RedisRoutingStatisticsStore"/>: merges each instance's batch of time-decayed sums into one hash per
/// deployment (fields <c>s{m}</c> sum, <c>w{m}</c> weight, <c>c{m}</c> count, <c>t{m}</c> time in ms, per metric m) and reads every
/// requested deployment back, in one round trip.
/// </summary>
internal static class RedisStatisticsScripts
{
    /// <summary>
    /// KEYS: one hash per deployment. ARGV: now (ms), half-life (ms), key TTL (ms), metric count M, batch count B, then per batch:
    /// key index (1-based), metric index (0-based), sum, weight, count (the batch's sums decayed to now). Returns per key 4·M values
    /// (sum, weight, count, time) as strings, with empty strings for metrics without samples.
    /// </summary>
    public static readonly RedisScript MergeAndRead = new("""
        local now = tonumber(ARGV[1])
        local half = tonumber(ARGV[2])
        local m = tonumber(ARGV[4])
        local b = tonumber(ARGV[5])
        local function decay(t)
          if t == nil or t >= now then return 1 end
          return math.pow(2, -(now - t) / half)
        end
        for i = 0, b - 1 do
          local base = 6 + i * 5
          local key = KEYS[tonumber(ARGV[base])]
          local metric = ARGV[base + 1]
          local v = redis.call('HMGET', key, 's' .. metric, 'w' .. metric, 'c' .. metric, 't' .. metric)
          local f = decay(tonumber(v[4]))
          local s = (tonumber(v[1]) or 0) * f + tonumber(ARGV[base + 2])
          local w = (tonumber(v[2]) or 0) * f + tonumber(ARGV[base + 3])
          local c = (tonumber(v[3]) or 0) + tonumber(ARGV[base + 4])
          redis.call('HSET', key, 's' .. metric, string.format('%.17g', s), 'w' .. metric, string.format('%.17g', w), 'c' .. metric, string.format('%d', c), 't' .. metric, ARGV[1])
          redis.call('PEXPIRE', key, ARGV[3])
        end
        local out = {}
        for k = 1, #KEYS do
          for metric = 0, m - 1 do
            local v = redis.call('HMGET', KEYS[k], 's' .. metric, 'w' .. metric, 'c' .. metric, 't' .. metric)
            for j = 1, 4 do out[#out + 1] = v[j] or '' end
          end
        end
        return out
        """);
}
