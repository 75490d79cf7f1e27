import { createHash } from 'node:crypto';
import { SOURCE_SUBJECT_PREFIX } from '../../platform/events/changeEvents.js';
import { recordKey, type CapturedChange } from '../change.js';

/**
 * Source changes are spread over this many partitions per system, by a hash
 * of the record key: workers consume partitions in parallel while one
 * record's changes stay on one subject, in order. 8 lets up to 8 workers
 * share a system's load; changing it moves keys between partitions, so it is
 * fixed, not configurable.
 */
export const SOURCE_PARTITIONS = 8;

export function partitionOf(key: string): number {
  return createHash('sha1').update(key).digest().readUInt32BE(0) % SOURCE_PARTITIONS;
}

/** concord.cdc.<system>.<partition>, e.g. concord.cdc.erp.3 */
export function sourceChangeSubject(change: Pick<CapturedChange, 'system' | 'entityType' | 'sourceId'>): string {
  return `${SOURCE_SUBJECT_PREFIX}.${change.system.toLowerCase()}.${partitionOf(recordKey(change))}`;
}
