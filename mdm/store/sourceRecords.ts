import type pg from 'pg';
import type { EntityConfig } from '../entities/types.js';
import { standardiseRecord } from '../standardise/index.js';
import type { SourceRecord, StandardisedRecord } from '../types.js';
import { chunks } from './json.js';

type Queryable = pg.Pool | pg.PoolClient;

/**
 * Stores the last seen copy of each source record, raw and standardised
 * (mdm.source_record). The standardised copy serves SQL-side search and
 * candidate lookup (pg_trgm on the standardised name).
 */
export async function upsertSourceRecords(db: Queryable, records: StandardisedRecord[]): Promise<void> {
  for (const chunk of chunks(records, 2000)) {
    await db.query(
      `INSERT INTO mdm.source_record (entity_type, system, source_id, attributes, standardized, source_updated_at)
       SELECT t.entity_type, t.system, t.source_id, t.attributes::jsonb, t.standardized::jsonb, t.updated_at::timestamptz
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
              AS t(entity_type, system, source_id, attributes, standardized, updated_at)
       ON CONFLICT (entity_type, system, source_id) DO UPDATE
          SET attributes = excluded.attributes, standardized = excluded.standardized,
              source_updated_at = excluded.source_updated_at, seen_at = now()`,
      [
        chunk.map((r) => r.entityType), chunk.map((r) => r.system), chunk.map((r) => r.sourceId),
        chunk.map((r) => JSON.stringify(r.attributes)), chunk.map((r) => JSON.stringify(r.std)),
        chunk.map((r) => r.updatedAt ?? null),
      ],
    );
  }
}

/** Reads every stored source record of one entity type, re-standardised with the current config. */
export async function readSourceRecords(db: Queryable, config: EntityConfig): Promise<StandardisedRecord[]> {
  const { rows } = await db.query(
    `SELECT system, source_id, attributes, source_updated_at FROM mdm.source_record
      WHERE entity_type = $1 ORDER BY system, source_id`,
    [config.entityType],
  );
  return rows.map((row) => standardiseRecord(toSourceRecord(config.entityType, row), config.attributes));
}

export function toSourceRecord(entityType: string, row: Record<string, any>): SourceRecord {
  return {
    entityType,
    system: row.system,
    sourceId: row.source_id,
    attributes: row.attributes,
    updatedAt: row.source_updated_at instanceof Date ? row.source_updated_at.toISOString() : row.source_updated_at ?? null,
  };
}
