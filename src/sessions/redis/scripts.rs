//! The Lua scripts [`RedisStore`](super::RedisStore) runs: each change of a call is one of
//! them, atomic in Redis.

/// Writes a record if its version is still the one read and no other instance holds the
/// call's lock, and publishes what the change did; else answers with the record as it is now.
/// KEYS: the record's key, the lock's, the lease index. ARGV: the version read (`0`: none), the
/// record as JSON, its expiry in milliseconds, this instance's id, the news channel, the call,
/// the change's events as JSON (may be empty), `1` when the call has ended. Answers
/// `{1, new version, ''}` (written, and the lock, if this instance held it, released),
/// `{0, version, record}` (another wrote first) or `{2, '0', ''}` (another instance holds the
/// lock).
pub(super) const WRITE: &str = r"
local lock = redis.call('GET', KEYS[2])
if lock and lock ~= ARGV[4] then
  return {2, '0', ''}
end
local now = redis.call('HMGET', KEYS[1], 'v', 'r')
local version = now[1] or '0'
if version ~= ARGV[1] then
  return {0, version, now[2] or ''}
end
local next = tostring(tonumber(version) + 1)
redis.call('HSET', KEYS[1], 'v', next, 'r', ARGV[2], 'e', ARGV[8])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
if lock then
  redis.call('DEL', KEYS[2])
end
if ARGV[8] == '1' then
  redis.call('ZREM', KEYS[3], ARGV[6])
end
redis.call('PUBLISH', ARGV[5], next .. '\n' .. ARGV[6] .. '\n' .. ARGV[7] .. '\n' .. ARGV[2])
return {1, next, ''}
";

/// Releases a call's lock if this instance holds it. KEYS: the lock's key. ARGV: this
/// instance's id.
pub(super) const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
";

/// Claims a field of a call's claims hash for a holder, unless another holder's lease runs;
/// a `keepalive` lease is also put in the lease index, by when it ends, while the call's record
/// is there and has not ended (else the call leaves the index). KEYS: the claims' key, the
/// lease index, the record's key. ARGV: the field, the holder, the lease in milliseconds, the
/// call, the expiry of a live call's record in milliseconds. A `keepalive` claim also renews
/// the record's expiry and the index's (a quiet call lives on). Answers 1 (claimed or renewed)
/// or 0.
pub(super) const CLAIM: &str = r"
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local held = redis.call('HGET', KEYS[1], ARGV[1])
if held then
  local until_ms, holder = string.match(held, '^(%d+) (.*)$')
  if holder ~= ARGV[2] and tonumber(until_ms) > now then
    return 0
  end
end
local lease = tonumber(ARGV[3])
redis.call('HSET', KEYS[1], ARGV[1], tostring(now + lease) .. ' ' .. ARGV[2])
if redis.call('PTTL', KEYS[1]) < lease then
  redis.call('PEXPIRE', KEYS[1], lease)
end
if ARGV[1] == 'keepalive' then
  if redis.call('HGET', KEYS[3], 'e') == '0' then
    redis.call('ZADD', KEYS[2], now + lease, ARGV[4])
    redis.call('PEXPIRE', KEYS[3], ARGV[5])
    redis.call('PEXPIRE', KEYS[2], ARGV[5])
  else
    redis.call('ZREM', KEYS[2], ARGV[4])
  end
end
return 1
";

/// The calls whose keepAlive lease ran out, by Redis's clock. KEYS: the lease index. ARGV: how
/// many at most.
pub(super) const LAPSED: &str = r"
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
";
