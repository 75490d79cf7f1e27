import type { CapturedChange } from '../change.js';
import type { BrokerStats, ChangeBroker, ChangeHandler, DeadLetterSink } from './types.js';

/**
 * The broker `npm start` uses without NATS_URL: publish hands each change to
 * the consumer in order and resolves when it is applied, so the capture's
 * position (watermark) only moves past applied changes — the durable point
 * is the source's own position, and a crash replays from it. A change that
 * fails `maxDeliveries` times goes to the dead-letter sink and the rest flows.
 */
export function createInProcessBroker(options: { maxDeliveries: number; deadLetter: DeadLetterSink; retryDelayMs?: number }): ChangeBroker {
  let handler: ChangeHandler | undefined;
  const stats: BrokerStats = { kind: 'in-process', published: 0, delivered: 0, redeliveries: 0, deadLetters: 0, pending: 0 };
  // One publish at a time: two captures (ERP, CRM) share the consumer, which applies in arrival order.
  let tail: Promise<void> = Promise.resolve();
  const deliver = async (change: CapturedChange) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await handler!(change, { attempt });
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
        await new Promise((r) => setTimeout(r, (options.retryDelayMs ?? 50) * attempt));
      }
    }
  };
  return {
    async publish(changes) {
      if (!handler) throw new Error('in-process broker: no consumer yet (start the consumer before the captures)');
      stats.published += changes.length;
      stats.pending += changes.length;
      const run = tail.then(async () => {
        for (const change of changes) {
          await deliver(change);
          stats.pending--;
        }
      });
      tail = run.catch(() => {});
      await run;
    },
    async consume(h) {
      handler = h;
    },
    async stats() {
      return { ...stats };
    },
    async close() {
      await tail;
      handler = undefined;
    },
  };
}
