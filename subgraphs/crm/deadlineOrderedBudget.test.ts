import { describe, expect, it } from 'vitest';
import { runWithBudget } from '../../platform/deadline/index.js';
import { deadlineOrdered } from './deadlineOrderedBudget.js';
import { createMemoryRateBudget, RateBudgetRefusal } from './rateBudget.js';

describe('the CRM rate budget, earliest deadline first', () => {
  it('gives the next free slot to the call whose request ends first, not to the one that asked first', async () => {
    const budget = deadlineOrdered(createMemoryRateBudget({ burst: 2, windowMs: 300, daily: 0, marginMs: 0 }));
    const granted: string[] = [];
    const call = (name: string, budgetMs: number) =>
      runWithBudget(budgetMs, () => budget.acquire(budgetMs - 10, undefined).then(() => void granted.push(name)));
    // The window is full: every call below waits for a slot.
    await Promise.all([call('first', 5_000), call('second', 5_000)]);
    // The first to wait asks the budget for the next slot at once; the ones queued behind it go by deadline.
    const waiting = [call('young request', 4_000), call('younger request', 4_500), call('old request', 1_500), call('middle request', 3_000)];
    await Promise.all(waiting);
    expect(granted).toEqual(['first', 'second', 'young request', 'old request', 'middle request', 'younger request']);
    await budget.close();
  });

  it('refuses a call whose request cannot get a slot before its deadline, and still serves the ones that can', async () => {
    const budget = deadlineOrdered(createMemoryRateBudget({ burst: 1, windowMs: 400, daily: 0, marginMs: 0 }));
    await runWithBudget(5_000, () => budget.acquire(4_000, undefined));
    const [short, long] = await Promise.allSettled([
      runWithBudget(100, () => budget.acquire(90, undefined)),
      runWithBudget(2_000, () => budget.acquire(1_900, undefined)),
    ]);
    expect(short.status).toBe('rejected');
    expect((short as PromiseRejectedResult).reason).toBeInstanceOf(RateBudgetRefusal);
    expect(long.status).toBe('fulfilled');
    await budget.close();
  });

  it('starts a request only if its first slot comes within the first half of its time; one under way may wait all of it', async () => {
    const budget = deadlineOrdered(createMemoryRateBudget({ burst: 1, windowMs: 1_000, daily: 0, marginMs: 0 }));
    await runWithBudget(5_000, async () => {
      await budget.acquire(4_900, undefined);
      // The next slot is 1 s away: a new request with 1.5 s left (half: 0.75 s) is refused at once,
      // this request (under way) waits for it.
      const started = Date.now();
      const [fresh, underWay] = await Promise.allSettled([
        runWithBudget(1_500, () => budget.acquire(1_490, undefined)),
        budget.acquire(1_490, undefined),
      ]);
      expect(fresh.status).toBe('rejected');
      expect((fresh as PromiseRejectedResult).reason).toBeInstanceOf(RateBudgetRefusal);
      expect(underWay.status).toBe('fulfilled');
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    });
    await budget.close();
  });

  it('lets a call leave the queue when its request is abandoned', async () => {
    const budget = deadlineOrdered(createMemoryRateBudget({ burst: 1, windowMs: 500, daily: 0, marginMs: 0 }));
    await budget.acquire(1_000, undefined);
    const abandoned = new AbortController();
    const started = Date.now();
    const waiting = budget.acquire(1_000, abandoned.signal);
    setTimeout(() => abandoned.abort(), 50);
    await expect(waiting).rejects.toBeInstanceOf(RateBudgetRefusal);
    expect(Date.now() - started).toBeLessThan(300);
    await budget.close();
  });
});
