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

/** A stored record's key across entity types, as readStoredCopies answers by. */
export function storedCopyKey(record: { entityType: string; system: string; sourceId: string }): string {
  return `${record.entityType}\u0000${record.system}\u0000${record.sourceId}`;
}

/** The stored copy (raw attributes, source time) and current master of each record, by storedCopyKey, in one statement. */
export async function readStoredCopies(db: Queryable, records: { entityType: string; system: string; sourceId: string }[]): Promise<Map<string, Record<string, any>>> {
  if (records.length === 0) return new Map();
  const { rows } = await db.query(
    `SELECT s.entity_type, s.system, s.source_id, s.attributes, s.source_updated_at, x.master_id
       FROM unnest($1::text[], $2::text[], $3::text[]) AS t(entity_type, system, source_id)
       JOIN mdm.source_record s ON s.entity_type = t.entity_type AND s.system = t.system AND s.source_id = t.source_id
       LEFT JOIN mdm.xref x ON x.entity_type = s.entity_type AND x.system = s.system AND x.source_id = s.source_id`,
    [records.map((r) => r.entityType), records.map((r) => r.system), records.map((r) => r.sourceId)],
  );
  return new Map(rows.map((r) => [storedCopyKey({ entityType: r.entity_type, system: r.system, sourceId: r.source_id }), r]));
}
