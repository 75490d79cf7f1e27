import type { CapturedChange } from '../change.js';
import type { BrokerStats, ChangeBroker, ChangeConsumer, DeadLetterSink } from './types.js';

/**
 * The broker `npm start` uses without NATS_URL: publish hands the changes to
 * the consumer in order and resolves when they are applied, so the capture's
 * position (watermark) only moves past applied changes — the durable point
 * is the source's own position, and a crash replays from it. A capture's
 * changes go to the consumer's batch handler up to `maxBatch` at a time; a
 * batch that fails is applied again change by change, and a change that
 * fails `maxDeliveries` times goes to the dead-letter sink while the rest
 * flows.
 */
export function createInProcessBroker(options: {
  maxDeliveries: number; deadLetter: DeadLetterSink; retryDelayMs?: number; maxBatch?: number;
  /** Each delivery of a change after its first. */
  onRedelivery?: (change: CapturedChange) => void;
}): ChangeBroker {
  let consumer: ChangeConsumer | undefined;
  const maxBatch = options.maxBatch ?? 200;
  const stats: BrokerStats = { kind: 'in-process', published: 0, delivered: 0, redeliveries: 0, deadLetters: 0, pending: 0 };
  // One publish at a time: two captures (ERP, CRM) share the consumer, which applies in arrival order.
  let tail: Promise<void> = Promise.resolve();
  const deliver = async (change: CapturedChange) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await consumer!.handle(change, { attempt });
        stats.delivered++;
        return;
      } catch (error) {
        stats.lastError = `${change.eventId}: ${(error as Error).message}`;
        if (attempt >= options.maxDeliveries) {
          await options.deadLetter(change, (error as Error).message, attempt);
          stats.deadLetters++;
          return;
        }
        stats.redeliveries++;
        options.onRedelivery?.(change);
        await new Promise((r) => setTimeout(r, (options.retryDelayMs ?? 50) * attempt));
      }
    }
  };
  const deliverBatch = async (changes: CapturedChange[]) => {
    if (changes.length > 1 && consumer!.handleBatch) {
      try {
        await consumer!.handleBatch(changes);
        stats.delivered += changes.length;
        stats.pending -= changes.length;
        return;
      } catch (error) {
        // One of them fails: apply them one by one, so only that one is retried and dead-lettered.
        stats.lastError = `batch of ${changes.length}: ${(error as Error).message}`;
      }
    }
    for (const change of changes) {
      await deliver(change);
      stats.pending--;
    }
  };
  return {
    async publish(changes) {
      if (!consumer) throw new Error('in-process broker: no consumer yet (start the consumer before the captures)');
      stats.published += changes.length;
      stats.pending += changes.length;
      const run = tail.then(async () => {
        for (let i = 0; i < changes.length; i += maxBatch) await deliverBatch(changes.slice(i, i + maxBatch));
      });
      tail = run.catch(() => {});
      await run;
    },
    async consume(c) {
      consumer = typeof c === 'function' ? { handle: c } : c;
    },
    async stats() {
      return { ...stats };
    },
    async close() {
      await tail;
      consumer = undefined;
    },
  };
}
