import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ENTITY_CACHE_POLICY } from './cachePolicy.js';
import { EntityCache } from './entityCache.js';
import { RedisEntityCacheStore } from './redisEntityCacheStore.js';

/**
 * The shared store against the Redis at 127.0.0.1:6379 (TEST_REDIS_URL):
 * two gateway replicas share entries and each applies change events. Skipped
 * with a message without a server; under CI=true a missing server fails.
 */
const url = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function redisProblem(): Promise<string | undefined> {
  const probe = new Redis(url, { lazyConnect: true, connectTimeout: 1_000, maxRetriesPerRequest: 0, enableOfflineQueue: false });
  try {
    await probe.connect();
    await probe.ping();
    return undefined;
  } catch (error) {
    return `no Redis at ${url} (${(error as Error).message})`;
  } finally {
    probe.disconnect();
  }
}

const problem = await redisProblem();
if (problem && process.env.CI === 'true') throw new Error(`${problem}: under CI=true the Redis variant is mandatory`);
if (problem) console.warn(`[tests] skipping the Redis entity cache tests: ${problem}`);

const CUSTOMERS = 'query($representations:[_Any!]!){_entities(representations:$representations){...on Customer{name}}}';

describe.skipIf(problem !== undefined)('the entity cache on Redis', () => {
  const keyPrefix = `concord-test:${process.pid}:${Date.now().toString(36)}:`;
  let stores: RedisEntityCacheStore[];
  let replicas: EntityCache[];

  beforeAll(async () => {
    stores = [new RedisEntityCacheStore(url, { keyPrefix }), new RedisEntityCacheStore(url, { keyPrefix })];
    await Promise.all(stores.map((s) => s.connect()));
    replicas = stores.map((store) => new EntityCache(DEFAULT_ENTITY_CACHE_POLICY, store));
  });

  afterAll(async () => {
    const cleaner = new Redis(url);
    const keys = await cleaner.keys(`${keyPrefix}*`);
    if (keys.length) await cleaner.del(...keys);
    await cleaner.quit();
    await Promise.all((stores ?? []).map((s) => s.close()));
  });

  it('shares entries between replicas, and a change event applied by one removes them for both', async () => {
    const calls: unknown[] = [];
    const send = async (variables: Record<string, unknown> | undefined) => {
      calls.push(variables!.representations);
      return { data: { _entities: (variables!.representations as Array<{ id: string }>).map((r) => ({ name: `name of ${r.id}` })) } };
    };
    const reps = [{ __typename: 'Customer', id: 'a' }, { __typename: 'Customer', id: 'b' }];
    await replicas[0].fetch('mdm', CUSTOMERS, { representations: reps }, 'p', send);
    const fromOther = await replicas[1].fetch('mdm', CUSTOMERS, { representations: reps }, 'p', send);
    expect(fromOther.data).toEqual({ _entities: [{ name: 'name of a' }, { name: 'name of b' }] });
    expect(calls).toHaveLength(1);

    const removed = await replicas[1].applyChange({
      eventId: `redis-${keyPrefix}`, entity: 'customer', masterId: 'a', kind: 'updated', changedFields: ['name'], relatedMasterIds: [], cause: { kind: 'steward' }, occurredAt: new Date().toISOString(),
    });
    expect(removed).toBe(1);
    await replicas[0].fetch('mdm', CUSTOMERS, { representations: reps }, 'p', send);
    expect(calls).toEqual([reps, [reps[0]]]);
  });

  it('empties its own keys, and no other prefix\'s, after a gap in the change feed', async () => {
    const other = new Redis(url);
    const foreign = `concord-test-other:${process.pid}:${Date.now().toString(36)}`;
    await other.set(foreign, 'kept', 'EX', 60);
    const calls: unknown[] = [];
    const send = async (variables: Record<string, unknown> | undefined) => {
      calls.push(variables!.representations);
      return { data: { _entities: (variables!.representations as Array<{ id: string }>).map((r) => ({ name: `name of ${r.id}` })) } };
    };
    const reps = [{ __typename: 'Customer', id: 'c' }, { __typename: 'Customer', id: 'd' }];
    await replicas[0].fetch('mdm', CUSTOMERS, { representations: reps }, 'p', send);
    expect(await replicas[0].clear()).toBeGreaterThanOrEqual(2);
    expect(await other.keys(`${keyPrefix}*`)).toEqual([]);
    expect(await other.get(foreign)).toBe('kept');
    await replicas[1].fetch('mdm', CUSTOMERS, { representations: reps }, 'p', send);
    expect(calls).toEqual([reps, reps]);
    await other.del(foreign);
    await other.quit();
  });
});
