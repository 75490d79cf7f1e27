import type { SourceRecordChanged } from '../platform/events/changeEvents.js';
import type { SourceRecord } from '../mdm/types.js';

/**
 * A captured source change as it travels through the broker: the contract's
 * SourceRecordChanged plus what the MDM consumer needs to apply it without
 * reading the source again (the record as mapped at capture time).
 */
export interface CapturedChange extends SourceRecordChanged {
  entityType: 'customer' | 'product';
  /** The record now (op upsert). */
  record?: SourceRecord;
  /** When the source changed the record (write_date, hs_lastmodifieddate). */
  updatedAt?: string | null;
  /** CRM merge: the record this one was merged into. */
  mergedInto?: string;
}

/** The key a change is partitioned and ordered by: one record's changes stay in order. */
export function recordKey(change: Pick<CapturedChange, 'system' | 'entityType' | 'sourceId'>): string {
  return `${change.system.toLowerCase()}:${change.entityType}:${change.sourceId}`;
}
