import type pg from 'pg';
import { ReconError } from '../errors.js';

/**
 * Reads the MDM store: which golden record each source record belongs to
 * (xref), each source record's last seen copy (raw and standardised), and the
 * golden records' survived values with their provenance.
 */
export interface GoldenMembership {
  /** "erp:12" → master id. */
  masterOf: Map<string, string>;
  /** master id → its source refs ("erp:12", "crm:10000001"). */
  sourcesOf: Map<string, string[]>;
}

export async function readMembership(pool: pg.Pool, entityType: 'customer' | 'product'): Promise<GoldenMembership> {
  const rows = await query<{ system: string; source_id: string; master_id: string }>(pool,
    `SELECT x.system, x.source_id, x.master_id FROM mdm.xref x JOIN mdm.golden_record g ON g.master_id = x.master_id
      WHERE x.entity_type = $1 AND g.active`, [entityType]);
  const masterOf = new Map<string, string>();
  const sourcesOf = new Map<string, string[]>();
  for (const r of rows) {
    const ref = `${r.system}:${r.source_id}`;
    masterOf.set(ref, r.master_id);
    const list = sourcesOf.get(r.master_id) ?? [];
    list.push(ref);
    sourcesOf.set(r.master_id, list);
  }
  return { masterOf, sourcesOf };
}

export interface StoredSourceRecord {
  system: string;
  sourceId: string;
  attributes: Record<string, unknown>;
  standardized: Record<string, string | null>;
}

export async function readSourceRecords(pool: pg.Pool, entityType: 'customer' | 'product'): Promise<StoredSourceRecord[]> {
  const rows = await query<{ system: string; source_id: string; attributes: Record<string, unknown>; standardized: Record<string, string | null> }>(pool,
    'SELECT system, source_id, attributes, standardized FROM mdm.source_record WHERE entity_type = $1', [entityType]);
  return rows.map((r) => ({ system: r.system, sourceId: r.source_id, attributes: r.attributes, standardized: r.standardized }));
}

export interface GoldenValues {
  masterId: string;
  attributes: Record<string, unknown>;
  provenance: Record<string, { system?: string; sourceId?: string; rule?: string }>;
}

export async function readGoldenRecords(pool: pg.Pool, entityType: 'customer' | 'product'): Promise<Map<string, GoldenValues>> {
  const rows = await query<{ master_id: string; attributes: Record<string, unknown>; provenance: GoldenValues['provenance'] }>(pool,
    'SELECT master_id, attributes, provenance FROM mdm.golden_record WHERE entity_type = $1 AND active', [entityType]);
  return new Map(rows.map((r) => [r.master_id, { masterId: r.master_id, attributes: r.attributes, provenance: r.provenance ?? {} }]));
}

export interface QuarantinedRecord {
  system: string;
  sourceId: string;
  entity: string;
  ruleCode: string;
  message: string;
  quarantinedAt: string;
}

/**
 * Records the ingestion validation holds back (issue 10's mdm.quarantined_record),
 * not yet released. Absent table: no ingestion validation here, no finding.
 */
export async function readQuarantined(pool: pg.Pool): Promise<QuarantinedRecord[]> {
  const exists = await query<{ present: boolean }>(pool, `SELECT to_regclass('mdm.quarantined_record') IS NOT NULL AS present`, []);
  if (!exists[0]?.present) return [];
  const rows = await query<{ source_system: string; source_id: string; entity: string; rule_code: string; message: string; quarantined_at: Date }>(pool,
    `SELECT source_system, source_id, entity, rule_code, message, quarantined_at FROM mdm.quarantined_record WHERE released_at IS NULL`, []);
  return rows.map((r) => ({
    system: r.source_system, sourceId: String(r.source_id), entity: r.entity, ruleCode: r.rule_code, message: r.message,
    quarantinedAt: new Date(r.quarantined_at).toISOString(),
  }));
}

async function query<T extends pg.QueryResultRow>(pool: pg.Pool, sql: string, params: unknown[]): Promise<T[]> {
  try {
    return (await pool.query<T>(sql, params)).rows;
  } catch (error) {
    throw new ReconError('RECON_SOURCE_UNAVAILABLE', `reading the MDM store failed: ${(error as Error).message}`, { source: 'mdm' });
  }
}
