import type pg from 'pg';
import { blockingKeys } from '../block/index.js';
import type { EntityConfig } from '../entities/types.js';
import type { StandardisedRecord } from '../types.js';
import { chunks } from './json.js';

/** A record's blocking keys, each prefixed with its rule's name. */
export function recordBlockKeys(record: StandardisedRecord, config: EntityConfig): string[] {
  const keys: string[] = [];
  for (const rule of config.blocking) {
    for (const key of blockingKeys(record, rule)) keys.push(`${rule.name}\u0002${key}`);
  }
  return keys;
}

/**
 * Replaces the stored blocking keys of these records (mdm.block_key).
 * `stored` says which may have keys already (default: all); the others'
 * old keys are not looked for.
 */
export async function writeBlockKeys(client: pg.PoolClient, config: EntityConfig, records: StandardisedRecord[], stored: (record: StandardisedRecord) => boolean = () => true): Promise<void> {
  for (const chunk of chunks(records, 2000)) {
    const replaced = chunk.filter(stored);
    if (replaced.length > 0) {
      await client.query(
        `DELETE FROM mdm.block_key b USING unnest($2::text[], $3::text[]) AS t(system, source_id)
          WHERE b.entity_type = $1 AND b.system = t.system AND b.source_id = t.source_id`,
        [config.entityType, replaced.map((r) => r.system), replaced.map((r) => r.sourceId)],
      );
    }
    const systems: string[] = []; const ids: string[] = []; const keys: string[] = [];
    for (const r of chunk) for (const k of recordBlockKeys(r, config)) { systems.push(r.system); ids.push(r.sourceId); keys.push(k); }
    await client.query(
      `INSERT INTO mdm.block_key (entity_type, block_key, system, source_id)
       SELECT $1, t.k, t.s, t.i FROM unnest($2::text[], $3::text[], $4::text[]) AS t(k, s, i) ON CONFLICT DO NOTHING`,
      [config.entityType, keys, systems, ids],
    );
  }
}
