import { ConfigError, readEnum, readInt, readUrl } from '../../platform/config.js';
import { DEFAULT_ENTITY_CACHE_POLICY, type EntityCachePolicy } from './cachePolicy.js';

/**
 * The entity cache's settings (ADR 0014).
 *
 * | variable | default |
 * | --- | --- |
 * | ENTITY_CACHE | auto: memory when the gateway gets golden-record change events (the stack's in-process feed, or NATS_URL), else off; `memory`, `redis`, `off` |
 * | ENTITY_CACHE_REDIS_URL | redis://127.0.0.1:6379 (with ENTITY_CACHE=redis) |
 * | ENTITY_CACHE_TTL_SEC | 300: the staleness bound if an event is lost |
 * | ENTITY_CACHE_MAX_MB | 64 (memory store) |
 */
export interface EntityCacheConfig {
  store: 'auto' | 'memory' | 'redis' | 'off';
  redisUrl?: string;
  /** Which fetches are cached and for how long. @default DEFAULT_ENTITY_CACHE_POLICY */
  policy?: EntityCachePolicy;
  /** @default 64 MiB */
  maxBytes?: number;
}

export function readEntityCacheConfig(env: Record<string, string | undefined>): EntityCacheConfig {
  const store = readEnum(env, 'ENTITY_CACHE', ['auto', 'memory', 'redis', 'off'] as const, 'auto');
  const ttlSec = readInt(env, 'ENTITY_CACHE_TTL_SEC', DEFAULT_ENTITY_CACHE_POLICY.ttlSec, { min: 1, max: 86_400 });
  const redisUrl = readUrl(env, 'ENTITY_CACHE_REDIS_URL', store === 'redis' ? 'redis://127.0.0.1:6379' : undefined);
  if (redisUrl && !/^rediss?:$/.test(new URL(redisUrl).protocol)) throw new ConfigError('ENTITY_CACHE_REDIS_URL', 'a redis:// or rediss:// URL', redisUrl);
  return {
    store,
    redisUrl,
    policy: { ...DEFAULT_ENTITY_CACHE_POLICY, ttlSec },
    maxBytes: readInt(env, 'ENTITY_CACHE_MAX_MB', 64, { min: 1, max: 65_536 }) * 1024 * 1024,
  };
}
