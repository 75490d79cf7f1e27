/**
 * The change events that cross service boundaries: what the change-capture
 * pipeline (events/) publishes and what other services (the gateway's entity
 * cache, the console) consume. Plain serialisable objects; the AsyncAPI
 * document in docs/ describes the same shapes on the wire.
 *
 * Subjects (NATS JetStream when NATS_URL is set; an in-process feed otherwise):
 *   concord.golden.<entity>            golden-record changes, entity = customer | product
 *   concord.cdc.<system>.<partition>   source changes, system = erp | crm
 */

export type GoldenEntity = 'customer' | 'product';
export type GoldenChangeKind = 'created' | 'updated' | 'merged' | 'split' | 'deleted';
export type SourceSystem = 'ERP' | 'CRM';

/** One golden record changed; published after the MDM transaction that changed it committed. */
export interface GoldenRecordChanged {
  /** Unique per change; consumers deduplicate by it. */
  eventId: string;
  entity: GoldenEntity;
  masterId: string;
  kind: GoldenChangeKind;
  /** Golden attributes whose surviving value changed, and `sources` when its source records changed (empty for deleted). */
  changedFields: string[];
  /** Other golden records involved: the ones merged into `masterId`, or split off from it. */
  relatedMasterIds: string[];
  /**
   * Values of the record's alternate keys before and after the change — a
   * product's `sku` — for it and the records in `relatedMasterIds`, so a
   * consumer holding entries found by such a key (the gateway's entity cache:
   * products by SKU) drops exactly those. Absent: the publisher did not say,
   * and a consumer must assume any value of any key.
   */
  keys?: Record<string, string[]>;
  /** What caused it: a source change (with its event id), a steward decision or a batch run. */
  cause: { kind: 'source' | 'steward' | 'batch'; system?: SourceSystem; sourceId?: string; sourceEventId?: string };
  occurredAt: string;
}

/** One source record changed (after capture, before the MDM applied it). */
export interface SourceRecordChanged {
  eventId: string;
  system: SourceSystem;
  /** ERP table (`res_partner`, `product_template`, `product_product`) or CRM object type (`companies`). */
  objectType: string;
  sourceId: string;
  op: 'upsert' | 'delete' | 'merge';
  occurredAt: string;
}

export const GOLDEN_SUBJECT_PREFIX = 'concord.golden';
export const SOURCE_SUBJECT_PREFIX = 'concord.cdc';

export function goldenChangeSubject(entity: GoldenEntity): string {
  return `${GOLDEN_SUBJECT_PREFIX}.${entity}`;
}

/** Something that delivers golden-record changes to in-process listeners (NATS subscription or in-process bus). */
export interface GoldenChangeFeed {
  subscribe(listener: (change: GoldenRecordChanged) => void): () => void;
  /**
   * Calls the listener when changes may have been missed (a non-durable
   * subscription reconnected, or the server dropped messages for a slow
   * consumer): whoever keeps state derived from the changes must drop it.
   * Absent for feeds that cannot miss changes (the in-process one).
   */
  onGap?(listener: () => void): () => void;
  close(): Promise<void>;
}

/** The in-process feed `npm start` uses when no broker is configured: the pipeline publishes, the gateway listens. */
export function createInProcessGoldenChangeFeed(): GoldenChangeFeed & { publish(change: GoldenRecordChanged): void } {
  const listeners = new Set<(change: GoldenRecordChanged) => void>();
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    publish(change) {
      for (const listener of listeners) listener(change);
    },
    async close() {
      listeners.clear();
    },
  };
}
