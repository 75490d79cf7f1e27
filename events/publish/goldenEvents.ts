import type { GoldenEntity, GoldenRecordChanged, SourceSystem } from '../../platform/events/changeEvents.js';
import type { GoldenChange } from '../../mdm/store/goldenChanges.js';
import type { CapturedChange } from '../change.js';

/**
 * The golden-record change events one applied source change caused. Event
 * ids derive from the source event and the master, so publishing them again
 * after a redelivery gives the same ids and downstream consumers
 * deduplicate (JetStream's msgID window does too).
 */
export function goldenEventsFor(change: CapturedChange, golden: GoldenChange[], occurredAt = new Date().toISOString()): GoldenRecordChanged[] {
  return golden.map((g) => ({
    eventId: `${change.eventId}/${g.masterId}`,
    entity: g.entityType as GoldenEntity,
    masterId: g.masterId,
    kind: g.kind,
    changedFields: g.changedFields,
    relatedMasterIds: g.relatedMasterIds,
    ...(g.keys ? { keys: g.keys } : {}),
    cause: { kind: 'source', system: change.system as SourceSystem, sourceId: change.sourceId, sourceEventId: change.eventId },
    occurredAt,
  }));
}
