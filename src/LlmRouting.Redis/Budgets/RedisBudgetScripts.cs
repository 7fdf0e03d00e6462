namespace LlmRouting.Redis;

/// <summary>
/// The Lua scripts of <see cref="RedisBudgetStore"/>. Amounts are integers in nano-dollars (1e-9 USD). An account is a hash
/// (<c>r</c> reserved, <c>p</c>/<c>s</c> calendar period start and spend, <c>w:{slice}</c> rolling slices) plus a sorted set of open
/// reservations (<c>{id}:{charge}:{amount}</c> scored by lease expiry), so a crashed instance's reservations expire.
/// </summary>
internal static class RedisBudgetScripts
{
    private const string Prelude = """
        local function int(x) return string.format('%d', x) end
        local function purge(h, z, now)
          local expired = redis.call('ZRANGEBYSCORE', z, '-inf', now)
          if #expired > 0 then
            local total = 0
            for _, m in ipairs(expired) do total = total + tonumber(string.match(m, ':(%d+)$')) end
            redis.call('ZREMRANGEBYSCORE', z, '-inf', now)
            if total > 0 then redis.call('HINCRBY', h, 'r', int(-total)) end
          end
        end
        local function spent(h, window, current, oldest)
          if window == '0' then
            local v = redis.call('HMGET', h, 'p', 's')
            if v[1] ~= current then return 0 end
            return tonumber(v[2] or '0')
          end
          local total = 0
          local cur, old = tonumber(current), tonumber(oldest)
          local all = redis.call('HGETALL', h)
          for j = 1, #all, 2 do
            local slice = string.match(all[j], '^w:(%d+)$')
            if slice then
              slice = tonumber(slice)
              if slice < old then redis.call('HDEL', h, all[j])
              elseif slice <= cur then total = total + tonumber(all[j + 1]) end
            end
          end
          return total
        end

        """;

    /// <summary>
    /// Reserves every charge or none. KEYS: per charge the account hash and its reservation set. ARGV: now (ms), lease expiry (ms),
    /// reservation id, charge count, then per charge: limit, amount, window (0 calendar, 1 rolling), current period start or slice,
    /// oldest rolling slice, key TTL (ms). Returns 0 when an account cannot take its charge; otherwise 1 followed by each charge's
    /// account spend and reserved amount after the reservation.
    /// </summary>
    public static readonly RedisScript Reserve = new(Prelude + """
        local now = tonumber(ARGV[1])
        local n = tonumber(ARGV[4])
        local needed, order, spentOf = {}, {}, {}
        for i = 1, n do
          local b = 4 + (i - 1) * 6
          local h = KEYS[2 * i - 1]
          if needed[h] == nil then
            needed[h] = 0
            order[#order + 1] = i
          end
          needed[h] = needed[h] + tonumber(ARGV[b + 2])
        end
        for _, i in ipairs(order) do
          local b = 4 + (i - 1) * 6
          local h, z = KEYS[2 * i - 1], KEYS[2 * i]
          purge(h, z, now)
          local reserved = tonumber(redis.call('HGET', h, 'r') or '0')
          spentOf[h] = spent(h, ARGV[b + 3], ARGV[b + 4], ARGV[b + 5])
          local remaining = tonumber(ARGV[b + 1]) - spentOf[h] - reserved
          if remaining < 0 then remaining = 0 end
          if needed[h] > remaining then return { 0 } end
        end
        for i = 1, n do
          local b = 4 + (i - 1) * 6
          local h, z = KEYS[2 * i - 1], KEYS[2 * i]
          redis.call('ZADD', z, ARGV[2], ARGV[3] .. ':' .. i .. ':' .. ARGV[b + 2])
          if ARGV[b + 2] ~= '0' then redis.call('HINCRBY', h, 'r', ARGV[b + 2]) end
          redis.call('PEXPIRE', h, ARGV[b + 6])
          redis.call('PEXPIRE', z, ARGV[b + 6])
        end
        local out = { 1 }
        for i = 1, n do
          local h = KEYS[2 * i - 1]
          out[#out + 1] = int(spentOf[h])
          out[#out + 1] = redis.call('HGET', h, 'r') or '0'
        end
        return out
        """);

