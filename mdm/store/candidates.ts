import type pg from 'pg';
import type { EntityConfig } from '../entities/types.js';
import { standardiseRecord } from '../standardise/index.js';
import type { StandardisedRecord } from '../types.js';
import { sourceKey, splitSourceKey } from '../types.js';
import { recordBlockKeys } from './blockKeys.js';
import { toSourceRecord } from './sourceRecords.js';

/** A candidate of a record being matched: a stored record with its master, or another record of the same call (no master yet when it is new). */
export interface Candidate {
  record: StandardisedRecord;
  masterId: string | undefined;
}

/**
 * The block step for records stored with their blocking keys (each counts in
 * its blocks' sizes, as in the batch): the stored records sharing one of a
 * record's keys (mdm.block_key, by index), leaving out a block larger than
 * its rule's maxBlockSize exactly as the batch does (a value that common
 * identifies nobody). Each block is read up to its limit + 1 rows, so a huge
 * block costs no more than a small one. Two statements whatever the number
 * of records: the members of every block any of them is in, then the stored
 * records among those members. A member that is
 * one of `matching` (the records of the same call, by key) comes from there,
 * as the caller holds it, master or not; any other member is a candidate
 * only when linked to a master, as for one record. Answers each record's
 * candidates, in the order of `records`.
 */
export async function readBlockedCandidatesOf(
  client: pg.PoolClient,
  config: EntityConfig,
  records: StandardisedRecord[],
  matching: Map<string, Candidate>,
): Promise<Candidate[][]> {
  const keysOf = records.map((r) => recordBlockKeys(r, config));
  const distinct = [...new Set(keysOf.flat())];
  if (distinct.length === 0) return records.map(() => []);
  const limits = distinct.map((k) => config.blocking.find((rule) => k.startsWith(`${rule.name}\u0002`))?.maxBlockSize ?? 300);
  const { rows: membership } = await client.query(
    `WITH keyed AS (
       SELECT k.block_key, k.max_size, b.system, b.source_id, count(*) OVER (PARTITION BY k.block_key) AS size
         FROM unnest($2::text[], $3::int[]) AS k(block_key, max_size)
         CROSS JOIN LATERAL (SELECT system, source_id FROM mdm.block_key
                              WHERE entity_type = $1 AND block_key = k.block_key LIMIT k.max_size + 1) b
     )
     SELECT block_key, system, source_id FROM keyed WHERE size <= max_size`,
    [config.entityType, distinct, limits],
  );
  const blocks = new Map<string, string[]>();
  for (const row of membership) (blocks.get(row.block_key) ?? blocks.set(row.block_key, []).get(row.block_key)!).push(sourceKey(row.system, row.source_id));
  const storedKeys = [...new Set(membership.map((row) => sourceKey(row.system, row.source_id)))].filter((k) => !matching.has(k));
  const stored = new Map<string, Candidate>();
  if (storedKeys.length > 0) {
    const split = storedKeys.map(splitSourceKey);
    const { rows } = await client.query(
      `SELECT s.system, s.source_id, s.attributes, s.source_updated_at, x.master_id
         FROM unnest($2::text[], $3::text[]) AS t(system, source_id)
         JOIN mdm.source_record s ON s.entity_type = $1 AND s.system = t.system AND s.source_id = t.source_id
         JOIN mdm.xref x ON x.entity_type = $1 AND x.system = t.system AND x.source_id = t.source_id`,
      [config.entityType, split.map((k) => k.system), split.map((k) => k.sourceId)],
    );
    for (const r of rows) {
      const record = standardiseRecord(toSourceRecord(config.entityType, r), config.attributes);
      stored.set(record.key, { record, masterId: r.master_id as string });
    }
  }
  return records.map((record, i) => {
    const out = new Map<string, Candidate>();
    for (const key of keysOf[i]) {
      for (const member of blocks.get(key) ?? []) {
        if (member === record.key || out.has(member)) continue;
        const candidate = matching.get(member) ?? stored.get(member);
        if (candidate) out.set(member, candidate);
      }
    }
    return [...out.values()];
  });
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

/** The steward rulings naming a record (either side), as pairs of source keys. */
export interface Rulings {
  cannotLink: [string, string][];
  mustLink: [string, string][];
}

/** The rulings naming each of these records, in one statement, in the order given. */
export async function readRulingsOfEach(client: pg.PoolClient, entityType: string, records: StandardisedRecord[]): Promise<Rulings[]> {
  const out = records.map((): Rulings => ({ cannotLink: [], mustLink: [] }));
  if (records.length === 0) return out;
  const at = new Map(records.map((r, i) => [r.key, i]));
  const { rows } = await client.query(
    `SELECT d.decision, d.left_system, d.left_id, d.right_system, d.right_id
       FROM unnest($2::text[], $3::text[]) AS t(system, source_id)
       JOIN mdm.steward_decision d ON d.entity_type = $1
        AND ((d.left_system = t.system AND d.left_id = t.source_id) OR (d.right_system = t.system AND d.right_id = t.source_id))`,
    [entityType, records.map((r) => r.system), records.map((r) => r.sourceId)],
  );
  const seen = new Set<string>();
  for (const r of rows) {
    const pair: [string, string] = [sourceKey(r.left_system, r.left_id), sourceKey(r.right_system, r.right_id)];
    for (const key of new Set(pair)) {
      const i = at.get(key);
      const id = `${i}\u0000${pair[0]}\u0000${pair[1]}`;
      if (i === undefined || seen.has(id)) continue;
      seen.add(id);
      (r.decision === 'never_merge' ? out[i].cannotLink : out[i].mustLink).push(pair);
    }
  }
  return out;
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
