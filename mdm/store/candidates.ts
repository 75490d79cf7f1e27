import type pg from 'pg';
import type { EntityConfig } from '../entities/types.js';
import { standardiseRecord } from '../standardise/index.js';
import type { StandardisedRecord } from '../types.js';
import { sourceKey } from '../types.js';
import { recordBlockKeys } from './blockKeys.js';
import { toSourceRecord } from './sourceRecords.js';

/** A stored source record and the master it belongs to now. */
export interface StoredRecord {
  record: StandardisedRecord;
  masterId: string;
}

/**
 * Block step for one stored record: the stored records sharing one of its
 * blocking keys (mdm.block_key, by index), leaving out a block larger than
 * its rule's maxBlockSize exactly as the batch does (a value that common
 * identifies nobody). Each block is read up to its limit + 1 rows, so a huge
 * block costs no more than a small one. The record must be stored with its
 * keys already (it counts in its blocks' sizes, as in the batch).
 */
export async function readBlockedCandidates(client: pg.PoolClient, config: EntityConfig, record: StandardisedRecord): Promise<StoredRecord[]> {
  const keys = recordBlockKeys(record, config);
  if (keys.length === 0) return [];
  const limits = keys.map((k) => config.blocking.find((rule) => k.startsWith(`${rule.name}\u0002`))?.maxBlockSize ?? 300);
  const { rows } = await client.query(
    `WITH keyed AS (
       SELECT k.block_key, k.max_size, b.system, b.source_id, count(*) OVER (PARTITION BY k.block_key) AS size
         FROM unnest($2::text[], $3::int[]) AS k(block_key, max_size)
         CROSS JOIN LATERAL (SELECT system, source_id FROM mdm.block_key
                              WHERE entity_type = $1 AND block_key = k.block_key LIMIT k.max_size + 1) b
     ), blocked AS (
       SELECT DISTINCT system, source_id FROM keyed WHERE size <= max_size AND NOT (system = $4 AND source_id = $5)
     )
     SELECT s.system, s.source_id, s.attributes, s.source_updated_at, x.master_id
       FROM blocked b
       JOIN mdm.source_record s ON s.entity_type = $1 AND s.system = b.system AND s.source_id = b.source_id
       JOIN mdm.xref x ON x.entity_type = $1 AND x.system = b.system AND x.source_id = b.source_id`,
    [config.entityType, keys, limits, record.system, record.sourceId],
  );
  return rows.map((r) => ({ record: standardiseRecord(toSourceRecord(config.entityType, r), config.attributes), masterId: r.master_id as string }));
}

/** Every stored member of these masters, standardised, by master; `except` (the incoming record) left out. */
export async function readMasterMembers(
  client: pg.PoolClient,
  config: EntityConfig,
  masterIds: string[],
  except?: string,
): Promise<Map<string, StandardisedRecord[]>> {
  const masters = new Map<string, StandardisedRecord[]>(masterIds.map((id) => [id, []]));
  if (masterIds.length === 0) return masters;
  const { rows } = await client.query(
    `SELECT x.master_id, s.system, s.source_id, s.attributes, s.source_updated_at
       FROM mdm.xref x
       JOIN mdm.source_record s ON s.entity_type = x.entity_type AND s.system = x.system AND s.source_id = x.source_id
      WHERE x.master_id = ANY($1::text[]) AND x.entity_type = $2
      ORDER BY x.system, x.source_id`,
    [masterIds, config.entityType],
  );
  for (const row of rows) {
    if (sourceKey(row.system, row.source_id) === except) continue;
    masters.get(row.master_id)!.push(standardiseRecord(toSourceRecord(config.entityType, row), config.attributes));
  }
  return masters;
}

/** The steward rulings naming one record (either side), as pairs of source keys. */
export async function readRulingsOf(client: pg.PoolClient, entityType: string, record: StandardisedRecord): Promise<{ cannotLink: [string, string][]; mustLink: [string, string][] }> {
  const { rows } = await client.query(
    `SELECT decision, left_system, left_id, right_system, right_id FROM mdm.steward_decision
      WHERE entity_type = $1 AND ((left_system = $2 AND left_id = $3) OR (right_system = $2 AND right_id = $3))`,
    [entityType, record.system, record.sourceId],
  );
  const rulings = { cannotLink: [] as [string, string][], mustLink: [] as [string, string][] };
  for (const r of rows) {
    const pair: [string, string] = [sourceKey(r.left_system, r.left_id), sourceKey(r.right_system, r.right_id)];
    (r.decision === 'never_merge' ? rulings.cannotLink : rulings.mustLink).push(pair);
  }
  return rulings;
}

/** Never-merge rulings between any two of these records (read by the left side's key prefix). */
export async function readNeverMergeAmong(client: pg.PoolClient, entityType: string, keys: string[]): Promise<[string, string][]> {
  if (keys.length < 2) return [];
  const inPlay = new Set(keys);
  const split = keys.map((k) => [k.slice(0, k.indexOf(':')), k.slice(k.indexOf(':') + 1)]);
  const { rows } = await client.query(
    `SELECT d.left_system, d.left_id, d.right_system, d.right_id FROM mdm.steward_decision d
       JOIN unnest($2::text[], $3::text[]) AS t(s, i) ON d.left_system = t.s AND d.left_id = t.i
      WHERE d.entity_type = $1 AND d.decision = 'never_merge'`,
    [entityType, split.map((s) => s[0]), split.map((s) => s[1])],
  );
  return rows
    .map((r): [string, string] => [sourceKey(r.left_system, r.left_id), sourceKey(r.right_system, r.right_id)])
    .filter(([, right]) => inPlay.has(right));
}

/** Where each of these stored records sits now (source key → master id). */
export async function readMastersOf(client: pg.PoolClient, entityType: string, keys: string[]): Promise<Map<string, string>> {
  if (keys.length === 0) return new Map();
  const split = keys.map((k) => [k.slice(0, k.indexOf(':')), k.slice(k.indexOf(':') + 1)]);
  const { rows } = await client.query(
    `SELECT x.system, x.source_id, x.master_id FROM mdm.xref x
       JOIN unnest($2::text[], $3::text[]) AS t(s, i) ON x.system = t.s AND x.source_id = t.i
      WHERE x.entity_type = $1`,
    [entityType, split.map((s) => s[0]), split.map((s) => s[1])],
  );
  return new Map(rows.map((r) => [sourceKey(r.system, r.source_id), r.master_id as string]));
}
