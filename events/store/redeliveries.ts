import type pg from 'pg';
import type { CapturedChange } from '../change.js';

/**
 * Adds up redeliveries per source system in memory and writes them to
 * mdm.cdc_redelivery once a second (and on stop): a count, not a record of
 * each, so one write per second whatever the rate. A crash loses at most the
 * last second's count.
 */
export function createRedeliveryCounter(pool: pg.Pool, onError: (error: Error) => void, intervalMs = 1_000): { count: (change: CapturedChange) => void; stop(): Promise<void> } {
  let pending = new Map<string, number>();
  const flush = async () => {
    if (pending.size === 0) return;
    const counts = pending;
    pending = new Map();
    try {
      await pool.query(
        `INSERT INTO mdm.cdc_redelivery (system, redeliveries) SELECT * FROM unnest($1::text[], $2::bigint[])
         ON CONFLICT (system) DO UPDATE SET redeliveries = mdm.cdc_redelivery.redeliveries + excluded.redeliveries, updated_at = now()`,
        [[...counts.keys()], [...counts.values()]],
      );
    } catch (error) {
      for (const [system, n] of counts) pending.set(system, (pending.get(system) ?? 0) + n);
      onError(error as Error);
    }
  };
  const timer = setInterval(() => void flush(), intervalMs);
  timer.unref();
  return {
    count(change) {
      const system = change.system.toLowerCase();
      pending.set(system, (pending.get(system) ?? 0) + 1);
    },
    async stop() {
      clearInterval(timer);
      await flush();
    },
  };
}