    /// <summary>
    /// Settles (or, with actual amounts of 0, releases) a reservation exactly once: a settled-marker key makes repeats and replays
    /// harmless, and the actual spend is recorded even when the reservation's lease already expired. KEYS: the marker, then per
    /// charge the account hash and its reservation set. ARGV: marker TTL (ms), reservation id, charge count, then per charge:
    /// reserved amount, actual amount, window, current period start or slice, (unused), key TTL (ms). Returns 1 when applied.
    /// </summary>
    public static readonly RedisScript Settle = new(Prelude + """
        if not redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then return 0 end
        local n = tonumber(ARGV[3])
        for i = 1, n do
          local b = 3 + (i - 1) * 6
          local h, z = KEYS[2 * i], KEYS[2 * i + 1]
          if redis.call('ZREM', z, ARGV[2] .. ':' .. i .. ':' .. ARGV[b + 1]) == 1 and ARGV[b + 1] ~= '0' then
            redis.call('HINCRBY', h, 'r', '-' .. ARGV[b + 1])
          end
          local actual = ARGV[b + 2]
          if actual ~= '0' then
            if ARGV[b + 3] == '0' then
              if redis.call('HGET', h, 'p') ~= ARGV[b + 4] then redis.call('HSET', h, 'p', ARGV[b + 4], 's', '0') end
              redis.call('HINCRBY', h, 's', actual)
            else
              redis.call('HINCRBY', h, 'w:' .. ARGV[b + 4], actual)
            end
            redis.call('PEXPIRE', h, ARGV[b + 6])
          end
        end
        return 1
        """);

    /// <summary>
    /// Synchronizes one instance's budget lease (a reservation member <c>{leaseId}:1:{amount}</c> that the instance hands out locally):
    /// records the spend settled locally since the last sync, shrinks the lease by what that spend consumed, then resizes it to a share
    /// of what the account has left (never below <c>floor</c>, what the instance has already handed out) and renews its expiry. A marker
    /// holding the answer makes a retried batch return the same answer without applying it twice. KEYS: the marker, the account hash,
    /// its reservation set. ARGV: marker TTL (ms), lease id, old amount, shrink, spend, floor, now (ms), new expiry (ms), limit, window,
    /// current period start or slice, oldest slice, key TTL (ms), maximum lease, divisor, minimum remaining for a lease, release (1: target 0), smallest useful lease (the largest charge seen: a smaller target is 0).
    /// Returns {alive (1 when the old lease was still held), new amount, spent, reserved}.
    /// </summary>
    public static readonly RedisScript LeaseSync = new(Prelude + """
        local done = redis.call('GET', KEYS[1])
        if done then
          local out = {}
          for v in string.gmatch(done, '[^,]+') do out[#out + 1] = v end
          return out
        end
        local h, z = KEYS[2], KEYS[3]
        local id = ARGV[2]
        local old, shrink, spend, floor = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
        purge(h, z, tonumber(ARGV[7]))
        local alive = 0
        if old > 0 and redis.call('ZREM', z, id .. ':1:' .. ARGV[3]) == 1 then
          alive = 1
          redis.call('HINCRBY', h, 'r', int(-old))
        end
        if old == 0 then alive = 1 end
        if spend > 0 then
          if ARGV[10] == '0' then
            if redis.call('HGET', h, 'p') ~= ARGV[11] then redis.call('HSET', h, 'p', ARGV[11], 's', '0') end
            redis.call('HINCRBY', h, 's', int(spend))
          else
            redis.call('HINCRBY', h, 'w:' .. ARGV[11], int(spend))
          end
        end
        local own = 0
        if alive == 1 then own = old - shrink end
        if own < 0 then own = 0 end
        local reserved = tonumber(redis.call('HGET', h, 'r') or '0')
        local spentNow = spent(h, ARGV[10], ARGV[11], ARGV[12])
        local remaining = tonumber(ARGV[9]) - spentNow - reserved
        if remaining < 0 then remaining = 0 end
        local target = math.floor((remaining + own) / tonumber(ARGV[15]))
        if target > tonumber(ARGV[14]) then target = tonumber(ARGV[14]) end
        if remaining + own < tonumber(ARGV[16]) or ARGV[17] == '1' or target < tonumber(ARGV[18]) then target = 0 end
        if target > own + remaining then target = own + remaining end
        if alive == 0 and floor > remaining then floor = remaining end
        if target < floor then target = floor end
        if target > 0 then
          redis.call('ZADD', z, ARGV[8], id .. ':1:' .. int(target))
          redis.call('HINCRBY', h, 'r', int(target))
          redis.call('PEXPIRE', z, ARGV[13])
        end
        redis.call('PEXPIRE', h, ARGV[13])
        local out = { alive, int(target), int(spentNow), redis.call('HGET', h, 'r') or '0' }
        redis.call('SET', KEYS[1], table.concat(out, ','), 'PX', ARGV[1])
        return out
        """);

    /// <summary>Reads an account. KEYS: the account hash and its reservation set. ARGV: now (ms), window, current, oldest. Returns {spent, reserved}.</summary>
    public static readonly RedisScript Usage = new(Prelude + """
        purge(KEYS[1], KEYS[2], tonumber(ARGV[1]))
        local reserved = tonumber(redis.call('HGET', KEYS[1], 'r') or '0')
        return { int(spent(KEYS[1], ARGV[2], ARGV[3], ARGV[4])), int(reserved) }
        """);
}
