import type pg from 'pg';
import type { GoldenRecordChanged } from '../../platform/events/changeEvents.js';
import { applySourceChanges, type AppliedSourceChange, type SourceChange } from '../../mdm/store/applySourceChange.js';
import type { CapturedChange } from '../change.js';
import type { BatchHandler, ChangeHandler } from '../broker/types.js';
import { goldenEventsFor } from '../publish/goldenEvents.js';

export interface ConsumerStats {
  applied: number;
  unchanged: number;
  replayed: number;
  stale: number;
  absent: number;
  quarantined: number;
  /** Transactions the consumer committed, and the changes in them (changes / batches = the mean batch). */
  batches: number;
  batchedChanges: number;
  /** When the last change was applied (ISO), and how long after its source change. */
  lastAppliedAt?: string;
  lastLagMs?: number;
}

export interface MdmConsumer {
  /** Applies one change in a transaction of its own (the broker's path to find a failing change). */
  handle: ChangeHandler;
  /**
   * Applies changes in one transaction, in order. Calls made while a
   * transaction runs (other partitions' batches) wait and are applied
   * together in the next one: one lock acquisition and one commit for all.
   * Throws if that transaction fails; the caller then applies its changes
   * one by one through `handle`.
   */
  handleBatch: BatchHandler;
  stats(): ConsumerStats;
}

/** Upper bound on changes per transaction: keeps a transaction (and the steward lock) short, well inside the broker's ack wait. */
const DEFAULT_MAX_TRANSACTION = 500;

/**
 * The MDM consumer: captured changes go through applySourceChanges (exactly
 * once in effect by event id, incremental match or removal, one history
 * event per change), then the golden-record changes they caused are
 * published. Every apply takes the one steward lock (matching one record can
 * touch any golden record, so two applies cannot run side by side); what
 * makes it fast is paying for that lock, the transaction and its commit once
 * per batch instead of once per change. A publish failure throws, so the
 * broker redelivers; the redelivery is a replay that publishes the same
 * golden events again (same ids).
 */
export function createMdmConsumer(options: {
  pool: pg.Pool;
  publishGolden: (events: GoldenRecordChanged[]) => Promise<void>;
  onApplied?: (change: CapturedChange, result: AppliedSourceChange) => void;
  /** @default 500 */
  maxTransaction?: number;
}): MdmConsumer {
  const stats: ConsumerStats = { applied: 0, unchanged: 0, replayed: 0, stale: 0, absent: 0, quarantined: 0, batches: 0, batchedChanges: 0 };
  const maxTransaction = options.maxTransaction ?? DEFAULT_MAX_TRANSACTION;

  async function apply(changes: CapturedChange[]): Promise<void> {
    const results = await applySourceChanges(options.pool, changes.map(toSourceChange));
    stats.batches++;
    stats.batchedChanges += changes.length;
    const now = Date.now();
    const golden: GoldenRecordChanged[] = [];
    changes.forEach((change, i) => {
      stats[results[i].status]++;
      stats.lastLagMs = now - Date.parse(change.occurredAt);
      if (results[i].goldenChanges.length > 0) golden.push(...goldenEventsFor(change, results[i].goldenChanges));
    });
    stats.lastAppliedAt = new Date(now).toISOString();
    if (golden.length > 0) await options.publishGolden(golden);
    if (options.onApplied) changes.forEach((change, i) => options.onApplied!(change, results[i]));
  }

  // Batches waiting for the transaction after the running one.
  let waiting: { changes: CapturedChange[]; resolve: () => void; reject: (error: unknown) => void }[] = [];
  let running = false;
  async function drain(): Promise<void> {
    running = true;
    try {
      while (waiting.length > 0) {
        // The waiting batches in arrival order, as many as fit one transaction (always at least one).
        let take = 1;
        let size = waiting[0].changes.length;
        while (take < waiting.length && size + waiting[take].changes.length <= maxTransaction) size += waiting[take++].changes.length;
        const group = waiting.slice(0, take);
        waiting = waiting.slice(take);
        try {
          await apply(group.flatMap((w) => w.changes));
          for (const w of group) w.resolve();
        } catch (error) {
          for (const w of group) w.reject(error);
        }
      }
    } finally {
      running = false;
    }
  }

  return {
    async handle(change) {
      await apply([change]);
    },
    handleBatch(changes) {
      if (changes.length === 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        waiting.push({ changes, resolve, reject });
        if (!running) void drain();
      });
    },
    stats: () => ({ ...stats }),
  };
}

function toSourceChange(change: CapturedChange): SourceChange {
  return {
    eventId: change.eventId, entityType: change.entityType, system: change.system.toLowerCase(), sourceId: change.sourceId,
    // A CRM merge takes the merged record out of its golden record; the primary's new state comes as its own upsert.
    op: change.op === 'upsert' ? 'upsert' : 'delete', record: change.record, updatedAt: change.updatedAt,
  };
}
