import { Redis } from 'ioredis';
import type { EntityCacheEntry, EntityCacheStore } from './entityCacheStore.js';

/**
 * The shared store for gateway replicas: Redis (ioredis). An entry is a
 * string with the TTL; each tag is a set of the keys carrying it, expiring
 * with the longest-lived of them, so invalidation is SMEMBERS + DEL.
 * Every replica subscribes to the change events and invalidates on its own;
 * the DELs are idempotent.
 */
export class RedisEntityCacheStore implements EntityCacheStore {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(url: string, options: { keyPrefix?: string; connectTimeoutMs?: number } = {}) {
    this.#prefix = options.keyPrefix ?? 'concord:entity-cache:';
    this.#redis = new Redis(url, {
      // A cache that cannot be reached must not hold requests: fail fast, the gateway fetches instead.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: options.connectTimeoutMs ?? 2_000,
      lazyConnect: true,
    });
  }

  /** Connect now, so a wrong URL fails the gateway's start rather than every request. */
  async connect(): Promise<void> {
    await this.#redis.connect();
  }

  async getMany(keys: readonly string[]): Promise<Array<string | undefined>> {
    if (keys.length === 0) return [];
    const values = await this.#redis.mget(keys.map((k) => this.#prefix + k));
    return values.map((v) => v ?? undefined);
  }

  async setMany(entries: readonly EntityCacheEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const pipeline = this.#redis.multi();
    for (const { key, value, tags, ttlSec } of entries) {
      pipeline.set(this.#prefix + key, value, 'EX', ttlSec);
      for (const tag of tags) {
        const tagKey = `${this.#prefix}tag:${tag}`;
        pipeline.sadd(tagKey, this.#prefix + key);
        // GT: never shorten a tag set below an entry it names (Redis >= 7); NX sets it when none.
        pipeline.expire(tagKey, ttlSec, 'NX');
        pipeline.expire(tagKey, ttlSec, 'GT');
      }
    }
    await pipeline.exec();
  }

  async invalidate(tags: readonly string[]): Promise<number> {
    let removed = 0;
    for (const tag of tags) {
      const tagKey = `${this.#prefix}tag:${tag}`;
      const keys = await this.#redis.smembers(tagKey);
      if (keys.length) removed += await this.#redis.del(...keys);
      await this.#redis.del(tagKey);
    }
    return removed;
  }

  /** Every key under the prefix (entries and tag sets), found with SCAN so Redis is never blocked by KEYS. */
  async clear(): Promise<number> {
    let removed = 0;
    let cursor = '0';
    do {
      const [next, keys] = await this.#redis.scan(cursor, 'MATCH', `${this.#prefix}*`, 'COUNT', 500);
      cursor = next;
      const entries = keys.filter((k) => !k.startsWith(`${this.#prefix}tag:`));
      if (keys.length) await this.#redis.del(...keys);
      removed += entries.length;
    } while (cursor !== '0');
    return removed;
  }

  async close(): Promise<void> {
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }
}
