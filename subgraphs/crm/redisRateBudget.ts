import { Redis } from 'ioredis';
import { msUntilNextUtcDay, RateBudgetRefusal, waitUntil, type RateBudget, type RateBudgetLimits } from './rateBudget.js';

/**
 * The same reservations as the in-memory budget, kept in Redis so every
 * replica of the CRM subgraph spends one budget per CRM app. One Lua script
 * decides atomically on Redis's own clock (replicas' clocks may differ):
 * a sorted set of reservation times (the window), a counter per UTC day,
 * and a "paused until" key set by a 429's Retry-After.
 *
 * KEYS: 1 window zset, 2 pause key, 3 day counter
 * ARGV: 1 burst, 2 windowMs, 3 marginMs, 4 maxWaitMs, 5 daily, 6 msToNextDay, 7 member id
 * Returns {at, 0} (reserved, in Redis ms) or {retryAfterMs, code}: 1 burst, 2 daily, 3 paused;
 * and the Redis time as a third element so the caller can convert `at` to its clock.
 */
const RESERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local burst, windowMs, marginMs = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local maxWait, daily = tonumber(ARGV[4]), tonumber(ARGV[5])
if daily > 0 then
  local used = tonumber(redis.call('GET', KEYS[3]) or '0')
  if used >= daily then return {tonumber(ARGV[6]), 2, now} end
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - windowMs - marginMs)
local at = now
local paused = tonumber(redis.call('GET', KEYS[2]) or '0')
if paused > at then at = paused end
local count = redis.call('ZCARD', KEYS[1])
if count >= burst then
  local nth = redis.call('ZRANGE', KEYS[1], count - burst, count - burst, 'WITHSCORES')
  local free = tonumber(nth[2]) + windowMs + marginMs
  if free > at then at = free end
end
if at - now > maxWait then
  if paused > now and at == paused then return {at - now, 3, now} end
  return {at - now, 1, now}
end
redis.call('ZADD', KEYS[1], at, ARGV[7])
redis.call('PEXPIRE', KEYS[1], windowMs * 2 + marginMs + math.max(0, at - now))
if daily > 0 then
  redis.call('INCR', KEYS[3])
  redis.call('PEXPIRE', KEYS[3], tonumber(ARGV[6]) + 60000)
end
return {at, 0, now}
`;

const PAUSE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local untilMs = now + tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if untilMs > current then redis.call('SET', KEYS[1], untilMs, 'PX', tonumber(ARGV[1]) + 1000) end
return untilMs
`;

export function createRedisRateBudget(limits: RateBudgetLimits, options: { url: string; key: string }): RateBudget {
  const redis = new Redis(options.url, {
    // A budget that cannot be asked must answer quickly; the caller then refuses the call (fail closed).
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    enableOfflineQueue: true,
    lazyConnect: false,
  });
  redis.on('error', () => {});
  const prefix = `concord:crm-budget:${options.key}`;
  let sequence = 0;
  const member = () => `${process.pid}:${Date.now()}:${sequence++}:${Math.random().toString(36).slice(2, 8)}`;

  return {
    async acquire(maxWaitMs, signal) {
      const now = Date.now();
      const day = new Date(now).toISOString().slice(0, 10);
      const answer = (await redis.eval(
        RESERVE, 3, `${prefix}:window`, `${prefix}:paused`, `${prefix}:day:${day}`,
        limits.burst, limits.windowMs, limits.marginMs, Math.max(0, Math.floor(maxWaitMs)), limits.daily, msUntilNextUtcDay(now), member(),
      )) as [number, number, number];
      const [value, code, redisNow] = answer;
      if (code !== 0) throw new RateBudgetRefusal(code === 2 ? 'daily' : code === 3 ? 'paused' : 'burst', value);
      // `at` is on Redis's clock: wait the same distance on ours.
      await waitUntil(Date.now() + (value - redisNow), signal);
    },
    async pause(retryAfterMs) {
      await redis.eval(PAUSE, 1, `${prefix}:paused`, Math.max(1, Math.ceil(retryAfterMs)));
    },
    async close() {
      redis.disconnect();
    },
  };
}
