import type pg from 'pg';

/** One open quarantine entry: a source record held back from matching by a validation rule. */
export interface QuarantinedRecord {
  id: string;
  entityType: string;
  system: string;
  sourceId: string;
  rule: string;
  message: string;
  /** The record as it arrived (mapped attributes), for the steward to see what the source holds. */
  rawRecord: unknown;
  quarantinedAt: string;
}

/** Open entries, newest first, paged by id (`before`). */
export async function listQuarantinedRecords(
  db: pg.Pool | pg.PoolClient,
  options: { entityType?: string; first?: number; beforeId?: string } = {},
): Promise<QuarantinedRecord[]> {
  const { rows } = await db.query(
    `SELECT id::text AS id, entity, source_system, source_id, rule_code, message, raw_record, quarantined_at FROM mdm.quarantined_record
      WHERE released_at IS NULL AND ($1::text IS NULL OR entity = $1) AND ($2::bigint IS NULL OR id < $2::bigint)
      ORDER BY id DESC LIMIT $3`,
    [options.entityType ?? null, options.beforeId ?? null, Math.min(Math.max(options.first ?? 20, 0), 100)],
  );
  return rows.map((r) => ({
    id: r.id, entityType: r.entity, system: r.source_system, sourceId: r.source_id, rule: r.rule_code, message: r.message,
    rawRecord: r.raw_record, quarantinedAt: r.quarantined_at.toISOString(),
  }));
}
