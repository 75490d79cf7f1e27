import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { natsTarget, testNamespace } from '../../test/support/nats.js';
import type { CapturedChange } from '../change.js';
import { createJetStreamBroker } from './jetstream.js';

const nats = await natsTarget();

const change = (sourceId: string, n: number, extra: Partial<CapturedChange> = {}): CapturedChange => ({
  eventId: `erp:res_partner:${sourceId}:${n}`, system: 'ERP', objectType: 'res_partner', entityType: 'customer',
  sourceId, op: 'upsert', occurredAt: new Date().toISOString(), ...extra,
});

async function until(check: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe.skipIf(Boolean(nats.unavailable))('NATS JetStream broker', () => {
  const namespace = testNamespace('js');
  let broker: Awaited<ReturnType<typeof createJetStreamBroker>>;

  beforeAll(async () => {
    broker = await createJetStreamBroker({ servers: nats.url, namespace, maxDeliveries: 3, ackWaitMs: 5_000 });
  });

  afterAll(async () => {
    await broker?.deleteStreams();
    await broker?.close();
  });

  it('keeps each record in order, drops republished duplicates by msgID, and sends a poison change to the dead letters with its reason while the rest flows', async () => {
    const seen: string[] = [];
    const attempts = new Map<string, number>();
    await broker.consume(async (c, { attempt }) => {
      attempts.set(c.eventId, attempt);
      if (c.sourceId === 'poison') throw new Error('cannot map record poison: country "ZZ" unknown');
      seen.push(c.eventId);
    });
    const changes: CapturedChange[] = [];
    for (let n = 1; n <= 20; n++) for (const id of ['1', '2', '3', '4', '5']) changes.push(change(id, n));
    changes.splice(37, 0, change('poison', 1));
    await broker.publish(changes);
    // A capture that died before storing its position publishes the same changes again.
    await broker.publish(changes.slice(0, 40));
    await until(() => seen.length >= 100);
    await until(async () => (await broker.readDeadLetters()).length === 1);
    await new Promise((r) => setTimeout(r, 500));
    expect(seen).toHaveLength(100);
    expect(new Set(seen).size).toBe(100);
    for (const id of ['1', '2', '3', '4', '5']) {
      const order = seen.filter((e) => e.startsWith(`erp:res_partner:${id}:`)).map((e) => Number(e.split(':').pop()));
      expect(order).toEqual([...Array(20).keys()].map((i) => i + 1));
    }
    const [letter] = await broker.readDeadLetters();
    expect(letter).toMatchObject({ event: { eventId: 'erp:res_partner:poison:1' }, reason: 'cannot map record poison: country "ZZ" unknown', deliveries: 3 });
    expect(attempts.get('erp:res_partner:poison:1')).toBe(3);
    const stats = await broker.stats();
    expect(stats).toMatchObject({ kind: 'jetstream', deadLetters: 1, redeliveries: 2, pending: 0 });
  });

  it('hands what a partition has waiting to the batch handler in stream order, and after a failed batch applies its changes one by one so only the poison change is retried and dead-lettered', async () => {
    const other = await createJetStreamBroker({ servers: nats.url, namespace: `${namespace}b`, maxDeliveries: 2, ackWaitMs: 5_000, maxBatch: 50 });
    try {
      const seen: string[] = [];
      const batchSizes: number[] = [];
      const apply = (c: CapturedChange) => {
        if (c.sourceId === 'poison') throw new Error('poison');
        seen.push(c.eventId);
      };
      // Published before the consumer starts, so each partition finds many waiting.
      const changes: CapturedChange[] = [];
      for (let n = 1; n <= 40; n++) for (const id of ['1', '2', '3', '4', '5', '6', '7', '8']) changes.push(change(id, n));
      changes.splice(101, 0, change('poison', 1));
      await other.publish(changes);
      await other.consume({
        handle: async (c) => apply(c),
        handleBatch: async (batch) => {
          // All or nothing, as the MDM consumer's transaction.
          if (batch.some((c) => c.sourceId === 'poison')) throw new Error('poison in the batch');
          batchSizes.push(batch.length);
          for (const c of batch) apply(c);
        },
      });
      await until(() => seen.length >= 320);
      await until(async () => (await other.readDeadLetters()).length === 1);
      expect(new Set(seen).size).toBe(320);
      expect(seen).toHaveLength(320);
      for (const id of ['1', '2', '3', '4', '5', '6', '7', '8']) {
        const order = seen.filter((e) => e.startsWith(`erp:res_partner:${id}:`)).map((e) => Number(e.split(':').pop()));
        expect(order).toEqual([...Array(40).keys()].map((i) => i + 1));
      }
      expect(Math.max(...batchSizes)).toBeGreaterThan(1);
      expect(batchSizes.every((n) => n <= 50)).toBe(true);
      const [letter] = await other.readDeadLetters();
      expect(letter).toMatchObject({ event: { eventId: 'erp:res_partner:poison:1' }, reason: 'poison', deliveries: 2 });
      expect((await other.stats()).pending).toBe(0);
    } finally {
      await other.deleteStreams();
      await other.close();
    }
  });
});
