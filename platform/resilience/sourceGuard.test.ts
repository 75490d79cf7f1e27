import { describe, expect, it } from 'vitest';
import { runWithBudget } from '../deadline/index.js';
import { ServiceMetrics } from '../metrics/index.js';
import { createSourceGuard, SourceRefusedError } from './sourceGuard.js';

class Outage extends Error {}
const isOutage = (error: unknown) => error instanceof Outage;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function deferred() {
  let resolve!: (value: string) => void;
  const promise = new Promise<string>((r) => (resolve = r));
  return { promise, resolve };
}

describe('createSourceGuard', () => {
  it('lets exactly one half-open probe through while every other caller fails fast, then closes on its success', async () => {
    const metrics = new ServiceMetrics('test');
    const guard = createSourceGuard({ source: 'erp', consecutiveFailures: 1, halfOpenAfterMs: 40, isOutage, metrics });
    await expect(guard.run(async () => { throw new Outage('down'); })).rejects.toBeInstanceOf(Outage);
    expect(guard.state()).toBe('open');
    await expect(guard.run(async () => 'never')).rejects.toMatchObject({ reason: 'CIRCUIT_OPEN' });
    await sleep(60);

    const probe = deferred();
    let calls = 0;
    const probeCall = guard.run(() => { calls++; return probe.promise; });
    expect(guard.state()).toBe('halfOpen');
    const started = performance.now();
    const others = await Promise.allSettled(Array.from({ length: 20 }, () => guard.run(async () => { calls++; return 'other'; })));
    const waitedMs = performance.now() - started;
    expect(others.every((o) => o.status === 'rejected' && o.reason instanceof SourceRefusedError && o.reason.reason === 'CIRCUIT_OPEN')).toBe(true);
    expect(waitedMs).toBeLessThan(20);
    expect(calls).toBe(1);
    expect((await metrics.registry.getSingleMetric('concord_source_breaker_state')!.get()).values[0].value).toBe(2);

    probe.resolve('probe ok');
    expect(await probeCall).toBe('probe ok');
    expect(guard.state()).toBe('closed');
    expect(await guard.run(async () => 'after')).toBe('after');
  });

  it('does not count a caller error (bad input) towards opening the circuit', async () => {
    const guard = createSourceGuard({ source: 'mdm', consecutiveFailures: 2, isOutage });
    for (let i = 0; i < 5; i++) await expect(guard.run(async () => { throw new TypeError('bad input'); })).rejects.toBeInstanceOf(TypeError);
    expect(guard.state()).toBe('closed');
  });

  it('caps concurrent calls with a bounded queue and refuses the rest at once', async () => {
    const guard = createSourceGuard({ source: 'crm', maxConcurrent: 2, maxQueued: 1, isOutage });
    const gate = deferred();
    const outcomes = Array.from({ length: 5 }, () => guard.run(() => gate.promise));
    const refused = await Promise.allSettled(outcomes.slice(3));
    expect(refused.map((o) => o.status === 'rejected' && (o.reason as SourceRefusedError).reason)).toEqual(['BULKHEAD_FULL', 'BULKHEAD_FULL']);
    gate.resolve('done');
    expect(await Promise.all(outcomes.slice(0, 3))).toEqual(['done', 'done', 'done']);
  });

  it('gives up on a call at the request deadline, without waiting for the source', async () => {
    const guard = createSourceGuard({ source: 'erp', isOutage });
    const started = performance.now();
    await expect(runWithBudget(50, () => guard.run(() => new Promise(() => {})))).rejects.toMatchObject({ reason: 'DEADLINE_EXCEEDED' });
    expect(performance.now() - started).toBeLessThan(500);
  });
});
