import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createMemoryRateBudget, RateBudgetRefusal, type RateBudget, type RateBudgetLimits } from './rateBudget.js';
import { createRedisRateBudget } from './redisRateBudget.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function redisProblem(): Promise<string | undefined> {
  const probe = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1_000, retryStrategy: () => null });
  probe.on('error', () => {});
  try {
    await probe.connect();
    await probe.ping();
    return undefined;
  } catch (error) {
    return `no Redis at ${REDIS_URL} (${(error as Error).message})`;
  } finally {
    probe.disconnect();
  }
}
const redisUnavailable = await redisProblem();
if (redisUnavailable && process.env.CI === 'true') throw new Error(`${redisUnavailable}: under CI=true the Redis variant is mandatory`);
if (redisUnavailable) console.warn(`[tests] skipping the Redis rate budget: ${redisUnavailable}`);

/** The most calls any window of `windowMs` holds. */
function busiestWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i] - sorted[j] >= windowMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

/** Fires `calls` acquisitions across the budgets at once; when each got its slot, or its refusal. */
async function spend(budgets: RateBudget[], calls: number, maxWaitMs: number) {
  const granted: number[] = [];
  const refused: RateBudgetRefusal[] = [];
  await Promise.all(Array.from({ length: calls }, async (_, i) => {
    try {
      await budgets[i % budgets.length].acquire(maxWaitMs);
      granted.push(Date.now());
    } catch (error) {
      if (!(error instanceof RateBudgetRefusal)) throw error;
      refused.push(error);
    }
  }));
  return { granted, refused };
}

// Windows of a second with a 100 ms margin: a shorter window would measure the test machine's timer lateness
// under load (the grant times below are when each waiting call woke up), not the budget.
const limits: RateBudgetLimits = { burst: 5, windowMs: 1_000, daily: 0, marginMs: 100 };

const variants: Array<{ name: string; unavailable?: string; make(key: string, limits: RateBudgetLimits): RateBudget }> = [
  { name: 'in memory', make: (_key, l) => createMemoryRateBudget(l) },
  { name: 'in Redis', unavailable: redisUnavailable, make: (key, l) => createRedisRateBudget(l, { url: REDIS_URL, key }) },
];

for (const variant of variants) {
  describe.skipIf(variant.unavailable !== undefined)(`the CRM rate budget ${variant.name}`, () => {
    const opened: RateBudget[] = [];
    const make = (key: string, l = limits) => {
      const budget = variant.make(`${key}-${process.pid}-${Date.now()}`, l);
      opened.push(budget);
      return budget;
    };
    afterAll(async () => {
      for (const budget of opened) await budget.close();
    });

    it('never lets more than the burst through in any window, queueing the rest within their wait', async () => {
      const budget = make('window');
      const { granted, refused } = await spend([budget], 14, 4_000);
      expect(refused).toEqual([]);
      expect(granted).toHaveLength(14);
      expect(busiestWindow(granted, limits.windowMs)).toBeLessThanOrEqual(limits.burst);
    });

    it('refuses at once, with the wait, a call whose slot is further away than it can wait', async () => {
      const budget = make('refuse');
      const started = Date.now();
      const { granted, refused } = await spend([budget], 9, 0);
      expect(granted).toHaveLength(5);
      expect(refused).toHaveLength(4);
      expect(refused.every((r) => r.reason === 'burst' && r.retryAfterMs > 0 && r.retryAfterMs <= limits.windowMs + limits.marginMs)).toBe(true);
      expect(Date.now() - started).toBeLessThan(200);
    });

    it('holds every call back until a 429 Retry-After has passed', async () => {
      const budget = make('pause');
      await budget.pause(250);
      await expect(budget.acquire(50)).rejects.toMatchObject({ reason: 'paused' });
      // (the refused call took no slot)
      const started = Date.now();
      await budget.acquire(1_000);
      expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    });

    it('stops at the daily limit until the next UTC day', async () => {
      const budget = make('daily', { ...limits, burst: 100, daily: 3 });
      const { granted, refused } = await spend([budget], 5, 0);
      expect(granted).toHaveLength(3);
      expect(refused.map((r) => r.reason)).toEqual(['daily', 'daily']);
      expect(refused[0].retryAfterMs).toBeLessThanOrEqual(24 * 3600_000);
    });

    if (variant.name === 'in Redis') {
      it('is one budget for every replica that names the same CRM app', async () => {
        const key = `shared-${process.pid}-${Date.now()}`;
        const replicas = [0, 1, 2].map(() => {
          const budget = createRedisRateBudget(limits, { url: REDIS_URL, key });
          opened.push(budget);
          return budget;
        });
        const { granted, refused } = await spend(replicas, 15, 4_000);
        expect(refused).toEqual([]);
        expect(busiestWindow(granted, limits.windowMs)).toBeLessThanOrEqual(limits.burst);
      });
    }
  });
}
