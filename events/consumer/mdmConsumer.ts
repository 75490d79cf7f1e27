import type pg from 'pg';
import type { GoldenRecordChanged } from '../../platform/events/changeEvents.js';
import { applySourceChange, type AppliedSourceChange } from '../../mdm/store/applySourceChange.js';
import type { CapturedChange } from '../change.js';
import type { ChangeHandler } from '../broker/types.js';
import { goldenEventsFor } from '../publish/goldenEvents.js';

export interface ConsumerStats {
  applied: number;
  unchanged: number;
  replayed: number;
  stale: number;
  absent: number;
  quarantined: number;
  /** When the last change was applied (ISO), and how long after its source change. */
  lastAppliedAt?: string;
  lastLagMs?: number;
}

export interface MdmConsumer {
  handle: ChangeHandler;
  stats(): ConsumerStats;
}

/**
 * The MDM consumer: each captured change goes through applySourceChange
 * (exactly once in effect by event id, incremental match or removal, one
 * history event), then the golden-record changes it caused are published.
 * A publish failure throws, so the broker redelivers; the redelivery is a
 * replay that publishes the same golden events again (same ids).
 */
export function createMdmConsumer(options: {
  pool: pg.Pool;
  publishGolden: (events: GoldenRecordChanged[]) => Promise<void>;
  onApplied?: (change: CapturedChange, result: AppliedSourceChange) => void;
}): MdmConsumer {
  const stats: ConsumerStats = { applied: 0, unchanged: 0, replayed: 0, stale: 0, absent: 0, quarantined: 0 };
  return {
    async handle(change) {
      const result = await applySourceChange(options.pool, {
        eventId: change.eventId, entityType: change.entityType, system: change.system.toLowerCase(), sourceId: change.sourceId,
        // A CRM merge takes the merged record out of its golden record; the primary's new state comes as its own upsert.
        op: change.op === 'upsert' ? 'upsert' : 'delete', record: change.record, updatedAt: change.updatedAt,
      });
      stats[result.status]++;
      stats.lastAppliedAt = new Date().toISOString();
      stats.lastLagMs = Date.now() - Date.parse(change.occurredAt);
      if (result.goldenChanges.length > 0) await options.publishGolden(goldenEventsFor(change, result.goldenChanges));
      options.onApplied?.(change, result);
    },
    stats: () => ({ ...stats }),
  };
}
