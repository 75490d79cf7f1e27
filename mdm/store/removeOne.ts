import type pg from 'pg';
import { entityConfig } from '../entities/index.js';
import { standardiseRecord } from '../standardise/index.js';
import { appendHistory } from './history.js';
import { takeSnapshot, type StateSnapshot } from './snapshot.js';
import { toSourceRecord } from './sourceRecords.js';
import { resurvive } from './stewardship.js';
import { adjustTermFrequencies } from './termFrequencies.js';

export interface RemoveOneChange {
  /** 'removed': the record left its master; 'absent': the store did not know it (nothing changed, no history). */
  outcome: 'removed' | 'absent';
  /** The master it left; deactivated when it was the master's last record. */
  masterId?: string;
  masterDeleted?: boolean;
  snapshots?: { before: StateSnapshot; after: StateSnapshot };
  historyId?: string;
}

/**
 * A source record is gone from its source (deleted, archived, merged away):
 * it leaves its golden record, which is survived again from the records
 * left, or deactivated when none are. Runs inside the caller's transaction,
 * which holds the steward lock (as matchOneIn). One 'remove' history event
 * with the snapshots undo needs and the removed copy itself, so an undo can
 * put the record back.
 */
export async function removeSourceRecordIn(
  client: pg.PoolClient,
  entityType: string,
  system: string,
  sourceId: string,
  options: { actor?: string; reason?: string } = {},
): Promise<RemoveOneChange> {
  const config = entityConfig(entityType);
  const stored = (await client.query(
    `SELECT s.system, s.source_id, s.attributes, s.standardized, s.source_updated_at, x.master_id
       FROM mdm.source_record s
       LEFT JOIN mdm.xref x ON x.entity_type = s.entity_type AND x.system = s.system AND x.source_id = s.source_id
      WHERE s.entity_type = $1 AND s.system = $2 AND s.source_id = $3`,
    [entityType, system, sourceId],
  )).rows[0];
  if (!stored) return { outcome: 'absent' };
  const masterId = stored.master_id as string | null;
  const scope = { masterIds: masterId ? [masterId] : [], decisionPairs: [], candidateIds: [] };
  const before = await takeSnapshot(client, scope);
  const previous = standardiseRecord(toSourceRecord(entityType, stored), config.attributes);
  await adjustTermFrequencies(client, config, previous, { ...previous, std: {} });
  await client.query('DELETE FROM mdm.block_key WHERE entity_type = $1 AND system = $2 AND source_id = $3', [entityType, system, sourceId]);
  await client.query('DELETE FROM mdm.xref WHERE entity_type = $1 AND system = $2 AND source_id = $3', [entityType, system, sourceId]);
  await client.query('DELETE FROM mdm.source_record WHERE entity_type = $1 AND system = $2 AND source_id = $3', [entityType, system, sourceId]);
  // Review candidates naming the record have nothing left to decide.
  await client.query(
    `UPDATE mdm.match_candidate SET status = 'rejected', decided_at = now(), decided_by = 'system:source-removed'
      WHERE entity_type = $1 AND status = 'pending' AND ((left_system = $2 AND left_id = $3) OR (right_system = $2 AND right_id = $3))`,
    [entityType, system, sourceId],
  );
  let masterDeleted = false;
  if (masterId) {
    const left = await client.query('SELECT 1 FROM mdm.xref WHERE master_id = $1 LIMIT 1', [masterId]);
    if (left.rowCount) {
      await resurvive(client, entityType, masterId);
    } else {
      masterDeleted = true;
      await client.query('UPDATE mdm.golden_record SET active = false, version = version + 1, updated_at = now() WHERE master_id = $1', [masterId]);
    }
  }
  const after = await takeSnapshot(client, scope);
  const removed = { entity_type: entityType, system, source_id: sourceId, attributes: stored.attributes, source_updated_at: stored.source_updated_at };
  const historyId = await appendHistory(client, {
    actor: options.actor ?? 'system', action: 'remove',
    reason: options.reason ?? `${system}:${sourceId} removed from its source${masterDeleted ? `; golden record ${masterId} deleted` : ''}`,
    masterIds: scope.masterIds, before: { ...before, removedSource: removed }, after: { ...after, result: masterId && !masterDeleted ? [masterId] : [] },
  });
  return { outcome: 'removed', ...(masterId ? { masterId } : {}), masterDeleted, snapshots: { before, after }, historyId };
}
